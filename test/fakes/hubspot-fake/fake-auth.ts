/**
 * The fake's credentials: static bearer tokens (service keys), and OAuth access tokens it issues from
 * `POST /oauth/2026-03/token` that expire after `expiresInSeconds`. As HubSpot's 2026-03 endpoint: the body is
 * form-encoded (never query parameters), grants are `refresh_token` and `authorization_code`, and refusals
 * carry RFC 6749 `error`/`error_description` with the older `status`/`message` alongside.
 */
import { type FakeAnswer, refuse } from './fake-answers.ts';

export interface FakeOAuthApp {
  clientId: string;
  clientSecret: string;
  refreshToken: string;
  expiresInSeconds: number;
  /** An authorization code the app may exchange once (with this redirect URI). */
  authorizationCode?: { code: string; redirectUri: string };
}

export class FakeAuth {
  readonly #staticTokens: string[];
  readonly #oauth: FakeOAuthApp | undefined;
  /** Issued access token → when it expires. */
  readonly #issued = new Map<string, number>();
  #serial = 0;
  #codeUsed = false;
  #grantRevoked = false;

  constructor(staticTokens: string[], oauth: FakeOAuthApp | undefined) {
    this.#staticTokens = staticTokens;
    this.#oauth = oauth;
  }

  /** undefined when the Authorization header is good, else the 401 HubSpot would send. */
  check(header: string | undefined, now: number): FakeAnswer | undefined {
    const token = header?.startsWith('Bearer ') ? header.slice(7) : undefined;
    if (token !== undefined && this.#staticTokens.includes(token)) return undefined;
    const expiresAt = token === undefined ? undefined : this.#issued.get(token);
    if (expiresAt !== undefined && now < expiresAt) return undefined;
    if (expiresAt !== undefined) {
      return refuse(401, 'EXPIRED_AUTHENTICATION', 'The OAuth token used to make this call expired.');
    }
    return refuse(401, 'INVALID_AUTHENTICATION', 'Authentication credentials not found or not valid.');
  }

  /** Issued tokens stop working before their expiry (revoked, rotated). */
  revoke(): void {
    this.#issued.clear();
  }

  /** The app was uninstalled: the refresh token stops working too, until `restoreGrant`. */
  revokeGrant(): void {
    this.#grantRevoked = true;
    this.#issued.clear();
  }

  restoreGrant(): void {
    this.#grantRevoked = false;
  }

  /** POST /oauth/2026-03/token. */
  token(text: string, contentType: string | undefined): FakeAnswer {
    if (!contentType?.startsWith('application/x-www-form-urlencoded')) {
      return oauthRefusal('invalid_request', 'the body must be application/x-www-form-urlencoded');
    }
    const form = new URLSearchParams(text);
    const oauth = this.#oauth;
    if (
      !oauth ||
      form.get('client_id') !== oauth.clientId ||
      form.get('client_secret') !== oauth.clientSecret
    ) {
      return oauthRefusal('invalid_client', 'missing or unknown client id or secret', 401);
    }
    switch (form.get('grant_type')) {
      case 'refresh_token':
        if (this.#grantRevoked || form.get('refresh_token') !== oauth.refreshToken) {
          return oauthRefusal('invalid_grant', 'refresh token is invalid, expired or revoked');
        }
        return this.#issue(oauth);
      case 'authorization_code': {
        const code = oauth.authorizationCode;
        const valid =
          code !== undefined &&
          !this.#codeUsed &&
          form.get('code') === code.code &&
          form.get('redirect_uri') === code.redirectUri;
        if (!valid) return oauthRefusal('invalid_grant', 'authorization code is invalid, expired or used');
        this.#codeUsed = true;
        return this.#issue(oauth);
      }
      default:
        return oauthRefusal(
          'unsupported_grant_type',
          `grant_type ${form.get('grant_type')} is not supported`,
        );
    }
  }

  #issue(oauth: FakeOAuthApp): FakeAnswer {
    this.#serial += 1;
    const accessToken = `fake-access-${this.#serial}`;
    this.#issued.set(accessToken, Date.now() + oauth.expiresInSeconds * 1000);
    return {
      status: 200,
      body: {
        token_type: 'bearer',
        refresh_token: oauth.refreshToken,
        access_token: accessToken,
        expires_in: oauth.expiresInSeconds,
      },
    };
  }
}

function oauthRefusal(error: string, description: string, status = 400): FakeAnswer {
  const legacy = error === 'invalid_grant' ? 'BAD_REFRESH_TOKEN' : error.toUpperCase();
  return {
    status,
    body: { error, error_description: description, status: legacy, message: description },
  };
}
