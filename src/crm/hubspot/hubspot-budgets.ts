/**
 * One request budget per HubSpot tenant in this process, whoever sends: the sync's client and the drift
 * watch's schema reads take slots of the same budget, because HubSpot counts both against the portal's limit.
 * Budgets outlive clients: a mapping edit rebuilds the client, but the requests sent in the last 10 s still
 * count at HubSpot, so the tenant keeps its budget unless the limit itself (or the shared windows) changed.
 */
import type { Logger } from '../../lib/logger.ts';
import type { SharedWindows } from '../../lib/shared-window.ts';
import type { RequestBudget } from '../request-budget.ts';
import { hubSpotBudget } from './hubspot-client.ts';
import { type HubSpotSettings, requestsPerWindow } from './hubspot-limits.ts';

const budgets = new Map<string, RequestBudget>();

export function tenantBudget(
  crm: HubSpotSettings,
  tenant: string,
  logger: Logger,
  shared?: SharedWindows,
): RequestBudget {
  let budget = budgets.get(tenant);
  if (
    budget === undefined ||
    budget.requestsPerWindow !== requestsPerWindow(crm) ||
    budget.sharedWith !== shared
  ) {
    budget = hubSpotBudget(crm, tenant, logger, shared);
    budgets.set(tenant, budget);
  }
  return budget;
}
