import { Logger } from '@nestjs/common';
import type { LedgerConfig } from '@complaint-ledger/ledger';
import { ApiKeyRing, parseApiKeys } from './api-keys';
import { JwtVerifier } from './jwt';

export interface Credentials {
  readonly keys: ApiKeyRing;
  readonly jwt: JwtVerifier | null;
}

/**
 * The credentials this API accepts. With no API keys and no JWT issuer configured it refuses to
 * start (`npm start` on a fresh clone generates a local keys file first: see main.ts).
 */
export function createCredentials(config: LedgerConfig, logger = new Logger('auth')): Credentials {
  const envKeys = config.LEDGER_API_KEYS ? parseApiKeys(config.LEDGER_API_KEYS, 'LEDGER_API_KEYS') : new Map();
  const keys = new ApiKeyRing(envKeys, config.LEDGER_API_KEYS_FILE, (message) => logger.error(message));
  const jwt =
    config.LEDGER_JWT_JWKS_URL && config.LEDGER_JWT_ISSUER
      ? new JwtVerifier({
          jwksUrl: config.LEDGER_JWT_JWKS_URL,
          issuer: config.LEDGER_JWT_ISSUER,
          audience: config.LEDGER_JWT_AUDIENCE,
          rolesClaim: config.LEDGER_JWT_ROLES_CLAIM,
          maxLifetimeSeconds: config.LEDGER_JWT_MAX_LIFETIME_SECONDS,
        })
      : null;
  if (!keys.size && !jwt) {
    keys.close();
    throw new Error(
      'no credentials configured: set LEDGER_API_KEYS ("name:role:key,…"), LEDGER_API_KEYS_FILE, or LEDGER_JWT_JWKS_URL with LEDGER_JWT_ISSUER (README "Security and privacy")',
    );
  }
  return { keys, jwt };
}
