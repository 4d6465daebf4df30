/**
 * Jobs: the unit of work the worker claims from the store. Kinds are typed by their payload.
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

/**
 * The lifecycle: pending → running (claim: due, or its lease ran out); running → succeeded (complete), pending
 * (retry, release) or dead (attempts used up, or a lease that ran out on the last attempt); dead → pending
 * (replay). Each move is one UPDATE in the adapters' *-jobs.ts; the store contract suite
 * (test/store/contract/jobs-contract.ts) checks every move, and every move refused, on both adapters.
 */
export type JobState = 'pending' | 'running' | 'succeeded' | 'dead';

/** A worker moves only a job it holds: one in this state, locked by it. */
export const HELD_STATE = 'running' satisfies JobState;

/**
 * What a handler reports for a job it ran. Here, below the worker and the sync, because the sync decides
 * "retry in waitMs" (a CRM rate limit, say) and the runner carries it out.
 */
export type JobOutcome =
  | { status: 'done' }
  /** Try again later (the runner schedules it with backoff, or dead-letters it when attempts are used up). */
  | { status: 'retry'; error: string; waitMs?: number }
  /**
   * The tenant's CRM is away (an outage, a rate or daily limit, refused credentials waiting for reconnection):
   * wait waitMs without counting an attempt, so no job becomes a dead letter only because the CRM was away.
   */
  | { status: 'paused'; error: string; waitMs: number }
  /**
   * Trying again cannot help (the CRM refused the record for good, e.g. a mapping names a property the portal
   * lacks): a dead letter at once, kept until someone fixes the cause and replays it.
   */
  | { status: 'dead'; error: string };

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
