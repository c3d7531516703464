import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { api, binary, complaintBody, KEYS, startApp, tempSqlitePath, uploadDocument } from './support';
import { signingKeyFile } from '../../../libs/ledger/test/support/signing-key';

/**
 * Documents on a complaint's record (Code 5.12), over real HTTP: streamed in, typed by their bytes,
 * encrypted under the resident's key, served only once their hash checks, erased with the
 * resident, and a document altered or removed on disk is tampering, never served.
 */
const fixture = (name: string) => readFileSync(join(__dirname, '../../../test/fixtures', name));
const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');
const sqlitePath = tempSqlitePath();
const documentsFolder = join(dirname(sqlitePath), 'documents');
const env = {
  LEDGER_SQLITE_PATH: sqlitePath,
  LEDGER_SIGNING_KEY_FILE: signingKeyFile(dirname(sqlitePath)),
  LEDGER_DOCUMENT_MAX_MB: '1',
};
let app: NestFastifyApplication;
beforeAll(async () => (app = await startApp(env)));
afterAll(async () => app.close());

const storedFiles = () =>
  readdirSync(documentsFolder, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name));

async function newComplaint(reference = 'RES-2001'): Promise<string> {
  return (
    await api(app)
      .post('/v1/complaints')
      .send(complaintBody({ resident: { reference, name: 'Pat Doc' } }))
      .expect(201)
  ).body.id;
}

const upload = (id: string, bytes: Buffer, query: Record<string, string> = {}) => uploadDocument(app, id, bytes, query);

describe('a document attached', () => {
  it('is typed by its bytes, recorded with its hash, and read back checked, by case handlers and auditors only', async () => {
    const id = await newComplaint();
    const pdf = fixture('letter.pdf');
    const attached = (await upload(id, pdf).expect(201)).body;
    expect(attached).toMatchObject({ id, revision: 1, sha256: sha256(pdf), bytes: pdf.length, mediaType: 'application/pdf' });
    // the store holds ciphertext only
    const stored = storedFiles().find((file) => file.endsWith(attached.documentId))!;
    expect(readFileSync(stored).includes(pdf)).toBe(false);
    for (const key of [KEYS.case_handler, KEYS.auditor]) {
      const served = await api(app, key)
        .get(`/v1/complaints/${id}/documents/${attached.documentId}`)
        .buffer(true)
        .parse(binary)
        .expect(200);
      expect(served.headers['content-type']).toBe('application/pdf');
      expect(Buffer.compare(served.body as Buffer, pdf)).toBe(0);
    }
    await api(app, KEYS.analyst).get(`/v1/complaints/${id}/documents/${attached.documentId}`).expect(403);
    const listed = (await api(app, KEYS.auditor).get(`/v1/complaints/${id}/documents`).expect(200)).body;
    expect(listed.documents).toEqual([
      expect.objectContaining({ documentId: attached.documentId, title: 'Stage 1 response letter', kind: 'letter_to_resident' }),
    ]);
    // and correspondence names it
    await api(app, KEYS.case_handler)
      .post(`/v1/complaints/${id}/correspondence`)
      .send({
        occurredAt: '2024-05-20T10:00:00+01:00',
        direction: 'outbound',
        party: 'resident',
        channel: 'letter',
        summary: 'Sent',
        documentIds: [attached.documentId],
      })
      .expect(200);
    expect((await api(app, KEYS.auditor).get(`/v1/complaints/${id}/integrity`).expect(200)).body).toMatchObject({
      valid: true,
      documents: { checked: 1, problems: [] },
    });
  });

  it.each([
    ['an image', 'photo.png', 'image/png'],
    ['an e-mail', 'email.eml', 'message/rfc822'],
  ])('takes %s, whatever it is called', async (_what, name, mediaType) => {
    const id = await newComplaint();
    expect((await upload(id, fixture(name), { title: 'document.pdf' }).expect(201)).body.mediaType).toBe(mediaType);
  });

  it('refuses a type it does not keep and what is over the limit, as problem+json, keeping nothing', async () => {
    const id = await newComplaint();
    const before = storedFiles().length;
    const refusedType = await upload(id, Buffer.concat([Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0x02]), Buffer.alloc(100)])).expect(415);
    expect(refusedType.headers['content-type']).toContain('application/problem+json');
    expect(refusedType.body).toMatchObject({ status: 415, code: 'DOCUMENT.UNSUPPORTED_TYPE' });
    const tooLarge = await upload(id, Buffer.concat([fixture('letter.pdf'), Buffer.alloc(1024 * 1024)])).expect(413);
    expect(tooLarge.body).toMatchObject({ status: 413, code: 'DOCUMENT.TOO_LARGE' });
    expect(storedFiles().length).toBe(before);
    expect(readdirSync(join(documentsFolder, '.incoming'))).toEqual([]);
    expect(
      (await api(app, KEYS.auditor).get(`/v1/complaints/${id}/history`).expect(200)).body.events.map((e: { type: string }) => e.type),
    ).toEqual(['ComplaintReceived']);
  });

  it('is tampering when a byte of it is altered or it is removed: reported by the integrity check, never served', async () => {
    const id = await newComplaint();
    const altered = (await upload(id, fixture('letter.pdf')).expect(201)).body.documentId as string;
    const removed = (await upload(id, fixture('photo.png'), { kind: 'photo', title: 'Damp' }).expect(201)).body.documentId as string;
    const files = storedFiles();
    const file = files.find((path) => path.endsWith(altered))!;
    const bytes = readFileSync(file);
    bytes[bytes.length - 40]! ^= 0x01;
    writeFileSync(file, bytes);
    rmSync(files.find((path) => path.endsWith(removed))!);
    const verdict = (await api(app, KEYS.auditor).get(`/v1/complaints/${id}/integrity`).expect(200)).body;
    expect(verdict.valid).toBe(false);
    expect(verdict.documents.problems).toEqual([
      expect.objectContaining({ documentId: altered, revision: 1, problem: 'altered' }),
      expect.objectContaining({ documentId: removed, revision: 2, problem: 'missing' }),
    ]);
    for (const documentId of [altered, removed]) {
      const refused = await api(app, KEYS.auditor).get(`/v1/complaints/${id}/documents/${documentId}`).expect(409);
      expect(refused.body).toMatchObject({ code: 'DOCUMENT.TAMPERED' });
    }
  });

  it('is erased with the resident: gone (410), while the record and its integrity stand', async () => {
    const reference = 'RES-ERASE-DOC';
    const id = await newComplaint(reference);
    const documentId = (await upload(id, fixture('letter.pdf')).expect(201)).body.documentId as string;
    await api(app, KEYS.admin).post('/v1/residents/erasure').send({ reference }).expect(200);
    const gone = await api(app, KEYS.auditor).get(`/v1/complaints/${id}/documents/${documentId}`).expect(410);
    expect(gone.body).toMatchObject({ code: 'DOCUMENT.ERASED' });
    expect((await api(app, KEYS.auditor).get(`/v1/complaints/${id}/integrity`).expect(200)).body).toMatchObject({ valid: true });
    expect(existsSync(storedFiles().find((path) => path.endsWith(documentId))!)).toBe(true); // its ciphertext, unreadable
  });
});
