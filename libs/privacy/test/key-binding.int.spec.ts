import Database from 'better-sqlite3';
import { createCipheriv, randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataKeyStore, ERASED, KeyStoreAltered, PersonalDataCipher, WITHHELD } from '../src';

/**
 * Each data key is bound to its row (decision 0023): its resident and its id are the wrap's
 * additional data, so a row moved, swapped or rewritten is tampering, found and reported, never
 * taken for an erasure; every key an erasure destroys is listed, so a missing key is either
 * erased or deleted behind the ledger's back. A key file from before is migrated once.
 */
const dir = mkdtempSync(join(tmpdir(), 'ledger-key-binding-'));
const NOW = '2026-11-23T12:00:00.000Z';
const MASTER = Buffer.alloc(32, 5);
let n = 0;
const fresh = () => join(dir, `keys-${++n}.sqlite`);
const received = (reference: string, name: string) => ({
  type: 'ComplaintReceived' as const,
  data: { complaintId: 'c', resident: { reference, name }, summary: 'Leak' },
});

/** Two residents with a key each, their data sealed; then `alter` on the file with a connection of the attacker's own. */
function twoResidents(alter: (db: Database.Database) => void) {
  const path = fresh();
  const setUp = new DataKeyStore(path, MASTER);
  const cipher = new PersonalDataCipher(setUp, () => NOW);
  const alice = cipher.protect(received('RES-ALICE', 'Alice') as never, 'RES-ALICE');
  const bob = cipher.protect(received('RES-BOB', 'Bob') as never, 'RES-BOB');
  setUp.close();
  const db = new Database(path);
  alter(db);
  db.close();
  const keys = new DataKeyStore(path, MASTER);
  const altered: KeyStoreAltered[] = [];
  keys.onAltered((error) => altered.push(error));
  return { keys, cipher: new PersonalDataCipher(keys, () => NOW), alice, bob, altered, path };
}

const rowOf = (db: Database.Database, subject: string) =>
  db.prepare('SELECT rowid, key_id, wrapped FROM data_keys WHERE subject = ?').get(subject) as {
    rowid: number;
    key_id: string;
    wrapped: Buffer;
  };

