import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';
import { Readable as ReadableStream } from 'node:stream';
import yazl from 'yazl';
import {
  CODE_VERSIONS,
  complaintAsOf,
  complaintEventOf,
  foldEvents,
  isAfter,
  occurredAtOf,
  type ComplaintEvent,
  type ComplaintState,
  type FactCorrected,
  type DocumentRecord,
  type Instant,
} from '@complaint-ledger/domain';
import { complaintStream, type EventStore, type RecordedEvent } from '@complaint-ledger/event-store';
import type { PersonalDataCipher } from '@complaint-ledger/privacy';
import type { PointInTime } from '@complaint-ledger/projections';
import type { CheckpointVerifyingKey } from '../../integrity/checkpoint-key';
import type { ComplaintReads } from '../../read/complaint-reads';
import { ComplaintNotFound, ComplaintNotYet } from '../../read/errors';
import type { ComplaintView } from '../../read/results';
import type { Documents } from '../documents/documents';
import { DocumentGone } from '../documents/errors';
import { NotYetSigned, type LedgerProofs } from '../proofs';
import { renderComplaintFile, type ComplaintFile } from './complaint-file-pdf';
import { deadlineName, describeFact, londonDate, londonTime, mediaTypeName, recordedBy, type Names } from './describe-facts';

export interface EvidencePack {
  readonly filename: string;
  readonly zip: Readable;
}

/** The pack's own description of what it holds, for the verifier (tools/verify-pack) and for a person. */
export interface PackProof {
  readonly format: 'complaint-ledger evidence pack';
  readonly version: 1;
  readonly complaintStream: string;
  readonly generatedAt: string;
  readonly asOf?: string;
  readonly knownAt?: string;
  readonly signedTreeHead: object;
  readonly publicKey: { readonly keyId: string; readonly fingerprint: string; readonly pem: string };
  readonly inclusions: readonly object[];
  readonly documents: readonly { file: string; documentId: string; revision: number; sha256: string; bytes: number }[];
  /** Documents on the record that cannot be in the pack: their resident was erased. */
  readonly withheld: readonly { documentId: string; revision: number; reason: 'erased' }[];
  /**
   * A pack as the ledger knew the complaint before its erasure (`knownAt`) withholds what the erasure
   * destroyed since: the erasure's own event, recorded later, with its inclusion in the same signed
   * tree, so the verifier sees why (it is not one of the pack's events).
   */
  readonly erasure?: { readonly event: object; readonly inclusion: object };
}

const EXTENSIONS: Record<string, string> = {
  'application/pdf': 'pdf',
  'image/jpeg': 'jpg',
  'image/png': 'png',
  'image/gif': 'gif',
  'image/webp': 'webp',
  'image/tiff': 'tif',
  'message/rfc822': 'eml',
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document': 'docx',
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet': 'xlsx',
  'application/vnd.openxmlformats-officedocument.presentationml.presentation': 'pptx',
  'application/vnd.oasis.opendocument.text': 'odt',
  'application/vnd.oasis.opendocument.spreadsheet': 'ods',
  'application/x-ole-storage': 'ole',
  'text/plain': 'txt',
};

/**
 * One complaint's evidence pack for the Housing Ombudsman (Code 5.12; decision 0024): a ZIP of
 * the complaint file a person reads (PDF), the documents on its record, its events as recorded
 * (JSON lines), and a proof — each event's inclusion in a tree head the ledger signed — that
 * anyone checks with the public key and tools/verify-pack, without this software or its data.
 * Only this complaint's events and documents are in it: no other resident's data.
 */
export class EvidencePacks {
  constructor(
    private readonly store: EventStore,
    private readonly complaints: ComplaintReads,
    private readonly documents: Documents,
    private readonly proofs: LedgerProofs,
    private readonly cipher: PersonalDataCipher,
    private readonly key: CheckpointVerifyingKey | null,
    private readonly landlord: string,
    private readonly clock: () => string,
  ) {}

