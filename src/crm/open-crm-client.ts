/**
 * mapping.crm → a live adapter, or dry-run mode when the tenant has no usable credentials. Dry-run is how
 * `npm start` shows the whole path without a CRM account: writes are planned and shown on the grid status.
 */
import { describeSecretRef, type SecretLookup } from '../config/secrets.ts';
import type { Logger } from '../lib/logger.ts';
import type { LoadedMapping } from '../mapping/loaded-mapping.ts';
import type { SecretRef } from '../mapping/mapping-schema.ts';
import type { CrmClient } from './crm-client.ts';
import { createHubSpotConnection } from './hubspot/connect-hubspot.ts';
import { createSalesforceConnection } from './salesforce/connect-salesforce.ts';

export type CrmConnection = { mode: 'live'; client: CrmClient } | { mode: 'dry_run'; reason: string };
export type CrmConnector = (loaded: LoadedMapping, logger: Logger) => CrmConnection;

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

export function crmConnector(secrets: SecretLookup): CrmConnector {
  return (loaded, logger) => {
    const crm = loaded.mapping.crm;
    if (crm.auth === undefined) return { mode: 'dry_run', reason: 'the mapping has no crm.auth block' };
    return crm.type === 'hubspot'
      ? createHubSpotConnection(loaded.mapping, crm, secrets, logger)
      : createSalesforceConnection(loaded.mapping, crm, secrets, logger);
  };
}
