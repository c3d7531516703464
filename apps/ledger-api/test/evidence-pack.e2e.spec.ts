import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { inflateRawSync } from 'node:zlib';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { api, binary, complaintBody, KEYS, startApp, tempSqlitePath } from './support';
import { signingKeyFile } from '../../../libs/ledger/test/support/signing-key';
import { ensureBuilt, runTool } from '../../../test/support/processes';

/**
 * The Ombudsman evidence pack (Code 5.12; decision 0024): one ZIP per complaint that anyone checks
 * with the ledger's public key and a single file of JavaScript, outside this repository, and
 * whose complaint file a person reads. Every alteration is found and named.
 */
const ROOT = join(__dirname, '../../..');
const fixture = (name: string) => readFileSync(join(ROOT, 'test/fixtures', name));
const work = mkdtempSync(join(tmpdir(), 'evidence-pack-'));
const sqlitePath = tempSqlitePath();
const keyFile = signingKeyFile(dirname(sqlitePath));
// the verifier as an investigator runs it: one file copied out of the repository, with Node and nothing else
const verifier = join(work, 'verify-pack.mjs');
copyFileSync(join(ROOT, 'tools/verify-pack/verify-pack.mjs'), verifier);
const publicKey = join(work, 'key.pem');
const otherKey = join(work, 'other-key.pem');

let app: NestFastifyApplication;
let id: string;
let pack: Buffer;
let earlier: number;

async function record(path: string, body: object) {
  return api(app, KEYS.case_handler).post(`/v1/complaints/${id}/${path}`).send(body).expect(200);
}

const upload = (bytes: Buffer, query: Record<string, string>) =>
  api(app, KEYS.case_handler)
    .post(`/v1/complaints/${id}/documents`)
    .query(query)
    .set('content-type', 'application/octet-stream')
    .send(bytes)
    .expect(201);

/** The service's clock: the correction is recorded a day after the rest, so a pack can be asked for as the ledger knew it before. */
let now = '2026-11-22T12:00:00.000Z';
const BEFORE_THE_CORRECTION = '2026-11-22T18:00:00.000Z';

beforeAll(async () => {
  app = await startApp(
    {
      LEDGER_SQLITE_PATH: sqlitePath,
      LEDGER_SIGNING_KEY_FILE: keyFile,
      LEDGER_CHECKPOINT_EVERY_EVENTS: '3',
      LEDGER_LANDLORD_NAME: 'Riverside Homes',
    },
    () => now,
  );
  // another resident's complaint, whose data must never appear in this one's pack
  const other = (
    await api(app)
      .post('/v1/complaints')
      .send(complaintBody({ resident: { reference: 'RES-OTHER', name: 'Olive Otherresident' } }))
      .expect(201)
  ).body.id;
  // its pack has a tree head signed over it: an earlier head for the consistency proof below
  await api(app, KEYS.auditor).get(`/v1/complaints/${other}/evidence-pack`).expect(200);
  earlier = (await api(app, KEYS.auditor).get('/v1/ledger/integrity').expect(200)).body.checkpoints.latest.treeSize;
  id = (
    await api(app)
      .post('/v1/complaints')
      .send(complaintBody({ resident: { reference: 'RES-3001', name: 'Priya Patel' }, summary: 'Damp in the bedroom since March' }))
      .expect(201)
  ).body.id;
  const letter = (
    await upload(fixture('letter.pdf'), {
      title: 'Stage 1 response letter',
      kind: 'letter_to_resident',
      direction: 'outbound',
      dated: '2024-05-20',
    })
  ).body;
  await upload(fixture('photo.png'), { title: 'Photo of the damp', kind: 'photo', direction: 'inbound', dated: '2024-05-02' });
  await record('acknowledgements', {
    stage: 1,
    acknowledgedAt: '2024-05-13T10:00:00+01:00',
    complaintDefinition: 'Damp unrepaired',
    handler: 'H1',
  });
  await record('responses', {
    stage: 1,
    respondedAt: '2024-05-20T15:00:00+01:00',
    decision: 'partly_upheld',
    reasons: 'The repair was late',
    outstandingActions: [],
    escalationRightsGiven: true,
    documentIds: [letter.documentId],
    remedies: [{ type: 'financial', description: 'Compensation for the delay', amountPence: 15000, dueBy: '2024-06-03' }],
  });
  const history = (await api(app, KEYS.auditor).get(`/v1/complaints/${id}/history`).expect(200)).body.events as {
    type: string;
    revision: number;
    data: { remedyId?: string };
  }[];
  const remedyId = history.find((event) => event.type === 'RemedyOffered')!.data.remedyId!;
  await record(`remedies/${remedyId}/completion`, { completedAt: '2024-05-30T12:00:00+01:00' });
  const acknowledged = history.find((event) => event.type === 'Acknowledged')!.revision;
  now = '2026-11-23T12:00:00.000Z';
  await record('corrections', {
    revision: acknowledged,
    reason: 'The acknowledgement letter was dated wrongly',
    replacement: { stage: 1, acknowledgedAt: '2024-05-03T10:00:00+01:00', complaintDefinition: 'Damp unrepaired', handler: 'H1' },
  });
  pack = (await api(app, KEYS.auditor).get(`/v1/complaints/${id}/evidence-pack`).buffer(true).parse(binary).expect(200)).body as Buffer;
  writeFileSync(join(work, 'pack.zip'), pack);
  const key = (await api(app).get('/.well-known/complaint-ledger/checkpoint-key').expect(200)).body.publicKey as string;
  writeFileSync(publicKey, key);
  signingKeyFile(work, 'other-key.pem');
}, 120_000);
afterAll(async () => app.close());

