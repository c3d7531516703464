import { DataKeyStore, PersonalDataCipher, type KeyStore } from '@complaint-ledger/privacy';
import type { EventStore } from '@complaint-ledger/event-store';
import { hkdfSync } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Clock } from '../clock';
import type { LedgerConfig } from '../config/ledger-config';
import { EventStoreKeyStore, type KeyStreamCheck } from '../keys/eventstore-key-store';
import { moveKeyFileIntoStore } from '../keys/key-file-move';
import type { LedgerLogger } from '../logger';

export interface PersonalData {
  readonly keys: KeyStore;
  readonly cipher: PersonalDataCipher;
  /** With the keys in EventStoreDB: moves a key file left from before into it (at start). */
  readonly moveKeyFile: (() => Promise<unknown>) | null;
}

/** The master key from LEDGER_MASTER_KEY or LEDGER_MASTER_KEY_FILE; without one, personal data cannot be opened. */
export function masterKeyFrom(config: LedgerConfig): Buffer {
  return masterKeyOf(config.LEDGER_MASTER_KEY, config.LEDGER_MASTER_KEY_FILE, 'LEDGER_MASTER_KEY');
}

/**
 * A master key given in `variable` (base64) or in the file `${variable}_FILE` names: 32 bytes, else
 * an error saying so (the rotation's new key is read this way too: decision 0030).
 */
export function masterKeyOf(text: string | undefined, file: string | undefined, variable: string): Buffer {
  const given = text ?? (file ? readFileSync(file, 'utf8').trim() : '');
  const key = Buffer.from(given, 'base64');
  if (key.length !== 32) {
    throw new Error(`${variable} (or ${variable}_FILE) must hold 32 bytes in base64: generate one with openssl rand -base64 32`);
  }
  return key;
}

/**
 * A key for one purpose of the service's own (the console's sign-ins), derived from the master key
 * (HKDF-SHA-256, the purpose as its info): every replica given the master key derives the same one,
 * and no other purpose's key, nor the master key, can be had from it.
 */
export function keyDerivedFromMasterKey(config: LedgerConfig, purpose: string): Buffer {
  return Buffer.from(hkdfSync('sha256', masterKeyFrom(config), 'complaint-ledger', purpose, 32));
}

/**
 * The residents' data keys, wrapped by the master key, and the cipher over them: in their own
 * SQLite file beside an embedded log (one host), or in EventStoreDB beside its log, where every
 * replica shares them (decision 0028).
 */
export function openPersonalData(
  config: LedgerConfig,
  masterKey: Buffer,
  store: EventStore,
  clock: Clock,
  logger: LedgerLogger,
  /** With the keys in EventStoreDB: each key and resident stream read is checked as the ledger's are (hashes, links, MACs). */
  checkKeyStream?: KeyStreamCheck,
): PersonalData {
  if (config.LEDGER_STORE !== 'eventstoredb') {
    const keys = new DataKeyStore(config.keysPath, masterKey);
    return { keys, cipher: new PersonalDataCipher(keys, clock), moveKeyFile: null };
  }
  const keys = new EventStoreKeyStore(store, masterKey, config.LEDGER_KEY_CACHE_SECONDS * 1000, Date.now, checkKeyStream);
  // only a file named by LEDGER_KEYS_PATH: the default place is where the SQLite log keeps its own keys
  const path = config.LEDGER_KEYS_PATH;
  const moveKeyFile = path ? () => moveKeyFileIntoStore(path, masterKey, keys, logger) : null;
  return { keys, cipher: new PersonalDataCipher(keys, clock), moveKeyFile };
}
