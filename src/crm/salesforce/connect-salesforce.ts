/**
 * A tenant's mapping and secrets → a live Salesforce client, or dry-run mode when a credential is missing.
 * Called by open-crm-client.ts each time a tenant's mapping (re)loads.
 */
import type { SecretLookup } from '../../config/secrets.ts';
import type { Logger } from '../../lib/logger.ts';
import type { TenantMapping } from '../../mapping/mapping-schema.ts';
import type { CrmConnection } from '../crm-connection.ts';
import { resolveCredentials } from '../resolve-credentials.ts';
import type { RequestBudget } from '../request-budget.ts';
import type { SalesforceCredentials, SalesforceSettings } from './salesforce-auth.ts';
import { createSalesforceClient, salesforceBudget } from './salesforce-client.ts';

/** Budgets outlive clients: a mapping edit rebuilds the client, but the org's daily count carries on. */
const budgets = new Map<string, RequestBudget>();

export function createSalesforceConnection(
  mapping: TenantMapping,
  crm: SalesforceSettings,
  secrets: SecretLookup,
  logger: Logger,
  signal?: AbortSignal,
): CrmConnection {
  const auth = crm.auth;
  if (auth === undefined) return { mode: 'dry_run', reason: 'the mapping has no crm.auth block' };

  let credentials: SalesforceCredentials;
  switch (auth.kind) {
    case 'access_token': {
      const resolved = resolveCredentials({ accessToken: auth.accessToken }, secrets);
      if (!resolved.ok) return { mode: 'dry_run', reason: resolved.missing };
      credentials = { kind: auth.kind, instanceUrl: auth.instanceUrl, ...resolved.values };
      break;
    }
    case 'refresh_token': {
      const resolved = resolveCredentials(
        { clientId: auth.clientId, clientSecret: auth.clientSecret, refreshToken: auth.refreshToken },
        secrets,
      );
      if (!resolved.ok) return { mode: 'dry_run', reason: resolved.missing };
      credentials = { kind: auth.kind, ...resolved.values };
      break;
    }
    case 'client_credentials': {
      const resolved = resolveCredentials(
        { clientId: auth.clientId, clientSecret: auth.clientSecret },
        secrets,
      );
      if (!resolved.ok) return { mode: 'dry_run', reason: resolved.missing };
      credentials = { kind: auth.kind, ...resolved.values };
      break;
    }
    case 'jwt_bearer': {
      const resolved = resolveCredentials({ clientId: auth.clientId, privateKey: auth.privateKey }, secrets);
      if (!resolved.ok) return { mode: 'dry_run', reason: resolved.missing };
      credentials = {
        kind: auth.kind,
        username: auth.username,
        ...resolved.values,
        ...(auth.audience === undefined ? {} : { audience: auth.audience }),
      };
      break;
    }
  }
  let budget = budgets.get(mapping.tenant);
  if (budget === undefined) {
    budget = salesforceBudget(mapping.tenant, logger);
    budgets.set(mapping.tenant, budget);
  }
  return {
    mode: 'live',
    client: createSalesforceClient({
      mapping,
      credentials,
      logger,
      budget,
      ...(signal === undefined ? {} : { signal }),
    }),
  };
}
