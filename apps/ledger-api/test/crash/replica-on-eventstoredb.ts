import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { complaintBody, KEYS, TEST_API_KEYS, TEST_MASTER_KEY } from '../support';

/** An API replica's settings on EventStoreDB, with a data folder of its own (as on a host of its own). */
export const replicaOnEventStoreDb = (connectionString: string, masterKey = TEST_MASTER_KEY, extra: Record<string, string> = {}) => {
  const folder = mkdtempSync(join(tmpdir(), 'ledger-esdb-replica-'));
  return {
    LEDGER_STORE: 'eventstoredb',
    EVENTSTORE_CONNECTION_STRING: connectionString,
    LEDGER_KEYS_PATH: join(folder, 'keys.sqlite'),
    LEDGER_PROJECTIONS_PATH: join(folder, 'projections.sqlite'),
    LEDGER_VERIFIED_MARK_PATH: join(folder, 'mark.json'),
    LEDGER_API_KEYS: TEST_API_KEYS,
    LEDGER_MASTER_KEY: masterKey,
    LEDGER_BREACH_SWEEP_SECONDS: '0',
    ...extra,
  };
};

/** A complaint received over HTTP from the resident `reference` named `name`: its id (the 201 asserted). */
export const receive = async (base: string, reference: string, name: string): Promise<string> => {
  const response = await fetch(`${base}/v1/complaints`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-api-key': KEYS.case_handler },
    body: JSON.stringify(complaintBody({ resident: { reference, name } })),
  });
  expect(response.status).toBe(201);
  return ((await response.json()) as { id: string }).id;
};

/** The resident's name as an auditor reads it in the complaint's first event. */
export const nameIn = async (base: string, id: string): Promise<string> => {
  const response = await fetch(`${base}/v1/complaints/${id}/history`, { headers: { 'x-api-key': KEYS.auditor } });
  const history = (await response.json()) as { events: { data: { resident?: { name?: string } } }[] };
  return history.events[0]!.data.resident!.name!;
};
