import type { FastifyReply, FastifyRequest } from 'fastify';
import type { PersonalDataCipher } from '@complaint-ledger/ledger';

type PreSerialization = (request: FastifyRequest, reply: FastifyReply, payload: unknown) => Promise<unknown>;

/**
 * Personal data is stored encrypted everywhere (events, read models); it is decrypted only here,
 * on its way out to an authenticated reader — or shown as `[erased]` once the resident's key is
 * gone. A Fastify hook on every JSON body rather than a Nest interceptor: the interceptor's
 * observable chain costs every command far more than the walk of an `{ id, revision }` it wraps.
 * Asynchronous, since the keys the body names may first have to be fetched (from EventStoreDB,
 * where every replica shares them: decision 0028).
 */
export function revealPersonalData(cipher: PersonalDataCipher): PreSerialization {
  return async (_request, _reply, payload) => (payload && typeof payload === 'object' ? cipher.revealed(payload) : payload);
}
