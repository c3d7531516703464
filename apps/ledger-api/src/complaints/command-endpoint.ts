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

  async run(request: FastifyRequest, reply: FastifyReply, complaintId: string, command: ComplaintCommand): Promise<CommandResponse> {
    const retry = retryKeyOf(request);
    const outcome = await this.bus.execute(
      new RecordComplaintFact({
        complaintId,
        command,
        actor: principalOf(request),
        correlationId: correlationIdOf(request),
        ifMatch: ifMatchOf(request),
        ...retry,
      }),
    );
    void reply.header('etag', `"${outcome.revision}"`);
    if (outcome.replayed) void reply.header('idempotent-replayed', 'true');
    return { id: outcome.id, revision: outcome.revision };
  }
}

/**
 * How a retry of this request is recognised. With an `Idempotency-Key`, by the key (and the
 * request's hash, so the key reused with another request is refused). Without one, by the request
 * itself: a key derived from the credential, the method, the path and the body, so that a client
 * that got no answer (a timeout, a 503 "outcome unknown") and sends the same request again never
 * records the fact twice. The price, documented: the identical request from the same credential
 * is always taken as a retry; a fact genuinely repeated word for word needs keys of its own.
 */
export function retryKeyOf(request: FastifyRequest): { idempotencyKey: string; requestHash: string; derivedKey: boolean } {
  const clientKey = idempotencyKeyOf(request);
  if (clientKey) return { idempotencyKey: clientKey, requestHash: hashOf({ request: requestOf(request) }), derivedKey: false };
  const hash = hashOf({ actor: principalOf(request), request: requestOf(request) });
  return { idempotencyKey: `derived:${hash}`, requestHash: hash, derivedKey: true };
}

const requestOf = (request: FastifyRequest) => ({ method: request.method, path: request.url.split('?')[0], body: request.body ?? null });

// the client-key hash keeps its earlier shape (method, path, body at the top level), so keys stored before still compare equal
const hashOf = (value: { actor?: string; request: ReturnType<typeof requestOf> }): string =>
  createHash('sha256')
    .update(canonicalJson(value.actor === undefined ? value.request : value))
    .digest('hex');
