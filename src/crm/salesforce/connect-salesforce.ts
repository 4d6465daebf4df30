/**
 * A tenant's mapping and secrets → a live Salesforce client, or dry-run mode when a credential is missing.
 * Called by open-crm-client.ts each time a tenant's mapping (re)loads.
 */
import type { SecretLookup } from '../../config/secrets.ts';
import type { Logger } from '../../lib/logger.ts';
import type { TenantMapping } from '../../mapping/mapping-schema.ts';
import type { ConnectionOptions, CrmConnection } from '../crm-connection.ts';
import type { RequestBudget } from '../request-budget.ts';
import type { SalesforceSettings } from './salesforce-auth.ts';
import { createSalesforceClient, salesforceBudget } from './salesforce-client.ts';
import { salesforceCredentials } from './salesforce-credentials.ts';

/** Budgets outlive clients: a mapping edit rebuilds the client, but the org's daily count carries on. */
const budgets = new Map<string, RequestBudget>();

export function createSalesforceConnection(
  mapping: TenantMapping,
  crm: SalesforceSettings,
  secrets: SecretLookup,
  logger: Logger,
  { signal, retry }: ConnectionOptions = {},
): CrmConnection {
  const resolved = salesforceCredentials(crm, secrets);
  if (!resolved.ok) return { mode: 'dry_run', reason: resolved.reason };
  const { credentials } = resolved;
  let budget = budgets.get(mapping.tenant);
  if (budget === undefined) {
    budget = salesforceBudget(mapping.tenant, logger);
    budgets.set(mapping.tenant, budget);
  }
  return {
    mode: 'live',
    budget,
    client: createSalesforceClient({
      mapping,
      credentials,
      logger,
      budget,
      ...(signal === undefined ? {} : { signal }),
      ...(retry === undefined ? {} : { retry }),
    }),
  };
}
