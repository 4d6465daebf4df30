/**
 * Where the adapter gets its bearer token: a static service key / private-app token, or OAuth access tokens
 * refreshed ahead of their `expires_in` (HubSpot says a 401 is not the signal to refresh), with one refresh
 * after a 401 anyway in case the token was revoked or the clock is off.
 */
import { Client } from '@hubspot/api-client';

import type { Logger } from '../../lib/logger.ts';
import { CrmError } from '../crm-errors.ts';
import { HUBSPOT_DEFAULT_BASE_URL } from './hubspot-limits.ts';

export interface HubSpotTokenProvider {
  /** A token to send now. */
  getToken(): Promise<string>;
  /**
   * Called after HubSpot refused `rejected` with a 401. True when a different token is now available (the
   * caller retries once); false when there is nothing better to offer.
   */
  refreshAfterRejection(rejected: string): Promise<boolean>;
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

export interface OAuthGrant {
  accessToken: string;
  /** Seconds the access token lives (HubSpot: 1800). */
  expiresIn: number;
  /** HubSpot keeps the refresh token stable, but we use a new one if it sends one. */
  refreshToken?: string;
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
  /** Replaces the HTTP call (tests). */
  requestGrant?: (refreshToken: string) => Promise<OAuthGrant>;
}

export function oauthTokenProvider(options: OAuthTokenOptions): HubSpotTokenProvider {
  const now = options.now ?? Date.now;
  const marginMs = options.marginMs ?? 60_000;
  const requestGrant = options.requestGrant ?? sdkGrantRequester(options);
  let refreshToken = options.refreshToken;
  let current: { token: string; refreshAt: number } | undefined;
  let inFlight: Promise<string> | undefined;

  // One refresh at a time: concurrent requests that find the token stale share it.
  const refresh = (): Promise<string> => {
    inFlight ??= (async () => {
      try {
        const grant = await requestGrant(refreshToken);
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
    getToken: async () => (current !== undefined && now() < current.refreshAt ? current.token : refresh()),
    refreshAfterRejection: async (rejected) => {
      if (current !== undefined && current.token !== rejected) return true;
      return (await refresh()) !== rejected;
    },
  };
}

/** `POST /oauth/v1/token` with grant_type=refresh_token, through the SDK's typed OAuth API. */
function sdkGrantRequester(options: OAuthTokenOptions): (refreshToken: string) => Promise<OAuthGrant> {
  // Retries off: the SDK's settings are process-wide; gridsync's request policy handles failures.
  const client = new Client({
    basePath: options.baseUrl ?? HUBSPOT_DEFAULT_BASE_URL,
    numberOfApiCallRetries: 0,
  });
  const deadlineMs = options.deadlineMs ?? 15_000;
  return async (refreshToken) => {
    const request = client.oauth.tokensApi.create(
      'refresh_token',
      undefined,
      undefined,
      options.clientId,
      options.clientSecret,
      refreshToken,
    );
    request.catch(() => undefined);
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new CrmError('timeout', `HubSpot token refresh: no answer within ${deadlineMs} ms`)),
        deadlineMs,
      );
    });
    try {
      const grant = await Promise.race([request, deadline]);
      return { accessToken: grant.accessToken, expiresIn: grant.expiresIn, refreshToken: grant.refreshToken };
    } catch (thrown) {
      throw tokenError(thrown);
    } finally {
      clearTimeout(timer);
    }
  };
}

function tokenError(thrown: unknown): CrmError {
  if (thrown instanceof CrmError) return thrown;
  const code = (thrown as { code?: unknown }).code;
  if (typeof code === 'number' && code >= 400 && code < 500) {
    // invalid_grant, a revoked app, a wrong client secret: only reconnecting the app helps.
    return new CrmError(
      'auth_failed',
      `HubSpot refused the OAuth refresh (HTTP ${code}): reconnect the HubSpot app`,
      {
        status: code,
        cause: thrown,
      },
    );
  }
  const status = typeof code === 'number' ? code : undefined;
  return new CrmError('unavailable', 'HubSpot token refresh failed; will try again', {
    ...(status === undefined ? {} : { status }),
    cause: thrown,
  });
}
