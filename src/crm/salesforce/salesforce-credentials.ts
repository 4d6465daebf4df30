/**
 * A Salesforce tenant's `crm.auth` with its secret references resolved: the one place that knows which
 * secrets each flow needs (the adapter's connection and `mapping plan/apply` both use it).
 */
import type { SecretLookup } from '../../config/secrets.ts';
import { resolveCredentials } from '../resolve-credentials.ts';
import type { SalesforceCredentials, SalesforceSettings } from './salesforce-auth.ts';

/** The mapping's credentials, resolved; the reason when one is not set. */
export function salesforceCredentials(
  crm: SalesforceSettings,
  secrets: SecretLookup,
): { ok: true; credentials: SalesforceCredentials } | { ok: false; reason: string } {
  const auth = crm.auth;
  if (auth === undefined) return { ok: false, reason: 'the mapping has no crm.auth block' };
  if (auth.kind === 'access_token') {
    const resolved = resolveCredentials({ accessToken: auth.accessToken }, secrets);
    return resolved.ok
      ? { ok: true, credentials: { kind: auth.kind, instanceUrl: auth.instanceUrl, ...resolved.values } }
      : { ok: false, reason: resolved.missing };
  }
  if (auth.kind === 'jwt_bearer') {
    const resolved = resolveCredentials({ clientId: auth.clientId, privateKey: auth.privateKey }, secrets);
    if (!resolved.ok) return { ok: false, reason: resolved.missing };
    const audience = auth.audience === undefined ? {} : { audience: auth.audience };
    return {
      ok: true,
      credentials: { kind: auth.kind, username: auth.username, ...resolved.values, ...audience },
    };
  }
  const refs =
    auth.kind === 'refresh_token'
      ? { clientId: auth.clientId, clientSecret: auth.clientSecret, refreshToken: auth.refreshToken }
      : { clientId: auth.clientId, clientSecret: auth.clientSecret };
  const resolved = resolveCredentials<string>(refs, secrets);
  if (!resolved.ok) return { ok: false, reason: resolved.missing };
  return { ok: true, credentials: { kind: auth.kind, ...resolved.values } as SalesforceCredentials };
}
