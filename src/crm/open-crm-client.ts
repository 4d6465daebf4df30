/**
 * mapping.crm → a live adapter, or dry-run mode when the tenant has no usable credentials. Dry-run is how
 * `npm start` shows the whole path without a CRM account: writes are planned and shown on the grid status.
 */
import type { SecretLookup } from '../config/secrets.ts';
import type { SharedWindows } from '../lib/shared-window.ts';
import type { CrmConnector } from './crm-connection.ts';
import { createHubSpotConnection } from './hubspot/connect-hubspot.ts';
import { createSalesforceConnection } from './salesforce/connect-salesforce.ts';

/**
 * `signal` is the worker's shutdown: it cuts every CRM retry wait short, so stopping never waits them out.
 * `shared`: request windows all replicas share (PostgreSQL), so each tenant has one budget per deployment.
 */
export function crmConnector(
  secrets: SecretLookup,
  signal?: AbortSignal,
  shared?: SharedWindows,
): CrmConnector {
  return (loaded, logger) => {
    const crm = loaded.mapping.crm;
    if (crm.auth === undefined) return { mode: 'dry_run', reason: 'the mapping has no crm.auth block' };
    return crm.type === 'hubspot'
      ? createHubSpotConnection(loaded.mapping, crm, secrets, logger, signal, shared)
      : createSalesforceConnection(loaded.mapping, crm, secrets, logger, signal);
  };
}
