/**
 * The queue part of a tenant's status (GET /v1/tenants/{tenant}/status): how many jobs wait, wait after a
 * failed try, run, or gave up (dead letters), and when a grid last synced. Read through the store's queue
 * inspection (the same counts as /metrics and `gridsync deadletters`): partial indexes over unfinished and
 * dead jobs and one index seek for the last success, never a scan of the tenant's grids or job history.
 */
import type { TenantQueueView } from '../store/store.ts';

export interface TenantQueueStatus {
  queue: {
    /** Jobs waiting to run (grid syncs, account refreshes, scheduled passes), retries included. */
    pending: number;
    /** Of the pending, those whose last try failed (or that wait for their CRM to be back): tried again later. */
    failed: number;
    running: number;
    /** Jobs that gave up: nothing more happens until `gridsync deadletters replay`. */
    deadLetters: number;
  };
  /** When a grid sync of the tenant last succeeded (dry-run: last planned), null before the first. */
  lastSuccessfulSyncAt: string | null;
}

export async function tenantQueueStatus(
  view: TenantQueueView,
  tenant: string,
  now: Date,
): Promise<TenantQueueStatus> {
  const [stats, last] = await Promise.all([view.jobStats(now), view.lastSucceededAt(tenant, 'grid.sync')]);
  const queue = { pending: 0, failed: 0, running: 0, deadLetters: 0 };
  for (const stat of stats) {
    if (stat.tenant !== tenant) continue;
    if (stat.state === 'pending') {
      queue.pending += stat.count;
      queue.failed += stat.withError;
    } else if (stat.state === 'running') queue.running += stat.count;
    else queue.deadLetters += stat.count;
  }
  return { queue, lastSuccessfulSyncAt: last?.toISOString() ?? null };
}
