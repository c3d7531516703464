import { parseEventStoreConnectionString } from '../src';
import { clientLibrary, clientNameFor } from '../src/adapters/eventstoredb-clients';

describe('connection strings: the scheme picks the client, and each is accepted exactly as its client accepts it', () => {
  it.each([
    ['esdb://localhost:2113?tls=false', '@eventstore/db-client'],
    ['esdb+discover://a.example:2113,b.example:2113', '@eventstore/db-client'],
    ['esdb://localhost:2113?defaultDeadline=5000', '@eventstore/db-client'],
    ['kurrentdb://localhost:2113?tls=false', '@kurrent/kurrentdb-client'],
    ['kurrentdb+discover://a.example:2113,b.example:2113', '@kurrent/kurrentdb-client'],
    ['kurrent://localhost:2113', '@kurrent/kurrentdb-client'],
    ['kdb://admin:changeit@localhost:2113?tls=true&tlsCAFile=/certs/ca/ca.crt', '@kurrent/kurrentdb-client'],
  ])('accepts %s, through %s', (value, client) => {
    expect(() => parseEventStoreConnectionString(value)).not.toThrow();
    expect(clientNameFor(value)).toBe(client);
  });

  it.each([
    'esdb://localhost:port',
    'esdb://localhost:2113?defaultDeadline=soon',
    'kurrentdb://localhost:port',
    'kurrentdb://localhost:2113?defaultDeadline=soon',
    'tcp://localhost:1113',
  ])("refuses %s, in the client's words", (value) => {
    expect(() => parseEventStoreConnectionString(value)).toThrow(/^Unexpected .+, expected /);
  });

  it('names both schemes when it knows neither', () => {
    expect(() => parseEventStoreConnectionString('http://localhost:2113')).toThrow(/expected esdb:\/\/ .*kurrentdb:\/\//);
  });

  it('reads defaultDeadline', () => {
    expect(parseEventStoreConnectionString('esdb://localhost:2113?defaultDeadline=1500')).toMatchObject({ defaultDeadline: 1500 });
    expect(parseEventStoreConnectionString('kurrentdb://localhost:2113?defaultDeadline=1500')).toMatchObject({ defaultDeadline: 1500 });
  });
});

it('never loads both clients in one process: their protobuf code shares global names', () => {
  expect(clientLibrary('@eventstore/db-client').name).toBe('@eventstore/db-client');
  expect(() => clientLibrary('@kurrent/kurrentdb-client')).toThrow(/cannot be used in a process that has loaded @eventstore\/db-client/);
});
