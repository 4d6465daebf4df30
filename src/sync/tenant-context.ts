/**
 * What the grid sync needs to know about a tenant while it works: the mapping in force, its CRM connection
 * (live or dry-run), a cache of CRM company fields and where to report CRM health. The worker's
 * TenantRuntimes (worker/tenant-runtime.ts) keep one per tenant between jobs; the sync only sees this port.
 */
import type { CrmConnection } from '../crm/crm-connection.ts';
import type { TtlCache } from '../lib/ttl-cache.ts';
import type { LoadedMapping } from '../mapping/loaded-mapping.ts';

/** The sync reports how its CRM calls went; the worker decides from it when to leave the CRM alone. */
export interface CrmHealthReport {
  succeeded(): void;
  /** Returns how long the CRM is left alone; `reconnect` when the credentials were refused. */
  failed(nowMs: number, error: string, waitMs?: number, options?: { reconnect?: boolean }): number;
}

export interface TenantContext {
  tenant: string;
  loaded: LoadedMapping;
  crm: CrmConnection;
  /** CRM company/account fields used as ICP values, by account domain. */
  companyFields: TtlCache<Record<string, string>>;
  breaker: CrmHealthReport;
  statusUrl(gridId: string): string;
}
