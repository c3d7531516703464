import { DataKeyStore, PersonalDataCipher } from '@complaint-ledger/privacy';
import { readFileSync } from 'node:fs';
import type { LedgerConfig } from '../config/ledger-config';
import type { Clock } from './tokens';

/** The master key from LEDGER_MASTER_KEY or LEDGER_MASTER_KEY_FILE; the service refuses to start without one. */
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

export function createPersonalData(config: LedgerConfig, clock: Clock): { keys: DataKeyStore; cipher: PersonalDataCipher } {
  const keys = new DataKeyStore(config.keysPath, masterKeyFrom(config));
  return { keys, cipher: new PersonalDataCipher(keys, clock) };
}