  async pack(id: string, at: PointInTime): Promise<EvidencePack> {
    if (!this.key) throw new NotYetSigned(null);
    const all = await this.store.readStream(complaintStream(id));
    if (!all.length) throw new ComplaintNotFound(id);
    const recorded = at.knownAt ? all.filter((event) => !isAfter(event.metadata.recordedAt, at.knownAt!)) : all;
    if (!recorded.length) throw new ComplaintNotYet('recorded', id, at.knownAt!);
    const { view } = await this.complaints.complaint(id, at);
    const records = foldEvents(recorded.map(complaintEventOf))?.documents ?? [];
    const { included, withheld } = await this.readable(records);
    // what is withheld was destroyed by an erasure: when it came after the time the pack shows, its event goes with the proof
    const erasedLater =
      withheld.length && !recorded.some((event) => event.type === 'PersonalDataErased')
        ? all.find((event) => event.type === 'PersonalDataErased')
        : undefined;
    const head = await this.proofs.headCovering(Math.max(recorded.at(-1)!.position, erasedLater?.position ?? -1));
    if (!this.key.verifies(head))
      throw new Error(`the signed tree head at position ${head.position} does not verify under the ledger's key`);
    const inclusions = await this.proofs.inclusions(recorded, head);
    const erasure = erasedLater
      ? { event: asStored(erasedLater), inclusion: (await this.proofs.inclusions([erasedLater], head))[0]! }
      : undefined;
    const generatedAt = this.clock();
    const files = included.map((record, index) => ({
      record,
      file: `documents/${String(index + 1).padStart(2, '0')}-${record.kind.replace(/_/g, '-')}.${EXTENSIONS[record.mediaType] ?? 'bin'}`,
    }));

    const proof: PackProof = {
      format: 'complaint-ledger evidence pack',
      version: 1,
      complaintStream: complaintStream(id),
      generatedAt,
      ...(at.asOf ? { asOf: at.asOf } : {}),
      ...(at.knownAt ? { knownAt: at.knownAt } : {}),
      signedTreeHead: head,
      publicKey: { keyId: this.key.keyId, fingerprint: fingerprintOf(this.key), pem: this.key.pem },
      inclusions,
      documents: files.map(({ record, file }) => ({
        file,
        documentId: record.documentId,
        revision: record.revision,
        sha256: record.sha256,
        bytes: record.bytes,
      })),
      withheld,
      ...(erasure ? { erasure } : {}),
    };
    // the keys of what the file reveals, fetched first where they live elsewhere (EventStoreDB); the file then reveals from memory
    await this.cipher.loadKeysIn([recorded.map((event) => event.data), files.map(({ record }) => record.title)]);
    const pdf = await renderComplaintFile(this.complaintFile(recorded, view, at, files, withheld, proof, generatedAt));

    const zip = new yazl.ZipFile();
    const mtime = new Date(generatedAt);
    zip.addBuffer(Buffer.from(readme(proof)), 'README.txt', { mtime });
    zip.addBuffer(pdf, 'complaint-file.pdf', { mtime, compress: false });
    zip.addBuffer(Buffer.from(recorded.map((event) => `${JSON.stringify(asStored(event))}\n`).join('')), 'events.jsonl', { mtime });
    zip.addBuffer(Buffer.from(`${JSON.stringify(proof, null, 2)}\n`), 'proof.json', { mtime });
    // each document streamed from the store, decrypted and hashed again as it goes into the ZIP
    for (const { record, file } of files)
      zip.addReadStream(ReadableStream.from(this.documents.checked(record)), file, {
        mtime,
        compress: record.mediaType === 'text/plain' || record.mediaType === 'message/rfc822',
      });
    zip.end();
    return { filename: `evidence-pack-${id}.zip`, zip: zip.outputStream as Readable };
  }

  /** Documents whose bytes are the ones recorded (a first pass over each; tampering stops the pack), less those erased. */
  private async readable(records: readonly DocumentRecord[]) {
    const included: DocumentRecord[] = [];
    const withheld: { documentId: string; revision: number; reason: 'erased' }[] = [];
    for (const record of records) {
      try {
        for await (const _piece of this.documents.checked(record));
        included.push(record);
      } catch (error) {
        if (!(error instanceof DocumentGone)) throw error;
        withheld.push({ documentId: record.documentId, revision: record.revision, reason: 'erased' });
      }
    }
    return { included, withheld };
  }

