import { Injectable } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ComplaintCommand } from '@complaint-ledger/domain';
import type { CommandOutcome, RetryIdentity } from '@complaint-ledger/ledger';
import { correlationIdOf, idempotencyKeyOf, ifMatchOf, principalOf } from '../http/request-context';
import { messageFor } from './command-bus';

export interface CommandResponse {
  id: string;
  revision: number;
  position: number;
}

/**
 * What every command route does with HTTP: headers in, the command through Nest's CommandBus to
 * the ledger's one write path, ETag out.
 */
@Injectable()
export class CommandEndpoint {
  constructor(private readonly bus: CommandBus) {}

  async run(request: FastifyRequest, reply: FastifyReply, complaintId: string, command: ComplaintCommand): Promise<CommandResponse> {
    const Message = messageFor(command.type);
    const outcome = await this.bus.execute<InstanceType<typeof Message>, CommandOutcome>(
      new Message({
        complaintId,
        command,
        actor: principalOf(request),
        correlationId: correlationIdOf(request),
        ifMatch: ifMatchOf(request),
        retry: retryIdentityOf(request),
      }),
    );
    void reply.header('etag', `"${outcome.revision}"`);
    if (outcome.replayed) void reply.header('idempotent-replayed', 'true');
    return { id: outcome.id, revision: outcome.revision, position: outcome.position };
  }
}

/**
 * How the ledger recognises this request if it is sent again: by its Idempotency-Key, or, without
 * one, by the request itself (docs/integration.md, "Retries and unknown outcomes").
 */
export function retryIdentityOf(request: FastifyRequest): RetryIdentity {
  const idempotencyKey = idempotencyKeyOf(request);
  const asked = { method: request.method, path: request.url.split('?')[0]!, body: request.body ?? null };
  return idempotencyKey ? { idempotencyKey, request: asked } : { request: asked };
}
