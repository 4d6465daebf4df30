/**
 * Credential resolution for the CRM adapters: the secret references of a mapping's crm.auth block → their
 * values, read through config's SecretLookup. A missing one makes the tenant run in dry-run mode, named.
 */
import type { SecretRef } from '../config/secret-ref.ts';
import { describeSecretRef, type SecretLookup } from '../config/secrets.ts';

/** Resolves every secret reference of an auth block; names the first one missing. */
export function resolveCredentials<K extends string>(
  refs: Record<K, SecretRef>,
  secrets: SecretLookup,
): { ok: true; values: Record<K, string> } | { ok: false; missing: string } {
  const values = {} as Record<K, string>;
  for (const [name, ref] of Object.entries(refs) as [K, SecretRef][]) {
    const value = secrets(ref);
    if (value === undefined) {
      return { ok: false, missing: `${describeSecretRef(ref)} (crm.auth.${name}) is not set` };
    }
    values[name] = value;
  }
  return { ok: true, values };
}
