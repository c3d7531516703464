import type { Logger } from '@nestjs/common';
import type { EventStore } from '@complaint-ledger/event-store';
import { DataKeyStore, PersonalDataCipher, ResidentErasure } from '@complaint-ledger/privacy';
import type { ReadSide } from '@complaint-ledger/projections';
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

/**
 * The worker's retention sweep (LEDGER_RETENTION_YEARS, 0 = off): once at start and then daily,
 * erases residents whose complaints all closed that many years ago. Needs the master key; without
 * one the worker says so and keeps retention off rather than refusing its other work.
 */
export function startRetention(
  config: LedgerConfig,
  store: EventStore,
  readSide: ReadSide,
  clock: Clock,
  logger: Logger,
): { stop(): void } | null {
  if (!config.LEDGER_RETENTION_YEARS) return null;
  let personalData;
  try {
    personalData = createPersonalData(config, clock);
  } catch (error) {
    logger.warn(`retention is off: ${(error as Error).message}`);
    return null;
  }
  const erasure = new ResidentErasure(personalData.keys, store, readSide, clock);
  const sweep = () =>
    erasure.eraseExpired(config.LEDGER_RETENTION_YEARS).then(
      (erased) => erased.length && logger.log(`retention: erased ${erased.length} residents' personal data`),
      (error: unknown) => logger.error(`retention sweep failed: ${(error as Error).message}`),
    );
  void sweep();
  const timer = setInterval(() => void sweep(), 24 * 60 * 60 * 1000);
  timer.unref();
  logger.log(`retention: personal data erased ${config.LEDGER_RETENTION_YEARS} years after a resident's last complaint closed`);
  return {
    stop: () => {
      clearInterval(timer);
      personalData.keys.close();
    },
  };
}
