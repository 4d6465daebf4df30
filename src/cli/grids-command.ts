/**
 * `gridsync grids show|list`: a grid's state as its status endpoint shows it (plus its jobs), and a tenant's
 * grids by state, read from the configured store.
 */
import { describeGridStatus, type GridStatusBody } from '../intake/grid-status.ts';
import { gridStatusUrl } from '../intake/intake-deps.ts';
import { gridSyncJob } from '../store/job-lifecycle.ts';
import type { GridSyncState } from '../domain/sync-state.ts';
import type { Job } from '../store/job.ts';
import type { GridListEntry, Store } from '../store/store.ts';
import {
  EXIT,
  LISTING_OPTIONS,
  openDeployment,
  optionalTime,
  parseActionCommand,
  positiveInteger,
  printJson,
  runCommand,
  UsageError,
} from './cli-support.ts';

const USAGE = `usage: gridsync grids show --tenant T GRID_ID [--json]
       gridsync grids list --tenant T [--state pending|failed|dead|synced] [--since TIME] [--limit N] [--json]

  show   the grid's status (completeness, qualification, sync per CRM target, AE task) and its sync jobs
  list   the tenant's grids, most recently changed first, each with its sync state:
           synced   every target written (or planned, for a dry-run tenant)
           pending  not synced in its current version yet
           failed   a try failed and will be retried
           dead     a dead letter: see gridsync deadletters list

  --tenant   tenant id
  --state    only grids in this state
  --since    changed at or after TIME: an ISO date or an age (30m, 2h, 7d)
  --limit    at most N grids (default 1000)
  --json     print JSON

exit codes: 0 ok; 1 the grid is unknown, or the store failed; 2 usage or configuration
`;

const STATES = ['pending', 'failed', 'dead', 'synced'] as const;
export type GridState = (typeof STATES)[number];

const OPTIONS = { ...LISTING_OPTIONS, state: { type: 'string' } } as const;

export function gridsCommand(args: string[]): Promise<number> {
  return runCommand('grids', USAGE, async () => {
    const parsed = parseActionCommand(args, ['show', 'list'] as const, OPTIONS, USAGE, (a) => a === 'show');
    if (!parsed) return EXIT.ok;
    const { action, values, positionals } = parsed;
    const tenant = values.tenant;
    if (tenant === undefined) throw new UsageError('--tenant is required');
    const state = values.state;
    if (state !== undefined && !(STATES as readonly string[]).includes(state)) {
      throw new UsageError(`--state must be one of ${STATES.join(', ')}, not "${state}"`);
    }
    if (action === 'show' && positionals.length !== 1) throw new UsageError('show takes one grid id');
    const since = optionalTime(values.since, '--since');
    const limit = positiveInteger(values.limit, '--limit') ?? 1000;

    const deployment = await openDeployment();
    try {
      const { store, config } = deployment;
      const publicUrl = config.GRIDSYNC_PUBLIC_URL ?? `http://localhost:${config.PORT}`;
      if (action === 'show') {
        const gridId = positionals[0] as string;
        const shown = await showGrid(store, tenant, gridId, publicUrl);
        if (!shown) {
          process.stderr.write(`gridsync grids: tenant "${tenant}" has no grid "${gridId}"\n`);
          return EXIT.failed;
        }
        if (values.json === true) printJson(shown);
        else printGrid(shown);
        return EXIT.ok;
      }
      const rows = [];
      for (const entry of await store.listGrids(tenant, { ...(since ? { since } : {}), limit })) {
        const shown = await showGrid(store, tenant, entry.gridId, publicUrl);
        if (!shown) continue;
        if (state === undefined || shown.state === state) rows.push(summary(entry, shown));
      }
      if (values.json === true) printJson(rows);
      else printList(rows);
      return EXIT.ok;
    } finally {
      await deployment.close();
    }
  });
}

interface ShownGrid {
  state: GridState;
  status: GridStatusBody;
  jobs: Job[];
}

async function showGrid(
  store: Store,
  tenant: string,
  gridId: string,
  publicUrl: string,
): Promise<ShownGrid | undefined> {
  const stored = await store.getGrid(tenant, gridId);
  if (!stored) return undefined;
  const domain = stored.grid.account.domain;
  const [syncState, accountState, taskEntry, jobs] = await Promise.all([
    store.getGridSyncState(tenant, gridId),
    domain === undefined ? Promise.resolve(undefined) : store.getAccountState(tenant, domain),
    store.getTaskEntry(tenant, gridId),
    store.getJobs(tenant, gridSyncJob(tenant, gridId).key),
  ]);
  const status = describeGridStatus({
    stored,
    statusUrl: gridStatusUrl(publicUrl, tenant, gridId),
    syncState,
    accountState,
    taskEntry,
  });
  return { state: gridState(status, jobs), status, jobs };
}

