/**
 * The handler contract: each kind's handler returns a JobOutcome (store/job.ts) for each job it was given.
 * Handlers receive jobs in batches (all claimed jobs of one kind and tenant) so that many pending grids
 * become one CRM batch call, not one call each.
 */
import type { Job, JobKind, JobOutcome } from '../store/job.ts';

export type BatchHandler<K extends JobKind> = (
  tenant: string,
  jobs: Job<K>[],
  signal: AbortSignal,
) => Promise<Map<string, JobOutcome>>;

export type JobHandlers = { [K in JobKind]: BatchHandler<K> };

/** Called when a job has used up its attempts, so its subject's status can show the dead letter. */
export type DeadLetterHook = (job: Job, error: string) => Promise<void>;
