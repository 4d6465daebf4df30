/**
 * The store for several replicas: PostgreSQL through a pg Pool. Every port method is one transaction (single
 * statements run in autocommit); the SQL lives in the postgres-*.ts modules next to this one.
 */
import type { AccountState } from '../../domain/account-state.ts';
import type { Signal } from '../../domain/signal.ts';
import type { GridSyncState } from '../../domain/sync-state.ts';
import type { Job, NewJob } from '../job.ts';
import type {
  Accepted,
  AcceptGrid,
  AcceptSignals,
  ClaimOptions,
  GridAcceptance,
  SignalsAcceptance,
  Store,
  StoredGrid,
  TaskLedgerEntry,
} from '../store.ts';
import { PostgresDatabase, type PostgresOptions } from './postgres-database.ts';
import * as intake from './postgres-intake.ts';
import * as jobs from './postgres-jobs.ts';
import * as records from './postgres-records.ts';

export class PostgresStore implements Store {
  readonly kind = 'postgres';
  readonly #db: PostgresDatabase;

  /** Connects lazily, without migrating: openStore() migrates before handing it out. */
  constructor(url: string, options: PostgresOptions = {}) {
    this.#db = new PostgresDatabase(url, options);
  }

  get schema(): string | undefined {
    return this.#db.schema;
  }

  async migrate(): Promise<void> {
    await this.#db.migrate();
  }

  /** Applies pending migrations and says which (for `gridsync migrate`). */
  applyMigrations(): Promise<string[]> {
    return this.#db.migrate();
  }

  async ping(): Promise<void> {
    await this.#db.autocommit('ping').query('SELECT 1');
  }

  close(): Promise<void> {
    return this.#db.close();
  }

  acceptGrid(cmd: AcceptGrid): Promise<Accepted<GridAcceptance>> {
    return this.#db.transaction('acceptGrid', (tx) => intake.acceptGrid(tx, cmd));
  }

  acceptSignals(cmd: AcceptSignals): Promise<Accepted<SignalsAcceptance>> {
    return this.#db.transaction('acceptSignals', (tx) => intake.acceptSignals(tx, cmd));
  }

  enqueue(newJobs: NewJob[]): Promise<void> {
    return this.#db.transaction('enqueue', (tx) => jobs.enqueueJobs(tx, newJobs, new Date()));
  }

  claim(options: ClaimOptions): Promise<Job[]> {
    return this.#db.transaction('claim', (tx) => jobs.claimJobs(tx, options));
  }

  renewLease(jobId: string, workerId: string, leaseMs: number): Promise<boolean> {
    return jobs.renewJobLease(this.#db.autocommit('renewLease'), jobId, workerId, leaseMs, new Date());
  }

  complete(jobId: string, workerId: string): Promise<void> {
    return jobs.completeJob(this.#db.autocommit('complete'), jobId, workerId, new Date());
  }

  fail(jobId: string, workerId: string, error: string, retryAt: Date | null): Promise<void> {
    return jobs.failJob(this.#db.autocommit('fail'), jobId, workerId, error, retryAt, new Date());
  }

  release(jobId: string, workerId: string): Promise<void> {
    return jobs.releaseJob(this.#db.autocommit('release'), jobId, workerId, new Date());
  }

  nextRunAt(): Promise<Date | undefined> {
    return jobs.nextPendingRunAt(this.#db.autocommit('nextRunAt'));
  }

  getJobs(tenant: string, key: string): Promise<Job[]> {
    return jobs.jobsByKey(this.#db.autocommit('getJobs'), tenant, key);
  }

  getGrid(tenant: string, gridId: string): Promise<StoredGrid | undefined> {
    return records.getGrid(this.#db.autocommit('getGrid'), tenant, gridId);
  }

  listGridIdsForAccount(tenant: string, accountDomain: string): Promise<string[]> {
    return records.listGridIdsForAccount(this.#db.autocommit('listGridIdsForAccount'), tenant, accountDomain);
  }

  listGridIdsFindingDeal(tenant: string): Promise<string[]> {
    return records.listGridIdsFindingDeal(this.#db.autocommit('listGridIdsFindingDeal'), tenant);
  }

  listGridIdsAwaitingTask(tenant: string): Promise<string[]> {
    return records.listGridIdsAwaitingTask(this.#db.autocommit('listGridIdsAwaitingTask'), tenant);
  }

  listAccountSignals(tenant: string, accountDomain: string, since: Date): Promise<Signal[]> {
    return records.listAccountSignals(
      this.#db.autocommit('listAccountSignals'),
      tenant,
      accountDomain,
      since,
    );
  }

  listActiveAccounts(tenant: string, since: Date): Promise<string[]> {
    return records.listActiveAccounts(this.#db.autocommit('listActiveAccounts'), tenant, since);
  }

  putGridSyncState(tenant: string, gridId: string, state: GridSyncState): Promise<void> {
    return records.putState(
      this.#db.autocommit('putGridSyncState'),
      'gridSync',
      tenant,
      gridId,
      state,
      new Date(),
    );
  }

  getGridSyncState(tenant: string, gridId: string): Promise<GridSyncState | undefined> {
    return records.getState(this.#db.autocommit('getGridSyncState'), 'gridSync', tenant, gridId);
  }

  putAccountState(tenant: string, accountDomain: string, state: AccountState): Promise<void> {
    return records.putState(
      this.#db.autocommit('putAccountState'),
      'account',
      tenant,
      accountDomain,
      state,
      new Date(),
    );
  }

  getAccountState(tenant: string, accountDomain: string): Promise<AccountState | undefined> {
    return records.getState(this.#db.autocommit('getAccountState'), 'account', tenant, accountDomain);
  }

  getWrittenFields(
    tenant: string,
    objectType: string,
    recordKeys: string[],
  ): Promise<Map<string, Record<string, string>>> {
    return records.getWrittenFields(this.#db.autocommit('getWrittenFields'), tenant, objectType, recordKeys);
  }

  recordWrittenFields(
    tenant: string,
    objectType: string,
    entries: { recordKey: string; fields: Record<string, string> }[],
  ): Promise<void> {
    return records.recordWrittenFields(
      this.#db.autocommit('recordWrittenFields'),
      tenant,
      objectType,
      entries,
      new Date(),
    );
  }

  getTaskEntry(tenant: string, gridId: string): Promise<TaskLedgerEntry | undefined> {
    return records.getTaskEntry(this.#db.autocommit('getTaskEntry'), tenant, gridId);
  }

  beginTaskCreation(tenant: string, gridId: string, marker: string): Promise<TaskLedgerEntry> {
    return this.#db.transaction('beginTaskCreation', (tx) =>
      records.beginTaskCreation(tx, tenant, gridId, marker, new Date()),
    );
  }

  markTaskCreated(tenant: string, gridId: string, crmTaskId: string, details: unknown): Promise<void> {
    return records.markTaskCreated(
      this.#db.autocommit('markTaskCreated'),
      tenant,
      gridId,
      crmTaskId,
      details,
      new Date(),
    );
  }
}
