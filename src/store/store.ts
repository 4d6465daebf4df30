/**
 * The storage port. Two adapters implement it (sqlite/ the embedded default, postgres/ for several replicas);
 * nothing upstream knows which one it talks to. The same contract suite (test/contract) runs on both.
 *
 * Every method is one transaction: either all of it is committed or none of it.
 */
import type { GridCompleteness } from '../domain/grid-completeness.ts';
import type { AccountState } from '../domain/account-state.ts';
import type { SalesGrid } from '../domain/sales-grid.ts';
import type { Signal } from '../domain/signal.ts';
import type { GridSyncState } from '../domain/sync-state.ts';
import type { SharedWindows } from '../lib/shared-window.ts';
import type { Job, JobKind, NewJob } from './job.ts';

/** The HTTP answer a delivery got, kept so a repeated webhook-id gets the very same answer. */
export interface DeliveryAnswer {
  status: number;
  body: unknown;
}

export type Accepted<T> =
  { replay: false; result: T; answer: DeliveryAnswer } | { replay: true; answer: DeliveryAnswer };

export interface GridAcceptance {
  gridId: string;
  /** The version number this delivery got (1, 2, …). */
  version: number;
  /**
   * new_version: stored and now current. unchanged: same content as the current version, nothing stored.
   * superseded: kept in history, but a version captured later is already current, so it stays current.
   */
  outcome: 'new_version' | 'unchanged' | 'superseded';
}

export interface AcceptGrid {
  tenant: string;
  webhookId: string;
  grid: SalesGrid;
  completeness: GridCompleteness;
  receivedAt: Date;
  /** Builds the answer inside the transaction, once the outcome is known; it is stored with the delivery. */
  answer: (result: GridAcceptance) => DeliveryAnswer;
  /** Attempts the `grid.sync` job gets if this delivery creates it (the tenant's sync.maxAttempts); store default otherwise. */
  maxAttempts?: number;
}

export interface SignalsAcceptance {
  /** Signals stored by this delivery; signals whose id was already stored are counted in `duplicates`. */
  accepted: number;
  duplicates: number;
  accounts: string[];
}

export interface AcceptSignals {
  tenant: string;
  webhookId: string;
  signals: Signal[];
  receivedAt: Date;
  answer: (result: SignalsAcceptance) => DeliveryAnswer;
  /** Attempts the `account.refresh` jobs get if this delivery creates them; store default otherwise. */
  maxAttempts?: number;
}

export interface StoredGrid {
  tenant: string;
  gridId: string;
  version: number;
  grid: SalesGrid;
  completeness: GridCompleteness;
  receivedAt: Date;
}

/** Where the intake stops: a delivery is acknowledged only after this commits. */
export interface IntakeStore {
  /** Stores the version (unless unchanged), enqueues `grid.sync`, logs the delivery: or replays a known webhook-id. */
  acceptGrid(cmd: AcceptGrid): Promise<Accepted<GridAcceptance>>;
  /** Stores new signals (by id), enqueues one `account.refresh` per account, logs the delivery: or replays. */
  acceptSignals(cmd: AcceptSignals): Promise<Accepted<SignalsAcceptance>>;
}

export interface ClaimOptions {
  workerId: string;
  limit: number;
  leaseMs: number;
  /**
   * Tenants not to take jobs of this time: those the worker is already running, and those waiting for their CRM
   * budget, so their jobs stay pending for whoever can run them.
   */
  skipTenants?: readonly string[];
  now?: Date;
}

/**
 * Claims, retries and de-duplication belong to the store. A pending job whose run_at has come, or a running
 * job whose lease ran out (its worker died), can be claimed; claiming counts an attempt. A claim is fair
 * across tenants: its limit is shared among the tenants with due jobs (src/store/fair-shares.ts), each
 * tenant's oldest first. A job is never claimed while another job with the same key is running under a live
 * lease, so one grid is never synced by two workers at once.
 */
export interface ReleaseUntil {
  runAt: Date;
  reason: string;
}

