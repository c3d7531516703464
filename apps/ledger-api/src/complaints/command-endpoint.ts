import { Injectable } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { canonicalJson } from '@complaint-ledger/event-store';
import { createHash } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ComplaintCommand } from '@complaint-ledger/domain';
import { correlationIdOf, idempotencyKeyOf, ifMatchOf, principalOf } from '../http/request-context';
import { RecordComplaintFact } from '@complaint-ledger/ledger';

export interface CommandResponse {
  id: string;
  revision: number;
}

/**
 * What every command route does with HTTP: headers in, the command through Nest's CommandBus to
 * the ledger's write path (its handler), ETag out.
 */
@Injectable()
export class CommandEndpoint {
  constructor(private readonly bus: CommandBus) {}

  /** `newStream`: the complaint id was made for this request, so there is no stream to read yet. */
  async run(
    request: FastifyRequest,
    reply: FastifyReply,
    complaintId: string,
    command: ComplaintCommand,
    newStream = false,
  ): Promise<CommandResponse> {
    const idempotencyKey = idempotencyKeyOf(request);
    const outcome = await this.bus.execute(
      new RecordComplaintFact({
        complaintId,
        command,
        actor: principalOf(request),
        correlationId: correlationIdOf(request),
        ifMatch: ifMatchOf(request),
        idempotencyKey,
        // only a retry with the same key is compared with the original request
        requestHash: idempotencyKey ? requestHashOf(request) : undefined,
        known: newStream ? { state: null, revision: -1 } : undefined,
      }),
    );
    void reply.header('etag', `"${outcome.revision}"`);
    if (outcome.replayed) void reply.header('idempotent-replayed', 'true');
    return { id: outcome.id, revision: outcome.revision };
  }
}

const requestHashOf = (request: FastifyRequest): string =>
  createHash('sha256')
    .update(canonicalJson({ method: request.method, path: request.url.split('?')[0], body: request.body ?? null }))
    .digest('hex');
