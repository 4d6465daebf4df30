/**
 * Jobs: the unit of work the worker claims from the store. Kinds are typed by their payload, and the
 * lifecycle is data so every adapter refuses the same transitions.
 */
export interface JobPayloads {
  /** A grid version was accepted: sync it (custom object, deal/company fields) and consider its AE task. */
  'grid.sync': { gridId: string };
  /** Signals arrived for an account: re-score, re-qualify, write company fields, wake its grids' tasks. */
  'account.refresh': { accountDomain: string };
  /** The cron safety net: re-score decaying accounts, retry what is pending, re-check tasks. */
  'tenant.sync': { tick: string };
}
export type JobKind = keyof JobPayloads;
export const JOB_KINDS = [
  'grid.sync',
  'account.refresh',
  'tenant.sync',
] as const satisfies readonly JobKind[];

export type JobState = 'pending' | 'running' | 'succeeded' | 'dead';

/** pending → running (claim); running → succeeded | pending (retry or release) | dead (attempts used up). */
export const JOB_TRANSITIONS = {
  pending: ['running'],
  running: ['succeeded', 'pending', 'dead'],
  succeeded: [],
  dead: ['pending'],
} as const satisfies Record<JobState, readonly JobState[]>;

/**
 * What a handler reports for a job it ran. Here, below the worker and the sync, because the sync decides
 * "retry in waitMs" (a CRM rate limit, say) and the runner carries it out.
 */
export type JobOutcome =
  | { status: 'done' }
  /** Try again later (the runner schedules it with backoff, or dead-letters it when attempts are used up). */
  | { status: 'retry'; error: string; waitMs?: number };

export interface NewJob<K extends JobKind = JobKind> {
  kind: K;
  tenant: string;
  payload: JobPayloads[K];
  /**
   * De-duplication key. While a pending job has this key, enqueueing the same key again adds nothing
   * (the earlier run_at wins): fifty signal batches for one account become one refresh.
   */
  key: string;
  /**
   * When true the key is unique for ever, not only among pending jobs: N replicas enqueueing the same
   * cron tick `tenant.sync:<tenant>:<tick>` produce one job in total.
   */
  once?: boolean;
  runAt?: Date;
  maxAttempts?: number;
}

export interface Job<K extends JobKind = JobKind> {
  id: string;
  kind: K;
  tenant: string;
  payload: JobPayloads[K];
  key: string;
  state: JobState;
  /** Attempts started so far, this one included once claimed. */
  attempts: number;
  maxAttempts: number;
  runAt: Date;
  lastError: string | null;
  createdAt: Date;
  updatedAt: Date;
}
