/**
 * Every job kind's batch handler, as an exhaustive record: a new kind without a handler fails the typecheck.
 * Handlers translate between jobs and the subjects they concern (grid ids, account domains).
 */
import type { Logger } from '../lib/logger.ts';
import type { Job, JobOutcome } from '../store/job.ts';
import { gridSyncJob } from '../store/job-lifecycle.ts';
import type { WorkerStore } from '../store/store.ts';
import type { DeadLetterHook, JobHandlers } from './job-handler.ts';
import { refreshAccounts } from '../sync/refresh-accounts.ts';
import { syncGrids } from '../sync/sync-grids.ts';
import { planTenantSync } from '../sync/tenant-sync.ts';
import type { TenantRuntime } from './tenant-runtime.ts';

export interface HandlerDeps {
  store: WorkerStore;
  runtimes: { get(tenant: string): TenantRuntime | undefined };
  logger: Logger;
  now: () => Date;
  /** Called after a handler enqueued follow-up jobs, so the runner picks them up at once. */
  wake: () => void;
}

function byJob<S>(
  jobs: Job[],
  subjectOf: (job: Job) => S,
  outcomes: Map<S, JobOutcome>,
): Map<string, JobOutcome> {
  return new Map(jobs.map((job) => [job.id, outcomes.get(subjectOf(job)) ?? { status: 'done' }]));
}

function noMapping(jobs: Job[], tenant: string): Map<string, JobOutcome> {
  // The tenant's mapping is missing or has never loaded cleanly: keep the work until RevOps fixes the file.
  const error = `no valid mapping for tenant "${tenant}": fix mappings/${tenant}.yaml (gridsync mapping validate)`;
  return new Map(jobs.map((job) => [job.id, { status: 'retry', error, waitMs: 60_000 }]));
}

/**
 * Jobs put back untouched, without counting an attempt, while the tenant's CRM is being left alone after
 * failures (see crm-breaker.ts).
 */
function whileCrmPaused(runtime: TenantRuntime, jobs: Job[], now: Date): Map<string, JobOutcome> | undefined {
  if (runtime.crm.mode !== 'live') return undefined;
  const waitMs = runtime.breaker.waitMs(now.getTime());
  if (waitMs === 0) return undefined;
  const error = runtime.breaker.describe(now.getTime());
  return new Map(jobs.map((job) => [job.id, { status: 'paused', error, waitMs }]));
}

export function createHandlers(deps: HandlerDeps): JobHandlers {
  const { store } = deps;
  return {
    'grid.sync': async (tenant, jobs) => {
      const runtime = deps.runtimes.get(tenant);
      if (!runtime) return noMapping(jobs, tenant);
      const paused = whileCrmPaused(runtime, jobs, deps.now());
      if (paused) return paused;
      const gridIds = [...new Set(jobs.map((j) => j.payload.gridId))];
      const maxAttempts = runtime.loaded.mapping.sync.maxAttempts;
      const resync = async (ids: string[]): Promise<void> => {
        await store.enqueue(ids.map((id) => gridSyncJob(tenant, id, { maxAttempts })));
        deps.wake();
      };
      const outcomes = await syncGrids(
        { store, logger: deps.logger.child({ tenant }), now: deps.now, resync },
        runtime,
        gridIds,
      );
      return byJob(jobs, (j) => (j as Job<'grid.sync'>).payload.gridId, outcomes);
    },
    'account.refresh': async (tenant, jobs) => {
      const runtime = deps.runtimes.get(tenant);
      if (!runtime) return noMapping(jobs, tenant);
      const paused = whileCrmPaused(runtime, jobs, deps.now());
      if (paused) return paused;
      const domains = [...new Set(jobs.map((j) => j.payload.accountDomain))];
      const { outcomes, gridJobs } = await refreshAccounts(store, runtime, domains, deps.now());
      if (gridJobs.length > 0) {
        await store.enqueue(gridJobs);
        deps.wake();
      }
      return byJob(jobs, (j) => (j as Job<'account.refresh'>).payload.accountDomain, outcomes);
    },
    'tenant.sync': async (tenant, jobs) => {
      const runtime = deps.runtimes.get(tenant);
      if (!runtime) return noMapping(jobs, tenant);
      const followUps = await planTenantSync(store, runtime, deps.now());
      if (followUps.length > 0) {
        await store.enqueue(followUps);
        deps.wake();
      }
      return new Map(jobs.map((job) => [job.id, { status: 'done' }]));
    },
  };
}

/** A grid whose sync gave up shows it on its status, with the last error. */
export function recordDeadLetter(store: WorkerStore, now: () => Date): DeadLetterHook {
  return async (job, error) => {
    if (job.kind !== 'grid.sync') return;
    const { gridId } = (job as Job<'grid.sync'>).payload;
    const state = await store.getGridSyncState(job.tenant, gridId);
    if (!state) return;
    await store.putGridSyncState(job.tenant, gridId, {
      ...state,
      deadLetter: { attempts: job.attempts, lastError: error, at: now().toISOString() },
    });
  };
}
