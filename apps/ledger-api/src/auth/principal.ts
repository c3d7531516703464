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
