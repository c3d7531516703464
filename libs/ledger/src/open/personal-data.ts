import { DataKeyStore, PersonalDataCipher } from '@complaint-ledger/privacy';
import { hkdfSync } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Clock } from '../clock';
import type { LedgerConfig } from '../config/ledger-config';

export interface PersonalData {
  readonly keys: DataKeyStore;
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
 * A key for one purpose of the service's own (the console's sign-ins), derived from the master key
 * (HKDF-SHA-256, the purpose as its info): every replica given the master key derives the same one,
 * and no other purpose's key, nor the master key, can be had from it.
 */
export function keyDerivedFromMasterKey(config: LedgerConfig, purpose: string): Buffer {
  return Buffer.from(hkdfSync('sha256', masterKeyFrom(config), 'complaint-ledger', purpose, 32));
}

/** The residents' data keys (in their own file, wrapped by the master key) and the cipher over them. */
export function openPersonalData(config: LedgerConfig, clock: Clock): PersonalData {
  const keys = new DataKeyStore(config.keysPath, masterKeyFrom(config));
  return { keys, cipher: new PersonalDataCipher(keys, clock) };
}
