/**
 * Job rules both adapters share: the keys intake uses and how a batch of new jobs collapses.
 */
import type { NewJob } from './job.ts';

/** Attempts a job gets when its NewJob does not say. */
export const DEFAULT_MAX_ATTEMPTS = 10;

/** When and how often: optional settings a job builder passes through (undefined means the default). */
export interface JobTiming {
  runAt?: Date | undefined;
  maxAttempts?: number | undefined;
}

function timing({ runAt, maxAttempts }: JobTiming): Pick<NewJob, 'runAt' | 'maxAttempts'> {
  return { ...(runAt && { runAt }), ...(maxAttempts !== undefined && { maxAttempts }) };
}

export function gridSyncJob(tenant: string, gridId: string, when: JobTiming = {}): NewJob<'grid.sync'> {
  return {
    kind: 'grid.sync',
    tenant,
    payload: { gridId },
    key: `grid.sync:${tenant}:${gridId}`,
    ...timing(when),
  };
}

export function accountRefreshJob(
  tenant: string,
  accountDomain: string,
  when: JobTiming = {},
): NewJob<'account.refresh'> {
  return {
    kind: 'account.refresh',
    tenant,
    payload: { accountDomain },
    key: `account.refresh:${tenant}:${accountDomain}`,
    ...timing(when),
  };
}

/** A NewJob with its defaults filled in, as the adapters store it. */
export interface JobToStore {
  job: NewJob;
  once: boolean;
  runAt: Date;
  maxAttempts: number;
}

/**
 * One entry per (tenant, key): the same key twice in one call is one job, with the earlier run time
 * (the rule enqueue applies against stored pending jobs, applied within the batch too).
 */
export function jobsToStore(jobs: readonly NewJob[], now: Date): JobToStore[] {
  const byKey = new Map<string, JobToStore>();
  for (const job of jobs) {
    const runAt = job.runAt ?? now;
    const id = `${job.tenant}\u0000${job.key}`;
    const earlier = byKey.get(id);
    if (earlier && earlier.runAt <= runAt) continue;
    byKey.set(id, {
      job,
      once: job.once ?? false,
      runAt,
      maxAttempts: job.maxAttempts ?? DEFAULT_MAX_ATTEMPTS,
    });
  }
  return [...byKey.values()];
}
