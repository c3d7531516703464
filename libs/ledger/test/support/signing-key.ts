import { generateKeyPairSync } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** A fresh Ed25519 signing key in PEM (PKCS#8), written to `folder` as `LEDGER_SIGNING_KEY_FILE` expects; its path. */
export function signingKeyFile(folder: string, name = 'signing-key.pem'): string {
  const path = join(folder, name);
  writeFileSync(path, generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
  return path;
}
