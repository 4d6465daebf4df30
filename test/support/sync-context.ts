/**
 * What the sync's unit tests run on: the example tenants' mappings (mappings/acme.yaml on HubSpot,
 * mappings/globex.yaml on Salesforce), a grid as the sync sees it, and the TenantContext the worker would hand
 * the sync, live over a given CRM client or in dry-run mode.
 */
import { join } from 'node:path';

import type { CrmClient } from '../../src/crm/crm-client.ts';
import { assessCompleteness } from '../../src/domain/grid-completeness.ts';
import type { SalesGrid } from '../../src/domain/sales-grid.ts';
import { TtlCache } from '../../src/lib/ttl-cache.ts';
import { loadMappingFile } from '../../src/mapping/load-mapping-file.ts';
import type { LoadedMapping } from '../../src/mapping/loaded-mapping.ts';
import type { GridSource } from '../../src/mapping/source-values.ts';
import type { CrmHealthReport, TenantContext } from '../../src/sync/tenant-context.ts';

export type ExampleTenant = 'acme' | 'globex';

export function exampleMapping(tenant: ExampleTenant): LoadedMapping {
  const loaded = loadMappingFile(join(import.meta.dirname, '../../mappings', `${tenant}.yaml`));
  if (!loaded.ok) throw new Error(`mappings/${tenant}.yaml does not load: ${JSON.stringify(loaded.error)}`);
  return loaded.value;
}

/** A grid as the sync reads it: with its completeness judged by the mapping's rule. */
export function gridSource(grid: SalesGrid, loaded: LoadedMapping, version = 1): GridSource {
  return {
    grid,
    version,
    completeness: assessCompleteness(grid, loaded.mapping.completeness),
    statusUrl: `https://gridsync.test/v1/tenants/${loaded.mapping.tenant}/grids/${grid.gridId}`,
  };
}

/** Counts what the sync reports about the CRM's health (the worker's breaker would act on it). */
export interface RecordedHealth extends CrmHealthReport {
  successes: number;
  failures: string[];
}

export function recordedHealth(): RecordedHealth {
  const health: RecordedHealth = {
    successes: 0,
    failures: [],
    succeeded: () => void (health.successes += 1),
    failed: (_nowMs, error) => {
      health.failures.push(error);
      return 1_000;
    },
  };
  return health;
}

/** The tenant as the sync sees it: live over `crm`, or dry-run (with the reason) when there is none. */
export function tenantContext(
  loaded: LoadedMapping,
  crm?: CrmClient,
): TenantContext & { breaker: RecordedHealth } {
  return {
    tenant: loaded.mapping.tenant,
    loaded,
    crm: crm ? { mode: 'live', client: crm } : { mode: 'dry_run', reason: 'no crm.auth in the test mapping' },
    companyFields: new TtlCache({ ttlMs: 60_000 }),
    breaker: recordedHealth(),
    statusUrl: (gridId) => `https://gridsync.test/v1/tenants/${loaded.mapping.tenant}/grids/${gridId}`,
  };
}
