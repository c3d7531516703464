import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import type { SourceRecord } from './rows';

export type SourceFormat = 'csv' | 'jsonl';

/** A line of the file that is no row: JSON that does not parse, a CSV row with more cells than the header. */
export interface MalformedRecord {
  readonly row: number;
  readonly malformed: string;
}

/** The longest row read (characters): a file past it is refused whole, as an unclosed quote would otherwise hold the rest of it in memory. */
export const MAX_ROW_CHARS = 1024 * 1024;

/**
 * A file that cannot be read as rows at all: not UTF-8, a row longer than MAX_ROW_CHARS (a quote
 * never closed), a header naming a column twice. The import ends failed, saying so; nothing of
 * the file is decided (its rows are staged before any is).
 */
export class UnreadableFile extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UnreadableFile';
  }
}

/** The format a file's name says (`.csv`, `.jsonl` / `.ndjson`), or null. */
export function formatOfName(name: string): SourceFormat | null {
  if (/\.csv$/i.test(name)) return 'csv';
  if (/\.(jsonl|ndjson)$/i.test(name)) return 'jsonl';
  return null;
}

/** The file's SHA-256 (hex), read as a stream. */
export async function sha256OfFile(path: string): Promise<{ sha256: string; bytes: number }> {
  const hash = createHash('sha256');
  let bytes = 0;
  for await (const chunk of createReadStream(path)) {
    hash.update(chunk as Buffer);
    bytes += (chunk as Buffer).length;
  }
  return { sha256: hash.digest('hex'), bytes };
}

/**
 * The file's rows, one at a time, never the whole file in memory. CSV (RFC 4180: a header row,
 * quoted fields with `""` for a quote and line breaks inside, CRLF or LF, a UTF-8 byte-order mark
 * ignored): a row is numbered as a spreadsheet numbers it, the header being row 1. JSON Lines: one
 * object a line, numbered by line; blank lines are skipped.
 */
export function recordsOf(path: string, format: SourceFormat, delimiter = ','): AsyncGenerator<SourceRecord | MalformedRecord> {
  return recordsOfText(textChunks(path), format, delimiter);
}

/** The rows of a text however it arrives in pieces (a piece may end anywhere: inside a quoted cell, between CR and LF…). */
export function recordsOfText(
  chunks: AsyncIterable<string> | Iterable<string>,
  format: SourceFormat,
  delimiter = ',',
): AsyncGenerator<SourceRecord | MalformedRecord> {
  const text = withoutByteOrderMark(chunks);
  return format === 'jsonl' ? jsonLines(text) : csvRows(text, delimiter);
}

/** The text without a UTF-8 byte-order mark at its start (spreadsheets write one). */
async function* withoutByteOrderMark(chunks: AsyncIterable<string> | Iterable<string>): AsyncGenerator<string> {
  let first = true;
  for await (const text of chunks) {
    yield first && text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
    if (text) first = false;
  }
}

async function* textChunks(path: string): AsyncGenerator<string> {
  // fatal: bytes that are not UTF-8 (a Latin-1 export) refuse the file, rather than go into the ledger as U+FFFD for ever
  const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
  let bytes = 0;
  const decoded = (chunk?: Buffer): string => {
    try {
      return chunk ? decoder.decode(chunk, { stream: true }) : decoder.decode();
    } catch {
      throw new UnreadableFile(
        `the file is not UTF-8 (a byte that is not, within the ${bytes.toLocaleString('en-GB')} bytes from its start): export it as UTF-8`,
      );
    }
  };
  for await (const chunk of createReadStream(path, { highWaterMark: 256 * 1024 })) {
    const text = decoded(chunk as Buffer);
    bytes += (chunk as Buffer).length;
    yield text;
  }
  const rest = decoded();
  if (rest) yield rest;
}

const tooLong = (row: number, what: string) =>
  new UnreadableFile(
    `${what} ${row} is longer than ${MAX_ROW_CHARS.toLocaleString('en-GB')} characters (a quote never closed?): the file is refused`,
  );

async function* jsonLines(chunks: AsyncIterable<string> | Iterable<string>): AsyncGenerator<SourceRecord | MalformedRecord> {
  let pending = '';
  let line = 0;
  const parse = (text: string): SourceRecord | MalformedRecord | null => {
    line++;
    if (!text.trim()) return null;
    try {
      const value = JSON.parse(text) as unknown;
      if (!value || typeof value !== 'object' || Array.isArray(value)) return { row: line, malformed: 'the line is not a JSON object' };
      return { row: line, values: value as Record<string, unknown>, text: false };
    } catch (error) {
      return { row: line, malformed: `the line is not JSON: ${(error as Error).message}` };
    }
  };
  for await (const chunk of chunks) {
    pending += chunk;
    let end: number;
    while ((end = pending.indexOf('\n')) >= 0) {
      const record = parse(pending.slice(0, end).replace(/\r$/, ''));
      pending = pending.slice(end + 1);
      if (record) yield record;
    }
    if (pending.length > MAX_ROW_CHARS) throw tooLong(line + 1, 'line');
  }
  const record = pending ? parse(pending.replace(/\r$/, '')) : null;
  if (record) yield record;
}

