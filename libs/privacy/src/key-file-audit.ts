import Database from 'better-sqlite3';
import { erasedKeyMac, erasureMac, macMatches, unwrapKey, type ErasureRecord } from './key-binding';

/** A key an event used, as the key file accounts for it. */
export type KeyJudgement =
  | { readonly state: 'present' }
  /** `legacy`: by an erasure recorded before destroyed keys were listed, which the log must bear out (KeyStoreCheck). */
  | { readonly state: 'erased'; readonly legacy?: true }
  | { readonly state: 'altered'; readonly detail: string };

/** An erasure's row in the key file. */
export interface ErasureRow {
  subject: string;
  erased_at: string;
  actor: string;
  reason: string;
  legacy: number;
  mac: string | null;
}

export const erasureOf = (row: ErasureRow): ErasureRecord => ({
  subject: row.subject,
  erasedAt: row.erased_at,
  actor: row.actor,
  reason: row.reason,
  legacy: row.legacy === 1,
});

/** Whether an erasure row is one the ledger recorded. */
export const erasureAuthentic = (masterKey: Buffer, row: ErasureRow): boolean => macMatches(erasureMac(masterKey, erasureOf(row)), row.mac);

/**
 * Reads the key file the way verification needs it (decision 0023): whether a key an event names
 * is there and opens as its resident's, or was destroyed by an erasure the ledger recorded, or
 * neither — a row deleted, swapped or moved. On the store's own connection (DataKeyStore) and on a
 * read-only one (`npm run verify`).
 */
export class KeyFileAudit {
  private readonly statements;

  constructor(
    db: Database.Database,
    private readonly masterKey: Buffer,
  ) {
    this.statements = {
      row: db.prepare<[string], { subject: string; wrapped: Buffer }>('SELECT subject, wrapped FROM data_keys WHERE key_id = ?'),
      erasedKey: db.prepare<[string], { subject: string; erased_at: string; mac: string }>(
        'SELECT subject, erased_at, mac FROM erased_keys WHERE key_id = ?',
      ),
      erasuresOf: db.prepare<[string], ErasureRow>('SELECT subject, erased_at, actor, reason, legacy, mac FROM erasures WHERE subject = ?'),
      legacy: db.prepare('SELECT EXISTS (SELECT 1 FROM erasures WHERE legacy = 1)').pluck(),
    };
  }

  /** Whether the key's absence is accounted for: an erasure the ledger recorded listed it. */
  listedAsErased(keyId: string, subject?: string): boolean {
    const row = this.statements.erasedKey.get(keyId);
    if (!row || (subject !== undefined && row.subject !== subject)) return false;
    return macMatches(erasedKeyMac(this.masterKey, { keyId, subject: row.subject, erasedAt: row.erased_at }), row.mac);
  }

  /** Whether erasures were recorded before destroyed keys were listed: a missing key can then only be judged knowing its resident. */
  get hasLegacyErasures(): boolean {
    return this.statements.legacy.get() === 1;
  }

  /**
   * The key `keyId` that an event recorded at `recordedAt` used for `subject`'s personal data:
   * present and bound to that resident; erased (listed as erased, or its resident erased before
   * keys were listed, after the event); or altered.
   */
  judge(keyId: string, subject: string, recordedAt: string): KeyJudgement {
    const row = this.statements.row.get(keyId);
    if (row) {
      if (row.subject !== subject)
        return { state: 'altered', detail: `key ${keyId} of ${JSON.stringify(subject)} is filed under ${JSON.stringify(row.subject)}` };
      if (!unwrapKey(this.masterKey, row.wrapped, subject, keyId))
        return {
          state: 'altered',
          detail: `key ${keyId} does not open as ${JSON.stringify(subject)}'s: its row was swapped, moved or rewritten`,
        };
      if (this.listedAsErased(keyId)) return { state: 'altered', detail: erasedKeyBack(keyId, subject) };
      return { state: 'present' };
    }
    if (this.listedAsErased(keyId, subject)) return { state: 'erased' };
    const legacy = this.statements.erasuresOf
      .all(subject)
      .some((erasure) => erasure.legacy === 1 && erasure.erased_at >= recordedAt && erasureAuthentic(this.masterKey, erasure));
    if (legacy) return { state: 'erased', legacy: true };
    return {
      state: 'altered',
      detail: `key ${keyId} of ${JSON.stringify(subject)} is missing, and no erasure the ledger recorded destroyed it: its row was deleted`,
    };
  }
}

/** Why a key row is altered though it opens: an erasure the ledger recorded listed the key as destroyed. */
export const erasedKeyBack = (keyId: string, subject: string): string =>
  `key ${keyId} of ${JSON.stringify(subject)} is in the file again after an erasure the ledger recorded destroyed it: its row was put back from an earlier copy`;

/**
 * The residents' key file opened read-only, for `npm run verify` (nothing is created, migrated or
 * written); null when it predates keys bound to their rows (a service of this version migrates it
 * when it first opens it), as there is then nothing to check it by.
 */
export function openKeyFileAudit(path: string, masterKey: Buffer): { audit: KeyFileAudit; close(): void } | null {
  const db = new Database(path, { readonly: true, fileMustExist: true });
  const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").pluck().all() as string[];
  const columns = db.prepare("SELECT name FROM pragma_table_info('erasures')").pluck().all() as string[];
  if (!tables.includes('erased_keys') || !columns.includes('legacy')) {
    db.close();
    return null;
  }
  return { audit: new KeyFileAudit(db, masterKey), close: () => db.close() };
}

/** The id of the master key a key file records (decision 0030); undefined when it records none (a file from before ids were kept). */
export function recordedMasterKey(db: Database.Database): string | undefined {
  const hasTable = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'master_key'").get();
  return hasTable ? (db.prepare('SELECT id FROM master_key').pluck().get() as string | undefined) : undefined;
}

/** The same, of the key file at `path`, read-only (a backup's copy, for a restore's check). */
export function masterKeyRecordedIn(path: string): string | undefined {
  const db = new Database(path, { readonly: true, fileMustExist: true });
  try {
    return recordedMasterKey(db);
  } finally {
    db.close();
  }
}
