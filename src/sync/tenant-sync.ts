/**
 * The scheduled safety net for one tenant: scores decay with time even when no signal arrives, so every account
 * active in the window is re-evaluated; complete grids still waiting for their AE task are looked at again
 * (an owner may have been re-activated, a CRM outage may have ended); grids whose deal the mapping's rule
 * finds are synced again when the rule now picks another deal (deal-watch.ts).
 */
import { signalLookbackStart } from '../qualification/evaluate-account.ts';
import { accountRefreshJob, gridSyncJob } from '../store/job-lifecycle.ts';
import type { NewJob, SyncStore } from '../store/store.ts';
import { gridsWhoseDealChanged } from './deal-watch.ts';
import type { TenantContext } from './tenant-context.ts';

export async function planTenantSync(store: SyncStore, runtime: TenantContext, now: Date): Promise<NewJob[]> {
  const { tenant, loaded } = runtime;
  const maxAttempts = loaded.mapping.sync.maxAttempts;
  const jobs: NewJob[] = [];
  for (const accountDomain of await store.listActiveAccounts(
    tenant,
    signalLookbackStart(loaded.mapping, now),
  )) {
    jobs.push(accountRefreshJob(tenant, accountDomain, { maxAttempts }));
  }
  for (const gridId of await store.listGridIdsAwaitingTask(tenant)) {
    const grid = await store.getGrid(tenant, gridId);
    const domain = grid?.grid.account.domain;
    const account = domain === undefined ? undefined : await store.getAccountState(tenant, domain);
    // Grids of accounts that do not qualify wait for their account.refresh to flip the verdict.
    if (account?.verdict.qualified === true) {
      jobs.push(gridSyncJob(tenant, gridId, { maxAttempts }));
    }
  }
  const queued = new Set(jobs.map((j) => j.key));
  for (const gridId of await gridsWhoseDealChanged(store, runtime, now)) {
    const job = gridSyncJob(tenant, gridId, { maxAttempts });
    if (!queued.has(job.key)) jobs.push(job);
  }
  return jobs;
}