  private complaintFile(
    recorded: readonly RecordedEvent[],
    view: ComplaintView,
    at: PointInTime,
    files: readonly { record: DocumentRecord; file: string }[],
    withheld: PackProof['withheld'],
    proof: PackProof,
    generatedAt: string,
  ): ComplaintFile {
    const events = recorded.map((event) => ({ ...event, data: this.cipher.reveal(event.data) }));
    const known = foldEvents(events.map(complaintEventOf))!;
    const state: ComplaintState = (at.asOf ? complaintAsOf(known, at.asOf) : known) ?? known;
    const policy = CODE_VERSIONS.find((version) => version.version === view.codeVersion)!;
    const remedyNumbers = new Map(
      events.filter((event) => event.type === 'RemedyOffered').map((event, n) => [(event.data as { remedyId: string }).remedyId, n + 1]),
    );
    const names = {
      document: (documentId: string) =>
        known.documents?.find((document) => document.documentId === documentId)?.title ?? 'a document not on this record',
      remedy: (remedyId: string) => `Remedy ${remedyNumbers.get(remedyId) ?? '(not on this record)'}`,
    };
    const correctedBy = new Map<number, RecordedEvent[]>();
    for (const event of events)
      if (event.type === 'FactCorrected') {
        const target = (event.data as { correctedRevision: number }).correctedRevision;
        correctedBy.set(target, [...(correctedBy.get(target) ?? []), event]);
      }
    // as the complaint stood at asOf (decision 0018): each fact by its date as corrected now (a voided one not at all), and a
    // correction beside the fact it corrects
    const happenedAt = (event: RecordedEvent): Instant | null => {
      const latest = correctedBy.get(event.revision)?.at(-1)?.data as FactCorrected['data'] | undefined;
      if (!latest) return occurredAtOf(complaintEventOf(event));
      return latest.replacement ? occurredAtOf({ type: latest.correctedType, data: latest.replacement } as ComplaintEvent) : null;
    };
    const byRevision = new Map(events.map((event) => [event.revision, event]));
    const standsAt = (event: RecordedEvent): Instant | null => {
      if (event.type !== 'FactCorrected') return happenedAt(event);
      const target = byRevision.get((event.data as FactCorrected['data']).correctedRevision);
      return target ? happenedAt(target) : null;
    };
    const shown = at.asOf
      ? events.filter((event) => {
          const when = standsAt(event);
          return when !== null && !isAfter(when, at.asOf!);
        })
      : events;
    const head = proof.signedTreeHead as { at: string; treeSize: number };
    return {
      title: 'Complaint file',
      landlord: this.landlord,
      reference: `Complaint received ${londonDate(state.receivedAt)} · ${state.resident.reference}`,
      standing:
        `The full record of this complaint (Complaint Handling Code ${policy.version}, ${policy.fullRecordProvision}), prepared ${londonTime(generatedAt)}` +
        (at.asOf ? `; the complaint as it stood at ${londonTime(at.asOf)}` : '') +
        (at.knownAt ? `; only what the ledger had recorded by ${londonTime(at.knownAt)}` : '') +
        '. Times are London times.',
      overview: [
        ['Resident', `${state.resident.name ?? '(name not recorded)'} (reference ${state.resident.reference})`],
        ['Received', `${londonTime(state.receivedAt)} by ${state.channel.replace(/_/g, ' ')}`],
        ['Tenure and category', `${state.tenure}; ${state.category.replace(/_/g, ' ')}`],
        ['Summary', state.summary],
        ...(state.outcomeSought ? [['Outcome sought', state.outcomeSought] as const] : []),
        ['Status', `${view.status.replace(/_/g, ' ')} (stage ${view.stage}), judged at ${londonTime(view.asOf)}`],
        ['Code', `Complaint Handling Code ${view.codeVersion}`],
        ['Ledger reference', view.id],
      ],
      facts: shown.map((event) => {
        const fact = describeFact(complaintEventOf(event), names);
        const corrections = correctedBy.get(event.revision);
        return {
          number: event.revision + 1,
          happenedAt: londonTime(event.metadata.occurredAt),
          recordedAt: londonTime(event.metadata.recordedAt),
          recordedBy: recordedBy(event.metadata.actor),
          ...(event.type === 'FactCorrected' ? correctionOf(event.data as FactCorrected['data'], fact.details, names) : fact),
          ...(corrections
            ? { note: `Corrected by fact ${corrections.map((c) => c.revision + 1).join(', ')}; the original is kept as it was recorded.` }
            : {}),
        };
      }),
      deadlines: view.deadlines.map((deadline) => ({
        name: deadlineName(deadline.kind, deadline.stage).replace(/^./, (c) => c.toUpperCase()),
        provision: `Code ${deadline.codeVersion} ${deadline.provision}`,
        due: deadline.dueAt ? londonTime(deadline.dueAt) : 'not yet running',
        outcome:
          deadline.status === 'met'
            ? `Met ${londonTime(deadline.metAt!)}, on time.`
            : deadline.status === 'met_late'
              ? `Met ${londonTime(deadline.metAt!)}, ${deadline.workingDaysLate} working days late.`
              : deadline.status === 'breached'
                ? `Not met: ${deadline.workingDaysLate} working days late.`
                : 'Not yet due.',
      })),
      findings: view.findings.map((finding) => ({
        provision: `Code ${finding.codeVersion} ${finding.provision}`,
        // the file numbers facts from 1 where the ledger counts revisions from 0
        message: finding.message.replace(/\brevision (\d+)/g, (_text, revision: string) => `fact ${Number(revision) + 1}`),
        severity: finding.severity,
      })),
      remedies: state.remedies.map((remedy) => ({
        what: `${names.remedy(remedy.remedyId)}: ${remedy.description} (${remedy.type.replace(/_/g, ' ')})`,
        terms: [
          remedy.amountPence !== undefined ? `£${(remedy.amountPence / 100).toFixed(2)}.` : '',
          remedy.dueBy ? `Due by ${londonDate(`${remedy.dueBy}T12:00:00Z`)}.` : '',
        ]
          .join(' ')
          .trim(),
        completion: remedy.completedAt ? `Completed ${londonTime(remedy.completedAt)}.` : 'Not completed.',
      })),
      documents: [
        ...files.map(({ record, file }) => ({
          file,
          dated: londonDate(record.dated),
          title: this.cipher.reveal(record.title),
          about: `${record.kind.replace(/_/g, ' ')}, ${record.direction}, ${mediaTypeName(record.mediaType)}, ${record.bytes} bytes`,
          sha256: record.sha256,
        })),
        ...withheld.map((document) => ({
          file: '(not in this pack)',
          dated: '',
          title: `A document recorded as fact ${document.revision + 1}`,
          about: "withheld: the resident's personal data was erased",
          sha256: known.documents?.find((d) => d.documentId === document.documentId)?.sha256 ?? '',
        })),
      ],
      proof: [
        `This pack holds the events of this complaint as the ledger recorded them (events.jsonl), its documents, and proof.json: for each event, its place in the Merkle tree over the whole ledger whose root the ledger signed at ${londonTime(head.at)} over ${head.treeSize} events.`,
        `The signing key's fingerprint (SHA-256 of the public key) is ${proof.publicKey.fingerprint}. Check it against the key the landlord publishes, then run: node verify-pack.mjs this-pack.zip --public-key key.pem`,
        "The verifier checks every document against its recorded SHA-256, every event against its own hash and the one before it, every event's inclusion in the signed tree, and the signature. It needs nothing but Node.js and this pack.",
        'What it proves: these events were in the ledger the key signed, unaltered, with these documents. What it does not: that nothing was left unrecorded, or that what was recorded was true. This file (the PDF) is a reading of the events for people, and is not itself checked: where it and the events disagree, the events are the record.',
      ],
    };
  }
}

