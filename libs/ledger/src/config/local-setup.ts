import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

/** Makes the local API keys file (one key per role) if it is missing; the API supplies it. */
export type LocalApiKeys = (file: string) => { created: boolean; keys: readonly { role: string; key: string }[] };

/**
 * `npm start` on a fresh clone (LEDGER_LOCAL_SETUP=true): with no credentials and no master key
 * configured, make local ones beside the SQLite file — one API key per role (when `apiKeys` is
 * given: the worker serves no API), printed once with the file's path, a master key file, a
 * checkpoint signing key and an event key — so the quick start works. Deployments configure their own and never set LEDGER_LOCAL_SETUP
 * (refused with NODE_ENV=production); without them the service refuses to start. Files are 0600.
 */
export function localSetup(env: NodeJS.ProcessEnv, print: (line: string) => void, apiKeys?: LocalApiKeys): NodeJS.ProcessEnv {
  if (env.LEDGER_LOCAL_SETUP !== 'true') return env;
  if (env.NODE_ENV === 'production') {
    throw new Error(
      'LEDGER_LOCAL_SETUP=true makes keys beside the data for a first try on one machine; it is refused with NODE_ENV=production: configure credentials and a master key instead (docs/operations.md)',
    );
  }
  const dir = dirname(env.LEDGER_SQLITE_PATH ?? './data/ledger.sqlite');
  const added: NodeJS.ProcessEnv = {};
  // Credentials given means someone is setting this ledger up for real: a master key is theirs to
  // give too, never one written quietly beside the data it protects.
  const credentialsGiven = !!(env.LEDGER_API_KEYS || env.LEDGER_API_KEYS_FILE || env.LEDGER_JWT_JWKS_URL);
  if (apiKeys && !credentialsGiven) {
    const file = join(dir, 'local-api-keys');
    const { created, keys } = apiKeys(file);
    if (created) {
      print(`local API keys written to ${resolve(file)} (shown once; send one as "X-API-Key: <key>"):`);
      for (const { role, key } of keys) print(`  ${role.padEnd(12)} ${key}`);
    } else print(`API keys: ${resolve(file)}`);
    added.LEDGER_API_KEYS_FILE = file;
  }
  /** Writes a secret file (0600, in a 0700 folder) unless it is there already, and says where. */
  const keepOnce = (file: string, contents: () => string, what: string) => {
    if (existsSync(file)) return file;
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    writeFileSync(file, contents(), { mode: 0o600 });
    print(`${what} written to ${resolve(file)}`);
    return file;
  };
  if (!env.LEDGER_MASTER_KEY && !env.LEDGER_MASTER_KEY_FILE && !credentialsGiven) {
    added.LEDGER_MASTER_KEY_FILE = keepOnce(
      join(dir, 'local-master-key'),
      () => `${randomBytes(32).toString('base64')}\n`,
      'local master key (losing it makes all personal data unreadable)',
    );
  }
  if (!env.LEDGER_SIGNING_KEY_FILE && !credentialsGiven) {
    // on one machine the signing key sits beside the data: enough to try checkpoints, not to rely on them (docs/operations.md)
    added.LEDGER_SIGNING_KEY_FILE = keepOnce(
      join(dir, 'local-signing-key.pem'),
      () => generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
      'local checkpoint signing key',
    );
    if (!env.LEDGER_CHECKPOINT_WITNESS_FILE) added.LEDGER_CHECKPOINT_WITNESS_FILE = join(dir, 'checkpoints-witness.jsonl');
  }
  if (!env.LEDGER_EVENT_KEY_FILE && !credentialsGiven) {
    // beside the data on one machine, as the signing key: a first try of authenticated events, not a deployment's (docs/operations.md)
    added.LEDGER_EVENT_KEY_FILE = keepOnce(
      join(dir, 'local-event-key'),
      () => `${randomBytes(32).toString('base64')}\n`,
      'local event key (it authenticates every event written)',
    );
  }
  // a first try on one machine is served to that machine only, unless asked otherwise
  if (!env.LEDGER_LISTEN_ADDRESS) added.LEDGER_LISTEN_ADDRESS = '127.0.0.1';
  return { ...env, ...added };
}