export interface JobQueue {
  enqueue(jobs: NewJob[]): Promise<void>;
  claim(options: ClaimOptions): Promise<Job[]>;
  /** Extends the lease of a job this worker holds; false when the lease was lost (another worker has it). */
  renewLease(jobId: string, workerId: string, leaseMs: number): Promise<boolean>;
  complete(jobId: string, workerId: string): Promise<void>;
  /** Records the error; back to pending at retryAt, or dead when attempts are used up (retryAt null). */
  fail(jobId: string, workerId: string, error: string, retryAt: Date | null): Promise<void>;
  /**
   * Back to pending, the attempt not counted against the job: at once on shutdown, or at `until.runAt` while
   * the tenant's CRM is away (the job waits for it, keeping `until.reason` as its last error).
   */
  release(jobId: string, workerId: string, until?: ReleaseUntil): Promise<void>;
  /** When the earliest pending job is due, to sleep exactly that long; undefined when none is pending. */
  nextRunAt(): Promise<Date | undefined>;
  getJobs(tenant: string, key: string): Promise<Job[]>;
}

/** Counts of one tenant's jobs of one kind in one unfinished state (metrics, `gridsync grids`). */
export interface JobStat {
  tenant: string;
  kind: JobKind;
  state: 'pending' | 'running' | 'dead';
  count: number;
  /**
   * Pending only: jobs carrying the error of an earlier try (it failed, or the job was held back while its
   * CRM was away), waiting to be tried again; else 0.
   */
  withError: number;
  /** Pending only: the earliest run_at that has come (how long the queue has kept work waiting); else null. */
  oldestDueAt: Date | null;
}

/** Which dead jobs: all the conditions given hold. since/until bound the time the job died (its updatedAt). */
export interface DeadJobFilter {
  tenant?: string;
  kind?: JobKind;
  /** Job ids. */
  ids?: string[];
  /** Payload grid ids (grid.sync jobs). */
  gridIds?: string[];
  since?: Date;
  until?: Date;
  limit?: number;
}

/**
 * What operators ask of the queue (metrics, `gridsync deadletters`), from any process, while workers run
 * elsewhere. A dead job is work that will not be tried again until someone replays it.
 */
export interface QueueInspection {
  /** Pending, running and dead jobs counted by tenant, kind and state (succeeded jobs are not counted). */
  jobStats(now?: Date): Promise<JobStat[]>;
  /**
   * Dead letters: dead jobs that are the latest job of their key (a newer job for the same grid or account
   * supersedes them), the most recently dead first. jobStats counts dead jobs the same way.
   */
  listDeadJobs(filter?: DeadJobFilter): Promise<Job[]>;
  /**
   * Replay: each named job that is still dead becomes pending again, due now, with its attempts reset to 0
   * (a fresh set of tries, under its own maxAttempts). Returns the jobs as they are after the move; ids
   * that are not dead (replayed already, or never dead) are left alone and not returned.
   */
  requeueDeadJobs(jobIds: string[], now?: Date): Promise<Job[]>;
  /** When the tenant's newest succeeded job of `kind` finished (null: none yet), by an index seek. */
  lastSucceededAt(tenant: string, kind: JobKind): Promise<Date | null>;
}

/** A grid as listed (current version), for `gridsync grids list`. */
export interface GridListEntry {
  gridId: string;
  version: number;
  accountDomain: string | null;
  complete: boolean;
  capturedAt: Date;
  /** When its current version was stored. */
  updatedAt: Date;
}