describe('a data key bound to its row', () => {
  it('given the two rows swapped by subject, neither opens: reported as an alteration, shown withheld, and erasure destroys nothing', () => {
    const { keys, cipher, alice, altered, path } = twoResidents((db) => {
      const [a, b] = [rowOf(db, 'RES-ALICE'), rowOf(db, 'RES-BOB')];
      db.prepare('UPDATE data_keys SET subject = ? WHERE rowid = ?').run('RES-BOB', a.rowid);
      db.prepare('UPDATE data_keys SET subject = ? WHERE rowid = ?').run('RES-ALICE', b.rowid);
    });
    expect(cipher.reveal(alice)).toMatchObject({ resident: { name: WITHHELD }, summary: WITHHELD });
    expect(altered[0]?.message).toMatch(/does not open as "RES-BOB"'s/); // Alice's key, filed under Bob
    expect(keys.alteration).toBeInstanceOf(KeyStoreAltered);
    expect(() => keys.erase('RES-ALICE', NOW, 'dpo', 'request')).toThrow(KeyStoreAltered); // Bob's key, filed under Alice
    keys.close();
    const db = new Database(path, { readonly: true });
    expect(db.prepare('SELECT count(*) FROM data_keys').pluck().get()).toBe(2);
    expect(db.prepare('SELECT count(*) FROM erasures').pluck().get()).toBe(0);
    db.close();
  });

  it('given two wrapped keys swapped, neither opens', () => {
    const { keys, cipher, alice, bob, altered } = twoResidents((db) => {
      const [a, b] = [rowOf(db, 'RES-ALICE'), rowOf(db, 'RES-BOB')];
      db.prepare('UPDATE data_keys SET wrapped = ? WHERE rowid = ?').run(b.wrapped, a.rowid);
      db.prepare('UPDATE data_keys SET wrapped = ? WHERE rowid = ?').run(a.wrapped, b.rowid);
    });
    expect(cipher.reveal(alice)).toMatchObject({ resident: { name: WITHHELD } });
    expect(cipher.reveal(bob)).toMatchObject({ resident: { name: WITHHELD } });
    expect(altered.length).toBeGreaterThan(0);
    keys.close();
  });

  it('given a key row deleted, its data is withheld, not erased, and the key file audit says which key is missing', () => {
    const { keys, cipher, alice, bob } = twoResidents((db) => db.prepare("DELETE FROM data_keys WHERE subject = 'RES-ALICE'").run());
    expect(cipher.reveal(alice)).toMatchObject({ resident: { name: WITHHELD } });
    expect(cipher.reveal(bob)).toMatchObject({ resident: { name: 'Bob' } });
    const keyId = (alice as { summary: string }).summary.split(':')[2]!;
    expect(keys.audit.judge(keyId, 'RES-ALICE', NOW)).toMatchObject({ state: 'altered', detail: expect.stringMatching(/missing/) });
    keys.close();
  });

  it('given an erasure, its keys are listed: their data reads erased, and the audit accounts for them', () => {
    const { keys, cipher, alice } = twoResidents(() => undefined);
    expect(keys.erase('RES-ALICE', NOW, 'dpo', 'request')).toBe(true);
    expect(cipher.reveal(alice)).toMatchObject({ resident: { name: ERASED } });
    const keyId = (alice as { summary: string }).summary.split(':')[2]!;
    expect(keys.audit.judge(keyId, 'RES-ALICE', NOW)).toEqual({ state: 'erased' });
    keys.close();
  });

  it('given an erasure record the ledger did not write, a deleted key is still not passed off as erased', () => {
    const { keys, cipher, alice } = twoResidents((db) => {
      const { key_id: keyId } = rowOf(db, 'RES-ALICE');
      db.prepare("DELETE FROM data_keys WHERE subject = 'RES-ALICE'").run();
      db.prepare(
        "INSERT INTO erasures (subject, erased_at, actor, reason, legacy, mac) VALUES ('RES-ALICE', ?, 'x', 'request', 0, 'made-up')",
      ).run(NOW);
      db.prepare("INSERT INTO erased_keys (key_id, subject, erased_at, mac) VALUES (?, 'RES-ALICE', ?, 'made-up')").run(keyId, NOW);
    });
    expect(keys.erasure('RES-ALICE')).toBeNull();
    expect(cipher.reveal(alice)).toMatchObject({ resident: { name: WITHHELD } });
    keys.close();
  });

  it('given a resident erased by another process before a new key of theirs was written, that key is listed as erased, not missing', () => {
    const path = fresh();
    const other = new DataKeyStore(path, MASTER);
    const writer = new DataKeyStore(path, MASTER);
    const sealed = new PersonalDataCipher(writer, () => NOW).protect(received('RES-CAROL', 'Carol') as never, 'RES-CAROL');
    expect(other.erase('RES-CAROL', '2026-11-23T12:00:01.000Z', 'dpo', 'request')).toBe(true); // meanwhile, elsewhere
    writer.close(); // the new key is dropped, not written back
    const audit = new DataKeyStore(path, MASTER);
    const keyId = (sealed as { summary: string }).summary.split(':')[2]!;
    expect(audit.audit.judge(keyId, 'RES-CAROL', NOW)).toEqual({ state: 'erased' });
    expect(new PersonalDataCipher(audit, () => NOW).reveal(sealed)).toMatchObject({ summary: ERASED });
    audit.close();
    other.close();
  });
});

describe('a key file written before keys were bound to their rows', () => {
  /** A key wrapped as before: IV, tag, key, no additional data. */
  const unbound = (key: Buffer) => {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', MASTER, iv);
    const sealed = Buffer.concat([cipher.update(key), cipher.final()]);
    return Buffer.concat([iv, cipher.getAuthTag(), sealed]);
  };
  const oldFile = () => {
    const path = fresh();
    const db = new Database(path);
    db.exec(`CREATE TABLE data_keys (key_id TEXT PRIMARY KEY, subject TEXT NOT NULL, wrapped BLOB NOT NULL, created_at TEXT NOT NULL);
      CREATE TABLE erasures (subject TEXT NOT NULL, erased_at TEXT NOT NULL, actor TEXT NOT NULL, reason TEXT NOT NULL, PRIMARY KEY (subject, erased_at));`);
    const key = randomBytes(32);
    db.prepare('INSERT INTO data_keys VALUES (?, ?, ?, ?)').run('old-key', 'RES-OLD', unbound(key), '2024-01-01T00:00:00.000Z');
    db.prepare("INSERT INTO erasures VALUES ('RES-GONE', '2025-01-01T00:00:00.000Z', 'dpo', 'request')").run();
    db.close();
    return { path, key };
  };

  it('is migrated once, when first opened: its keys bound to their residents and still opening, its erasures the ledger’s', () => {
    const { path, key } = oldFile();
    const keys = new DataKeyStore(path, MASTER);
    expect(keys.migrated).toEqual({ keys: 1, erasures: 1 });
    expect(keys.find('old-key')).toEqual(key);
    expect(keys.erasure('RES-GONE')).toMatchObject({ erasedAt: '2025-01-01T00:00:00.000Z' });
    // a key of the erased resident, used before the erasure: accounted for by it; one used after it: not
    expect(keys.audit.judge('gone-key', 'RES-GONE', '2024-12-01T00:00:00.000Z')).toEqual({ state: 'erased', legacy: true }); // which the log must bear out (KeyStoreCheck);
    expect(keys.audit.judge('gone-key', 'RES-GONE', '2025-02-01T00:00:00.000Z')).toMatchObject({ state: 'altered' });
    keys.close();
    const again = new DataKeyStore(path, MASTER);
    expect(again.migrated).toEqual({ keys: 0, erasures: 0 });
    expect(again.find('old-key')).toEqual(key);
    again.close();
  });

  it('once migrated, a row in the old form put back is tampering, not something to migrate again', () => {
    const { path, key } = oldFile();
    new DataKeyStore(path, MASTER).close();
    const db = new Database(path);
    db.prepare("UPDATE data_keys SET wrapped = ? WHERE key_id = 'old-key'").run(unbound(key)); // an old backup's row, say
    db.close();
    const keys = new DataKeyStore(path, MASTER);
    expect(keys.migrated).toEqual({ keys: 0, erasures: 0 });
    expect(() => keys.find('old-key')).toThrow(KeyStoreAltered);
    keys.close();
  });
});
