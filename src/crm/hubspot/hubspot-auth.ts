/**
 * Where the adapter gets its bearer token: a static service key / private-app token, or OAuth access tokens
 * refreshed (on `/oauth/2026-03/token`) ahead of their `expires_in` (HubSpot says a 401 is not the signal to
 * refresh), with one refresh after a 401 anyway in case the token was revoked or the clock is off. Refreshes are
 * bounded by a TokenRefreshGuard: a refused grant makes the tenant "need reconnection" instead of a loop.
 */
import type { Logger } from '../../lib/logger.ts';
import type { CrmError } from '../crm-errors.ts';
import { type ReconnectionState, TokenRefreshGuard } from '../token-refresh-guard.ts';
import { type OAuthGrant, refreshAccessToken } from './hubspot-oauth.ts';

export type { OAuthGrant } from './hubspot-oauth.ts';

export interface HubSpotTokenProvider {
  /** A token to send now. */
  getToken(): Promise<string>;
  /**
   * Called after HubSpot refused `rejected` with a 401. True when a different token is now available (the
   * caller retries once); false when there is nothing better to offer.
   */
  refreshAfterRejection(rejected: string): Promise<boolean>;
  /** Set while the token endpoint refuses the tenant's grant (OAuth only). */
  readonly needsReconnection?: ReconnectionState | undefined;
}

export function staticTokenProvider(token: string): HubSpotTokenProvider {
  return { getToken: () => Promise.resolve(token), refreshAfterRejection: () => Promise.resolve(false) };
}

/** Adapts a plain `() => Promise<string>`: after a 401 it is asked again, and helps if it answers differently. */
export function tokenProviderFrom(
  source: HubSpotTokenProvider | (() => Promise<string>),
): HubSpotTokenProvider {
  if (typeof source !== 'function') return source;
  return { getToken: source, refreshAfterRejection: async (rejected) => (await source()) !== rejected };
}

export interface OAuthTokenOptions {
  clientId: string;
  clientSecret: string;
  refreshToken: string;
  baseUrl?: string;
  logger: Logger;
  /** Refresh this long before expiry; at most a tenth of the token's life. @default 60 s */
  marginMs?: number;
  /** Time one token request may take. @default 15 s */
  deadlineMs?: number;
  now?: () => number;
  /** Token calls per minute before the tenant is marked as needing reconnection. @default 5 */
  tokenCallsPerMinute?: number;
  /** Replaces the HTTP call (tests). */
  requestGrant?: (refreshToken: string) => Promise<OAuthGrant>;
}

export function oauthTokenProvider(options: OAuthTokenOptions): HubSpotTokenProvider {
  const now = options.now ?? Date.now;
  const marginMs = options.marginMs ?? 60_000;
  const requestGrant =
    options.requestGrant ??
    ((token: string) =>
      refreshAccessToken(
        {
          clientId: options.clientId,
          clientSecret: options.clientSecret,
          ...(options.baseUrl === undefined ? {} : { baseUrl: options.baseUrl }),
          ...(options.deadlineMs === undefined ? {} : { deadlineMs: options.deadlineMs }),
        },
        token,
      ));
  const guard = new TokenRefreshGuard({
    crm: 'HubSpot',
    logger: options.logger,
    now,
    ...(options.tokenCallsPerMinute === undefined ? {} : { callsPerMinute: options.tokenCallsPerMinute }),
  });
  let refreshToken = options.refreshToken;
  let current: { token: string; refreshAt: number } | undefined;
  let inFlight: Promise<string> | undefined;

  // One refresh at a time: concurrent requests that find the token stale share it.
  const refresh = (): Promise<string> => {
    inFlight ??= (async () => {
      try {
        guard.admitTokenCall(current === undefined ? 'first token' : 'refresh');
        let grant: OAuthGrant;
        try {
          grant = await requestGrant(refreshToken);
        } catch (thrown) {
          if (isAuthFailure(thrown)) guard.markRefused(thrown);
          throw thrown;
        }
        guard.succeeded();
        if (grant.refreshToken) refreshToken = grant.refreshToken;
        const lifeMs = grant.expiresIn * 1000;
        current = { token: grant.accessToken, refreshAt: now() + lifeMs - Math.min(marginMs, lifeMs / 10) };
        options.logger.debug({ expiresInSeconds: grant.expiresIn }, 'HubSpot access token refreshed');
        return grant.accessToken;
      } finally {
        inFlight = undefined;
      }
    })();
    return inFlight;
  };

  return {
    getToken: async () => {
      // While the grant is refused, no request goes out at all: each would only collect another 401.
      guard.throwIfRefused();
      return current !== undefined && now() < current.refreshAt ? current.token : refresh();
    },
    refreshAfterRejection: async (rejected) => {
      if (current !== undefined && current.token !== rejected) return true;
      return (await refresh()) !== rejected;
    },
    get needsReconnection() {
      return guard.needsReconnection;
    },
  };
}

function isAuthFailure(thrown: unknown): thrown is CrmError {
  return (thrown as { kind?: unknown } | null)?.kind === 'auth_failed';
}
