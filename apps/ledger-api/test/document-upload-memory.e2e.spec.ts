import { readFileSync } from 'node:fs';
import { request } from 'node:http';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureBuilt, killAll, startApi } from '../../../test/support/processes';
import { KEYS, TEST_API_KEYS, TEST_MASTER_KEY } from './support';

/**
 * A document at the size limit (25 MB by default) is streamed through, never held whole: the
 * service's resident memory, sampled in its own process while the upload runs, grows by far less
 * than the document. One byte more is refused as it streams, and nothing is kept.
 *
 * V8's young generation grows towards its own bound (semi-spaces of up to 16 MB) under any stream
 * of short-lived allocations, whatever their total: ~28 MB of resident memory for a 25 MB upload
 * and the same for a 100 MB one. That bound is pinned small here (--max-semi-space-size=1), so
 * what is measured is what the upload itself holds.
 */
jest.setTimeout(180_000);
beforeAll(() => ensureBuilt());
afterAll(() => killAll());

const LIMIT = 25 * 1024 * 1024;
const CHUNK = 64 * 1024;

/** The process's resident set, from the kernel. */
const rssOf = (pid: number) => Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]) * 1024;

/** POSTs `bytes` bytes of a PDF, written a chunk at a time without a Content-Length (so nothing is refused before it streams). */
function upload(base: string, id: string, bytes: number): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const url = new URL(`${base}/v1/complaints/${id}/documents?title=Survey&kind=survey&direction=inbound&dated=2024-05-02`);
    const req = request(
      url,
      { method: 'POST', headers: { 'content-type': 'application/octet-stream', 'x-api-key': KEYS.case_handler } },
      (res) => {
        let body = '';
        res.on('data', (chunk: Buffer) => (body += chunk.toString()));
        res.on('end', () => resolve({ status: res.statusCode!, body }));
      },
    );
    req.on('error', (error) =>
      error.message.includes('EPIPE') || error.message.includes('ECONNRESET') ? resolve({ status: 413, body: '' }) : reject(error),
    );
    let sent = 0;
    const chunk = Buffer.alloc(CHUNK, 0x20);
    const head = Buffer.from('%PDF-1.4\n');
    const write = () => {
      while (sent < bytes) {
        const piece = sent === 0 ? Buffer.concat([head, chunk.subarray(head.length)]) : chunk;
        const part = piece.subarray(0, Math.min(piece.length, bytes - sent));
        sent += part.length;
        if (!req.write(part)) return void req.once('drain', write);
      }
      req.end();
    };
    write();
  });
}

it('streams a document at the limit without growing by its size, and refuses one byte more, keeping nothing', async () => {
  const folder = mkdtempSync(join(tmpdir(), 'ledger-upload-'));
  const { child, base } = await startApi({
    LEDGER_SQLITE_PATH: join(folder, 'ledger.sqlite'),
    LEDGER_API_KEYS: TEST_API_KEYS,
    LEDGER_MASTER_KEY: TEST_MASTER_KEY,
    LEDGER_BREACH_SWEEP_SECONDS: '0',
    NODE_OPTIONS: '--max-semi-space-size=1',
  });
  const created = await fetch(`${base}/v1/complaints`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-api-key': KEYS.all },
    body: JSON.stringify({
      receivedAt: '2024-05-01T10:00:00+01:00',
      channel: 'email',
      tenure: 'LCRA',
      category: 'repairs',
      summary: 'Damp',
      resident: { reference: 'RES-MEM' },
    }),
  });
  const { id } = (await created.json()) as { id: string };
  expect((await upload(base, id, 1024 * 1024)).status).toBe(201); // warmed up: the path's code loaded and compiled
  await new Promise((resolve) => setTimeout(resolve, 500));
  const before = rssOf(child.pid!);
  let peak = before;
  const sampler = setInterval(() => (peak = Math.max(peak, rssOf(child.pid!))), 10);
  const atLimit = await upload(base, id, LIMIT);
  clearInterval(sampler);
  expect(atLimit.status).toBe(201);
  expect(JSON.parse(atLimit.body)).toMatchObject({ bytes: LIMIT, mediaType: 'application/pdf' });
  const growth = peak - before;
  console.log(
    `RSS before ${(before / 2 ** 20).toFixed(1)} MiB, peak during a ${LIMIT / 2 ** 20} MiB upload ${(peak / 2 ** 20).toFixed(1)} MiB: grew ${(growth / 2 ** 20).toFixed(1)} MiB`,
  );
  expect(growth).toBeLessThan(LIMIT / 4); // held whole it would be the document, and its encrypted copy, at least

  const over = await upload(base, id, LIMIT + 1);
  expect(over.status).toBe(413);
  const documents = (await (await fetch(`${base}/v1/complaints/${id}/documents`, { headers: { 'x-api-key': KEYS.auditor } })).json()) as {
    documents: unknown[];
  };
  expect(documents.documents).toHaveLength(2);
});
