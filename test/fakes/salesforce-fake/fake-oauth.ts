/**
 * `POST /services/oauth2/token` (form-encoded, as Salesforce's Postman definitions send it) for the three
 * grants a server integration uses: client credentials, refresh token and the JWT bearer flow (RS256
 * assertion checked against the connected app's certificate: iss = consumer key, sub = username, aud =
 * the login host, exp in the future). Issued tokens expire after `tokenTtlMs` and can be revoked; static
 * tokens (a session id pasted into the mapping) are accepted as they are. Errors are OAuth's
 * `{ error, error_description }` with 400, as Salesforce answers them.
 */
import { createPublicKey, createVerify, type KeyObject } from 'node:crypto';

import type { FakeAnswer } from './fake-errors.ts';

export interface FakeConnectedApp {
  clientId: string;
  clientSecret: string;
  /** Accepted by the refresh_token grant. */
  refreshTokens?: string[];
  /** Enables the client_credentials grant (a "Run As" user is configured). @default true */
  clientCredentials?: boolean;
  /** Enables the JWT bearer grant: the app's certificate (PEM, public key or X.509) and the allowed users. */
  jwt?: { publicKeyPem: string; usernames: string[]; audiences?: string[] };
}

export interface FakeOAuthOptions {
  apps: FakeConnectedApp[];
  staticTokens: string[];
  /** @default 2 hours */
  tokenTtlMs: number;
}

export type GrantType = 'client_credentials' | 'refresh_token' | 'jwt_bearer';

const JWT_GRANT = 'urn:ietf:params:oauth:grant-type:jwt-bearer';

function oauthError(error: string, description: string, status = 400): FakeAnswer {
  return { status, body: { error, error_description: description } };
}

function base64url(text: string): Buffer {
  return Buffer.from(text.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
}

export class FakeOAuth {
  readonly #options: FakeOAuthOptions;
  readonly #issued = new Map<string, number>();
  readonly #keys = new Map<string, KeyObject>();
  readonly grants: { grant: GrantType; clientId: string }[] = [];
  #serial = 0;

  constructor(options: FakeOAuthOptions) {
    this.#options = options;
    for (const app of options.apps) {
      if (app.jwt) this.#keys.set(app.clientId, createPublicKey(app.jwt.publicKeyPem));
    }
  }

  /** Whether the bearer token may call the API now. */
  accepts(token: string | undefined, now: number): boolean {
    if (token === undefined) return false;
    if (this.#options.staticTokens.includes(token)) return true;
    const expiresAt = this.#issued.get(token);
    return expiresAt !== undefined && now < expiresAt;
  }

  /** Every issued token stops working (revoked, session timeout, password reset). */
  revokeAll(): void {
    this.#issued.clear();
  }

  token(form: URLSearchParams, instanceUrl: string, orgId: string, userId: string): FakeAnswer {
    const grant = form.get('grant_type');
    if (grant === 'client_credentials' || grant === 'refresh_token') {
      const app = this.#options.apps.find((a) => a.clientId === form.get('client_id'));
      if (app === undefined) return oauthError('invalid_client_id', 'client identifier invalid');
      if (app.clientSecret !== form.get('client_secret')) {
        return oauthError('invalid_client', 'invalid client credentials');
      }
      if (grant === 'client_credentials' && app.clientCredentials === false) {
        return oauthError('invalid_grant', 'no client credentials user enabled');
      }
      if (grant === 'refresh_token' && !(app.refreshTokens ?? []).includes(form.get('refresh_token') ?? '')) {
        return oauthError('invalid_grant', 'expired access/refresh token');
      }
      return this.#issue(grant, app.clientId, instanceUrl, orgId, userId);
    }
    if (grant === JWT_GRANT) return this.#jwt(form.get('assertion') ?? '', instanceUrl, orgId, userId);
    return oauthError('unsupported_grant_type', 'grant type not supported');
  }

  #jwt(assertion: string, instanceUrl: string, orgId: string, userId: string): FakeAnswer {
    const parts = assertion.split('.');
    if (parts.length !== 3) return oauthError('invalid_grant', 'invalid assertion');
    const [header, payload, signature] = parts as [string, string, string];
    let claims: { iss?: unknown; sub?: unknown; aud?: unknown; exp?: unknown };
    let alg: unknown;
    try {
      alg = (JSON.parse(base64url(header).toString('utf8')) as { alg?: unknown }).alg;
      claims = JSON.parse(base64url(payload).toString('utf8')) as typeof claims;
    } catch {
      return oauthError('invalid_grant', 'invalid assertion');
    }
    const app = this.#options.apps.find((a) => a.clientId === claims.iss);
    const key = app === undefined ? undefined : this.#keys.get(app.clientId);
    if (app?.jwt === undefined || key === undefined) {
      return oauthError('invalid_client_id', 'client identifier invalid');
    }
    if (alg !== 'RS256') return oauthError('invalid_grant', 'invalid assertion algorithm');
    const verifier = createVerify('RSA-SHA256');
    verifier.update(`${header}.${payload}`);
    if (!verifier.verify(key, base64url(signature))) return oauthError('invalid_grant', 'invalid signature');
    const audiences = app.jwt.audiences ?? ['https://login.salesforce.com', 'https://test.salesforce.com'];
    if (typeof claims.aud !== 'string' || !audiences.includes(claims.aud)) {
      return oauthError('invalid_grant', 'audience is invalid');
    }
    if (typeof claims.exp !== 'number' || claims.exp * 1000 < Date.now()) {
      return oauthError('invalid_grant', 'expired authorization code');
    }
    if (typeof claims.sub !== 'string' || !app.jwt.usernames.includes(claims.sub)) {
      return oauthError('invalid_grant', "user hasn't approved this consumer");
    }
    return this.#issue('jwt_bearer', app.clientId, instanceUrl, orgId, userId);
  }

  #issue(grant: GrantType, clientId: string, instanceUrl: string, orgId: string, userId: string): FakeAnswer {
    this.#serial += 1;
    this.grants.push({ grant, clientId });
    const accessToken = `00D!fake-session-${this.#serial}`;
    this.#issued.set(accessToken, Date.now() + this.#options.tokenTtlMs);
    return {
      status: 200,
      body: {
        access_token: accessToken,
        instance_url: instanceUrl,
        id: `${instanceUrl}/id/${orgId}/${userId}`,
        token_type: 'Bearer',
        issued_at: String(Date.now()),
        signature: Buffer.from(`fake-${this.#serial}`).toString('base64'),
        scope: grant === 'refresh_token' ? 'api refresh_token' : 'api',
      },
    };
  }
}
