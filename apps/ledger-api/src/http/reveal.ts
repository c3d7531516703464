import { RouteConfig } from '@nestjs/platform-fastify';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { PersonalDataCipher } from '@complaint-ledger/ledger';

type PreSerialization = (request: FastifyRequest, reply: FastifyReply, payload: unknown) => Promise<unknown>;

/**
 * Marks a route whose answer shows residents' personal data to the roles it admits (a complaint,
 * its history, its export, its documents): only such a route's answers are revealed.
 */
export const RevealsPersonalData = () => RouteConfig({ revealsPersonalData: true });

/**
 * Personal data is stored encrypted everywhere (events, read models); it is decrypted only here,
 * on its way out — or shown as `[erased]` once the resident's key is gone — and only in a success
 * answer of a route marked `RevealsPersonalData`, whose roles may read it. Anywhere else an
 * encrypted value stays as it is: revealing every answer made the service decrypt whatever a
 * caller sent back to it (an analyst naming a value from an evidence pack as a query parameter
 * had it echoed in clear in the 400 that refused it; found by a helper attacking the API). A
 * Fastify hook rather than a Nest interceptor: the interceptor's observable chain costs every
 * command far more than the walk of an `{ id, revision }` it wraps. Asynchronous, since the keys
 * the body names may first have to be fetched (from EventStoreDB, where every replica shares them:
 * decision 0028).
 */
export function revealPersonalData(cipher: PersonalDataCipher): PreSerialization {
  return async (request, reply, payload) => {
    const config = request.routeOptions.config as { revealsPersonalData?: boolean } | undefined;
    if (!config?.revealsPersonalData || reply.statusCode >= 300 || !payload || typeof payload !== 'object') return payload;
    return cipher.revealed(payload);
  };
}
