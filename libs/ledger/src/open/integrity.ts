import type { LedgerLogger } from '../logger';
import type { EventKeyRing, EventStore } from '@complaint-ledger/event-store';
import type { KeyFileAudit } from '@complaint-ledger/privacy';
import type { Registry } from 'prom-client';
import type { Clock } from '../clock';
import type { LedgerConfig } from '../config/ledger-config';
import { CheckpointSigningKey } from '../integrity/checkpoint-key';
import { LedgerIntegrity } from '../integrity/ledger-integrity';
import type { WritePath } from '../write/write-path';

/** The integrity watch from configuration: the signing key (if this process has one), the checkpoint cadence, the witness file. */
export function openIntegrity(
  config: LedgerConfig,
  store: EventStore,
  write: WritePath,
  clock: Clock,
  logger: LedgerLogger,
  registry: Registry,
  eventKeys: EventKeyRing | null,
  keyFile: KeyFileAudit | null,
  /** Whether this process may sign checkpoints now (it holds the duties' lease). */
  maySign: () => boolean,
): LedgerIntegrity {
  const signing = config.LEDGER_SIGNING_KEY_FILE ? CheckpointSigningKey.fromFile(config.LEDGER_SIGNING_KEY_FILE) : null;
  if (!signing) logger.warn('no LEDGER_SIGNING_KEY_FILE: the log is verified, but this process signs no checkpoints');
  return new LedgerIntegrity(
    store,
    write,
    clock,
    {
      signing,
      verifying: signing?.verifying ?? null,
      eventKeys,
      keyFile,
      witnessFile: config.LEDGER_CHECKPOINT_WITNESS_FILE,
      everyEvents: config.LEDGER_CHECKPOINT_EVERY_EVENTS,
      everyMs: config.LEDGER_CHECKPOINT_SECONDS * 1000,
      markFile: config.verifiedMarkPath,
      wholeLogAtStart: config.LEDGER_VERIFY_WHOLE_LOG_AT_START,
      wholeLogEveryMs: config.LEDGER_VERIFY_WHOLE_LOG_SECONDS * 1000,
      maySign,
    },
    logger,
    registry,
  );
}
