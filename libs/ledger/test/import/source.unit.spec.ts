import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MAX_ROW_CHARS, recordsOf, recordsOfText, UnreadableFile, type SourceFormat } from '../../src/import/source';

async function* inPieces(text: string, size: number) {
  for (let i = 0; i < text.length; i += size) yield text.slice(i, i + size);
}

async function read(text: string, format: SourceFormat = 'csv', size = text.length || 1, delimiter = ',') {
  const rows = [];
  for await (const record of recordsOfText(inPieces(text, size), format, delimiter)) rows.push(record);
  return rows;
}

const CSV = [
  '\uFEFFcomplaint,kind,summary\r\n',
  'C-1,ReceiveComplaint,"A leak, ""urgent"", under the sink"\r\n',
  '\r\n',
  'C-2,RecordCorrespondence,"Two lines:\nthe second"\n',
  'C-3,WithdrawComplaint,\n',
  'C-4,ReceiveComplaint,plain,extra\n',
  'C-5,,"""quoted"" at the start"',
].join('');

describe('reading CSV (RFC 4180)', () => {
  it('reads quoted cells (delimiters, doubled quotes, line breaks inside), CRLF and LF, skips blank lines and the byte-order mark; rows numbered as a spreadsheet numbers them', async () => {
    expect(await read(CSV)).toEqual([
      { row: 2, text: true, values: { complaint: 'C-1', kind: 'ReceiveComplaint', summary: 'A leak, "urgent", under the sink' } },
      { row: 4, text: true, values: { complaint: 'C-2', kind: 'RecordCorrespondence', summary: 'Two lines:\nthe second' } },
      { row: 5, text: true, values: { complaint: 'C-3', kind: 'WithdrawComplaint', summary: '' } },
      { row: 6, malformed: 'the row has 4 cells, the header 3' },
      { row: 7, text: true, values: { complaint: 'C-5', kind: '', summary: '"quoted" at the start' } },
    ]);
  });

  it('reads the same whatever the pieces the text arrives in', async () => {
    const whole = await read(CSV);
    for (const size of [1, 2, 3, 5, 7, 13]) expect(await read(CSV, 'csv', size)).toEqual(whole);
  });

  it('takes another delimiter', async () => {
    expect(await read('complaint;kind\nC-1;ReceiveComplaint\n', 'csv', 4, ';')).toEqual([
      { row: 2, text: true, values: { complaint: 'C-1', kind: 'ReceiveComplaint' } },
    ]);
  });
});

describe('reading JSON Lines', () => {
  it('reads an object a line, numbered by line; blank lines skipped; a line that is no object is malformed', async () => {
    const text = '{"complaint":"C-1","stage":1}\r\n\n[1,2]\n{"broken":\n{"complaint":"C-2","remedies":[{"type":"apology"}]}';
    for (const size of [text.length, 1, 4])
      expect(await read(text, 'jsonl', size)).toEqual([
        { row: 1, text: false, values: { complaint: 'C-1', stage: 1 } },
        { row: 3, malformed: 'the line is not a JSON object' },
        { row: 4, malformed: expect.stringMatching(/^the line is not JSON: /) },
        { row: 5, text: false, values: { complaint: 'C-2', remedies: [{ type: 'apology' }] } },
      ]);
  });
});

describe('a file that cannot be read as rows is refused whole, never held in memory', () => {
  /** A quote never closed: every byte after it would be one cell. */
  async function* unclosedQuote() {
    yield 'complaint,kind,summary\nC-1,ReceiveComplaint,fine\nC-2,ReceiveComplaint,"';
    for (let i = 0; i < 64; i++) yield 'x'.repeat(64 * 1024); // 4 MiB, where a runaway file would go on for gigabytes
  }
  const readAll = async (chunks: AsyncIterable<string>, format: SourceFormat) => {
    const rows = [];
    for await (const record of recordsOfText(chunks, format)) rows.push(record);
    return rows;
  };

  it('a CSV row longer than a mebibyte (an unclosed quote) ends the reading, naming the row, once it has read that much of it', async () => {
    let read = 0;
    const counted = async function* () {
      for await (const piece of unclosedQuote()) {
        read += piece.length;
        yield piece;
      }
    };
    await expect(readAll(counted(), 'csv')).rejects.toThrow(UnreadableFile);
    await expect(readAll(unclosedQuote(), 'csv')).rejects.toThrow(/row 3 is longer than 1,048,576 characters \(a quote never closed\?\)/);
    expect(read).toBeLessThan(MAX_ROW_CHARS + 128 * 1024);
  });

  it('so does a JSON line longer than a mebibyte', async () => {
    async function* longLine() {
      yield '{"complaint":"C-1","kind":"WithdrawComplaint"}\n{"summary":"';
      for (let i = 0; i < 64; i++) yield 'x'.repeat(64 * 1024);
    }
    await expect(readAll(longLine(), 'jsonl')).rejects.toThrow(/line 2 is longer than/);
  });

  it('a header naming a column twice: which of the two to read is not guessed', async () => {
    await expect(read('complaint,kind,summary,summary\nC-1,ReceiveComplaint,A leak,\n')).rejects.toThrow(
      /the header names the column "summary" twice/,
    );
  });

  it('a file that is not UTF-8 (a Latin-1 export) is refused rather than recorded with replacement characters for ever', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'ledger-import-source-')), 'latin1.csv');
    writeFileSync(path, Buffer.from('complaint,kind,summary\nC-1,ReceiveComplaint,Compensation \xa3100 for Zo\xeb\n', 'latin1'));
    const rows = async () => {
      for await (const _ of recordsOf(path, 'csv'));
    };
    await expect(rows()).rejects.toThrow(/the file is not UTF-8/);
    writeFileSync(path, '\uFEFFcomplaint,kind,summary\nC-1,ReceiveComplaint,Compensation £100 for Zoë\n');
    const read = [];
    for await (const record of recordsOf(path, 'csv')) read.push(record);
    expect(read).toEqual([
      { row: 2, text: true, values: { complaint: 'C-1', kind: 'ReceiveComplaint', summary: 'Compensation £100 for Zoë' } },
    ]);
  });
});
