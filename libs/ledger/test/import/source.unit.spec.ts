import { recordsOfText, type SourceFormat } from '../../src/import/source';

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
