/**
 * A tenant's mapping and secrets → a live HubSpot client, or dry-run mode when a credential is missing.
 * Called by open-crm-client.ts each time a tenant's mapping (re)loads.
 */
import type { SecretLookup } from '../../config/secrets.ts';
import type { Logger } from '../../lib/logger.ts';
import type { TenantMapping } from '../../mapping/mapping-schema.ts';
import type { ConnectionOptions, CrmConnection } from '../crm-connection.ts';
import { resolveCredentials } from '../resolve-credentials.ts';
import { type HubSpotTokenProvider, oauthTokenProvider, staticTokenProvider } from './hubspot-auth.ts';
import { tenantBudget } from './hubspot-budgets.ts';
import { createHubSpotClient } from './hubspot-client.ts';
import { HUBSPOT_DEFAULT_BASE_URL, type HubSpotSettings } from './hubspot-limits.ts';

export function createHubSpotConnection(
  mapping: TenantMapping,
  crm: HubSpotSettings,
  secrets: SecretLookup,
  logger: Logger,
  { signal, shared, retry }: ConnectionOptions = {},
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

  const budget = tenantBudget(crm, mapping.tenant, logger, shared);
  return {
    mode: 'live',
    budget,
    client: createHubSpotClient({
      mapping,
      accessToken: tokens,
      logger,
      baseUrl,
      budget,
      ...(signal === undefined ? {} : { signal }),
      ...(retry === undefined ? {} : { retry }),
    }),
  };
}
