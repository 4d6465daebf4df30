/**
 * A tenant's mapping and secrets → a live HubSpot client, or dry-run mode when a credential is missing.
 * Called by open-crm-client.ts each time a tenant's mapping (re)loads.
 */
import type { SecretLookup } from '../../config/secrets.ts';
import type { Logger } from '../../lib/logger.ts';
import type { TenantMapping } from '../../mapping/mapping-schema.ts';
import type { CrmConnection } from '../crm-connection.ts';
import { resolveCredentials } from '../resolve-credentials.ts';
import type { RequestBudget } from '../request-budget.ts';
import { type HubSpotTokenProvider, oauthTokenProvider, staticTokenProvider } from './hubspot-auth.ts';
import { createHubSpotClient, hubSpotBudget } from './hubspot-client.ts';
import { HUBSPOT_DEFAULT_BASE_URL, type HubSpotSettings, requestsPerWindow } from './hubspot-limits.ts';

/**
 * Budgets outlive clients: a mapping edit rebuilds the client, but the requests sent in the last 10 s still
 * count at HubSpot, so the tenant keeps its budget unless the limit itself changed.
 */
const budgets = new Map<string, RequestBudget>();

export function createHubSpotConnection(
  mapping: TenantMapping,
  crm: HubSpotSettings,
  secrets: SecretLookup,
  logger: Logger,
  signal?: AbortSignal,
): CrmConnection {
  const auth = crm.auth;
  if (auth === undefined) return { mode: 'dry_run', reason: 'the mapping has no crm.auth block' };
  const baseUrl = crm.baseUrl ?? HUBSPOT_DEFAULT_BASE_URL;

  let tokens: HubSpotTokenProvider;
  if (auth.kind === 'static_token') {
    const credentials = resolveCredentials({ token: auth.token }, secrets);
    if (!credentials.ok) return { mode: 'dry_run', reason: credentials.missing };
    tokens = staticTokenProvider(credentials.values.token);
  } else {
    const credentials = resolveCredentials(
      { clientId: auth.clientId, clientSecret: auth.clientSecret, refreshToken: auth.refreshToken },
      secrets,
    );
    if (!credentials.ok) return { mode: 'dry_run', reason: credentials.missing };
    tokens = oauthTokenProvider({ ...credentials.values, baseUrl, logger });
  }

  let budget = budgets.get(mapping.tenant);
  if (budget === undefined || budget.requestsPerWindow !== requestsPerWindow(crm)) {
    budget = hubSpotBudget(crm, mapping.tenant, logger);
    budgets.set(mapping.tenant, budget);
  }
  return {
    mode: 'live',
    client: createHubSpotClient({
      mapping,
      accessToken: tokens,
      logger,
      baseUrl,
      budget,
      ...(signal === undefined ? {} : { signal }),
    }),
  };
}
