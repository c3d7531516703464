import { ParseUUIDPipe, type PipeTransform } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import { personalDataInIdentifier } from '@complaint-ledger/domain';
import { invalidRequest } from './problem';
import { actorOf, principalOfRequest } from '../auth/principal';

/**
 * The actor recorded in each event: the principal the auth guard established (API key name or JWT
 * subject) — never a value from the body.
 */
export const principalOf = (request: FastifyRequest): string => {
  const principal = principalOfRequest(request);
  if (!principal) throw new Error('no authenticated principal on a guarded route');
  return actorOf(principal);
};

const correlationIds = new WeakMap<FastifyRequest, string>();

/**
 * The request's correlation id: the client's `X-Correlation-Id` when it is a plain token, or one
 * made for the request; the same all through it (its events, its log line, the response header).
 */
export const correlationIdOf = (request: FastifyRequest): string => {
  let id = correlationIds.get(request);
  if (id === undefined) {
    const header = request.headers['x-correlation-id'];
    // recorded with every event and published on Kafka, never erased: one holding someone's number or address is not kept
    id = typeof header === 'string' && /^[\w.:-]{1,100}$/.test(header) && !personalDataInIdentifier(header) ? header : randomUUID();
    correlationIds.set(request, id);
  }
  return id;
};

const invalidHeader = (field: string, message: string) => invalidRequest([{ field, rule: 'header', message }]);

/**
 * `If-Match: "3"` (or `W/"3"`, or `3`) → 3. `If-Match: *` asks only that the complaint exist
 * (RFC 9110 §13.1.1): the command is decided on the complaint as it is, as without the header, and
 * a complaint that does not exist is 404 either way, since a 404 is decided before preconditions
 * are (§13.2.1).
 */
export function ifMatchOf(request: FastifyRequest): number | undefined {
  const header = request.headers['if-match'];
  if (header === undefined || String(header).trim() === '*') return undefined;
  const match = /^(?:W\/)?"?(-?\d+)"?$/.exec(String(header).trim());
  if (!match) throw invalidHeader('If-Match', 'If-Match must be a revision as returned in ETag, e.g. "3", or * (any revision)');
  return Number(match[1]);
}

export function idempotencyKeyOf(request: FastifyRequest): string | undefined {
  const header = request.headers['idempotency-key'];
  if (header === undefined) return undefined;
  if (typeof header !== 'string' || !/^[\w.:-]{1,200}$/.test(header)) {
    throw invalidHeader(
      'Idempotency-Key',
      'Idempotency-Key must be 1–200 characters of letters, digits, ".", ":", "_" or "-" (a UUID is ideal)',
    );
  }
  // the ledger's own keys for requests sent without one (docs/integration.md): never a client's
  if (header.toLowerCase().startsWith('derived:')) throw invalidHeader('Idempotency-Key', 'Idempotency-Key may not begin with "derived:"');
  return header;
}

const uuidPipe = new ParseUUIDPipe({
  exceptionFactory: () => invalidRequest([{ field: 'id', rule: 'isUuid', message: 'id must be a UUID' }]),
});

/** A complaint id from the path: a UUID, in any case, compared in the lower case the ledger records (RFC 9562). */
export const complaintIdPipe: PipeTransform<string, Promise<string>> = {
  transform: async (value, metadata) => (await uuidPipe.transform(value, metadata)).toLowerCase(),
};

const documentUuidPipe = new ParseUUIDPipe({
  exceptionFactory: () => invalidRequest([{ field: 'documentId', rule: 'isUuid', message: 'documentId must be a UUID' }]),
});

/** A document id from the path: a UUID, in the lower case the ledger records. */
export const documentIdPipe: PipeTransform<string, Promise<string>> = {
  transform: async (value, metadata) => (await documentUuidPipe.transform(value, metadata)).toLowerCase(),
};
