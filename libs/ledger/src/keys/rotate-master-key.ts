import { masterKeyId, rotateKeyFile, RotationRefused } from '@complaint-ledger/privacy';
import { dirname, resolve } from 'node:path';
import { refuseDuringRestore, markRestore } from '../backup/restore-marker';
import { systemClock } from '../clock';
import { loadConfig } from '../config/ledger-config';
import { plainLoggers } from '../logger';
import { eventKeysFrom, openEventStore } from '../open/event-store';
import { masterKeyFrom, masterKeyOf } from '../open/personal-data';
import { CheckpointSigningKey } from '../integrity/checkpoint-key';
import { readMark } from '../integrity/verified-mark';
import type { LedgerConfig } from '../config/ledger-config';
import { rotateKeyStreams } from './key-stream-rotation';
import { StreamLease } from '../duties/stream-lease';

/** Where the new master key is given to `npm run keys:rotate`: in the variable, or in the file `<variable>_FILE` names. */
const NEW_KEY = 'LEDGER_NEW_MASTER_KEY';

export interface MasterKeyRotated {
  readonly from: string;
  readonly to: string;
  /** Keys re-wrapped. */
  readonly keys: number;
  readonly where: string;
}

/**
 * `npm run keys:rotate` (decision 0030): every live resident's data key re-wrapped under the new
 * master key, read from LEDGER_NEW_MASTER_KEY or LEDGER_NEW_MASTER_KEY_FILE; the old one is the
 * service's own (LEDGER_MASTER_KEY or LEDGER_MASTER_KEY_FILE). In the SQLite key file beside an
 * embedded log (no process may have it open), or in EventStoreDB's key streams (every replica
 * stopped: the duties' lease held by one refuses it). Throws RotationRefused, changing nothing,
 * when a key is missing or malformed, the two are the same, the service runs, or the keys were
 * altered.
 */
export async function rotateMasterKey(env: NodeJS.ProcessEnv, say: (line: string) => void = () => undefined): Promise<MasterKeyRotated> {
  // the new key's names are this tool's, not the service's settings (which refuse a LEDGER_ name they do not know)
  const { [NEW_KEY]: newKeyText, [`${NEW_KEY}_FILE`]: newKeyFile, ...settings } = env;
  const config = loadConfig(settings);
  const oldKey = refusing(() => masterKeyFrom(config));
  const newKey = refusing(() => masterKeyOf(newKeyText, newKeyFile, NEW_KEY));
  if (newKey.equals(oldKey)) throw new RotationRefused(`the new master key (${NEW_KEY}) is the one in use: generate another`);
  const ids = { from: masterKeyId(oldKey), to: masterKeyId(newKey) };
  say(`rotating from master key ${ids.from} to ${ids.to}`);
  if (config.LEDGER_STORE !== 'eventstoredb') {
    const path = resolve(config.keysPath);
    refuseDuringRestore([path]);
    // a service starting meanwhile is told why it may not (restore-marker.ts), besides meeting the file's lock
    const unmark = markRestore([dirname(path)], 'a master-key rotation');
    try {
      const rotated = rotateKeyFile(path, oldKey, newKey);
      say(`re-wrapped ${rotated.keys} keys; ${rotated.erasures} erasures and ${rotated.erasedKeys} erased keys authenticated anew`);
      return { ...ids, keys: rotated.keys, where: path };
    } finally {
      unmark();
    }
  }
  const eventKeys = eventKeysFrom(config);
  const store = openEventStore(config, systemClock, plainLoggers('keys:rotate'), false, eventKeys);
  try {
    // watched for a lease's length, never its expiry compared with this host's clock (decision 0026): from a host 30 s
    // ahead, a claim renewed a moment ago looked expired, and the rotation went ahead under a running worker
    const holder = await new StreamLease(store).holderWatched(config.LEDGER_DUTIES_LEASE_SECONDS * 1000, (claimant, leaseMs) =>
      say(`the duties' lease was last claimed by ${claimant}: watching it for ${Math.ceil(leaseMs / 1000)} s for a renewal`),
    );
    if (holder) throw new RotationRefused(`${holder} holds the duties' lease (it renewed its claim just now): stop every replica first`);
    const rotated = await rotateKeyStreams(store, oldKey, newKey, { eventKeys, authenticatedFrom: authenticationStart(config, say) }, say);
    say(`re-wrapped ${rotated.keys} keys${rotated.already ? ` (${rotated.already} were re-wrapped already)` : ''}`);
    return { ...ids, keys: rotated.keys, where: 'EventStoreDB' };
  } finally {
    await store.close();
  }
}

/**
 * Where the log's authenticated events begin, from this replica's last verification (its signed
 * mark), so that a key stream written since then with no MAC at all is refused as forged; without
 * a mark this tool cannot know, and says so (`npm run verify` beside the server knows).
 */
function authenticationStart(config: LedgerConfig, say: (line: string) => void): number | null {
  if (!config.LEDGER_EVENT_KEY_FILE) {
    say('checking the key streams: hashes, links, bindings (no LEDGER_EVENT_KEY_FILE, so no MACs)');
    return null;
  }
  const path = config.verifiedMarkPath;
  const signing = config.LEDGER_SIGNING_KEY_FILE ? CheckpointSigningKey.fromFile(config.LEDGER_SIGNING_KEY_FILE) : null;
  const found = path && signing ? readMark(path, signing.verifying) : { mark: null, why: 'no verified mark or no signing key here' };
  const from = found.mark ? found.mark.authenticatedFrom : null;
  say(
    found.mark
      ? `checking the key streams: hashes, links, bindings, MACs (${from === null ? 'where a stream holds one: the last verification found none in the log' : `every event after position ${from}, by the last verification's mark`})`
      : `checking the key streams: hashes, links, bindings, MACs where a stream holds one; where MACs begin is not known (${found.why}): npm run verify finds it`,
  );
  return from;
}

function refusing<T>(read: () => T): T {
  try {
    return read();
  } catch (error) {
    throw new RotationRefused((error as Error).message);
  }
}
