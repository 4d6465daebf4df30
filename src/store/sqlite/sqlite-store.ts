/**
 * The embedded default store: one SQLite file through node:sqlite. Every port method that writes is one
 * SAVEPOINT inside a transaction shared with the writes that arrived together (group-commit.ts): still
 * all-or-nothing each, and still answered only once committed; every read is one read transaction. The SQL lives
 * in the sqlite-*.ts modules next to this one.
 */
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
import type { AccountState } from '../../domain/account-state.ts';
import type { Signal } from '../../domain/signal.ts';
import type { GridSyncState } from '../../domain/sync-state.ts';
import { SqliteDatabase } from './sqlite-database.ts';
import * as intake from './sqlite-intake.ts';
import * as jobs from './sqlite-jobs.ts';
import * as records from './sqlite-records.ts';

export class SqliteStore implements Store {
  readonly kind = 'sqlite';
  readonly #db: SqliteDatabase;

  /** Opens (creating the file and its folder) without migrating: openStore() migrates before handing it out. */
  constructor(path: string) {
    this.#db = new SqliteDatabase(path);
  }

  get path(): string {
    return this.#db.path;
  }

  async migrate(): Promise<void> {
    await this.#db.migrate();
  }

  /** Applies pending migrations and says which (for `gridsync migrate`). */
  applyMigrations(): Promise<string[]> {
    return this.#db.migrate();
  }

  ping(): Promise<void> {
    return this.#db.read('ping', () => void this.#db.get('SELECT 1'));
  }

  close(): Promise<void> {
    return this.#db.close();
  }

  // A grid writes about four rows (version, head, job, delivery); a batch about one per signal.
  acceptGrid(cmd: AcceptGrid): Promise<Accepted<GridAcceptance>> {
    return this.#db.write('acceptGrid', () => intake.acceptGrid(this.#db, cmd), 4);
  }

  acceptSignals(cmd: AcceptSignals): Promise<Accepted<SignalsAcceptance>> {
    return this.#db.write('acceptSignals', () => intake.acceptSignals(this.#db, cmd), cmd.signals.length + 1);
  }

  enqueue(newJobs: NewJob[]): Promise<void> {
    return this.#db.write('enqueue', () => jobs.enqueueJobs(this.#db, newJobs, new Date()), newJobs.length);
  }

  claim(options: ClaimOptions): Promise<Job[]> {
    return this.#db.write('claim', () => jobs.claimJobs(this.#db, options));
  }

  renewLease(jobId: string, workerId: string, leaseMs: number): Promise<boolean> {
    return this.#db.write('renewLease', () =>
      jobs.renewJobLease(this.#db, jobId, workerId, leaseMs, new Date()),
    );
  }

  complete(jobId: string, workerId: string): Promise<void> {
    return this.#db.write('complete', () => jobs.completeJob(this.#db, jobId, workerId, new Date()));
  }

  fail(jobId: string, workerId: string, error: string, retryAt: Date | null): Promise<void> {
    return this.#db.write('fail', () => jobs.failJob(this.#db, jobId, workerId, error, retryAt, new Date()));
  }

  release(jobId: string, workerId: string): Promise<void> {
    return this.#db.write('release', () => jobs.releaseJob(this.#db, jobId, workerId, new Date()));
  }

  nextRunAt(): Promise<Date | undefined> {
    return this.#db.read('nextRunAt', () => jobs.nextPendingRunAt(this.#db));
  }

  getJobs(tenant: string, key: string): Promise<Job[]> {
    return this.#db.read('getJobs', () => jobs.jobsByKey(this.#db, tenant, key));
  }

  getGrid(tenant: string, gridId: string): Promise<StoredGrid | undefined> {
    return this.#db.read('getGrid', () => records.getGrid(this.#db, tenant, gridId));
  }

  listGridIdsForAccount(tenant: string, accountDomain: string): Promise<string[]> {
    return this.#db.read('listGridIdsForAccount', () =>
      records.listGridIdsForAccount(this.#db, tenant, accountDomain),
    );
  }

  listGridIdsFindingDeal(tenant: string): Promise<string[]> {
    return this.#db.read('listGridIdsFindingDeal', () => records.listGridIdsFindingDeal(this.#db, tenant));
  }

  listGridIdsAwaitingTask(tenant: string): Promise<string[]> {
    return this.#db.read('listGridIdsAwaitingTask', () => records.listGridIdsAwaitingTask(this.#db, tenant));
  }

  listAccountSignals(tenant: string, accountDomain: string, since: Date): Promise<Signal[]> {
    return this.#db.read('listAccountSignals', () =>
      records.listAccountSignals(this.#db, tenant, accountDomain, since),
    );
  }

  listActiveAccounts(tenant: string, since: Date): Promise<string[]> {
    return this.#db.read('listActiveAccounts', () => records.listActiveAccounts(this.#db, tenant, since));
  }

  putGridSyncState(tenant: string, gridId: string, state: GridSyncState): Promise<void> {
    return this.#db.write('putGridSyncState', () =>
      records.putState(this.#db, 'gridSync', tenant, gridId, state, new Date()),
    );
  }

  getGridSyncState(tenant: string, gridId: string): Promise<GridSyncState | undefined> {
    return this.#db.read('getGridSyncState', () => records.getState(this.#db, 'gridSync', tenant, gridId));
  }

  putAccountState(tenant: string, accountDomain: string, state: AccountState): Promise<void> {
    return this.#db.write('putAccountState', () =>
      records.putState(this.#db, 'account', tenant, accountDomain, state, new Date()),
    );
  }

  getAccountState(tenant: string, accountDomain: string): Promise<AccountState | undefined> {
    return this.#db.read('getAccountState', () =>
      records.getState(this.#db, 'account', tenant, accountDomain),
    );
  }

  getWrittenFields(
    tenant: string,
    objectType: string,
    recordKeys: string[],
  ): Promise<Map<string, Record<string, string>>> {
    return this.#db.read('getWrittenFields', () =>
      records.getWrittenFields(this.#db, tenant, objectType, recordKeys),
    );
  }

  recordWrittenFields(
    tenant: string,
    objectType: string,
    entries: { recordKey: string; fields: Record<string, string> }[],
  ): Promise<void> {
    const rows = entries.reduce((sum, e) => sum + Object.keys(e.fields).length, 0);
    return this.#db.write(
      'recordWrittenFields',
      () => records.recordWrittenFields(this.#db, tenant, objectType, entries, new Date()),
      rows,
    );
  }

  getTaskEntry(tenant: string, gridId: string): Promise<TaskLedgerEntry | undefined> {
    return this.#db.read('getTaskEntry', () => records.getTaskEntry(this.#db, tenant, gridId));
  }

  beginTaskCreation(tenant: string, gridId: string, marker: string): Promise<TaskLedgerEntry> {
    return this.#db.write('beginTaskCreation', () => {
      records.beginTaskCreation(this.#db, tenant, gridId, marker, new Date());
      const entry = records.getTaskEntry(this.#db, tenant, gridId);
      if (!entry) {
        throw new Error(`AE task ledger entry for ${tenant}/${gridId} vanished inside its own transaction`);
      }
      return entry;
    });
  }

  markTaskCreated(tenant: string, gridId: string, crmTaskId: string, details: unknown): Promise<void> {
    return this.#db.write('markTaskCreated', () => {
      if (!records.markTaskCreated(this.#db, tenant, gridId, crmTaskId, details, new Date())) {
        throw new Error(
          `no AE task ledger entry for ${tenant}/${gridId}: call beginTaskCreation before creating the task`,
        );
      }
    });
  }
}