/** The grid's sync document, when the worker has written one. */
function syncDoc(status: GridStatusBody): GridSyncState | undefined {
  return 'targets' in status.sync ? status.sync : undefined;
}

/** The one word `grids list` filters on, from the status and the grid's sync jobs (latest last). */
export function gridState(status: GridStatusBody, jobs: Job[]): GridState {
  const latest = jobs.at(-1);
  const doc = syncDoc(status);
  if (latest?.state === 'dead' || doc?.deadLetter !== undefined) return 'dead';
  if (status.sync.state === 'failed' || doc?.retrying !== undefined) return 'failed';
  if (status.sync.state === 'pending' || latest?.state === 'pending' || latest?.state === 'running') {
    return 'pending';
  }
  return 'synced';
}

function summary(entry: GridListEntry, shown: ShownGrid) {
  const sync = shown.status.sync;
  const doc = syncDoc(shown.status);
  const reason =
    doc?.deadLetter?.lastError ?? doc?.retrying?.error ?? shown.jobs.at(-1)?.lastError ?? undefined;
  return {
    gridId: entry.gridId,
    version: entry.version,
    state: shown.state,
    dryRun: sync.state === 'dry_run',
    account: entry.accountDomain,
    complete: entry.complete,
    task: shown.status.task.state,
    updatedAt: entry.updatedAt.toISOString(),
    ...(shown.state === 'failed' || shown.state === 'dead' ? { reason } : {}),
  };
}

function printList(rows: ReturnType<typeof summary>[]): void {
  if (rows.length === 0) {
    process.stdout.write('no grids\n');
    return;
  }
  for (const row of rows) {
    const extra = row.reason === undefined ? '' : `  ${row.reason}`;
    process.stdout.write(
      `${row.state.padEnd(8)} ${row.gridId}  v${row.version}  ${row.account ?? '-'}  task ${row.task}${row.dryRun ? '  (dry-run)' : ''}  ${row.updatedAt}${extra}\n`,
    );
  }
  process.stdout.write(`${rows.length} grid(s)\n`);
}

function printGrid({ state, status, jobs }: ShownGrid): void {
  const out = process.stdout;
  out.write(`${status.gridId} v${status.version}: ${state}\n`);
  out.write(`  account     ${status.account.domain ?? '-'} (${status.account.name ?? 'no name'})\n`);
  out.write(
    `  complete    ${status.completeness.complete ? 'yes' : `no: ${status.completeness.gaps.map((g) => g.title).join(', ')}`}\n`,
  );
  out.write(`  qualified   ${status.qualification.state}\n`);
  out.write(`  sync        ${status.sync.state}\n`);
  const doc = syncDoc(status);
  for (const [name, target] of Object.entries(doc?.targets ?? {})) {
    out.write(
      `    ${name.padEnd(13)} ${target.state}${target.crmId ? ` ${target.crmId}` : ''}${target.error ? `: ${target.error}` : ''}\n`,
    );
  }
  const dead = doc?.deadLetter;
  if (dead) out.write(`  dead letter ${dead.at} after ${dead.attempts} attempt(s): ${dead.lastError}\n`);
  const retrying = doc?.retrying;
  if (retrying) out.write(`  retrying    ${retrying.error}\n`);
  out.write(
    `  task        ${status.task.state}${typeof status.task['reason'] === 'string' ? `: ${status.task['reason']}` : ''}\n`,
  );
  // The latest few: every new version of a grid adds one.
  for (const job of jobs.slice(-5)) {
    out.write(
      `  job ${job.id}     ${job.state}, ${job.attempts}/${job.maxAttempts} attempts, run at ${job.runAt.toISOString()}${lastErrorOf(job)}\n`,
    );
  }
}

/** A job keeps its last error after it succeeds (a replay, a retry): shown as history, not as the job's state. */
function lastErrorOf(job: { state: string; lastError?: string | null }): string {
  if (!job.lastError) return '';
  return job.state === 'succeeded' ? ` (an earlier attempt failed: ${job.lastError})` : `: ${job.lastError}`;
}
