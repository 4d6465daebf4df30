/**
 * The fake's credentials: static bearer tokens (service keys), and OAuth access tokens it issues from
 * `POST /oauth/v1/token` (form-encoded, grant_type=refresh_token) that expire after `expiresInSeconds`.
 */
import { type FakeAnswer, refuse } from './fake-answers.ts';

export interface FakeOAuthApp {
  clientId: string;
  clientSecret: string;
  refreshToken: string;
  expiresInSeconds: number;
}

export class FakeAuth {
  readonly #staticTokens: string[];
  readonly #oauth: FakeOAuthApp | undefined;
  /** Issued access token → when it expires. */
  readonly #issued = new Map<string, number>();
  #serial = 0;

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

  /** POST /oauth/v1/token. */
  token(text: string): FakeAnswer {
    const form = new URLSearchParams(text);
    const oauth = this.#oauth;
    const valid =
      oauth !== undefined &&
      form.get('grant_type') === 'refresh_token' &&
      form.get('client_id') === oauth.clientId &&
      form.get('client_secret') === oauth.clientSecret &&
      form.get('refresh_token') === oauth.refreshToken;
    if (!oauth || !valid) {
      return {
        status: 400,
        body: { status: 'BAD_REFRESH_TOKEN', message: 'missing or unknown refresh token' },
      };
    }
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
