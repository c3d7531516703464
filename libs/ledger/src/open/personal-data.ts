import { DataKeyStore, PersonalDataCipher, type KeyStore } from '@complaint-ledger/privacy';
import type { EventStore } from '@complaint-ledger/event-store';
import { readFileSync } from 'node:fs';
import type { Clock } from '../clock';
import type { LedgerConfig } from '../config/ledger-config';
import { EventStoreKeyStore } from '../keys/eventstore-key-store';

export interface PersonalData {
  readonly keys: KeyStore;
  readonly cipher: PersonalDataCipher;
}

/** The master key from LEDGER_MASTER_KEY or LEDGER_MASTER_KEY_FILE; without one, personal data cannot be opened. */
export function masterKeyFrom(config: LedgerConfig): Buffer {
  const text =
    config.LEDGER_MASTER_KEY ?? (config.LEDGER_MASTER_KEY_FILE ? readFileSync(config.LEDGER_MASTER_KEY_FILE, 'utf8').trim() : '');
  const key = Buffer.from(text, 'base64');
  if (key.length !== 32) {
    throw new Error(
      'LEDGER_MASTER_KEY (or LEDGER_MASTER_KEY_FILE) must hold 32 bytes in base64: generate one with openssl rand -base64 32',
    );
  }
  return key;
}

/**
 * The residents' data keys, wrapped by the master key, and the cipher over them: in their own
 * SQLite file beside an embedded log (one host), or in EventStoreDB beside its log, where every
 * replica shares them (decision 0028).
 */
export function openPersonalData(config: LedgerConfig, masterKey: Buffer, store: EventStore, clock: Clock): PersonalData {
  const keys =
    config.LEDGER_STORE === 'eventstoredb'
      ? new EventStoreKeyStore(store, masterKey, config.LEDGER_KEY_CACHE_SECONDS * 1000)
      : new DataKeyStore(config.keysPath, masterKey);
  return { keys, cipher: new PersonalDataCipher(keys, clock) };
}
