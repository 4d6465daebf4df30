/**
 * mapping.crm → a live adapter, or dry-run mode when the tenant has no usable credentials. Dry-run is how
 * `npm start` shows the whole path without a CRM account: writes are planned and shown on the grid status.
 */
import type { SecretLookup } from '../config/secrets.ts';
import type { ConnectionOptions, CrmConnector } from './crm-connection.ts';
import { createHubSpotConnection } from './hubspot/connect-hubspot.ts';
import { createSalesforceConnection } from './salesforce/connect-salesforce.ts';

/** The one connector of the service: `gridsync serve`, `sync --once` and the end-to-end tests all use it. */
export function crmConnector(secrets: SecretLookup, options: ConnectionOptions = {}): CrmConnector {
  return (loaded, logger) => {
    const crm = loaded.mapping.crm;
    if (crm.auth === undefined) return { mode: 'dry_run', reason: 'the mapping has no crm.auth block' };
    return crm.type === 'hubspot'
      ? createHubSpotConnection(loaded.mapping, crm, secrets, logger, options)
      : createSalesforceConnection(loaded.mapping, crm, secrets, logger, options);
  };
}
