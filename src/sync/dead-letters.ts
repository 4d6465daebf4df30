/**
 * Dead letters: every piece of work that will not reach the CRM until someone acts. They are dead jobs in
 * the store, whichever way they died: attempts used up on retryable failures, a record the CRM refused for
 * good (a mapping naming a property the portal lacks: dead at once, see sync-grids.ts), a grid its own
 * mapping refused (onTooLong: fail, refused-fields.ts: dead at once too), or a worker that
 * stopped on the job's last attempt before any sync state was written. For a grid, the errors recorded on
 * its sync state say which target failed and which mapping line produced the field the CRM refused.
 *
 * Replay puts the jobs back with fresh attempts. The worker then syncs with the mapping in force at that
 * moment, and the CRM writes are upserts by external id and a ledgered task, so a grid partly written before
 * its failure ends up written once.
 */
import type { Job } from '../store/job.ts';
import type { DeadJobFilter, OperatorStore } from '../store/store.ts';
import type { GridSyncState } from '../domain/sync-state.ts';
import { CRM_ERROR_MAPPING_LINE } from './describe-crm-error.ts';
import { REFUSAL_MAPPING_LINE } from './refused-fields.ts';

export interface MappingLine {
  /** The CRM field the error is about. */
  field: string;
  /** `mappings/acme.yaml:41:7` when the line is known, else the file. */
  location: string;
  /** The mapping path, e.g. `fields.gridRecord.gridsync_region`. */
  path: string;
}

export interface DeadLetter {
  jobId: string;
  tenant: string;
  kind: Job['kind'];
  /** The grid id, account domain or tick the job is about. */
  subject: string;
  attempts: number;
  maxAttempts: number;
  diedAt: Date;
  /** The job's last error. */
  error: string;
  /** Grid jobs: each failed target with its error, from the grid's sync state. */
  targets: { target: string; error: string }[];
  /** Mapping lines the errors name, so RevOps knows what to fix. */
  mappingLines: MappingLine[];
}

export function subjectOf(job: Job): string {
  const payload = job.payload as Partial<Record<'gridId' | 'accountDomain' | 'tick', string>>;
  return payload.gridId ?? payload.accountDomain ?? payload.tick ?? job.key;
}

export async function listDeadLetters(
  store: OperatorStore,
  filter: DeadJobFilter = {},
): Promise<DeadLetter[]> {
  const jobs = await store.listDeadJobs(filter);
  return Promise.all(jobs.map((job) => describeDeadJob(store, job)));
}

async function describeDeadJob(store: OperatorStore, job: Job): Promise<DeadLetter> {
  const targets: DeadLetter['targets'] = [];
  if (job.kind === 'grid.sync') {
    const state = await store.getGridSyncState(job.tenant, subjectOf(job));
    for (const [target, sync] of Object.entries(state?.targets ?? {})) {
      if (sync?.state === 'failed' && sync.error !== undefined) targets.push({ target, error: sync.error });
    }
  }
  const error = job.lastError ?? 'no error was recorded';
  return {
    jobId: job.id,
    tenant: job.tenant,
    kind: job.kind,
    subject: subjectOf(job),
    attempts: job.attempts,
    maxAttempts: job.maxAttempts,
    diedAt: job.updatedAt,
    error,
    targets,
    mappingLines: mappingLinesIn([error, ...targets.map((t) => t.error)]),
  };
}

/** The mapping lines named by the CRM's refusals (describe-crm-error.ts) and by onTooLong: fail (refused-fields.ts). */
export function mappingLinesIn(errors: string[]): MappingLine[] {
  const seen = new Map<string, MappingLine>();
  for (const error of errors) {
    for (const pattern of [CRM_ERROR_MAPPING_LINE, REFUSAL_MAPPING_LINE]) {
      for (const match of error.matchAll(pattern)) {
        const line = { field: match[1] ?? '', location: match[2] ?? '', path: match[3] ?? '' };
        seen.set(`${line.field}\u0000${line.location}`, line);
      }
    }
  }
  return [...seen.values()];
}

/**
 * Re-queues the dead letters' jobs (fresh attempts, due now) and marks each grid's status as replayed, so it
 * reads "pending" until the worker has synced it. Returns the jobs that moved (a letter replayed meanwhile by
 * someone else is not moved twice).
 */
export async function replayDeadLetters(
  store: OperatorStore,
  letters: DeadLetter[],
  now: Date,
): Promise<Job[]> {
  const moved = await store.requeueDeadJobs(
    letters.map((l) => l.jobId),
    now,
  );
  for (const job of moved) {
    if (job.kind !== 'grid.sync') continue;
    const gridId = subjectOf(job);
    const state = await store.getGridSyncState(job.tenant, gridId);
    if (!state?.deadLetter) continue;
    const { deadLetter, ...rest } = state;
    await store.putGridSyncState(job.tenant, gridId, {
      ...rest,
      replayed: { at: now.toISOString(), previousError: deadLetter.lastError },
    } satisfies GridSyncState);
  }
  return moved;
}
