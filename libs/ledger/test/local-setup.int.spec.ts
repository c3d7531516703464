import { existsSync, mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EventKeyRing, loadConfig, localSetup } from '../src';

describe('local setup (LEDGER_LOCAL_SETUP=true): a first try on one machine, never a deployment', () => {
  const folder = () => mkdtempSync(join(tmpdir(), 'ledger-local-'));
  const apiKeys = (file: string) => ({ created: true, keys: [{ role: 'admin', key: `made-for-${file}` }] });
  const quiet = () => undefined;

  it('makes a master key (0600) beside the data, and listens on this machine only', () => {
    const dir = join(folder(), 'data'); // a fresh clone has no data folder yet
    const env = localSetup({ LEDGER_LOCAL_SETUP: 'true', LEDGER_SQLITE_PATH: join(dir, 'ledger.sqlite') }, quiet, apiKeys);
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    expect(env.LEDGER_MASTER_KEY_FILE).toBe(join(dir, 'local-master-key'));
    expect(statSync(join(dir, 'local-master-key')).mode & 0o777).toBe(0o600);
    expect(env.LEDGER_API_KEYS_FILE).toBe(join(dir, 'local-api-keys'));
    // and the event key that authenticates every event written (decision 0023), a 32-byte key in base64
    expect(env.LEDGER_EVENT_KEY_FILE).toBe(join(dir, 'local-event-key'));
    expect(statSync(join(dir, 'local-event-key')).mode & 0o777).toBe(0o600);
    expect(EventKeyRing.fromFile(join(dir, 'local-event-key')).ids).toHaveLength(1);
    expect(loadConfig(env).LEDGER_LISTEN_ADDRESS).toBe('127.0.0.1');
    expect(loadConfig({}).LEDGER_LISTEN_ADDRESS).toBe('0.0.0.0'); // a deployment listens on every interface unless told
  });

  it('is refused with NODE_ENV=production', () => {
    const dir = folder();
    const env = { LEDGER_LOCAL_SETUP: 'true', NODE_ENV: 'production', LEDGER_SQLITE_PATH: join(dir, 'ledger.sqlite') };
    expect(() => localSetup(env, quiet, apiKeys)).toThrow(/refused with NODE_ENV=production/);
    expect(existsSync(join(dir, 'local-master-key'))).toBe(false);
  });

  it.each([
    ['LEDGER_API_KEYS', 'ops:admin:an-api-key-of-thirty-two-characters'],
    ['LEDGER_API_KEYS_FILE', '/run/secrets/api-keys'],
    ['LEDGER_JWT_JWKS_URL', 'https://idp.landlord.test/jwks'],
  ])('writes no master key when %s was given: whoever gives credentials gives the master key too', (name, value) => {
    const dir = folder();
    const env = localSetup({ LEDGER_LOCAL_SETUP: 'true', LEDGER_SQLITE_PATH: join(dir, 'ledger.sqlite'), [name]: value }, quiet, apiKeys);
    expect(env.LEDGER_MASTER_KEY_FILE).toBeUndefined();
    expect(existsSync(join(dir, 'local-master-key'))).toBe(false);
    expect(env[name]).toBe(value);
  });

  it('refuses a listen address that is not an IP address', () => {
    expect(() => loadConfig({ LEDGER_LISTEN_ADDRESS: 'everywhere' })).toThrow(/LEDGER_LISTEN_ADDRESS/);
    expect(loadConfig({ LEDGER_LISTEN_ADDRESS: '::' }).LEDGER_LISTEN_ADDRESS).toBe('::');
  });
});