function verify(zip: Buffer, key = publicKey): { status: number; out: string } {
  const file = join(work, `candidate-${Math.random()}.zip`);
  writeFileSync(file, zip);
  const run = spawnSync(process.execPath, [verifier, file, '--public-key', key], { encoding: 'utf8', cwd: work });
  return { status: run.status ?? -1, out: run.stdout + run.stderr };
}

/** The stored entries of a ZIP (name → where its data starts and how long), read from its central directory. */
function entries(zip: Buffer): Map<string, { at: number; length: number; method: number }> {
  let end = zip.length - 22;
  while (zip.readUInt32LE(end) !== 0x06054b50) end--;
  const found = new Map<string, { at: number; length: number; method: number }>();
  for (let at = zip.readUInt32LE(end + 16), n = zip.readUInt16LE(end + 10); n > 0; n--) {
    const nameLength = zip.readUInt16LE(at + 28);
    const local = zip.readUInt32LE(at + 42);
    const name = zip.subarray(at + 46, at + 46 + nameLength).toString();
    const data = local + 30 + zip.readUInt16LE(local + 26) + zip.readUInt16LE(local + 28);
    found.set(name, { at: data, length: zip.readUInt32LE(at + 20), method: zip.readUInt16LE(at + 10) });
    at += 46 + nameLength + zip.readUInt16LE(at + 30) + zip.readUInt16LE(at + 32);
  }
  return found;
}
const contentOf = (zip: Buffer, name: string) => {
  const entry = entries(zip).get(name)!;
  const raw = zip.subarray(entry.at, entry.at + entry.length);
  return entry.method === 8 ? inflateRawSync(raw) : raw;
};

/** The pack with one entry's content replaced (the entry rewritten stored, the directory left as it was but for its sizes and method). */
function withEntry(zip: Buffer, name: string, change: (content: Buffer) => Buffer): Buffer {
  const files = [...entries(zip).keys()].map((entryName) => ({
    name: entryName,
    content: entryName === name ? change(contentOf(zip, entryName)) : contentOf(zip, entryName),
  }));
  return storedZip(files);
}

