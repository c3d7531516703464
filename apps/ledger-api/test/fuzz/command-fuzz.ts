import fc from 'fast-check';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import Database from 'better-sqlite3';
import { createHash } from 'node:crypto';
import { commandRoutes } from '../../src/complaints/command-registry';
import { KEYS } from '../support';

/**
 * Property-based fuzzing of every command endpoint (issue: evidence of robustness). Bodies are
 * valid ones with fields mutated (wrong types, huge and unicode strings, dates far in the past and
 * future, numbers at the edges), fields removed or added, or arbitrary JSON; paths carry a real
 * complaint id, an unknown one or garbage. Property: never a 5xx; every error is problem+json;
 * and a 4xx leaves the event log byte-for-byte as it was.
 */
/**
 * Every command route with its valid example (command-registry.ts): a command added to the API is
 * fuzzed with no line here. The path's parameters other than the complaint's own are filled in.
 */
export const COMMANDS: { path: string; body: Record<string, unknown> }[] = commandRoutes().map((route) => ({
  path: route.path.replace(/^v1\/complaints\/?(:id\/?)?/, '').replace(/:\w+/g, '00000000-0000-4000-8000-000000000000'),
  body: route.example as Record<string, unknown>,
}));

const oddValue = fc.oneof(
  fc.anything({ maxDepth: 2 }),
  fc.string({ unit: 'binary', maxLength: 50 }),
  fc.string({ unit: 'grapheme', minLength: 1, maxLength: 20 }),
  fc.constantFrom('', ' ', '\u0000', '\u202e', '𝕷𝖊𝖆𝖐', 'x'.repeat(300_000), '<script>alert(1)</script>', "'; DROP TABLE events; --"),
  fc.constantFrom(
    '0001-01-01T00:00:00Z',
    '9999-12-31T23:59:59Z',
    '2024-02-30T10:00:00Z',
    '2024-05-02',
    '2024-05-02T25:00:00Z',
    'yesterday',
  ),
  fc.constantFrom(-1, 0, 1.5, Number.MAX_SAFE_INTEGER, -Number.MAX_SAFE_INTEGER, 1e308, 3),
  fc.constantFrom(null, true, [], {}, [null], { $gt: '' }),
  fc.date({ min: new Date('1900-01-01'), max: new Date('2200-01-01'), noInvalidDate: true }).map((d) => d.toISOString()),
);

/** A body for one command: mutated, trimmed, extended, or replaced by arbitrary JSON. */
const bodyFor = (valid: Record<string, unknown>) =>
  fc.oneof(
    fc.record({ field: fc.constantFrom(...Object.keys(valid)), value: oddValue }).map(({ field, value }) => ({ ...valid, [field]: value })),
    fc.subarray(Object.keys(valid)).map((keep) => Object.fromEntries(Object.entries(valid).filter(([k]) => keep.includes(k)))),
    fc.record({ key: fc.string({ minLength: 1, maxLength: 12 }), value: oddValue }).map(({ key, value }) => ({ ...valid, [key]: value })),
    fc.anything({ maxDepth: 3 }),
    fc.constant(valid),
  );

/**
 * Bodies built as text, for what a value cannot easily carry: nesting up to 3,000 levels (a body
 * meant to exhaust the stack), long arrays (size), and a valid body under other content types.
 */
const rawBody = (valid: Record<string, unknown>) =>
  fc.oneof(
    fc
      .record({ depth: fc.integer({ min: 1, max: 3000 }), open: fc.constantFrom('[', '{"x":', '{"resident":', '{"remedies":[') })
      .map(({ depth, open }) => {
        const close = open === '[' ? ']' : open.endsWith('[') ? ']}' : '}';
        return { payload: `${open.repeat(depth)}1${close.repeat(depth)}`, contentType: 'application/json' };
      }),
    fc.integer({ min: 0, max: 60_000 }).map((items) => ({
      payload: JSON.stringify({ ...valid, outstandingActions: Array.from({ length: items }, (_, i) => `a${i}`) }),
      contentType: 'application/json',
    })),
    fc
      .constantFrom(
        'text/plain',
        'application/x-www-form-urlencoded',
        'application/xml',
        'multipart/form-data; boundary=x',
        'application/json; charset=latin1',
        '',
      )
      .map((contentType) => ({ payload: JSON.stringify(valid), contentType })),
  );

export interface FuzzTarget {
  readonly app: NestFastifyApplication;
  readonly sqlitePath: string;
  readonly complaintId: string;
}

export function commandFuzzProperty(target: FuzzTarget) {
  const id = fc.oneof(fc.constant(target.complaintId), fc.uuid(), fc.string({ maxLength: 40 }).map(encodeURIComponent));
  const request = fc.nat({ max: COMMANDS.length - 1 }).chain((index) =>
    fc.record({
      command: fc.constant(COMMANDS[index]!),
      id,
      body: bodyFor(COMMANDS[index]!.body),
      raw: fc.boolean(),
      text: fc.option(rawBody(COMMANDS[index]!.body), { freq: 4 }), // one request in five: depth, size, content type
    }),
  );
  return fc.asyncProperty(request, async ({ command, id, body, raw, text }) => {
    const before = logDigest(target.sqlitePath);
    const url = command.path ? `/v1/complaints/${id}/${command.path}` : '/v1/complaints';
    const response = await target.app
      .getHttpAdapter()
      .getInstance()
      .inject({
        method: 'POST',
        url,
        headers: { 'content-type': text ? text.contentType : 'application/json', 'x-api-key': KEYS.case_handler },
        // sometimes not even JSON: a truncated document
        payload: text ? text.payload : raw ? JSON.stringify(body ?? null).slice(0, -1) || '{' : JSON.stringify(body ?? null),
      });
    if (response.statusCode >= 500) throw new Error(`${url} → ${response.statusCode}: ${response.body.slice(0, 500)}`);
    if (response.statusCode >= 400) {
      if (!String(response.headers['content-type']).startsWith('application/problem+json')) {
        throw new Error(`${url} → ${response.statusCode} as ${response.headers['content-type']}`);
      }
      if (logDigest(target.sqlitePath) !== before) throw new Error(`${url} → ${response.statusCode} but the log changed`);
    }
  });
}

/** SHA-256 of every row of the event log, read straight from the SQLite file. */
function logDigest(path: string): string {
  const db = new Database(path, { readonly: true });
  try {
    const hash = createHash('sha256');
    for (const row of db.prepare('SELECT * FROM events ORDER BY position').iterate()) hash.update(JSON.stringify(row));
    return hash.digest('hex');
  } finally {
    db.close();
  }
}