const QUOTE = 0x22;
const LF = 0x0a;
const CR = 0x0d;
/** Where the reader stands in a row: before a cell, in one unquoted, in a quoted one, just after a quote in one, after its closing quote. */
const enum At {
  CellStart,
  Unquoted,
  Quoted,
  QuoteInQuoted,
  AfterQuoted,
}

/** RFC 4180 rows as arrays of cells, read across chunk boundaries (a blank line is one empty cell). */
async function* csvCells(chunks: AsyncIterable<string> | Iterable<string>, delimiter: string): AsyncGenerator<string[]> {
  const separator = delimiter.charCodeAt(0);
  let at = At.CellStart;
  let cell = '';
  let cells: string[] = [];
  let skipLineFeed = false;
  const rows: string[][] = [];
  /** The current row's length before this piece of text, and where in the piece it began. */
  let rowLength = 0;
  let rowFrom: number;
  let rowsRead = 0;
  const endCell = (ending: number, i: number) => {
    cells.push(cell);
    cell = '';
    at = At.CellStart;
    if (ending === separator) return;
    rows.push(cells); // a blank line too: it still has its row number
    cells = [];
    skipLineFeed = ending === CR;
    rowLength = 0;
    rowFrom = i + 1;
    rowsRead++;
  };
  for await (const text of chunks) {
    let from = 0;
    rowFrom = 0;
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (skipLineFeed) {
        skipLineFeed = false;
        if (c === LF) {
          from = i + 1;
          continue;
        }
      }
      switch (at) {
        case At.CellStart:
          if (c === QUOTE) {
            at = At.Quoted;
            from = i + 1;
            break;
          }
          at = At.Unquoted;
          from = i;
          if (c === separator || c === LF || c === CR) {
            endCell(c, i); // an empty cell
            from = i + 1;
          }
          break;
        case At.Unquoted:
        case At.AfterQuoted:
          if (c === separator || c === LF || c === CR) {
            cell += text.slice(from, i);
            endCell(c, i);
            from = i + 1;
          }
          break;
        case At.Quoted:
          if (c === QUOTE) {
            cell += text.slice(from, i);
            at = At.QuoteInQuoted;
          }
          break;
        case At.QuoteInQuoted:
          if (c === QUOTE) {
            cell += '"'; // a doubled quote is one
            at = At.Quoted;
            from = i + 1;
          } else if (c === separator || c === LF || c === CR) {
            endCell(c, i);
            from = i + 1;
          } else {
            at = At.AfterQuoted; // text after the closing quote: kept, as spreadsheets keep it
            from = i;
          }
          break;
      }
    }
    if (at === At.Unquoted || at === At.AfterQuoted || at === At.Quoted) cell += text.slice(from);
    yield* rows.splice(0);
    rowLength += text.length - rowFrom;
    if (rowLength > MAX_ROW_CHARS) throw tooLong(rowsRead + 1, 'row');
  }
  if (at !== At.CellStart || cells.length) {
    cells.push(cell);
    if (cells.length > 1 || cells[0] !== '') yield cells;
  }
}

async function* csvRows(
  chunks: AsyncIterable<string> | Iterable<string>,
  delimiter: string,
): AsyncGenerator<SourceRecord | MalformedRecord> {
  let header: string[] | null = null;
  let row = 0;
  for await (const cells of csvCells(chunks, delimiter)) {
    row++;
    if (cells.length === 1 && cells[0] === '') continue; // a blank line
    if (!header) {
      header = cells.map((name) => name.trim());
      const twice = header.find((name, index) => name && header!.indexOf(name) !== index);
      if (twice) throw new UnreadableFile(`the header names the column ${JSON.stringify(twice)} twice: which to read is not known`);
      continue;
    }
    if (cells.length > header.length) {
      yield { row, malformed: `the row has ${cells.length} cells, the header ${header.length}` };
      continue;
    }
    const values: Record<string, string> = {};
    header.forEach((name, index) => {
      if (name) values[name] = cells[index] ?? '';
    });
    yield { row, values, text: true };
  }
}