export interface GridRepository {
  /** A tenant's grids changed at or after `since` (all without it), the most recently changed first. */
  listGrids(tenant: string, options?: { since?: Date; limit?: number }): Promise<GridListEntry[]>;
  getGrid(tenant: string, gridId: string): Promise<StoredGrid | undefined>;
  listGridIdsForAccount(tenant: string, accountDomain: string): Promise<string[]>;
  /**
   * Grid ids whose latest version is complete, whose AE task is not recorded as created and whose account's
   * stored state qualifies (grids of other accounts wait for their account to qualify). Through an index of the
   * grids awaiting a task: its cost follows them, not the grids stored.
   */
  listGridIdsAwaitingTask(tenant: string): Promise<string[]>;
  /**
   * Grids the deal watch looks at: the current version names no deal.crmId (the mapping's rule finds the deal)
   * and a live sync found the company; those due at `now`, least recently checked first, at most `limit`.
   * Through an index of the watched grids: the cost follows `limit`, not the grids stored.
   */
  listGridIdsFindingDeal(tenant: string, now: Date, limit: number): Promise<string[]>;
  /** The deal watch looked at these grids: each is due again at `until` (a sync of the grid makes it due at once). */
  deferDealWatch(tenant: string, gridIds: string[], until: Date): Promise<void>;
}

/** Where a page of an account's signals ended; `at` is the store's own rendering of the time (opaque). */
export interface SignalCursor {
  at: string;
  signalId: string;
}

export interface SignalPage {
  signals: Signal[];
  /** Pass it back for the next page; null when this page is the last. */
  next: SignalCursor | null;
}

export interface SignalRepository {
  /** The account's signals with occurredAt >= since, oldest first: all at once, for inspection and tests. */
  listAccountSignals(tenant: string, accountDomain: string, since: Date): Promise<Signal[]>;
  /**
   * The same signals a page at a time (at most `limit`), in the store's time order then signal id, after
   * `after`: what the sync reads, so an account's signals are never all in memory (signal-pages.ts).
   */
  listAccountSignalsPage(
    tenant: string,
    accountDomain: string,
    since: Date,
    after: SignalCursor | null,
    limit: number,
  ): Promise<SignalPage>;
  /** Distinct contact emails on product signals (source product or a product.* type) with occurredAt >= since. */
  countActiveUsers(tenant: string, accountDomain: string, since: Date): Promise<number>;
  /** Accounts with at least one signal with occurredAt >= since. */
  listActiveAccounts(tenant: string, since: Date): Promise<string[]>;
}

/**
 * The JSON documents the sync keeps: the sync state of a grid (per CRM target, record ids, errors, dry-run
 * plans) and the state of an account (score, qualification verdict). Stored whole, read whole.
 */
export interface StateRepository {
  putGridSyncState(tenant: string, gridId: string, state: GridSyncState): Promise<void>;
  getGridSyncState(tenant: string, gridId: string): Promise<GridSyncState | undefined>;
  putAccountState(tenant: string, accountDomain: string, state: AccountState): Promise<void>;
  getAccountState(tenant: string, accountDomain: string): Promise<AccountState | undefined>;
  /**
   * Accounts whose stored state is due at `now`: its nextChangeAt has come (a state without one is due at once),
   * or it was evaluated under another basis than `basis` (a mapping edit). Through indexes, so the cost follows
   * the accounts due, not the accounts stored.
   */
  listAccountsDue(tenant: string, now: Date, basis: string): Promise<string[]>;
}

/** What StateRepository keeps, by kind: each adapter reads a document back as the type it was written as. */
export interface StateDocuments {
  gridSync: GridSyncState;
  account: AccountState;
}

/**
 * Change detection: a fingerprint of each value gridsync last wrote, per CRM object, record and field. A value
 * whose fingerprint matches is not written again.
 */
export interface WrittenFieldsLedger {
  getWrittenFields(
    tenant: string,
    objectType: string,
    recordKeys: string[],
  ): Promise<Map<string, Record<string, string>>>;
  /** Merges: fields not named keep their fingerprint. */
  recordWrittenFields(
    tenant: string,
    objectType: string,
    entries: { recordKey: string; fields: Record<string, string> }[],
  ): Promise<void>;
}

export interface TaskLedgerEntry {
  tenant: string;
  gridId: string;
  /** Identifies the grid in the CRM task (body/subject marker), to find a task created before a crash. */
  marker: string;
  state: 'creating' | 'created';
  crmTaskId: string | null;
  /** JSON: owner chosen and why, due date, associations: shown on the grid's status. */
  details: unknown;
  createdAt: Date;
  updatedAt: Date;
}