/** A ZIP of stored entries (no CRC check is made by the verifier: the hashes are what count). */
function storedZip(files: { name: string; content: Buffer }[]): Buffer {
  const locals: Buffer[] = [];
  const central: Buffer[] = [];
  let offset = 0;
  for (const { name, content } of files) {
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt32LE(content.length, 18);
    local.writeUInt32LE(content.length, 22);
    local.writeUInt16LE(Buffer.byteLength(name), 26);
    const entry = Buffer.alloc(46);
    entry.writeUInt32LE(0x02014b50, 0);
    entry.writeUInt32LE(content.length, 20);
    entry.writeUInt32LE(content.length, 24);
    entry.writeUInt16LE(Buffer.byteLength(name), 28);
    entry.writeUInt32LE(offset, 42);
    locals.push(local, Buffer.from(name), content);
    central.push(entry, Buffer.from(name));
    offset += 30 + Buffer.byteLength(name) + content.length;
  }
  const directory = Buffer.concat(central);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(files.length, 8);
  end.writeUInt16LE(files.length, 10);
  end.writeUInt32LE(directory.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, directory, end]);
}

const flipByte = (at: (content: Buffer) => number) => (content: Buffer) => {
  const copy = Buffer.from(content);
  copy[at(copy)]! ^= 0x01;
  return copy;
};

