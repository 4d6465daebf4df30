/**
 * The tenant's status token, checked for the status reads (a grid's status, the tenant's status): a bearer
 * token compared in constant time; a token never opens another tenant.
 */
import { createHash, timingSafeEqual } from 'node:crypto';

import type { FastifyReply, FastifyRequest } from 'fastify';

import { describeSecretRef } from '../../config/secrets.ts';
import type { LoadedMapping } from '../../mapping/loaded-mapping.ts';
import type { RouteDeps } from '../intake-deps.ts';
import { sendProblem } from '../problem.ts';

const BEARER = /^Bearer[ ]+([^\s]+)[ ]*$/i;

/** Hashing first gives equal lengths, so timingSafeEqual never leaks the token's length either. */
function sameToken(given: string, expected: string): boolean {
  const digest = (text: string) => createHash('sha256').update(text).digest();
  return timingSafeEqual(digest(given), digest(expected));
}

/** The problem answer when the request does not carry the tenant's status token; undefined when it does. */
export function refuseWithoutStatusToken(
  request: FastifyRequest,
  reply: FastifyReply,
  deps: RouteDeps,
  loaded: LoadedMapping,
  tenant: string,
) {
  const tokenRef = loaded.mapping.secrets.statusToken;
  const expected = deps.secrets(tokenRef);
  if (expected === undefined) {
    request.log.warn({ tenant, secret: describeSecretRef(tokenRef) }, 'status token is not set');
    return sendProblem(
      reply,
      'tenant_not_configured',
      `tenant "${tenant}" has no status token yet; the operator must set ${describeSecretRef(tokenRef)}`,
      {
        headers: { 'retry-after': '60' },
      },
    );
  }

  const authorization = request.headers.authorization;
  const given = authorization === undefined ? undefined : BEARER.exec(authorization)?.[1];
  if (given === undefined || !sameToken(given, expected)) {
    const challenge =
      authorization === undefined
        ? `Bearer realm="${tenant}"`
        : `Bearer realm="${tenant}", error="invalid_token"`;
    return sendProblem(
      reply,
      'status_token_invalid',
      authorization === undefined
        ? "send the tenant's status token as 'Authorization: Bearer <token>'"
        : "the bearer token is not this tenant's status token",
      { headers: { 'www-authenticate': challenge } },
    );
  }
  return undefined;
}