/** The AE-task ledger: at most one task per grid, even across crashes (see ae-task/ensure-ae-task.ts). */
export interface TaskLedger {
  getTaskEntry(tenant: string, gridId: string): Promise<TaskLedgerEntry | undefined>;
  /** Writes `creating` unless an entry exists; returns the entry as it stands after the call. */
  beginTaskCreation(tenant: string, gridId: string, marker: string): Promise<TaskLedgerEntry>;
  markTaskCreated(tenant: string, gridId: string, crmTaskId: string, details: unknown): Promise<void>;
}

/**
 * Retention (src/worker/retention.ts): each call deletes at most `limit` rows older than `before`, through an
 * index of what it prunes, and says how many it deleted; fewer than `limit` means nothing is left to prune.
 */
export interface RetentionStore {
  /** The tenant's signals with occurredAt before `before` (no rule reads them any more). */
  pruneSignals(tenant: string, before: Date, limit: number): Promise<number>;
  /** Succeeded jobs that finished before `before`; pending, running and dead jobs are never pruned. */
  pruneFinishedJobs(before: Date, limit: number): Promise<number>;
  /** Stored delivery answers received before `before` (past the replay window). */
  pruneDeliveries(before: Date, limit: number): Promise<number>;
  /** Grid versions that stopped being current before `before`; the current version of a grid always stays. */
  pruneGridVersions(before: Date, limit: number): Promise<number>;
}

/** Readiness: whether the store answers at all. */
export interface StoreHealth {
  /** Throws when the store cannot answer a trivial query (readiness). */
  ping(): Promise<void>;
}

/*
 * The roles, by consumer. Each part of gridsync depends on the role it uses, never on Store: the intake
 * accepts and shows status, the sync reads and records what it needs for a grid or an account, the worker
 * runs jobs and hands the sync its store. Only the composition root (main.ts) holds a whole Store.
 */

/** The intake: acceptance, the reads behind GET …/grids/{gridId}, readiness. */
export type IntakeStorePort = IntakeStore &
  Pick<GridRepository, 'getGrid'> &
  Pick<StateRepository, 'getGridSyncState' | 'getAccountState'> &
  Pick<TaskLedger, 'getTaskEntry'> &
  Pick<JobQueue, 'getJobs'> &
  StoreHealth;

/** A tenant's queue at a glance, for its status (GET /v1/tenants/{tenant}/status): counts and last success. */
export type TenantQueueView = Pick<QueueInspection, 'jobStats' | 'lastSucceededAt'>;

/** The grid sync (src/sync): grids, signals, its state documents, the written-fields and AE-task ledgers. */
export type SyncStore = GridRepository &
  SignalRepository &
  StateRepository &
  WrittenFieldsLedger &
  TaskLedger;

/** The operator's tools (dead letters and replay, `gridsync sync --once`): the sync's store and the queue's view. */
export type OperatorStore = SyncStore & QueueInspection & Pick<JobQueue, 'getJobs' | 'enqueue'>;

/** The worker's handlers: the sync's store, plus enqueueing the follow-up jobs the sync asks for. */
export type WorkerStore = SyncStore & Pick<JobQueue, 'enqueue'>;

export interface Store
  extends
    IntakeStore,
    JobQueue,
    QueueInspection,
    GridRepository,
    SignalRepository,
    StateRepository,
    WrittenFieldsLedger,
    TaskLedger,
    RetentionStore,
    StoreHealth {
  readonly kind: 'sqlite' | 'postgres';
  /**
   * PostgreSQL: request windows every replica shares, so a tenant's CRM budget is one for the whole deployment.
   * SQLite has none: it is one process, whose own budgets are the whole deployment's.
   */
  readonly requestWindows?: SharedWindows;
  /** Applies pending numbered migrations; safe to call from several replicas at once. */
  migrate(): Promise<void>;
  close(): Promise<void>;
}

export type { Job, JobKind, NewJob };