describe('an evidence pack', () => {
  it('holds the complaint file, the documents, the events and the proof, and verifies offline', () => {
    expect([...entries(pack).keys()].sort()).toEqual([
      'README.txt',
      'complaint-file.pdf',
      'documents/01-letter-to-resident.pdf',
      'documents/02-photo.png',
      'events.jsonl',
      'proof.json',
    ]);
    expect(Buffer.compare(contentOf(pack, 'documents/01-letter-to-resident.pdf'), fixture('letter.pdf'))).toBe(0);
    const { status, out } = verify(pack);
    expect(out).toContain('VERIFIED');
    expect(out).toContain('complaint-file.pdf and README.txt: not checked'); // the readable file is not taken for the record
    expect(out).toMatch(/the pack ends at event \d+: that no later event of this complaint was left out is not proven here/);
    expect(status).toBe(0);
  });

  it("holds no other resident's personal data", () => {
    for (const name of entries(pack).keys()) expect(contentOf(pack, name).toString('latin1')).not.toContain('Otherresident');
    const text = pdfText(contentOf(pack, 'complaint-file.pdf'));
    expect(text).not.toContain('Otherresident');
    expect(text).toContain('Priya Patel');
  });

  it('reads as a complaint file: facts in London time with who recorded them and when, every provision, corrections, remedies, documents, page numbers', () => {
    const text = pdfText(contentOf(pack, 'complaint-file.pdf'));
    expect(text).toContain('Riverside Homes');
    expect(text).toContain('Complaint received');
    expect(text).toMatch(/1 May 2024, 10:00 BST/); // received 10:00+01:00: London time, not UTC
    expect(text).toMatch(/recorded 22 November 2026, 12:00 GMT by test-suite \(API key\)/);
    for (const provision of ['Code 2024 5.12', 'Code 2024 6.2', 'Code 2024 6.3'].map((p) => p.split(' ').at(-1)!))
      expect(text).toContain(provision);
    expect(text).toContain('Correction of fact');
    expect(text).toContain('the original is kept as it was recorded');
    expect(text).toContain('Compensation for the delay');
    expect(text).toContain('Stage 1 response letter');
    expect(text).toContain('Photo of the damp');
    expect(text).toMatch(/Page 1 of \d+/);
    expect(text).not.toMatch(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}.*[0-9a-f]{8}-[0-9a-f]{4}/s); // one reference, not UUID soup
    expect(text).not.toMatch(/acknowledgement-late|response-late|letter_to_resident/);
  });

  it.each([
    [
      'a byte of a document',
      (zip: Buffer) =>
        withEntry(
          zip,
          'documents/02-photo.png',
          flipByte((c) => c.length - 5),
        ),
      'document documents/02-photo.png',
    ],
    [
      'a byte of an event',
      (zip: Buffer) =>
        withEntry(zip, 'events.jsonl', (c) => Buffer.from(c.toString().replace('"decision":"partly_upheld"', '"decision":"upheld"'))),
      'content does not match its hash',
    ],
    [
      'an event removed',
      (zip: Buffer) =>
        withEntry(zip, 'events.jsonl', (c) =>
          Buffer.from(
            c
              .toString()
              .split('\n')
              .filter((_, n) => n !== 2)
              .join('\n'),
          ),
        ),
      'an event is missing',
    ],
    [
      'a byte of a proof',
      (zip: Buffer) =>
        withEntry(zip, 'proof.json', (c) =>
          Buffer.from(
            c.toString().replace(/("path": \[\s*"[0-9a-f])([0-9a-f])/, (_m, a: string, b: string) => `${a}${b === '0' ? '1' : '0'}`),
          ),
        ),
      'inclusion proof',
    ],
    [
      'a document slipped in that no event records',
      (zip: Buffer) =>
        storedZip([
          ...[...entries(zip).keys()].map((name) => ({ name, content: contentOf(zip, name) })),
          { name: 'documents/03-letter-to-resident.pdf', content: fixture('letter.pdf') },
        ]),
      'documents/03-letter-to-resident.pdf: in the pack, but nothing the ledger signed names it',
    ],
    [
      'the signature',
      (zip: Buffer) =>
        withEntry(zip, 'proof.json', (c) =>
          Buffer.from(c.toString().replace(/"signature": "(.)/, (_m, a: string) => `"signature": "${a === 'A' ? 'B' : 'A'}`)),
        ),
      'signature',
    ],
  ])('fails when %s is altered, naming it', (_what, alter, named) => {
    const { status, out } = verify(alter(pack));
    expect(out).toContain('NOT VERIFIED');
    expect(out).toContain(named);
    expect(status).toBe(1);
  });

  it('is verified by npm run verify (the built entry point), which runs the same single file', async () => {
    ensureBuilt();
    const verified = await runTool('apps/ledger-worker/src/verify.js', [join(work, 'pack.zip'), '--public-key', publicKey]);
    expect([verified.status, verified.stdout]).toEqual([0, expect.stringMatching(/^VERIFIED/)]);
    const altered = join(work, 'altered-pack.zip');
    writeFileSync(
      altered,
      withEntry(
        pack,
        'documents/02-photo.png',
        flipByte(() => 0),
      ),
    );
    const refused = await runTool('apps/ledger-worker/src/verify.js', [altered, '--public-key', publicKey]);
    expect([refused.status, refused.stdout]).toEqual([1, expect.stringContaining('FAILED: document documents/02-photo.png')]);
    // a pack is verified against a key the investigator was given, never one it carries
    expect((await runTool('apps/ledger-worker/src/verify.js', [altered])).status).toBe(2);
  }, 180_000);

  it('fails under another public key, saying so', () => {
    const { status, out } = verify(pack, otherKey);
    expect(out).toMatch(/signature: the tree head is signed by key [0-9a-f]{16}, not the key given/);
    expect(status).toBe(1);
  });
});

describe('a pack at a point in time', () => {
  const packAt = async (query: Record<string, string>) =>
    (await api(app, KEYS.case_handler).get(`/v1/complaints/${id}/evidence-pack`).query(query).buffer(true).parse(binary).expect(200))
      .body as Buffer;

  it('as the ledger knew it (knownAt): without what was recorded later, and still verified', async () => {
    const earlier = await packAt({ knownAt: BEFORE_THE_CORRECTION });
    const types = contentOf(earlier, 'events.jsonl')
      .toString()
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line).type as string);
    expect(types).not.toContain('FactCorrected');
    expect(types.at(-1)).toBe('RemedyCompleted');
    expect(pdfText(contentOf(earlier, 'complaint-file.pdf'))).toMatch(/only what the ledger had recorded by 22 November 2026, 18:00 GMT/);
    expect(verify(earlier).status).toBe(0);
  });

  it('as the complaint stood (asOf): its file judged then, its facts those dated by then', async () => {
    const text = pdfText(contentOf(await packAt({ asOf: '2024-05-15' }), 'complaint-file.pdf'));
    expect(text).toMatch(/the complaint as it stood at 15 May 2024, 00:00 BST/);
    expect(text).not.toContain('Stage 1 response: partly upheld');
    expect(text).toContain('Stage 1 acknowledged');
  });

  it("as the complaint stood between a fact's recorded date and its corrected one: the fact listed by its date as corrected, the correction beside it", async () => {
    // acknowledged as recorded on 13 May, corrected to 3 May: on 10 May it had been acknowledged
    const text = pdfText(contentOf(await packAt({ asOf: '2024-05-10' }), 'complaint-file.pdf'));
    expect(text).toContain('Stage 1 acknowledged');
    expect(text).toContain('Correction of fact');
  });
});

describe('consistency between signed tree heads', () => {
  it('proves the later log begins with the earlier one', async () => {
    const integrity = (await api(app, KEYS.auditor).get('/v1/ledger/integrity').expect(200)).body;
    expect(integrity.checkpoints.latest).toMatchObject({ treeSize: expect.any(Number), root: expect.stringMatching(/^[0-9a-f]{64}$/) });
    const proof = JSON.parse(contentOf(pack, 'proof.json').toString());
    const sizes = [earlier, proof.signedTreeHead.treeSize];
    const body = (await api(app, KEYS.auditor).get('/v1/ledger/consistency').query({ from: sizes[0], to: sizes[1] }).expect(200)).body;
    expect(body.from.treeSize).toBe(sizes[0]);
    expect(body.to.treeSize).toBe(sizes[1]);
    expect(body.path.length).toBeGreaterThan(0);
    await api(app, KEYS.auditor)
      .get('/v1/ledger/consistency')
      .query({ from: earlier + 1, to: sizes[1] })
      .expect(404);
    await api(app, KEYS.case_handler).get('/v1/ledger/consistency').query({ from: earlier, to: sizes[1] }).expect(403);
  });
});

describe('a pack as the ledger knew a complaint before its resident was erased', () => {
  it('withholds what the erasure destroyed since, carries the erasure with its proof, and verifies; the erasure forged, it does not', async () => {
    now = '2026-11-24T12:00:00.000Z';
    const erasedId = (
      await api(app)
        .post('/v1/complaints')
        .send(complaintBody({ resident: { reference: 'RES-PACK-ERASED', name: 'Zelda Erased' } }))
        .expect(201)
    ).body.id as string;
    await api(app, KEYS.case_handler)
      .post(`/v1/complaints/${erasedId}/documents`)
      .query({ title: 'Photo', kind: 'photo', direction: 'inbound', dated: '2024-05-02' })
      .set('content-type', 'application/octet-stream')
      .send(fixture('photo.png'))
      .expect(201);
    now = '2026-11-25T12:00:00.000Z';
    await api(app, KEYS.admin).post('/v1/residents/erasure').send({ reference: 'RES-PACK-ERASED' }).expect(200);
    now = '2026-11-26T12:00:00.000Z';

    const before = (
      await api(app, KEYS.auditor)
        .get(`/v1/complaints/${erasedId}/evidence-pack`)
        .query({ knownAt: '2026-11-24T18:00:00.000Z' })
        .buffer(true)
        .parse(binary)
        .expect(200)
    ).body as Buffer;

    const { status, out } = verify(before);
    expect(out).toContain('VERIFIED');
    expect(out).toMatch(/the erasure \(event \d+, recorded after the time the pack shows\): in the signed tree/);
    expect(status).toBe(0);
    expect(contentOf(before, 'events.jsonl').toString()).not.toContain('PersonalDataErased');
    const forged = withEntry(before, 'proof.json', (c) =>
      Buffer.from(c.toString().replace('"PersonalDataErased"', '"PersonalDataErasedX"')),
    );
    expect(verify(forged)).toMatchObject({ status: 1, out: expect.stringContaining("not this complaint's erasure") });
  });
});

function pdfText(pdf: Buffer): string {
  const file = join(work, `file-${Math.random()}.pdf`);
  writeFileSync(file, pdf);
  const run = spawnSync('pdftotext', ['-layout', file, '-'], { encoding: 'utf8' });
  if (run.status !== 0) throw new Error(`pdftotext: ${run.stderr}`);
  return run.stdout;
}
