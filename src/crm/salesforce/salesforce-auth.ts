/**
 * Salesforce credentials and the session token. gridsync, not jsforce, refreshes the token: the Connection
 * gets no refreshFn and no OAuth client id, because jsforce's own refresh runs again on every 401 and a
 * 401 that persists (a revoked app, a blocked IP) made it loop through the token endpoint. Here a request
 * refreshes at most once, and the shared TokenRefreshGuard caps token calls per minute and cools refused
 * credentials down (the tenant "needs reconnection"), so a broken tenant costs a handful of token calls.
 */
import type { Connection, TokenResponse } from 'jsforce';
import { OAuth2 } from 'jsforce';

import type { Logger } from '../../lib/logger.ts';
import { withTimeout } from '../../lib/with-timeout.ts';
import type { CrmSettings } from '../../mapping/mapping-schema.ts';
import { CrmError } from '../crm-errors.ts';
import { type ReconnectionState, TokenRefreshGuard } from '../token-refresh-guard.ts';
import { tokenErrorToCrmError } from './salesforce-errors.ts';
import { jwtAudienceFor, signJwtAssertion } from './salesforce-jwt.ts';

const JWT_BEARER_GRANT = 'urn:ietf:params:oauth:grant-type:jwt-bearer';

export type SalesforceSettings = Extract<CrmSettings, { type: 'salesforce' }>;
export type SalesforceAuth = NonNullable<SalesforceSettings['auth']>;

/** The mapping's crm.auth with its secret references resolved to values. */
export type SalesforceCredentials =
  | { kind: 'access_token'; instanceUrl: string; accessToken: string }
  | { kind: 'refresh_token'; clientId: string; clientSecret: string; refreshToken: string }
  | { kind: 'client_credentials'; clientId: string; clientSecret: string }
  | { kind: 'jwt_bearer'; clientId: string; username: string; privateKey: string; audience?: string };

export interface SalesforceSessionOptions {
  credentials: SalesforceCredentials;
  /** Token endpoint host: login.salesforce.com, test.salesforce.com or the org's My Domain (required for client credentials). */
  loginUrl: string;
  logger: Logger;
  /** A token call is abandoned after this long. */
  tokenTimeoutMs: number;
  tokenCallsPerMinute?: number;
  now?: () => number;
}

export class SalesforceSession {
  readonly #conn: Connection;
  readonly #options: SalesforceSessionOptions;
  readonly #oauth2: OAuth2 | undefined;
  readonly #guard: TokenRefreshGuard;
  #inflight: Promise<void> | undefined;

  constructor(conn: Connection, options: SalesforceSessionOptions) {
    this.#conn = conn;
    this.#options = options;
    this.#guard = new TokenRefreshGuard({
      crm: 'Salesforce',
      logger: options.logger,
      ...(options.now === undefined ? {} : { now: options.now }),
      ...(options.tokenCallsPerMinute === undefined ? {} : { callsPerMinute: options.tokenCallsPerMinute }),
    });
    const { credentials } = options;
    if (credentials.kind === 'access_token') {
      conn.accessToken = credentials.accessToken;
      conn.instanceUrl = credentials.instanceUrl.replace(/\/+$/, '');
    } else if (credentials.kind === 'jwt_bearer') {
      // The assertion names the app: no client secret travels, and jsforce must not add one.
      this.#oauth2 = new OAuth2({ loginUrl: options.loginUrl });
    } else {
      this.#oauth2 = new OAuth2({
        loginUrl: options.loginUrl,
        clientId: credentials.clientId,
        clientSecret: credentials.clientSecret,
      });
    }
  }

  /** A fresh JWT bearer assertion (valid 3 minutes), signed for each token request. */
  #assertion(credentials: Extract<SalesforceCredentials, { kind: 'jwt_bearer' }>): string {
    try {
      return signJwtAssertion(
        {
          clientId: credentials.clientId,
          username: credentials.username,
          audience: credentials.audience ?? jwtAudienceFor(this.#options.loginUrl),
        },
        credentials.privateKey,
      );
    } catch (thrown) {
      // Never the key itself in the message: only that it is not one.
      throw new CrmError(
        'auth_failed',
        'the JWT bearer private key (crm.auth.privateKey) is not a PEM private key; set the one whose certificate the connected app holds',
        { cause: thrown },
      );
    }
  }

  /** Whether a refused token can be replaced (OAuth kinds) or only reconnecting helps (a static token). */
  get canRefresh(): boolean {
    return this.#oauth2 !== undefined;
  }

  /**
   * Makes sure the connection holds a usable token; OAuth kinds obtain their first one lazily. While the
   * tenant's credentials are known to be refused, throws that error without calling Salesforce at all.
   */
  async ensureToken(): Promise<void> {
    this.#guard.throwIfRefused();
    if (this.#conn.accessToken) return;
    await this.#fetchToken('first token');
  }

  /**
   * After a 401 on a request sent with `staleToken`: returns once a newer token is in place, or throws
   * auth_failed. Concurrent callers share one token call; a token already replaced is not refreshed again.
   */
  async refreshAfter401(staleToken: string | undefined): Promise<void> {
    if (!this.canRefresh) {
      throw new CrmError(
        'auth_failed',
        'a static Salesforce access token cannot be refreshed; reconnect the tenant',
      );
    }
    if (this.#conn.accessToken && this.#conn.accessToken !== staleToken) return;
    await this.#fetchToken('refresh after 401');
  }

  /** Credentials Salesforce keeps refusing: no request and no token call until the cooldown has passed. */
  markRefused(error: CrmError): void {
    this.#guard.markRefused(error);
  }

  /** Set while Salesforce refuses the tenant's credentials, for its status. */
  get needsReconnection(): ReconnectionState | undefined {
    return this.#guard.needsReconnection;
  }

  async #fetchToken(reason: string): Promise<void> {
    this.#inflight ??= this.#callTokenEndpoint(reason).finally(() => {
      this.#inflight = undefined;
    });
    await this.#inflight;
  }

  async #callTokenEndpoint(reason: string): Promise<void> {
    this.#guard.admitTokenCall(reason);
    let token: TokenResponse;
    try {
      const timeoutMs = this.#options.tokenTimeoutMs;
      token = await withTimeout(
        () => this.#requestToken(),
        timeoutMs,
        () => new CrmError('timeout', `Salesforce token endpoint gave no answer within ${timeoutMs} ms`),
      );
    } catch (error) {
      const crmError = tokenErrorToCrmError(error);
      if (crmError.kind === 'auth_failed') this.markRefused(crmError);
      throw crmError;
    }
    if (typeof token.access_token !== 'string' || typeof token.instance_url !== 'string') {
      throw new CrmError(
        'unavailable',
        'Salesforce token endpoint answered without access_token and instance_url',
      );
    }
    this.#guard.succeeded();
    this.#conn.accessToken = token.access_token;
    this.#conn.instanceUrl = token.instance_url.replace(/\/+$/, '');
  }

  #requestToken(): Promise<TokenResponse> {
    const { credentials } = this.#options;
    if (this.#oauth2 === undefined || credentials.kind === 'access_token') {
      return Promise.reject(new Error('a static access token has no token endpoint'));
    }
    return credentials.kind === 'refresh_token'
      ? this.#oauth2.refreshToken(credentials.refreshToken)
      : credentials.kind === 'jwt_bearer'
        ? this.#oauth2.requestToken({ grant_type: JWT_BEARER_GRANT, assertion: this.#assertion(credentials) })
        : this.#oauth2.requestToken({ grant_type: 'client_credentials' });
  }
}
