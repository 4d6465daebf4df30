/**
 * The scheduled safety net for one tenant, touching only what is due: accounts whose evaluation changes by time
 * alone (decay past a level threshold, a signal leaving a window: AccountState.nextChangeAt) or was made under
 * another mapping, and complete grids of qualifying accounts still without their AE task (an owner may have
 * been re-activated, a CRM outage may have ended). New signals do not wait for it: intake enqueues their
 * account's refresh in the same transaction. Both lists come from indexes, so the pass costs what is due, not
 * what is stored. Grids whose deal the mapping's rule finds are synced again when the rule now picks another
 * deal (deal-watch.ts).
 */
import { accountRefreshJob, gridSyncJob } from '../store/job-lifecycle.ts';
import type { NewJob, SyncStore } from '../store/store.ts';
import { gridsWhoseDealChanged } from './deal-watch.ts';
import type { TenantContext } from './tenant-context.ts';

export async function planTenantSync(store: SyncStore, runtime: TenantContext, now: Date): Promise<NewJob[]> {
  const { tenant, loaded } = runtime;
  const maxAttempts = loaded.mapping.sync.maxAttempts;
  const jobs: NewJob[] = [];
  for (const accountDomain of await store.listAccountsDue(tenant, now, loaded.contentHash)) {
    jobs.push(accountRefreshJob(tenant, accountDomain, { maxAttempts }));
  }
  for (const gridId of await store.listGridIdsAwaitingTask(tenant)) {
    jobs.push(gridSyncJob(tenant, gridId, { maxAttempts }));
  }
  const queued = new Set(jobs.map((j) => j.key));
  for (const gridId of await gridsWhoseDealChanged(store, runtime, now)) {
    const job = gridSyncJob(tenant, gridId, { maxAttempts });
    if (!queued.has(job.key)) jobs.push(job);
  }
  return jobs;
}
