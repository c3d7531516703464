import { Inject, Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { problemType, ProblemException } from '../http/problem';
import { ApiKeyRing } from './api-keys';
import type { JwtVerifier } from './jwt';
import { setPrincipal, type Principal } from './principal';
import { PUBLIC_KEY, ROLES_KEY, type Role } from './roles';

export const API_KEYS = Symbol('ApiKeyRing');
export const JWT_VERIFIER = Symbol('JwtVerifier');

/** A 401, telling the client (RFC 9110 11.6.1) which scheme to authenticate with. */
function unauthenticated(reply: FastifyReply, detail: string): ProblemException {
  void reply.header('www-authenticate', 'Bearer realm="complaint-ledger"');
  return new ProblemException({ type: problemType('AUTH.UNAUTHENTICATED'), title: 'Unauthenticated', status: 401, detail });
}

/**
 * Every request but the public ones must carry a credential — an API key (`Authorization: Bearer
 * <key>` or `X-API-Key`) or, when configured, a JWT — and its principal must hold one of the roles
 * the endpoint declares. An endpoint that declares none is refused to everyone (closed by default).
 */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    @Inject(API_KEYS) private readonly keys: ApiKeyRing,
    @Inject(JWT_VERIFIER) private readonly jwt: JwtVerifier | null,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC_KEY, targets)) return true;
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    const principal = await this.authenticate(request, context.switchToHttp().getResponse<FastifyReply>());
    const allowed = this.reflector.getAllAndOverride<Role[] | undefined>(ROLES_KEY, targets) ?? [];
    setPrincipal(request, principal); // before the role check: the request's log line names whoever was refused too
    if (!principal.roles.some((role) => allowed.includes(role))) {
      throw new ProblemException({
        type: problemType('AUTH.FORBIDDEN'),
        title: 'Forbidden',
        status: 403,
        detail: allowed.length
          ? `This needs one of the roles ${allowed.join(', ')}; ${principal.name} has ${principal.roles.join(', ')}.`
          : 'This endpoint is open to no role.',
      });
    }
    return true;
  }

  private async authenticate(request: FastifyRequest, reply: FastifyReply): Promise<Principal> {
    const apiKey = request.headers['x-api-key'];
    const authorization = request.headers.authorization;
    const bearer = typeof authorization === 'string' ? /^Bearer\s+(\S+)$/i.exec(authorization)?.[1] : undefined;
    const credential = typeof apiKey === 'string' ? apiKey : bearer;
    if (!credential) throw unauthenticated(reply, 'Send an API key as "Authorization: Bearer <key>" or "X-API-Key: <key>".');
    const principal = await principalOfCredential(this.keys, this.jwt, credential);
    if (!principal) throw unauthenticated(reply, 'The credential is not a valid API key or token.');
    return principal;
  }
}

/** Whose credential this is: an API key, or a JWT when they are configured; null for neither. */
export async function principalOfCredential(keys: ApiKeyRing, jwt: JwtVerifier | null, credential: string): Promise<Principal | null> {
  return keys.find(credential) ?? (jwt && credential.split('.').length === 3 ? await jwt.verify(credential) : null);
}
