import { complaintEventOf, type DocumentAttached } from '@complaint-ledger/domain';
import type { RecordedEvent } from '@complaint-ledger/event-store';
import { FolderDocumentStore } from './document-store';
import { checkStored, type DocumentProblem } from './documents';

export interface DocumentsVerdict {
  readonly checked: number;
  readonly problems: readonly (DocumentProblem & { readonly streamId: string; readonly position: number })[];
}

/**
 * Every document the log records, against what the documents folder holds: each must be there,
 * and hash to the SHA-256 of its encrypted form the record holds. Needs no key (so it runs
 * offline, on a copy, and after erasure) and only reads. What `npm run verify` runs beside the log's verification.
 */
export async function verifyDocuments(
  read: (afterPosition: number, limit: number) => Promise<RecordedEvent[]>,
  folder: string,
): Promise<DocumentsVerdict> {
  const store = new FolderDocumentStore(folder);
  let checked = 0;
  const problems: DocumentsVerdict['problems'][number][] = [];
  for (let after = -1; ;) {
    const page = await read(after, 2_000);
    if (!page.length) return { checked, problems };
    for (const event of page) {
      if (event.type !== 'DocumentAttached') continue;
      const { data } = complaintEventOf(event) as DocumentAttached;
      checked += 1;
      for (const problem of await checkStored(store, [{ ...data, revision: event.revision }]))
        problems.push({ ...problem, streamId: event.streamId, position: event.position });
    }
    after = page.at(-1)!.position;
  }
}
