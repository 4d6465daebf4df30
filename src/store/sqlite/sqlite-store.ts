/**
 * The embedded default store: one SQLite file through node:sqlite. Every port method that writes is one
 * SAVEPOINT inside a transaction shared with the writes that arrived together (group-commit.ts): still
 * all-or-nothing each, and still answered only once committed; every read is one read transaction. The SQL
 * lives in the sqlite-*.ts modules next to this one; this file only says how each operation runs
 * (bind-operations.ts) and, for the writes that can be large, about how many rows they write.
 */
import { bindOperations, type Runner } from '../bind-operations.ts';
import type { NewJob } from '../job.ts';
import type { AcceptGrid, AcceptSignals, DeadJobFilter, Store } from '../store.ts';
import type { AccountState } from '../../domain/account-state.ts';
import type { GridSyncState } from '../../domain/sync-state.ts';
import { SqliteDatabase } from './sqlite-database.ts';
import * as intake from './sqlite-intake.ts';
import * as jobs from './sqlite-jobs.ts';
import * as inspection from './sqlite-queue-inspection.ts';
import * as records from './sqlite-records.ts';
import * as retention from './sqlite-retention.ts';

const READS = {
  ping: (db: SqliteDatabase) => void db.get('SELECT 1'),
  nextRunAt: jobs.nextPendingRunAt,
  getJobs: jobs.jobsByKey,
  getGrid: records.getGrid,
  listGridIdsForAccount: records.listGridIdsForAccount,
  listGridIdsFindingDeal: records.listGridIdsFindingDeal,
  listGridIdsAwaitingTask: records.listGridIdsAwaitingTask,
  listAccountSignals: records.listAccountSignals,
  listActiveAccounts: records.listActiveAccounts,
  listAccountSignalsPage: records.listAccountSignalsPage,
  countActiveUsers: records.countActiveUsers,
  listAccountsDue: records.listAccountsDue,
  getGridSyncState: (db: SqliteDatabase, tenant: string, gridId: string) =>
    records.getState(db, 'gridSync', tenant, gridId),
  getAccountState: (db: SqliteDatabase, tenant: string, accountDomain: string) =>
    records.getState(db, 'account', tenant, accountDomain),
  getWrittenFields: records.getWrittenFields,
  getTaskEntry: records.getTaskEntry,
  jobStats: (db: SqliteDatabase, now: Date = new Date()) => inspection.jobStats(db, now),
  lastSucceededAt: inspection.lastSucceededAt,
  listDeadJobs: (db: SqliteDatabase, filter: DeadJobFilter = {}) => inspection.listDeadJobs(db, filter),
  listGrids: (db: SqliteDatabase, tenant: string, options: { since?: Date; limit?: number } = {}) =>
    inspection.listGrids(db, tenant, options),
};

/** Writes of about one row each. */
const WRITES = {
  claim: jobs.claimJobs,
  renewLease: jobs.renewJobLease,
  complete: jobs.completeJob,
  fail: jobs.failJob,
  release: jobs.releaseJob,
  requeueDeadJobs: (db: SqliteDatabase, jobIds: string[], now: Date = new Date()) =>
    inspection.requeueDeadJobs(db, jobIds, now),
  putGridSyncState: (db: SqliteDatabase, tenant: string, gridId: string, state: GridSyncState) =>
    records.putGridSyncState(db, tenant, gridId, state),
  deferDealWatch: records.deferDealWatch,
  putAccountState: (db: SqliteDatabase, tenant: string, accountDomain: string, state: AccountState) =>
    records.putAccountState(db, tenant, accountDomain, state),
  beginTaskCreation: (db: SqliteDatabase, tenant: string, gridId: string, marker: string) => {
    records.beginTaskCreation(db, tenant, gridId, marker);
    const entry = records.getTaskEntry(db, tenant, gridId);
    if (!entry) {
      throw new Error(`AE task ledger entry for ${tenant}/${gridId} vanished inside its own transaction`);
    }
    return entry;
  },
  markTaskCreated: (
    db: SqliteDatabase,
    tenant: string,
    gridId: string,
    crmTaskId: string,
    details: unknown,
  ) => {
    if (!records.markTaskCreated(db, tenant, gridId, crmTaskId, details)) {
      throw new Error(
        `no AE task ledger entry for ${tenant}/${gridId}: call beginTaskCreation before creating the task`,
      );
    }
  },
};

const RETENTION = {
  pruneSignals: retention.pruneSignals,
  pruneFinishedJobs: retention.pruneFinishedJobs,
  pruneDeliveries: retention.pruneDeliveries,
  pruneGridVersions: retention.pruneGridVersions,
};
const RETENTION_BATCH_ROWS = 1_000;

export type SqliteStore = Store & {
  readonly path: string;
  /** Applies pending migrations and says which (for `gridsync migrate`). */
  applyMigrations(): Promise<string[]>;
};

/** Opens (creating the file and its folder) without migrating: openStore() migrates before handing it out. */
export function createSqliteStore(path: string): SqliteStore {
  const db = new SqliteDatabase(path);
  const read: Runner<SqliteDatabase> = (name, call) => db.read(name, () => call(db));
  const write: Runner<SqliteDatabase> = (name, call) => db.write(name, () => call(db));
  const retentionWrite: Runner<SqliteDatabase> = (name, call) =>
    db.write(name, () => call(db), RETENTION_BATCH_ROWS);
  return {
    kind: 'sqlite',
    path: db.path,
    ...bindOperations(read, READS),
    ...bindOperations(write, WRITES),
    // A grid writes about four rows (version, head, job, delivery); a batch about one per signal.
    acceptGrid: (cmd: AcceptGrid) => db.write('acceptGrid', () => intake.acceptGrid(db, cmd), 4),
    acceptSignals: (cmd: AcceptSignals) =>
      db.write('acceptSignals', () => intake.acceptSignals(db, cmd), cmd.signals.length + 1),
    enqueue: (newJobs: NewJob[]) => db.write('enqueue', () => jobs.enqueueJobs(db, newJobs), newJobs.length),
    recordWrittenFields: (
      tenant: string,
      objectType: string,
      entries: { recordKey: string; fields: Record<string, string> }[],
    ) => {
      const rows = entries.reduce((sum, e) => sum + Object.keys(e.fields).length, 0);
      return db.write(
        'recordWrittenFields',
        () => records.recordWrittenFields(db, tenant, objectType, entries),
        rows,
      );
    },
    // A retention batch deletes up to `limit` rows: sized so, a group commit takes it mostly alone.
    ...bindOperations(retentionWrite, RETENTION),
    migrate: async () => void (await db.migrate()),
    applyMigrations: () => db.migrate(),
    close: () => db.close(),
  } satisfies SqliteStore;
}
