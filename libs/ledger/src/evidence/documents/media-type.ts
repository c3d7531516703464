import type { DocumentMediaType } from '@complaint-ledger/domain';

/**
 * A document's media type from its bytes, never its name: the magic numbers of PDF, the image
 * formats, Office's two containers (OLE for the old formats, ZIP for the new, told apart by the
 * parts the archive names) and OpenDocument's; an e-mail (.eml) by its header block; plain text
 * as UTF-8 without control bytes. Fed the document as it streams; `type()` at the end.
 */
export class MediaTypeSniffer {
  private head = Buffer.alloc(0);
  private tail = '';
  private container: 'zip' | 'text' | DocumentMediaType | null = null;
  private zipParts = new Set<string>();
  private textValid = true;
  private readonly decoder = new TextDecoder('utf-8', { fatal: true });

  feed(piece: Uint8Array): void {
    if (this.head.length < HEAD) this.head = Buffer.concat([this.head, Buffer.from(piece.subarray(0, HEAD - this.head.length))]);
    if (this.container === null && this.head.length >= Math.min(HEAD, 8)) this.container = magic(this.head);
    if (this.container === 'zip' || this.container === null) this.scanZip(piece);
    if (this.textValid) this.checkText(piece);
  }

  /** The document's type, or null when it is none the record keeps. */
  type(): DocumentMediaType | null {
    const container = this.container ?? magic(this.head);
    if (container === 'zip') return zipType(this.head, this.zipParts);
    if (container !== 'text') return container;
    if (!this.textValid || !this.head.length) return null;
    try {
      this.decoder.decode(); // an incomplete character at the very end is not text
    } catch {
      return null;
    }
    return isEmail(this.head.toString('utf8')) ? 'message/rfc822' : 'text/plain';
  }

  /** A ZIP names its parts in its central directory, at its end: look for the names that say what it holds, across pieces. */
  private scanZip(piece: Uint8Array): void {
    const text = this.tail + Buffer.from(piece).toString('latin1');
    for (const part of ZIP_PARTS) if (text.includes(part)) this.zipParts.add(part);
    this.tail = text.slice(-64);
  }

  private checkText(piece: Uint8Array): void {
    if (piece.some((byte) => byte === 0 || (byte < 0x20 && byte !== 0x09 && byte !== 0x0a && byte !== 0x0d && byte !== 0x0c))) {
      this.textValid = false;
      return;
    }
    try {
      this.decoder.decode(piece, { stream: true });
    } catch {
      this.textValid = false;
    }
  }
}

const HEAD = 4096;
const ZIP_PARTS = ['[Content_Types].xml', 'word/document.xml', 'xl/workbook.xml', 'ppt/presentation.xml'] as const;

function magic(head: Buffer): 'zip' | 'text' | DocumentMediaType | null {
  const starts = (bytes: number[] | string, at = 0) =>
    typeof bytes === 'string'
      ? head.subarray(at, at + bytes.length).toString('latin1') === bytes
      : bytes.every((byte, i) => head[at + i] === byte);
  if (starts('%PDF-')) return 'application/pdf';
  if (starts([0xff, 0xd8, 0xff])) return 'image/jpeg';
  if (starts([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return 'image/png';
  if (starts('GIF87a') || starts('GIF89a')) return 'image/gif';
  if (starts('RIFF') && starts('WEBP', 8)) return 'image/webp';
  if (starts([0x49, 0x49, 0x2a, 0x00]) || starts([0x4d, 0x4d, 0x00, 0x2a])) return 'image/tiff';
  if (starts([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1])) return 'application/x-ole-storage';
  if (starts([0x50, 0x4b, 0x03, 0x04])) return 'zip';
  return 'text';
}

function zipType(head: Buffer, parts: ReadonlySet<string>): DocumentMediaType | null {
  // OpenDocument: the first part is `mimetype`, stored, holding the type
  const odf = /^mimetype(application\/vnd\.oasis\.opendocument\.(text|spreadsheet))/.exec(head.subarray(30).toString('latin1'));
  if (odf) return odf[1] as DocumentMediaType;
  if (!parts.has('[Content_Types].xml')) return null;
  if (parts.has('word/document.xml')) return 'application/vnd.openxmlformats-officedocument.wordprocessingml.document';
  if (parts.has('xl/workbook.xml')) return 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
  if (parts.has('ppt/presentation.xml')) return 'application/vnd.openxmlformats-officedocument.presentationml.presentation';
  return null;
}

/** An RFC 5322 message: a block of header fields (name, colon) that names a sender and a date or subject. */
function isEmail(text: string): boolean {
  const block = text.split(/\r?\n\r?\n/)[0]!;
  const lines = block.split(/\r?\n/);
  if (!/^[A-Za-z][A-Za-z0-9-]*:/.test(lines[0] ?? '')) return false;
  if (!lines.every((line) => /^[A-Za-z][A-Za-z0-9-]*:/.test(line) || /^[ \t]/.test(line))) return false;
  const names = new Set(lines.map((line) => /^([A-Za-z0-9-]+):/.exec(line)?.[1]?.toLowerCase()).filter(Boolean));
  return names.has('from') && (names.has('date') || names.has('subject') || names.has('message-id'));
}
