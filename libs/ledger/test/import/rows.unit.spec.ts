import { instantMillis } from '@complaint-ledger/domain';
import { isoFrom } from '../../src/import/mapping';
import { RowReader, UNKNOWN_KIND } from '../../src/import/rows';

/** A row made into its command, before the decider: what a file can make the process running the import do. */
describe('a row read without a mapping (every column a field path)', () => {
  afterEach(() => {
    for (const key of ['polluted', 'ifMatch']) delete (Object.prototype as Record<string, unknown>)[key];
  });

  it.each([
    ['CSV', '__proto__.polluted', 'yes', true],
    ['JSON Lines', '__proto__.ifMatch', 7, false],
    ['CSV', 'resident.constructor.prototype.polluted', 'yes', true],
    // names every object inherits, which class-validator takes for declared fields and lets by (as the HTTP edge refuses them)
    ['CSV', 'summary.toString', 'yes', true],
    ['JSON Lines', 'hasOwnProperty', 'yes', false],
    ['CSV', 'resident.valueOf', 'yes', true],
  ])("a %s column %s is refused as a field that should not exist; nothing of the process's objects changes", (_, column, value, text) => {
    const read = new RowReader(null).read({
      row: 2,
      values: { complaint: 'PP-1', kind: 'WithdrawComplaint', at: '2024-05-01T10:00:00Z', [column]: value },
      text,
    });

    expect(read).toMatchObject({ row: 2, refused: { field: column, rule: 'whitelistValidation' } });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(({} as Record<string, unknown>).ifMatch).toBeUndefined();
  });

  it("a cell holding the ledger's own ciphertext (copied from a pack or a history) is refused, as the API refuses it", () => {
    const read = new RowReader(null).read({
      row: 4,
      values: { complaint: 'C-1', kind: 'ReceiveComplaint', at: '2024-05-01T10:00:00Z', category: 'enc:v1:abc:def:ghi:jkl' },
      text: true,
    });

    expect(read).toMatchObject({ row: 4, refused: { field: 'category', rule: 'notEncryptedText' } });
  });

  it("an unknown kind is refused without repeating what the cell held: the report outlives the file, and a misplaced column may hold a resident's details", () => {
    const read = new RowReader(null).read({
      row: 3,
      values: { complaint: 'C-1', kind: 'Jane Smith jane@example.org 07700 900123' },
      text: true,
    });

    expect(read).toMatchObject({ row: 3, complaint: 'C-1', refused: { field: 'kind', rule: UNKNOWN_KIND } });
    expect(JSON.stringify(read)).not.toMatch(/Jane|example\.org|07700/);
  });
});

describe('a date-time read through a mapping format, in London', () => {
  it.each([
    ['31/03/2024 01:30', 'a time the clocks skipped'],
    ['27/10/2024 01:30', 'a time the clocks passed twice'],
  ])('%s (%s) is not moved or guessed: it goes on without an offset, which is refused as no one instant', (value) => {
    const iso = isoFrom(value, 'dd/MM/yyyy HH:mm', undefined, false);
    expect(iso).not.toMatch(/[+-]\d\d:\d\d$|Z$/);
    expect(instantMillis(iso)).toBeNull();
  });

  it('an everyday time, and one whose text names its offset, read as they say', () => {
    expect(isoFrom('01/05/2024 10:00', 'dd/MM/yyyy HH:mm', undefined, false)).toBe('2024-05-01T10:00:00+01:00');
    expect(isoFrom('27/10/2024 01:30 +00:00', 'dd/MM/yyyy HH:mm ZZ', undefined, false)).toBe('2024-10-27T01:30:00Z');
  });
});
