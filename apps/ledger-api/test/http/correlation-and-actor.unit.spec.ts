import type { FastifyRequest } from 'fastify';
import { correlationIdOf } from '../../src/http/request-context';
import { publishedActor } from '../../../../libs/messaging/src/integration-events';

/** A correlation id and a published actor: contact details are not kept, identifiers (UUIDs) are, whatever their digits (found by a helper reviewing). */
const request = (id: string) => ({ headers: { 'x-correlation-id': id } }) as unknown as FastifyRequest;

it("keeps a client's UUID correlation id, whose first digits may read as a UK number (about 1 in 4,300 v4 UUIDs)", () => {
  const id = '00020950-937f-4278-8d0c-3b7c5f7a9e21';
  expect(correlationIdOf(request(id))).toBe(id); // replaced by a random UUID: the caller's id is lost from its events and Kafka
});

it('does not keep a correlation id carrying a telephone number behind a prefix (the obvious way a caller builds one)', () => {
  for (const id of ['tel-07700900123', 'resident_07700900123', 'call.07700900123', 'x07700900123'])
    expect(correlationIdOf(request(id))).not.toBe(id);
});

it('publishes a JWT subject that is a UUID (Entra ID oid, Keycloak sub) as it is, whatever its digits', () => {
  expect(publishedActor('jwt:00020950-937f-4278-8d0c-3b7c5f7a9e21')).toBe('jwt:00020950-937f-4278-8d0c-3b7c5f7a9e21');
});
