/**
 * The assertion of Salesforce's OAuth 2.0 JWT bearer flow: a JWT signed with the connected app's private key
 * (RS256), naming the app (its consumer key as `iss`), the integration user (`sub`), the authorization server
 * (`aud`) and a short expiry. Salesforce answers with an access token and no refresh token: gridsync signs a new
 * assertion whenever it needs a token.
 */
import { createPrivateKey, createSign } from 'node:crypto';

export interface JwtBearerClaims {
  /** The connected app's consumer key. */
  clientId: string;
  /** The Salesforce username the integration runs as. */
  username: string;
  /** https://login.salesforce.com, https://test.salesforce.com, or an Experience Cloud site's URL. */
  audience: string;
}

/** Salesforce allows at most 3 minutes between now and `exp`. */
const LIFETIME_SECONDS = 180;

export function signJwtAssertion(claims: JwtBearerClaims, privateKeyPem: string, now = Date.now()): string {
  const key = createPrivateKey(privateKeyPem);
  const header = encode({ alg: 'RS256', typ: 'JWT' });
  const payload = encode({
    iss: claims.clientId,
    sub: claims.username,
    aud: claims.audience,
    exp: Math.floor(now / 1000) + LIFETIME_SECONDS,
  });
  const signature = createSign('RSA-SHA256').update(`${header}.${payload}`).sign(key).toString('base64url');
  return `${header}.${payload}.${signature}`;
}

/**
 * The `aud` for a login URL: sandboxes (test.salesforce.com, *.sandbox.my.salesforce.com) use
 * https://test.salesforce.com, everything else https://login.salesforce.com (a My Domain URL is where the token
 * request goes, not the audience).
 */
export function jwtAudienceFor(loginUrl: string): string {
  const host = new URL(loginUrl).hostname;
  return host === 'test.salesforce.com' || host.endsWith('.sandbox.my.salesforce.com')
    ? 'https://test.salesforce.com'
    : 'https://login.salesforce.com';
}

function encode(value: object): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}
