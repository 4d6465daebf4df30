/**
 * HubSpot's OAuth token endpoint, `POST /oauth/2026-03/token` (the v1 endpoints stop on 2027-02-16). Every
 * parameter travels form-encoded in the body, never in the query string, so client secrets and tokens stay out
 * of proxy and server logs. Refusals follow RFC 6749 (`error`, `error_description`); HubSpot keeps its older
 * `status`/`message` alongside, and we read either.
 *
 * A small client of gridsync's own on fetch: `@hubspot/api-client` 14 calls `/oauth/v1/token` only.
 */
import { CrmError } from '../crm-errors.ts';
import { HUBSPOT_DEFAULT_BASE_URL } from './hubspot-limits.ts';
import { hubSpotPaths } from './hubspot-paths.ts';

export interface OAuthGrant {
  accessToken: string;
  /** Seconds the access token lives (HubSpot: 1800). */
  expiresIn: number;
  /** HubSpot keeps the refresh token stable, but we use a new one if it sends one. */
  refreshToken?: string;
}

export interface OAuthAppCredentials {
  clientId: string;
  clientSecret: string;
  /** @default https://api.hubapi.com */
  baseUrl?: string;
  /** Time one token request may take. @default 15 s */
  deadlineMs?: number;
}

/** `grant_type=refresh_token`: a fresh access token for an installed app. */
export function refreshAccessToken(app: OAuthAppCredentials, refreshToken: string): Promise<OAuthGrant> {
  return requestToken(app, { grant_type: 'refresh_token', refresh_token: refreshToken });
}

/**
 * `grant_type=authorization_code`: what an app's redirect handler does once a user installed it; the answer's
 * refresh token is what a tenant's `crm.auth.refreshToken` secret then holds.
 */
export function exchangeAuthorizationCode(
  app: OAuthAppCredentials,
  code: string,
  redirectUri: string,
): Promise<OAuthGrant> {
  return requestToken(app, { grant_type: 'authorization_code', code, redirect_uri: redirectUri });
}

/** RFC 6749 §5.2 codes that only a person can fix (reinstall the app, correct the secret). */
const NEEDS_RECONNECTION = new Set([
  'invalid_grant',
  'invalid_client',
  'unauthorized_client',
  'invalid_scope',
  'invalid_request',
  'unsupported_grant_type',
]);

async function requestToken(app: OAuthAppCredentials, grant: Record<string, string>): Promise<OAuthGrant> {
  const deadlineMs = app.deadlineMs ?? 15_000;
  const url = `${(app.baseUrl ?? HUBSPOT_DEFAULT_BASE_URL).replace(/\/+$/, '')}${hubSpotPaths.oauthToken()}`;
  const body = new URLSearchParams({ ...grant, client_id: app.clientId, client_secret: app.clientSecret });
  let response: Response;
  let text: string;
  try {
    response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
      body,
      signal: AbortSignal.timeout(deadlineMs),
    });
    text = await response.text();
  } catch (thrown) {
    const timedOut = thrown instanceof DOMException && thrown.name === 'TimeoutError';
    throw new CrmError(
      timedOut ? 'timeout' : 'unavailable',
      timedOut
        ? `HubSpot token request: no answer within ${deadlineMs} ms`
        : 'HubSpot token request could not be sent; will try again',
      { cause: thrown },
    );
  }
  const answer = parseObject(text);
  if (response.ok) {
    const accessToken = answer.access_token;
    const expiresIn = Number(answer.expires_in);
    if (typeof accessToken !== 'string' || accessToken === '' || !Number.isFinite(expiresIn)) {
      throw new CrmError('unavailable', 'HubSpot token answer had no access_token or expires_in', {
        status: response.status,
      });
    }
    return {
      accessToken,
      expiresIn,
      ...(typeof answer.refresh_token === 'string' && answer.refresh_token !== ''
        ? { refreshToken: answer.refresh_token }
        : {}),
    };
  }
  throw tokenRefusal(response.status, answer);
}

function tokenRefusal(status: number, answer: Record<string, unknown>): CrmError {
  const code = stringOr(answer.error, stringOr(answer.status, `HTTP ${status}`));
  const description = stringOr(answer.error_description, stringOr(answer.message, ''));
  const said = description === '' ? code : `${code}: ${description}`;
  if (status === 429) {
    return new CrmError('rate_limited', `HubSpot rate-limited the token request (${said})`, { status });
  }
  if (status >= 500) {
    return new CrmError('unavailable', `HubSpot token request failed (HTTP ${status}); will try again`, {
      status,
    });
  }
  if (status === 400 || status === 401 || status === 403 || NEEDS_RECONNECTION.has(code)) {
    // A revoked install, a wrong client secret: only reconnecting the app helps.
    return new CrmError(
      'auth_failed',
      `HubSpot refused the OAuth grant (${said}): reconnect the HubSpot app`,
      {
        status,
        correlationId: code,
      },
    );
  }
  return new CrmError('unavailable', `HubSpot token request failed (HTTP ${status}, ${said})`, { status });
}

function parseObject(text: string): Record<string, unknown> {
  try {
    const parsed: unknown = JSON.parse(text);
    return typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

function stringOr(value: unknown, fallback: string): string {
  return typeof value === 'string' && value !== '' ? value : fallback;
}
