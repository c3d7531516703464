import { existsSync } from 'node:fs';
import PDFDocument from 'pdfkit';

/** What the complaint file says, every value already in a person's words (London times, names, provisions). */
export interface ComplaintFile {
  readonly title: string;
  readonly landlord: string;
  readonly reference: string;
  readonly standing: string;
  readonly overview: readonly (readonly [string, string])[];
  readonly facts: readonly {
    readonly number: number;
    readonly happenedAt: string;
    readonly recordedAt: string;
    readonly recordedBy: string;
    readonly what: string;
    readonly details: readonly string[];
    readonly note?: string;
  }[];
  readonly deadlines: readonly { readonly name: string; readonly provision: string; readonly due: string; readonly outcome: string }[];
  readonly findings: readonly { readonly provision: string; readonly message: string; readonly severity: string }[];
  readonly remedies: readonly { readonly what: string; readonly terms: string; readonly completion: string }[];
  readonly documents: readonly {
    readonly file: string;
    readonly dated: string;
    readonly title: string;
    readonly about: string;
    readonly sha256: string;
  }[];
  readonly proof: readonly string[];
}

// Debian's fonts-dejavu-core (installed by .ci/run): every character a name or a £ needs; PDF's own Helvetica where it is missing
const FONTS = ['/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf', '/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf'];
const MARGIN = 54;

/** The complaint file as a PDF (A4, numbered pages): the part of an evidence pack a person reads. */
export function renderComplaintFile(file: ComplaintFile): Promise<Buffer> {
  const doc = new PDFDocument({ size: 'A4', margin: MARGIN, bufferPages: true, info: { Title: file.title, Author: file.landlord } });
  const [regular, bold] = FONTS.every((path) => existsSync(path)) ? FONTS : ['Helvetica', 'Helvetica-Bold'];
  const chunks: Buffer[] = [];
  doc.on('data', (chunk: Buffer) => chunks.push(chunk));
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });
  const width = doc.page.width - 2 * MARGIN;
  const heading = (text: string) => {
    if (doc.y > doc.page.height - 160) doc.addPage();
    doc.moveDown(0.8).font(bold!).fontSize(13).fillColor('#1a3c5a').text(text, MARGIN, doc.y, { width }).moveDown(0.3);
    doc.font(regular!).fontSize(9.5).fillColor('black');
  };
  /** A paragraph, and a little space after it. */
  const para = (text: string, options: PDFKit.Mixins.TextOptions = {}) =>
    doc
      .font(regular!)
      .fontSize(9.5)
      .text(text, MARGIN, doc.y, { width, ...options })
      .moveDown(0.2);
  const none = (what: string) => para(`None ${what}.`, { oblique: true });

  doc.font(bold!).fontSize(18).text(file.title, { width });
  doc.font(regular!).fontSize(11).text(file.landlord, { width }).moveDown(0.3);
  doc.fontSize(9.5).fillColor('#444').text(file.standing, { width }).fillColor('black');

  heading('The complaint');
  for (const [label, value] of file.overview) {
    doc.font(bold!).text(`${label}: `, MARGIN, doc.y, { continued: true, width }).font(regular!).text(value);
  }

  heading('Every fact on the record, in the order recorded');
  for (const fact of file.facts) {
    if (doc.y > doc.page.height - 120) doc.addPage();
    doc.font(bold!).fontSize(9.5).text(`${fact.number}. ${fact.what}`, MARGIN, doc.y, { width });
    doc.font(regular!).fontSize(8.5).fillColor('#444');
    doc.text(`Happened ${fact.happenedAt} · recorded ${fact.recordedAt} by ${fact.recordedBy}`, MARGIN + 12, doc.y, { width: width - 12 });
    doc.fillColor('black').fontSize(9.5);
    for (const detail of fact.details) doc.text(detail, MARGIN + 12, doc.y, { width: width - 12 });
    if (fact.note)
      doc
        .font(bold!)
        .fillColor('#8a2b0f')
        .text(fact.note, MARGIN + 12, doc.y, { width: width - 12 })
        .fillColor('black');
    doc.moveDown(0.4);
  }

  heading('Deadlines under the Code');
  if (!file.deadlines.length) none('set yet');
  for (const deadline of file.deadlines) para(`${deadline.name} — ${deadline.provision}. Due ${deadline.due}. ${deadline.outcome}`);

  heading('Findings');
  if (!file.findings.length) none('raised');
  for (const finding of file.findings) para(`${finding.provision} (${finding.severity}): ${finding.message}`);

  heading('Remedies');
  if (!file.remedies.length) none('offered');
  for (const remedy of file.remedies) para(`${remedy.what}. ${remedy.terms} ${remedy.completion}`);

  heading('Documents in this pack');
  if (!file.documents.length) none('attached');
  for (const document of file.documents) {
    if (doc.y > doc.page.height - 100) doc.addPage();
    doc.font(bold!).fontSize(9.5).text(`${document.title}`, MARGIN, doc.y, { width });
    doc
      .font(regular!)
      .fontSize(8.5)
      .text(`${document.dated} · ${document.about} · file ${document.file}`, MARGIN + 12, doc.y, { width: width - 12 });
    doc
      .fontSize(7.5)
      .fillColor('#444')
      .text(`SHA-256 ${document.sha256}`, MARGIN + 12, doc.y, { width: width - 12 })
      .fillColor('black')
      .moveDown(0.3);
  }

  heading('How to check this file');
  for (const line of file.proof) para(line);

  const pages = doc.bufferedPageRange();
  for (let page = 0; page < pages.count; page++) {
    doc.switchToPage(pages.start + page);
    const bottom = doc.page.margins.bottom;
    doc.page.margins.bottom = 0; // writing in the margin must not start a page of its own
    doc.font(regular!).fontSize(8).fillColor('#555');
    doc.text(`${file.landlord} · ${file.reference}`, MARGIN, doc.page.height - 36, { width, align: 'left', lineBreak: false });
    doc.text(`Page ${page + 1} of ${pages.count}`, MARGIN, doc.page.height - 36, { width, align: 'right', lineBreak: false });
    doc.page.margins.bottom = bottom;
  }
  doc.end();
  return done;
}
