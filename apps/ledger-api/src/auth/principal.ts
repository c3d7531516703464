import type { FastifyRequest } from 'fastify';
import type { Role } from './roles';

/** Who is calling, as the guard established it: a named API key, or a JWT's subject. */
export interface Principal {
  readonly name: string;
  readonly roles: readonly Role[];
  readonly via: 'api-key' | 'jwt';
}

type WithPrincipal = FastifyRequest & { principal?: Principal };

export const setPrincipal = (request: FastifyRequest, principal: Principal) => ((request as WithPrincipal).principal = principal);

export const principalOfRequest = (request: FastifyRequest): Principal | undefined => (request as WithPrincipal).principal;

/** The actor recorded in events: `api-key:<name>` or `jwt:<subject>`. */
export const actorOf = (principal: Principal): string => `${principal.via}:${principal.name}`;

/** The longest name a credential may give its principal (it is recorded in every event as the actor). */
export const ACTOR_NAME_MAX_LENGTH = 200;

// printable: no control, format or unassigned characters, no line or paragraph separators
const PRINTABLE = /^[^\p{C}\p{Zl}\p{Zp}]+$/u;

/**
 * Whether a name from a credential (a JWT's `sub`) may stand as the actor recorded in events: at
 * most 200 characters, all printable. A token naming anything else is not accepted, rather than
 * its name cut or cleaned into someone else's.
 */
export function isActorName(name: string): boolean {
  return [...name].length <= ACTOR_NAME_MAX_LENGTH && PRINTABLE.test(name);
}
