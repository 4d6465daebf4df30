/**
 * The store for several replicas: PostgreSQL through a pg Pool. Every port method is one transaction: the
 * operations that take several statements run in an explicit transaction, single statements in autocommit.
 * The SQL lives in the postgres-*.ts modules next to this one; this file only says which operation runs how
 * (bind-operations.ts).
 */
import { bindOperations, type Runner } from '../bind-operations.ts';
import type { DeadJobFilter, Store } from '../store.ts';
import type { AccountState } from '../../domain/account-state.ts';
import type { GridSyncState } from '../../domain/sync-state.ts';
import { PostgresDatabase, type PostgresOptions, type Queryable } from './postgres-database.ts';
import * as intake from './postgres-intake.ts';
import * as jobs from './postgres-jobs.ts';
import * as inspection from './postgres-queue-inspection.ts';
import * as records from './postgres-records.ts';
import { postgresRequestWindows } from './postgres-request-slots.ts';
import * as retention from './postgres-retention.ts';

/** Several statements that must commit together (locks, reads and writes). */
const IN_TRANSACTION = {
  acceptGrid: intake.acceptGrid,
  acceptSignals: intake.acceptSignals,
  enqueue: jobs.enqueueJobs,
  claim: jobs.claimJobs,
  beginTaskCreation: records.beginTaskCreation,
};

/** One statement each. */
const IN_AUTOCOMMIT = {
  pruneSignals: retention.pruneSignals,
  pruneFinishedJobs: retention.pruneFinishedJobs,
  pruneDeliveries: retention.pruneDeliveries,
  pruneGridVersions: retention.pruneGridVersions,
  ping: async (db: Queryable) => void (await db.query('SELECT 1')),
  renewLease: jobs.renewJobLease,
  complete: jobs.completeJob,
  fail: jobs.failJob,
  release: jobs.releaseJob,
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
  putGridSyncState: (db: Queryable, tenant: string, gridId: string, state: GridSyncState) =>
    records.putGridSyncState(db, tenant, gridId, state),
  deferDealWatch: records.deferDealWatch,
  getGridSyncState: (db: Queryable, tenant: string, gridId: string) =>
    records.getState(db, 'gridSync', tenant, gridId),
  putAccountState: (db: Queryable, tenant: string, accountDomain: string, state: AccountState) =>
    records.putAccountState(db, tenant, accountDomain, state),
  getAccountState: (db: Queryable, tenant: string, accountDomain: string) =>
    records.getState(db, 'account', tenant, accountDomain),
  getWrittenFields: records.getWrittenFields,
  recordWrittenFields: records.recordWrittenFields,
  getTaskEntry: records.getTaskEntry,
  markTaskCreated: records.markTaskCreated,
  jobStats: (db: Queryable, now: Date = new Date()) => inspection.jobStats(db, now),
  lastSucceededAt: inspection.lastSucceededAt,
  listDeadJobs: (db: Queryable, filter: DeadJobFilter = {}) => inspection.listDeadJobs(db, filter),
  requeueDeadJobs: (db: Queryable, jobIds: string[], now: Date = new Date()) =>
    inspection.requeueDeadJobs(db, jobIds, now),
  listGrids: (db: Queryable, tenant: string, options: { since?: Date; limit?: number } = {}) =>
    inspection.listGrids(db, tenant, options),
};

export type PostgresStore = Store & {
  /** The schema this store works in (tests isolate by schema); undefined for the connection's default. */
  readonly schema: string | undefined;
  /** Applies pending migrations and says which (for `gridsync migrate`). */
  applyMigrations(): Promise<string[]>;
};

/** Connects lazily, without migrating: openStore() migrates before handing it out. */
export function createPostgresStore(url: string, options: PostgresOptions = {}): PostgresStore {
  const db = new PostgresDatabase(url, options);
  const transaction: Runner<Queryable> = (name, call) =>
    db.transaction(name, (tx) => Promise.resolve(call(tx)));
  const autocommit: Runner<Queryable> = (name, call) => Promise.resolve(call(db.autocommit(name)));
  return {
    kind: 'postgres',
    schema: db.schema,
    ...bindOperations(transaction, IN_TRANSACTION),
    ...bindOperations(autocommit, IN_AUTOCOMMIT),
    requestWindows: postgresRequestWindows(db.autocommit('CRM request slots')),
    migrate: async () => void (await db.migrate()),
    applyMigrations: () => db.migrate(),
    close: () => db.close(),
  } satisfies PostgresStore;
}
