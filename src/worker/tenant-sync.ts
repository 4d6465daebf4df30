/**
 * The scheduled safety net for one tenant: scores decay with time even when no signal arrives, so every account
 * active in the window is re-evaluated; complete grids still waiting for their AE task are looked at again
 * (an owner may have been re-activated, a CRM outage may have ended).
 */
import type { NewJob, Store } from '../store/store.ts';
import type { AccountState } from './sync-state.ts';
import type { TenantRuntime } from './tenant-runtime.ts';

const DAY_MS = 86_400_000;

export async function planTenantSync(store: Store, runtime: TenantRuntime, now: Date): Promise<NewJob[]> {
  const { tenant, loaded } = runtime;
  const windowDays = Math.max(loaded.mapping.scoring.windowDays, loaded.mapping.qualification.windowDays);
  const maxAttempts = loaded.mapping.sync.maxAttempts;
  const jobs: NewJob[] = [];
  for (const accountDomain of await store.listActiveAccounts(
    tenant,
    new Date(now.getTime() - windowDays * DAY_MS),
  )) {
    jobs.push({
      kind: 'account.refresh',
      tenant,
      key: `account.refresh:${tenant}:${accountDomain}`,
      payload: { accountDomain },
      maxAttempts,
    });
  }
  for (const gridId of await store.listGridIdsAwaitingTask(tenant)) {
    const grid = await store.getGrid(tenant, gridId);
    const domain = grid?.grid.account.domain;
    const account =
      domain === undefined
        ? undefined
        : ((await store.getAccountState(tenant, domain)) as AccountState | undefined);
    // Grids of accounts that do not qualify wait for their account.refresh to flip the verdict.
    if (account?.verdict.qualified === true) {
      jobs.push({
        kind: 'grid.sync',
        tenant,
        key: `grid.sync:${tenant}:${gridId}`,
        payload: { gridId },
        maxAttempts,
      });
    }
  }
  return jobs;
}
