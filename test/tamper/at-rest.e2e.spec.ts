import Database from 'better-sqlite3';
import { execFileSync } from 'node:child_process';
import { createCipheriv, randomBytes, randomUUID } from 'node:crypto';
import { copyFileSync, existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { chain, toRecorded, type EventRow } from '@complaint-ledger/event-store';
import { unwrapKey } from '@complaint-ledger/privacy';
import { LEDGER } from '../../apps/ledger-api/src/infrastructure/tokens';
import type { Ledger } from '@complaint-ledger/ledger';
import { verifyCommand } from '../../apps/ledger-worker/src/verify-command';
import { api, complaintBody, KEYS, NOW, startAppWith, testConfig, TEST_MASTER_KEY } from '../../apps/ledger-api/test/support';
import { signingKeyFile } from '../../libs/ledger/test/support/signing-key';

/**
 * The data folder of a stopped ledger altered by someone who can write its files but holds none of
 * its keys (the signing key, the event key, the master key: kept elsewhere), as they would: the
 * sqlite3 shell, or a program of their own opening the files. Each alteration is found by `npm run
 * verify`, by the service's start-up check, and by `GET /v1/ledger/integrity`; a read model
 * altered is found, rebuilt, and its outputs served as the log says (decision 0023).
 */
jest.setTimeout(180_000);

const keys = mkdtempSync(join(tmpdir(), 'tamper-keys-')); // apart from the data, as deployments keep them
const signingKey = signingKeyFile(keys);
const eventKey = join(keys, 'event-keys');
writeFileSync(eventKey, `${randomBytes(32).toString('base64')}\n`, { mode: 0o600 });
const masterKey = join(keys, 'master-key');
writeFileSync(masterKey, `${TEST_MASTER_KEY}\n`, { mode: 0o600 });
const original = mkdtempSync(join(tmpdir(), 'tamper-data-'));
const FILES = ['ledger.sqlite', 'keys.sqlite', 'projections.sqlite', 'verified-mark.json'];

/** The service's settings for a data folder, its witness file kept beside the keys. */
const settingsFor = (folder: string, witness: string) => ({
  LEDGER_SQLITE_PATH: join(folder, 'ledger.sqlite'),
  LEDGER_SIGNING_KEY_FILE: signingKey,
  LEDGER_EVENT_KEY_FILE: eventKey,
  LEDGER_MASTER_KEY: '',
  LEDGER_MASTER_KEY_FILE: masterKey,
  LEDGER_CHECKPOINT_EVERY_EVENTS: '4',
  LEDGER_CHECKPOINT_WITNESS_FILE: witness,
});

const ids: Record<'alice' | 'bob' | 'carol' | 'erased', string> = { alice: '', bob: '', carol: '', erased: '' };
/** The erased resident's key row, read before their erasure. */
let erasedKeyRow: object = {};
/** What the service answered before anyone touched its files. */
let before: { breaches: number; tsm: unknown; list: unknown; known: unknown };

async function outputs(app: NestFastifyApplication) {
  const breaches = (await api(app, KEYS.auditor).get('/v1/breaches?limit=100').expect(200)).body;
  const tsm = (await api(app, KEYS.auditor).get('/v1/statistics/tsm?year=2024').expect(200)).body;
  const list = (await api(app, KEYS.case_handler).get('/v1/complaints?limit=100').expect(200)).body;
  // as known at a record time: from the read models' history, not their rows
  const known = (await api(app, KEYS.case_handler).get(`/v1/complaints?limit=100&knownAt=${NOW}`).expect(200)).body;
  const { asOfPosition: _t, ...figures } = tsm;
  return { breaches: breaches.items.length as number, tsm: figures, list: list.items, known: known.items };
}

beforeAll(async () => {
  const app = await startAppWith(testConfig(settingsFor(original, join(keys, 'witness.jsonl'))));
  const receive = async (reference: string, name: string, receivedAt: string) =>
    (
      await api(app)
        .post('/v1/complaints')
        .send(complaintBody({ receivedAt, resident: { reference, name } }))
        .expect(201)
    ).body.id as string;
  ids.alice = await receive('RES-ALICE', 'Alice Example', '2024-05-01T10:00:00+01:00'); // never acknowledged: breached
  ids.bob = await receive('RES-BOB', 'Bob Example', '2024-05-02T10:00:00+01:00');
  await api(app)
    .post(`/v1/complaints/${ids.bob}/acknowledgements`)
    .send({ stage: 1, acknowledgedAt: '2024-05-03T10:00:00+01:00', complaintDefinition: 'Leak' })
    .expect(200);
  ids.carol = await receive('RES-CAROL', 'Carol Example', '2024-05-07T10:00:00+01:00');
  for (let n = 0; n < 6; n++) await receive(`RES-${n}`, `Person ${n}`, `2024-06-0${n + 1}T10:00:00+01:00`);
  ids.erased = await receive('RES-ERASED', 'Erin Erased', '2024-06-08T10:00:00+01:00');
  // the key row as an earlier copy of the file (a backup, a disk snapshot) holds it, before the resident's erasure destroys it
  opened(original, 'keys.sqlite', (db) => {
    erasedKeyRow = db.prepare("SELECT key_id, subject, wrapped, created_at FROM data_keys WHERE subject = 'RES-ERASED'").get() as object;
  });
  await api(app, KEYS.admin).post('/v1/residents/erasure').send({ reference: 'RES-ERASED' }).expect(200);
  const ledger = app.get<Ledger>(LEDGER);
  await ledger.readSide.runner.catchUp();
  await ledger.sweep();
  await ledger.readSide.runner.catchUp();
  before = await outputs(app);
  expect(before.breaches).toBeGreaterThan(5); // each complaint never acknowledged is breached
  await app.close(); // a clean stop: the last checkpoint, and the verified mark on it
});

/** A copy of the stopped ledger's folder (and of its witness file), altered by `alter`. */
function altered(alter: (folder: string) => void): { folder: string; witness: string } {
  const folder = mkdtempSync(join(tmpdir(), 'tamper-copy-'));
  for (const file of FILES.flatMap((name) => [name, `${name}-wal`]))
    if (existsSync(join(original, file))) copyFileSync(join(original, file), join(folder, file));
  const witness = join(keys, `witness-${randomUUID()}.jsonl`);
  copyFileSync(join(keys, 'witness.jsonl'), witness);
  alter(folder);
  return { folder, witness };
}

/** The sqlite3 shell on one of the folder's files. */
const sqlite3 = (folder: string, file: string, sql: string) => execFileSync('sqlite3', [join(folder, file), sql]);

/** A program of the attacker's own on one of the folder's files. */
function opened(folder: string, file: string, alter: (db: Database.Database) => void): void {
  const db = new Database(join(folder, file));
  alter(db);
  db.close();
}

const streamOf = (id: string) => `complaint-${id}`;
const keyOf = (db: Database.Database, id: string) =>
  db.prepare('SELECT key FROM streams WHERE name = ?').pluck().get(streamOf(id)) as number;
const lastEvent = (db: Database.Database, id: string) =>
  toRecorded(db.prepare('SELECT * FROM events WHERE stream_id = ? ORDER BY revision DESC LIMIT 1').get(streamOf(id)) as EventRow);

/**
 * An event appended to a complaint with its hash computed as the code does (the attacker has read
 * the code), naming the ledger's own event key with a MAC made up: the attacker has not got the key.
 */
function forge(db: Database.Database, id: string, type: string, data: object): void {
  const head = lastEvent(db, id);
  const metadata = { occurredAt: '2024-05-20T09:00:00.000Z', actor: 'api-key:case-system', correlationId: randomUUID(), schemaVersion: 1 };
  // the key's id (seen in every event) under the hash, as the ledger puts it; the MAC can only be made up
  const madeUp = { keyId: head.metadata.macKeyId!, mac: () => randomBytes(32).toString('base64url') };
  const event = { eventId: randomUUID(), type, data, metadata };
  const sealed = chain(head.streamId, head.revision + 1, event, head.metadata.hash, new Date().toISOString(), madeUp);
  db.prepare('INSERT INTO events (stream_key, stream_id, revision, event_id, type, data, metadata) VALUES (?, ?, ?, ?, ?, ?, ?)').run(
    keyOf(db, id),
    head.streamId,
    head.revision + 1,
    sealed.eventId,
    type,
    JSON.stringify(sealed.data),
    JSON.stringify(sealed.metadata),
  );
}

/** The rows of two residents' data keys, by subject. */
const keyRows = (db: Database.Database) =>
  new Map(
    (
      db.prepare("SELECT rowid, subject, key_id, wrapped FROM data_keys WHERE subject IN ('RES-ALICE', 'RES-BOB')").all() as {
        rowid: number;
        subject: string;
        key_id: string;
        wrapped: Buffer;
      }[]
    ).map((row) => [row.subject, row]),
  );

/** `npm run verify` with every key, kept outside the folder: its exit status and what it printed. */
async function verify(folder: string, witness: string) {
  const printed: string[] = [];
  const say = (text: string) => printed.push(text);
  const args = [folder, '--public-key', signingKey, '--event-key', eventKey, '--master-key', masterKey, '--witness', witness];
  const status = await verifyCommand(args, say, say, {});
  return { status, text: printed.join('\n') };
}

/** The service started on the folder, once its start-up checks have run (the whole log, and the read models when it is intact). */
async function started(folder: string, witness: string): Promise<{ app: NestFastifyApplication; ready: request.Response }> {
  const app = await startAppWith(testConfig(settingsFor(folder, witness)));
  for (let i = 0; i < 600; i++) {
    const ready = await request(app.getHttpServer()).get('/health/ready');
    const { integrity, readModels } = ready.body.checks;
    if (integrity.status === 'broken') return { app, ready };
    if (integrity.verified === 'whole-log' && ['consistent', 'failed'].includes(readModels.status)) return { app, ready };
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error('the start-up checks did not finish');
}

type Attack = [what: string, alter: (folder: string) => void, kind: string, also?: (app: NestFastifyApplication) => Promise<void>];

const attacks: Attack[] = [
  [
    'a `streams` row renamed (the sqlite3 shell): a whole complaint filed under another name',
    (folder) =>
      sqlite3(folder, 'ledger.sqlite', `UPDATE streams SET name = 'complaint-${randomUUID()}' WHERE name = '${streamOf(ids.bob)}'`),
    'stream-index',
  ],
  [
    "two complaints' names swapped in `streams`: one complaint's id would serve the other's resident and history",
    (folder) =>
      opened(folder, 'ledger.sqlite', (db) => {
        const swap = db.prepare('UPDATE streams SET name = ? WHERE name = ?');
        swap.run('swapping', streamOf(ids.alice));
        swap.run(streamOf(ids.alice), streamOf(ids.bob));
        swap.run(streamOf(ids.bob), 'swapping');
      }),
    'stream-index',
    async (app) => {
      const answer = await api(app).get(`/v1/complaints/${ids.alice}`);
      expect(answer.body.residentReference).not.toBe('RES-BOB'); // never Bob's complaint under Alice's id
      expect(answer.status).toBe(409);
    },
  ],
  [
    "a complaint's last event re-pointed (`stream_key`) to a stream of the attacker's: hidden from its own",
    (folder) =>
      opened(folder, 'ledger.sqlite', (db) => {
        const last = lastEvent(db, ids.bob);
        const elsewhere = db.prepare('INSERT INTO streams (name) VALUES (?)').run(`complaint-${randomUUID()}`).lastInsertRowid;
        db.prepare('UPDATE events SET stream_key = ? WHERE position = ?').run(elsewhere, last.position);
      }),
    'stream-index',
  ],
  [
    'an event appended with a correct stream hash, the MAC made up',
    (folder) =>
      opened(folder, 'ledger.sqlite', (db) =>
        forge(db, ids.alice, 'Acknowledged', {
          complaintId: ids.alice,
          stage: 1,
          acknowledgedAt: '2024-05-02T10:00:00.000Z',
          complaintDefinition: 'Leak',
        }),
      ),
    'event-unauthenticated',
    async (app) => {
      // nothing decided on it, nothing shown from it: the complaint is refused as altered, and its own integrity says where
      expect((await api(app).get(`/v1/complaints/${ids.alice}`)).body).toMatchObject({ code: 'LEDGER.RECORD_ALTERED' });
      const integrity = (await api(app, KEYS.auditor).get(`/v1/complaints/${ids.alice}/integrity`).expect(200)).body;
      expect(integrity).toMatchObject({ valid: false, problem: 'bad-mac' });
    },
  ],
  [
    'an event of a type the ledger does not know appended, its stream hash correct',
    (folder) => opened(folder, 'ledger.sqlite', (db) => forge(db, ids.carol, 'ComplaintSettledQuietly', { complaintId: ids.carol })),
    'event-unauthenticated',
    async (app) => {
      // not a 404 while the list shows it: the complaint is said to be altered
      const answer = await api(app).get(`/v1/complaints/${ids.carol}`);
      expect(answer.status).toBe(409);
      expect(answer.body).toMatchObject({ code: 'LEDGER.RECORD_ALTERED' });
    },
  ],
  [
    "two residents' key rows swapped by subject (no master key needed)",
    (folder) =>
      opened(folder, 'keys.sqlite', (db) => {
        const rows = keyRows(db);
        const set = db.prepare('UPDATE data_keys SET subject = ? WHERE rowid = ?');
        set.run('RES-BOB', rows.get('RES-ALICE')!.rowid);
        set.run('RES-ALICE', rows.get('RES-BOB')!.rowid);
      }),
    'key-store-altered',
    async (app) => {
      // erasing Alice destroys nobody's key, Bob's least of all, and records nothing
      const erasure = await api(app, KEYS.admin).post('/v1/residents/erasure').send({ reference: 'RES-ALICE' });
      expect(erasure.status).toBe(503);
      const db = new Database(app.get<Ledger>(LEDGER).config.keysPath, { readonly: true });
      expect(db.prepare("SELECT count(*) FROM data_keys WHERE subject IN ('RES-ALICE', 'RES-BOB')").pluck().get()).toBe(2);
      db.close();
    },
  ],
  [
    "two residents' wrapped keys swapped",
    (folder) =>
      opened(folder, 'keys.sqlite', (db) => {
        const rows = keyRows(db);
        const set = db.prepare('UPDATE data_keys SET wrapped = ? WHERE rowid = ?');
        set.run(rows.get('RES-BOB')!.wrapped, rows.get('RES-ALICE')!.rowid);
        set.run(rows.get('RES-ALICE')!.wrapped, rows.get('RES-BOB')!.rowid);
      }),
    'key-store-altered',
    async (app) => {
      const history = (await api(app, KEYS.auditor).get(`/v1/complaints/${ids.alice}/history`).expect(200)).body;
      expect(history.events[0].data.resident.name).toBe('[withheld: key file altered]'); // never "[erased]"
    },
  ],
  [
    "an erased resident's key row put back from an earlier copy of the file (the erasure the ledger recorded still listing it)",
    (folder) =>
      opened(folder, 'keys.sqlite', (db) =>
        db
          .prepare('INSERT INTO data_keys (key_id, subject, wrapped, created_at) VALUES (@key_id, @subject, @wrapped, @created_at)')
          .run(erasedKeyRow),
      ),
    'key-store-altered',
    async (app) => {
      const history = (await api(app, KEYS.auditor).get(`/v1/complaints/${ids.erased}/history`).expect(200)).body;
      expect(history.events[0].data.resident.name).not.toBe('Erin Erased'); // what the erasure destroyed stays destroyed
    },
  ],
  ...(['kept', 'deleted'] as const).map((masterKeyRow): Attack => [
    `every key deleted and erasures made up for every resident, as in a file from before keys were bound (its master key's id ${masterKeyRow})`,
    (folder) =>
      opened(folder, 'keys.sqlite', (db) => {
        db.exec(
          `DELETE FROM data_keys; DELETE FROM erased_keys; DELETE FROM erasures;${masterKeyRow === 'deleted' ? ' DELETE FROM master_key;' : ''}`,
        );
        const madeUp = db.prepare(
          "INSERT INTO erasures (subject, erased_at, actor, reason) VALUES (?, '2999-01-01T00:00:00.000Z', 'dpo', 'asked')",
        );
        for (const subject of ['RES-ALICE', 'RES-BOB', 'RES-CAROL', 'RES-ERASED', ...[0, 1, 2, 3, 4, 5].map((n) => `RES-${n}`)])
          madeUp.run(subject);
      }),
    'key-store-altered',
  ]),
  [
    "a resident's key row deleted (the sqlite3 shell)",
    (folder) => sqlite3(folder, 'keys.sqlite', "DELETE FROM data_keys WHERE subject = 'RES-BOB'"),
    'key-store-altered',
    async (app) => {
      const history = (await api(app, KEYS.auditor).get(`/v1/complaints/${ids.bob}/history`).expect(200)).body;
      expect(history.events[0].data.resident.name).toBe('[withheld: key file altered]'); // never "[erased]"
    },
  ],
];

describe.each(attacks)('%s', (_, alter, kind, also) => {
  const copy = () => (cached ??= altered(alter));
  let cached: { folder: string; witness: string } | undefined;

  it('is found by npm run verify (exit 1, naming the break)', async () => {
    const { folder, witness } = copy();
    const { status, text } = await verify(folder, witness);
    expect(text).toMatch(/^ALTERED/);
    expect(text).toContain(`first break:      ${kind}`);
    expect(status).toBe(1);
  });

  it("is found by the service's start-up check: not ready, every write refused", async () => {
    const { folder, witness } = copy();
    const { app, ready } = await started(folder, witness);
    try {
      expect(ready.status).toBe(503);
      expect(ready.body.checks.integrity).toMatchObject({ status: 'broken', break: expect.stringContaining(`(${kind})`) });
      const write = await api(app).post('/v1/complaints').send(complaintBody());
      expect(write.body).toMatchObject({ code: 'LEDGER.INTEGRITY_BROKEN' });
      await also?.(app);
    } finally {
      await app.close();
    }
  });

  it('is found by GET /v1/ledger/integrity', async () => {
    const { folder, witness } = copy();
    const app = await startAppWith(testConfig({ ...settingsFor(folder, witness), LEDGER_VERIFY_WHOLE_LOG_AT_START: 'false' }));
    try {
      const verdict = (await api(app, KEYS.auditor).get('/v1/ledger/integrity').expect(200)).body;
      expect(verdict).toMatchObject({ valid: false, break: { kind } });
    } finally {
      await app.close();
    }
  });
});

describe.each<[string, (folder: string) => void, string[]]>([
  [
    'read-model rows deleted (every breach, half the complaints)',
    (folder) =>
      opened(folder, 'projections.sqlite', (db) => {
        db.exec('DELETE FROM rm_deadline_alerts');
        db.exec('DELETE FROM rm_complaints WHERE rowid % 2 = 0');
      }),
    ['complaints', 'deadline_alerts'],
  ],
  [
    'read-model rows edited (every complaint closed, without breaches; the sqlite3 shell)',
    (folder) => sqlite3(folder, 'projections.sqlite', "UPDATE rm_complaints SET status = 'closed', breaches = 0"),
    ['complaints'],
  ],
  [
    "the read models' history by record time edited (every complaint closed as known then), which knownAt lists read",
    (folder) => sqlite3(folder, 'projections.sqlite', "UPDATE rm_complaints_versions SET status = 'closed'"),
    ['complaints'],
  ],
])('%s', (_, alter, mismatched) => {
  const copy = () => (cached ??= altered(alter));
  let cached: { folder: string; witness: string } | undefined;

  it('is found by npm run verify (exit 1: the read models disagree with the log, which itself verifies)', async () => {
    const { folder, witness } = copy();
    const { status, text } = await verify(folder, witness);
    expect(text).toMatch(/^ALTERED: the read models/);
    expect(text).toMatch(new RegExp(`DISAGREE WITH THE LOG: ${mismatched.join(', ')}`));
    expect(status).toBe(1);
  });

  it("is found by the service's start-up check, repaired from the log, and what is served is what the log says", async () => {
    const { folder, witness } = copy();
    const { app, ready } = await started(folder, witness);
    try {
      expect(ready.status).toBe(200);
      expect(ready.body.checks.readModels).toMatchObject({ status: 'consistent', mismatched });
      expect(await outputs(app)).toEqual(before); // breaches, TSM and the list as they were: never the altered rows
      const metrics = (await request(app.getHttpServer()).get('/metrics').expect(200)).text;
      for (const name of mismatched) expect(metrics).toContain(`ledger_read_model_mismatches_total{read_model="${name}"} 1`);
    } finally {
      await app.close();
    }
  });

  it('is found by GET /v1/ledger/integrity, which names the read models it found disagreeing, and rebuilt', async () => {
    const { folder, witness } = altered(alter); // a copy of its own: the start-up check above repaired the other
    const config = testConfig({ ...settingsFor(folder, witness), LEDGER_VERIFY_WHOLE_LOG_AT_START: 'false' });
    const app = await startAppWith(config);
    try {
      const verdict = (await api(app, KEYS.auditor).get('/v1/ledger/integrity').expect(200)).body;
      expect(verdict).toMatchObject({ valid: true, readModels: { status: 'consistent', mismatched } });
      expect(await outputs(app)).toEqual(before);
    } finally {
      await app.close();
    }
  });
});

it('a ledger only used verifies: npm run verify with every key says INTACT (exit 0), the service starts intact', async () => {
  const { folder, witness } = altered(() => undefined);
  const { status, text } = await verify(folder, witness);
  expect(text).toMatch(/^INTACT/);
  expect(text).toMatch(/event MACs: +checked/);
  expect(text).toMatch(/key file: +checked/);
  expect(text).toMatch(/read models: +agree with the log/);
  expect(status).toBe(0);
  const { app, ready } = await started(folder, witness);
  try {
    expect(ready.status).toBe(200);
    expect(ready.body.checks.readModels).toMatchObject({ status: 'consistent', mismatched: [] });
  } finally {
    await app.close();
  }
});

it('a key file from before keys were bound, with an erasure of then that the log records, is migrated at start without alarm, and verifies', async () => {
  const master = Buffer.from(TEST_MASTER_KEY, 'base64');
  const { folder, witness } = altered((copy) =>
    opened(copy, 'keys.sqlite', (db) => {
      // each key back in the form of then (no resident bound to it), the erasure without its MAC, nothing listed, no master key id
      const rewrap = db.prepare('UPDATE data_keys SET wrapped = ? WHERE key_id = ?');
      for (const row of db.prepare('SELECT key_id, subject, wrapped FROM data_keys').all() as {
        key_id: string;
        subject: string;
        wrapped: Buffer;
      }[]) {
        const key = unwrapKey(master, row.wrapped, row.subject, row.key_id)!;
        const iv = randomBytes(12);
        const cipher = createCipheriv('aes-256-gcm', master, iv);
        const sealed = Buffer.concat([cipher.update(key), cipher.final()]);
        rewrap.run(Buffer.concat([iv, cipher.getAuthTag(), sealed]), row.key_id);
      }
      db.exec('DELETE FROM erased_keys; UPDATE erasures SET mac = NULL, legacy = 0; DELETE FROM master_key;');
    }),
  );

  const { app, ready } = await started(folder, witness);
  try {
    expect(ready.status).toBe(200);
    expect(ready.body.checks.integrity.status).toBe('intact');
    const history = (await api(app, KEYS.auditor).get(`/v1/complaints/${ids.erased}/history`).expect(200)).body;
    expect(history.events[0].data.resident.name).toBe('[erased]');
  } finally {
    await app.close();
  }
  const { status, text } = await verify(folder, witness);
  expect(text).toMatch(/^INTACT/);
  expect(status).toBe(0);
});
