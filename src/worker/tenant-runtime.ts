/**
 * Per-tenant state the worker keeps between jobs: the mapping in force, its CRM connection (live or dry-run)
 * and a cache of CRM company fields. Rebuilt when the mapping file changes (content hash), so an edit takes
 * effect on the next job without a restart.
 */
import type { CrmConnector } from '../crm/crm-connection.ts';
import type { Logger } from '../lib/logger.ts';
import { TtlCache } from '../lib/ttl-cache.ts';
import type { LoadedMapping } from '../mapping/loaded-mapping.ts';
import type { TenantContext } from '../sync/tenant-context.ts';
import type { Finding } from '../schema-plan/findings.ts';
import { type BreakerSchedule, CrmBreaker, DEFAULT_BREAKER_SCHEDULE } from './crm-breaker.ts';
import { guardWrites } from './drift-guard.ts';

/** The sync's view of a tenant, with the breaker the runner consults before it hands the tenant work. */
export interface TenantRuntime extends TenantContext {
  /** Leaves the CRM alone for a while after it failed (outage, rate limit): kept across mapping reloads. */
  breaker: CrmBreaker;
}

export interface MappingSource {
  get(tenant: string): LoadedMapping | undefined;
  tenants(): string[];
}

export class TenantRuntimes {
  readonly #cache = new Map<string, TenantRuntime>();
  readonly #mappings: MappingSource;
  readonly #connect: CrmConnector;
  readonly #logger: Logger;
  readonly #publicUrl: string;
  readonly #breakerSchedule: BreakerSchedule;
  readonly #drift: ((tenant: string) => readonly Finding[]) | undefined;

  constructor(options: {
    mappings: MappingSource;
    connect: CrmConnector;
    logger: Logger;
    publicUrl: string;
    /** The breaker's pauses (tests shorten them). */
    breakerSchedule?: BreakerSchedule;
    /** The drift watch's error findings per tenant: writes they would break fail early (drift-guard.ts). */
    drift?: (tenant: string) => readonly Finding[];
  }) {
    this.#breakerSchedule = options.breakerSchedule ?? DEFAULT_BREAKER_SCHEDULE;
    this.#drift = options.drift;
    this.#mappings = options.mappings;
    this.#connect = options.connect;
    this.#logger = options.logger;
    this.#publicUrl = options.publicUrl.replace(/\/+$/, '');
  }

  /** Each tenant with a runtime so far, and whether its CRM breaker currently leaves the CRM alone (metrics). */
  breakerStates(now: number): { tenant: string; open: boolean }[] {
    return [...this.#cache.values()].map((r) => ({ tenant: r.tenant, open: r.breaker.waitMs(now) > 0 }));
  }

  /** The tenants whose CRM budget has no room now, with how long until it has (the runner skips them). */
  budgetWaits(now: number): Map<string, number> {
    const waits = new Map<string, number>();
    for (const runtime of this.#cache.values()) {
      const waitMs = runtime.crm.mode === 'live' ? (runtime.crm.budget?.readyInMs(now) ?? 0) : 0;
      if (waitMs > 0) waits.set(runtime.tenant, waitMs);
    }
    return waits;
  }

  /** Reads the budgets other replicas share again, so budgetWaits counts their use too. */
  async refreshSharedBudgets(): Promise<void> {
    // Every tenant, not only those this process has worked: a replica that joins must see the budgets the
    // others are spending before its first claim.
    await Promise.all(
      this.#mappings.tenants().map((tenant) => {
        const crm = this.get(tenant)?.crm;
        return crm?.mode === 'live' && crm.budget !== undefined
          ? crm.budget.refreshShared()
          : Promise.resolve();
      }),
    );
  }

  get(tenant: string): TenantRuntime | undefined {
    const loaded = this.#mappings.get(tenant);
    if (!loaded) {
      this.#cache.delete(tenant);
      return undefined;
    }
    const cached = this.#cache.get(tenant);
    const reconnect = cached?.breaker.takeReconnect(Date.now()) ?? false;
    if (cached && cached.loaded.contentHash === loaded.contentHash && !reconnect) return cached;
    if (reconnect) this.#logger.info({ tenant }, 'reconnecting to the CRM with the credentials read again');
    let crm = this.#connect(loaded, this.#logger.child({ tenant }));
    const drift = this.#drift;
    if (crm.mode === 'live' && drift !== undefined) {
      crm = { ...crm, client: guardWrites(crm.client, () => drift(tenant)) };
    }
    if (crm.mode === 'dry_run') {
      this.#logger.info({ tenant, reason: crm.reason }, 'tenant runs in dry-run mode');
    }
    const runtime: TenantRuntime = {
      tenant,
      loaded,
      crm,
      companyFields: cached?.companyFields ?? new TtlCache({ ttlMs: 15 * 60_000 }),
      breaker: cached?.breaker ?? new CrmBreaker(this.#breakerSchedule),
      statusUrl: (gridId) => `${this.#publicUrl}/v1/tenants/${tenant}/grids/${encodeURIComponent(gridId)}`,
    };
    this.#cache.set(tenant, runtime);
    return runtime;
  }
}
