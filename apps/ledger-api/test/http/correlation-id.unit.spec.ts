import type { FastifyRequest } from 'fastify';
import { correlationIdOf } from '../../src/http/request-context';

/**
 * A correlation id is recorded with every event and published on Kafka, never erased. One holding
 * a number written in its groups, joined by - or _ inside the id, was kept: each unbroken run of
 * digits was tested alone (found by a helper reviewing). Ordinary ids are kept.
 */
const request = (id: string) => ({ headers: { 'x-correlation-id': id } }) as unknown as FastifyRequest;

it.each(['tel-07700-900123', 'resident_07700_900123', 'x07700-900-123', 'cb-020-7946-0958', 'tel-44-7700-900123'])(
  'does not keep the correlation id %s',
  (id) => expect(correlationIdOf(request(id))).not.toBe(id),
);

it('keeps ordinary ids (a UUID, a dated request id, a W3C trace id)', () => {
  for (const id of ['00020950-937f-4278-8d0c-3b7c5f7a9e21', 'req-2024-06-12-000123', '4bf92f3577b34da6a3ce929d0e0e4736'])
    expect(correlationIdOf(request(id))).toBe(id);
});
