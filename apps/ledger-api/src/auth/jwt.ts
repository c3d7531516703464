import { createRemoteJWKSet, jwtVerify, type JWTVerifyGetKey } from 'jose';
import type { Principal } from './principal';
import { isActorName } from './principal';
import { isRole } from './roles';

export interface JwtSettings {
  readonly jwksUrl: string;
  readonly issuer: string;
  readonly audience?: string;
  /** The claim holding the roles: an array, or a space-separated string (default `roles`). */
  readonly rolesClaim?: string;
  /** The longest a token may live, from `iat` (or from now, without one) to `exp`. */
  readonly maxLifetimeSeconds: number;
}

/** How far an issuer's clock may differ from ours, for `exp`, `nbf` and `iat`. */
const CLOCK_TOLERANCE_SECONDS = 60;

/** Verifies bearer JWTs against the configured JWKS (fetched and cached by jose) and issuer. */
export class JwtVerifier {
  private readonly keys: JWTVerifyGetKey;

  constructor(private readonly settings: JwtSettings) {
    this.keys = createRemoteJWKSet(new URL(settings.jwksUrl));
  }

  /**
   * The principal, or null when the token is not valid: signature, issuer, audience; no `exp` (a
   * token that never expires is a key that cannot be revoked), expired, issued in the future, or
   * living longer than the configured maximum; no known role.
   */
  async verify(token: string): Promise<Principal | null> {
    try {
      const { payload } = await jwtVerify(token, this.keys, {
        issuer: this.settings.issuer,
        audience: this.settings.audience,
        algorithms: ['RS256', 'PS256', 'ES256', 'EdDSA'],
        requiredClaims: ['exp', 'sub'],
        clockTolerance: CLOCK_TOLERANCE_SECONDS,
      });
      const now = Math.floor(Date.now() / 1000);
      if (payload.iat !== undefined && payload.iat > now + CLOCK_TOLERANCE_SECONDS) return null;
      if (payload.exp! - Math.min(payload.iat ?? now, now) > this.settings.maxLifetimeSeconds) return null;
      const claim = payload[this.settings.rolesClaim ?? 'roles'];
      const roles = (Array.isArray(claim) ? claim : typeof claim === 'string' ? claim.split(' ') : []).filter(
        (role): role is Parameters<typeof isRole>[0] => typeof role === 'string',
      );
      const known = roles.filter(isRole);
      if (!payload.sub || !isActorName(payload.sub) || !known.length) return null;
      return { name: payload.sub, roles: known, via: 'jwt' };
    } catch {
      return null;
    }
  }
}