/** A correction in people's words: which fact, why, and what it now says (with when it happened), or that it was voided. */
function correctionOf(correction: FactCorrected['data'], details: string[], names: Names): { what: string; details: string[] } {
  const { correctedRevision, correctedType, replacement } = correction;
  if (!replacement) return { what: `Correction of fact ${correctedRevision + 1}`, details: [...details, 'The fact was voided.'] };
  const replaced = { type: correctedType, data: replacement } as ComplaintEvent;
  const described = describeFact(replaced, names);
  return {
    what: `Correction of fact ${correctedRevision + 1}`,
    details: [
      ...details,
      `Now reads: ${described.what}, happened ${londonTime(occurredAtOf(replaced))}`,
      ...described.details.map((line) => `  ${line}`),
    ],
  };
}

/** An event as the store recorded it: what its hash covers, and where it stands. */
function asStored({ streamId, revision, position, eventId, type, data, metadata }: RecordedEvent) {
  return { streamId, revision, position, eventId, type, data, metadata };
}

/** SHA-256 of the public key (SPKI DER), in full: what a person compares with the key the landlord publishes. */
export function fingerprintOf(key: CheckpointVerifyingKey): string {
  return createHash('sha256')
    .update(key.publicKey.export({ type: 'spki', format: 'der' }))
    .digest('hex');
}

function readme(proof: PackProof): string {
  return [
    'Complaint evidence pack',
    '',
    'complaint-file.pdf   the complaint file: every fact in London time, deadlines and their Code provisions, findings, remedies, documents',
    'documents/           the documents on the record, as they were attached (their SHA-256 is in proof.json and in the events)',
    "events.jsonl         the complaint's events exactly as the ledger recorded them, one JSON object per line",
    "proof.json           the signed tree head, the public key, and each event's inclusion proof (RFC 9162)",
    '',
    "To check it without the landlord's systems (Node.js 20 or later, nothing else):",
    "  node verify-pack.mjs <this zip> --public-key <the ledger's public key, PEM>",
    `The key's SHA-256 fingerprint: ${proof.publicKey.fingerprint}`,
    'It checks events.jsonl and the documents against the signed tree head. complaint-file.pdf and this',
    'file are written from those events for reading, and are not checked: where they disagree, the events hold.',
    '',
  ].join('\n');
}
