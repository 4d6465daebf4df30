/**
 * One tenant sync, run to its end in the calling process (`gridsync sync --once`): what the scheduled pass
 * would enqueue (accounts active in the signal window, complete grids still waiting for their AE task), plus
 * every grid not yet synced in its current version, is refreshed and synced now, and each outcome reported.
 * Grids that are dead letters are left to `gridsync deadletters replay`, which is how an operator says the
 * cause was fixed.
 *
 * A worker of `gridsync serve` may hold some of the same grids meanwhile; that is safe, as every CRM write is
 * an upsert by external id or a ledgered task, only wasteful.
 */
import type { Logger } from '../lib/logger.ts';
import { gridSyncJob } from '../store/job-lifecycle.ts';
import type { OperatorStore } from '../store/store.ts';
import type { JobOutcome } from '../store/job.ts';
import { refreshAccounts } from './refresh-accounts.ts';
import { syncGrids } from './sync-grids.ts';
import type { GridSyncState } from '../domain/sync-state.ts';
import { planTenantSync } from './tenant-sync.ts';
import type { TenantContext } from './tenant-context.ts';

export interface TenantSyncFailure {
  subject: { kind: 'account' | 'grid'; id: string };
  /** Would a later try help (retry), or must someone act (dead)? */
  outcome: 'retry' | 'dead';
  error: string;
}

export interface TenantSyncReport {
  tenant: string;
  mode: 'live' | 'dry_run';
  accounts: number;
  grids: number;
  failures: TenantSyncFailure[];
  /** Grids left alone because they are dead letters. */
  deadLetters: string[];
}

/** Grids handed to one syncGrids call: a few CRM batches each, and bounded memory however many are due. */
const GRIDS_PER_ROUND = 500;

export async function syncTenantNow(
  deps: { store: OperatorStore; logger: Logger; now: () => Date },
  runtime: TenantContext,
): Promise<TenantSyncReport> {
  const { store } = deps;
  const { tenant } = runtime;
  const failures: TenantSyncFailure[] = [];
  const note = (kind: 'account' | 'grid', outcomes: Map<string, JobOutcome>): void => {
    for (const [id, outcome] of outcomes) {
      if (outcome.status !== 'done') {
        // A paused CRM (away, limited, credentials refused) is a temporary failure here: nothing went through.
        const temporary = outcome.status === 'retry' || outcome.status === 'paused';
        failures.push({ subject: { kind, id }, outcome: temporary ? 'retry' : 'dead', error: outcome.error });
      }
    }
  };

  const planned = await planTenantSync(store, runtime, deps.now());
  const domains = new Set<string>();
  const gridIds = new Set<string>();
  for (const job of planned) {
    if (job.kind === 'account.refresh') domains.add((job.payload as { accountDomain: string }).accountDomain);
    if (job.kind === 'grid.sync') gridIds.add((job.payload as { gridId: string }).gridId);
  }
  const deadLetters: string[] = [];
  for (const grid of await store.listGrids(tenant)) {
    const state = await store.getGridSyncState(tenant, grid.gridId);
    if (state?.deadLetter) deadLetters.push(grid.gridId);
    else if (!isSynced(state, grid.version)) gridIds.add(grid.gridId);
  }
  for (const id of deadLetters) gridIds.delete(id);

  if (domains.size > 0) {
    const { outcomes, gridJobs } = await refreshAccounts(store, runtime, [...domains], deps.now());
    note('account', outcomes);
    for (const job of gridJobs) {
      const { gridId } = job.payload as { gridId: string };
      if (!deadLetters.includes(gridId)) gridIds.add(gridId);
    }
  }
  const ids = [...gridIds];
  const maxAttempts = runtime.loaded.mapping.sync.maxAttempts;
  // Grids the sync asks to sync again (an account's qualification changed) go to the queue, for the worker.
  const resync = async (more: string[]): Promise<void> =>
    store.enqueue(more.map((id) => gridSyncJob(tenant, id, { maxAttempts })));
  for (let i = 0; i < ids.length; i += GRIDS_PER_ROUND) {
    note('grid', await syncGrids({ ...deps, resync }, runtime, ids.slice(i, i + GRIDS_PER_ROUND)));
  }
  return { tenant, mode: runtime.crm.mode, accounts: domains.size, grids: ids.length, failures, deadLetters };
}

/** Synced (or planned, for a dry-run tenant) in its current version, with nothing left to retry. */
function isSynced(state: GridSyncState | undefined, version: number): boolean {
  if (!state || state.version < version || state.retrying) return false;
  const targets = Object.values(state.targets ?? {});
  return (
    targets.length > 0 &&
    targets.every((t) => t.state === 'synced' || t.state === 'dry_run' || t.state === 'skipped')
  );
}
