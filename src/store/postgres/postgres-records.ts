/**
 * Reads and small writes on PostgreSQL: grids, signals, the worker's state documents and its two ledgers.
 * Lists sort with COLLATE "C" (byte order), as SQLite does, so both stores list in the same order.
 */
import type { GridCompleteness } from '../../domain/grid-completeness.ts';
import type { SalesGrid } from '../../domain/sales-grid.ts';
import type { Signal } from '../../domain/signal.ts';
import type { AccountState } from '../../domain/account-state.ts';
import { accountDueColumns } from '../account-due.ts';
import { dealWatchDueAt } from '../deal-watch-columns.ts';
import type { GridSyncState } from '../../domain/sync-state.ts';
import type { SignalCursor, SignalPage, StateDocuments, StoredGrid, TaskLedgerEntry } from '../store.ts';
import { type Queryable, sql } from './postgres-database.ts';

const GET_GRID = sql(`SELECT v.version, v.grid, v.completeness, v.received_at FROM grids g
  JOIN grid_versions v ON v.tenant = g.tenant AND v.grid_id = g.grid_id AND v.version = g.current_version
  WHERE g.tenant = $1 AND g.grid_id = $2`);

export async function getGrid(
  db: Queryable,
  tenant: string,
  gridId: string,
): Promise<StoredGrid | undefined> {
  const [row] = await db.query<{
    version: number;
    grid: SalesGrid;
    completeness: GridCompleteness;
    received_at: Date;
  }>(GET_GRID, [tenant, gridId]);
  return (
    row && {
      tenant,
      gridId,
      version: row.version,
      grid: row.grid,
      completeness: row.completeness,
      receivedAt: row.received_at,
    }
  );
}

const GRIDS_FOR_ACCOUNT = sql(
  'SELECT grid_id FROM grids WHERE tenant = $1 AND account_domain = $2 ORDER BY grid_id COLLATE "C"',
);

export async function listGridIdsForAccount(
  db: Queryable,
  tenant: string,
  accountDomain: string,
): Promise<string[]> {
  return (await db.query<{ grid_id: string }>(GRIDS_FOR_ACCOUNT, [tenant, accountDomain])).map(
    (r) => r.grid_id,
  );
}

// grids_awaiting_task holds only complete grids without a created task; each looks up its account by key. As a
// plain join the planner may hash every account of the tenant instead (test/store/query-plans.test.ts): the
// LATERAL … LIMIT 1 keeps it one primary-key probe per grid awaiting. A grid whose latest grid.sync job is dead
// waits for an operator (`gridsync deadletters replay`), so the pass does not queue it again: otherwise every pass
// would retry it and its dead letter would vanish from the list (a newer job of the key supersedes a dead one).
// The key is job-lifecycle.ts's gridSyncJob key; the second LATERAL is one jobs_by_key probe per grid.
const GRIDS_AWAITING_TASK = sql(`SELECT g.grid_id FROM grids g
  CROSS JOIN LATERAL (SELECT 1 FROM account_state a
    WHERE a.tenant = g.tenant AND a.account_domain = g.account_domain AND a.qualified LIMIT 1) q
  LEFT JOIN LATERAL (SELECT 1 AS dead FROM jobs d
    WHERE d.tenant = g.tenant AND d.key = 'grid.sync:' || g.tenant || ':' || g.grid_id AND d.state = 'dead'
      AND NOT EXISTS (SELECT 1 FROM jobs n WHERE n.tenant = d.tenant AND n.key = d.key AND n.id > d.id)
    LIMIT 1) dl ON true
  WHERE g.tenant = $1 AND g.complete AND NOT g.task_created AND dl.dead IS NULL
  ORDER BY g.grid_id COLLATE "C"`);

export async function listGridIdsAwaitingTask(db: Queryable, tenant: string): Promise<string[]> {
  return (await db.query<{ grid_id: string }>(GRIDS_AWAITING_TASK, [tenant])).map((r) => r.grid_id);
}

// Watched grids due, least recently checked first (grids_deal_watch).
const GRIDS_FINDING_DEAL = sql(`SELECT grid_id FROM grids
  WHERE tenant = $1 AND finds_deal AND deal_watch_at IS NOT NULL AND deal_watch_at <= $2
  ORDER BY deal_watch_at LIMIT $3`);

export async function listGridIdsFindingDeal(
  db: Queryable,
  tenant: string,
  now: Date,
  limit: number,
): Promise<string[]> {
  return (await db.query<{ grid_id: string }>(GRIDS_FINDING_DEAL, [tenant, now, limit])).map(
    (r) => r.grid_id,
  );
}

const DEFER_DEAL_WATCH = sql(`UPDATE grids SET deal_watch_at = $3
  WHERE tenant = $1 AND grid_id = ANY($2::text[]) AND deal_watch_at IS NOT NULL`);

export async function deferDealWatch(
  db: Queryable,
  tenant: string,
  gridIds: readonly string[],
  until: Date,
): Promise<void> {
  await db.query(DEFER_DEAL_WATCH, [tenant, gridIds, until]);
}

// One statement: the state document, and whether the deal watch now watches the grid (deal-watch-columns.ts).
const PUT_GRID_SYNC_STATE = sql(`WITH watch AS (
    UPDATE grids SET deal_watch_at = $5 WHERE tenant = $1 AND grid_id = $2
  )
  INSERT INTO grid_sync_state (tenant, grid_id, doc, updated_at) VALUES ($1, $2, $3, $4)
  ON CONFLICT (tenant, grid_id) DO UPDATE SET doc = excluded.doc, updated_at = excluded.updated_at`);

export async function putGridSyncState(
  db: Queryable,
  tenant: string,
  gridId: string,
  state: GridSyncState,
  now: Date = new Date(),
): Promise<void> {
  const dueAt = dealWatchDueAt(state, now);
  await db.query(PUT_GRID_SYNC_STATE, [
    tenant,
    gridId,
    JSON.stringify(state),
    now,
    dueAt === null ? null : new Date(dueAt),
  ]);
}

// Three index range scans (due by time; evaluated under a basis sorting before or after this one), merged:
// `basis <> $3` would walk every account of the tenant through the basis index.
const ACCOUNTS_DUE = sql(`SELECT account_domain FROM (
    SELECT account_domain FROM account_state WHERE tenant = $1 AND due_at <= $2
    UNION
    SELECT account_domain FROM account_state WHERE tenant = $1 AND basis < $3
    UNION
    SELECT account_domain FROM account_state WHERE tenant = $1 AND basis > $3
  ) due ORDER BY account_domain COLLATE "C"`);

export async function listAccountsDue(
  db: Queryable,
  tenant: string,
  now: Date,
  basis: string,
): Promise<string[]> {
  return (await db.query<{ account_domain: string }>(ACCOUNTS_DUE, [tenant, now, basis])).map(
    (r) => r.account_domain,
  );
}

const PUT_ACCOUNT_STATE = sql(`INSERT INTO account_state
    (tenant, account_domain, doc, updated_at, qualified, due_at, basis) VALUES ($1, $2, $3, $4, $5, $6, $7)
  ON CONFLICT (tenant, account_domain) DO UPDATE SET doc = excluded.doc, updated_at = excluded.updated_at,
    qualified = excluded.qualified, due_at = excluded.due_at, basis = excluded.basis`);

/** The account's document, with the columns the scheduled pass queries (account-due.ts). */
export async function putAccountState(
  db: Queryable,
  tenant: string,
  accountDomain: string,
  state: AccountState,
  now: Date = new Date(),
): Promise<void> {
  const due = accountDueColumns(state);
  await db.query(PUT_ACCOUNT_STATE, [
    tenant,
    accountDomain,
    JSON.stringify(state),
    now,
    due.qualified,
    due.dueAtMs === null ? null : new Date(due.dueAtMs),
    due.basis,
  ]);
}

const ACCOUNT_SIGNALS =
  sql(`SELECT doc FROM signals WHERE tenant = $1 AND account_domain = $2 AND occurred_at >= $3
  ORDER BY occurred_at, signal_id COLLATE "C"`);

export async function listAccountSignals(
  db: Queryable,
  tenant: string,
  accountDomain: string,
  since: Date,
): Promise<Signal[]> {
  return (await db.query<{ doc: Signal }>(ACCOUNT_SIGNALS, [tenant, accountDomain, since])).map((r) => r.doc);
}

const SIGNALS_PAGE = `SELECT signal_id, occurred_at::text AS at, doc FROM signals
  WHERE tenant = $1 AND account_domain = $2 AND occurred_at >= $3`;
const FIRST_SIGNALS_PAGE = sql(`${SIGNALS_PAGE} ORDER BY occurred_at, signal_id COLLATE "C" LIMIT $4`);
const NEXT_SIGNALS_PAGE = sql(`${SIGNALS_PAGE}
  AND (occurred_at, signal_id COLLATE "C") > ($5::timestamptz, $6::text COLLATE "C")
  ORDER BY occurred_at, signal_id COLLATE "C" LIMIT $4`);

export async function listAccountSignalsPage(
  db: Queryable,
  tenant: string,
  accountDomain: string,
  since: Date,
  after: SignalCursor | null,
  limit: number,
): Promise<SignalPage> {
  const rows = await db.query<{ signal_id: string; at: string; doc: Signal }>(
    after === null ? FIRST_SIGNALS_PAGE : NEXT_SIGNALS_PAGE,
    after === null
      ? [tenant, accountDomain, since, limit]
      : [tenant, accountDomain, since, limit, after.at, after.signalId],
  );
  const last = rows.at(-1);
  return {
    signals: rows.map((r) => r.doc),
    // The time as PostgreSQL wrote it: microseconds included, so the next page starts exactly after this row.
    next: rows.length < limit || !last ? null : { at: last.at, signalId: last.signal_id },
  };
}

const ACTIVE_USERS = sql(`SELECT count(DISTINCT doc -> 'contact' ->> 'email')::int AS users FROM signals
  WHERE tenant = $1 AND account_domain = $2 AND occurred_at >= $3
    AND (doc ->> 'source' = 'product' OR left(type, 8) = 'product.')`);

export async function countActiveUsers(
  db: Queryable,
  tenant: string,
  accountDomain: string,
  since: Date,
): Promise<number> {
  const [row] = await db.query<{ users: number }>(ACTIVE_USERS, [tenant, accountDomain, since]);
  return row?.users ?? 0;
}

const ACTIVE_ACCOUNTS =
  sql(`SELECT account_domain FROM account_activity WHERE tenant = $1 AND last_occurred_at >= $2
  ORDER BY account_domain COLLATE "C"`);

export async function listActiveAccounts(db: Queryable, tenant: string, since: Date): Promise<string[]> {
  return (await db.query<{ account_domain: string }>(ACTIVE_ACCOUNTS, [tenant, since])).map(
    (r) => r.account_domain,
  );
}

/** grid_sync_state and account_state: one JSON document per (tenant, subject), replaced whole. */
interface StateTable {
  put: ReturnType<typeof sql>;
  get: ReturnType<typeof sql>;
}

function stateTable(table: string, subject: string): StateTable {
  return {
    put: sql(`INSERT INTO ${table} (tenant, ${subject}, doc, updated_at) VALUES ($1, $2, $3, $4)
      ON CONFLICT (tenant, ${subject}) DO UPDATE SET doc = excluded.doc, updated_at = excluded.updated_at`),
    get: sql(`SELECT doc FROM ${table} WHERE tenant = $1 AND ${subject} = $2`),
  };
}

const STATE_TABLES: Record<keyof StateDocuments, StateTable> = {
  gridSync: stateTable('grid_sync_state', 'grid_id'),
  account: stateTable('account_state', 'account_domain'),
};

export async function putState<K extends keyof StateDocuments>(
  db: Queryable,
  kind: K,
  tenant: string,
  id: string,
  doc: StateDocuments[K],
  now: Date = new Date(),
): Promise<void> {
  await db.query(STATE_TABLES[kind].put, [tenant, id, JSON.stringify(doc ?? null), now]);
}

export async function getState<K extends keyof StateDocuments>(
  db: Queryable,
  kind: K,
  tenant: string,
  id: string,
): Promise<StateDocuments[K] | undefined> {
  // Written by putState from a StateDocuments[K] and by nothing else.
  const [row] = await db.query<{ doc: StateDocuments[K] }>(STATE_TABLES[kind].get, [tenant, id]);
  return row === undefined ? undefined : row.doc;
}

const WRITTEN_FIELDS = sql(`SELECT record_key, field, fingerprint FROM written_fields
  WHERE tenant = $1 AND object_type = $2 AND record_key = ANY($3::text[])`);

export async function getWrittenFields(
  db: Queryable,
  tenant: string,
  objectType: string,
  recordKeys: readonly string[],
): Promise<Map<string, Record<string, string>>> {
  const rows = await db.query<{ record_key: string; field: string; fingerprint: string }>(WRITTEN_FIELDS, [
    tenant,
    objectType,
    recordKeys,
  ]);
  const byRecord = new Map<string, Record<string, string>>();
  for (const row of rows) {
    const fields = byRecord.get(row.record_key) ?? {};
    fields[row.field] = row.fingerprint;
    byRecord.set(row.record_key, fields);
  }
  return byRecord;
}

// One statement for the whole batch; the same (record, field) twice in one call keeps the last fingerprint.
const RECORD_WRITTEN_FIELDS =
  sql(`INSERT INTO written_fields (tenant, object_type, record_key, field, fingerprint, updated_at)
  SELECT DISTINCT ON (record_key, field) $1, $2, record_key, field, fingerprint, $6
  FROM unnest($3::text[], $4::text[], $5::text[]) WITH ORDINALITY AS u(record_key, field, fingerprint, n)
  ORDER BY record_key, field, n DESC
  ON CONFLICT (tenant, object_type, record_key, field) DO UPDATE
    SET fingerprint = excluded.fingerprint, updated_at = excluded.updated_at`);

export async function recordWrittenFields(
  db: Queryable,
  tenant: string,
  objectType: string,
  entries: readonly { recordKey: string; fields: Record<string, string> }[],
  now: Date = new Date(),
): Promise<void> {
  const rows = entries.flatMap(({ recordKey, fields }) =>
    Object.entries(fields).map(([field, fp]) => [recordKey, field, fp] as const),
  );
  if (rows.length === 0) return;
  await db.query(RECORD_WRITTEN_FIELDS, [
    tenant,
    objectType,
    rows.map((r) => r[0]),
    rows.map((r) => r[1]),
    rows.map((r) => r[2]),
    now,
  ]);
}

interface TaskRow {
  marker: string;
  state: 'creating' | 'created';
  crm_task_id: string | null;
  details: unknown;
  created_at: Date;
  updated_at: Date;
}

function toTaskEntry(tenant: string, gridId: string, row: TaskRow): TaskLedgerEntry {
  return {
    tenant,
    gridId,
    marker: row.marker,
    state: row.state,
    crmTaskId: row.crm_task_id,
    details: row.details,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

const TASK_COLUMNS = 'marker, state, crm_task_id, details, created_at, updated_at';
const GET_TASK = sql(`SELECT ${TASK_COLUMNS} FROM ae_task_ledger WHERE tenant = $1 AND grid_id = $2`);

export async function getTaskEntry(
  db: Queryable,
  tenant: string,
  gridId: string,
): Promise<TaskLedgerEntry | undefined> {
  const [row] = await db.query<TaskRow>(GET_TASK, [tenant, gridId]);
  return row && toTaskEntry(tenant, gridId, row);
}

const INSERT_TASK_IF_ABSENT =
  sql(`INSERT INTO ae_task_ledger (tenant, grid_id, marker, state, created_at, updated_at)
  VALUES ($1, $2, $3, 'creating', $4, $4) ON CONFLICT (tenant, grid_id) DO NOTHING`);

/**
 * Two statements inside the caller's transaction: if another transaction inserted the entry first, the insert
 * waits for it and does nothing, and only a new statement's snapshot sees that entry.
 */
export async function beginTaskCreation(
  tx: Queryable,
  tenant: string,
  gridId: string,
  marker: string,
  now: Date = new Date(),
): Promise<TaskLedgerEntry> {
  await tx.query(INSERT_TASK_IF_ABSENT, [tenant, gridId, marker, now]);
  const entry = await getTaskEntry(tx, tenant, gridId);
  if (!entry) {
    throw new Error(`AE task ledger entry for ${tenant}/${gridId} vanished inside its own transaction`);
  }
  return entry;
}

// The grid's task_created flag moves with the ledger, in the same statement.
const MARK_TASK_CREATED = sql(`WITH marked AS (
    UPDATE ae_task_ledger SET state = 'created', crm_task_id = $3, details = $4, updated_at = $5
    WHERE tenant = $1 AND grid_id = $2 RETURNING tenant, grid_id
  ), flagged AS (
    UPDATE grids g SET task_created = true FROM marked m WHERE g.tenant = m.tenant AND g.grid_id = m.grid_id
  )
  SELECT grid_id FROM marked`);

export async function markTaskCreated(
  db: Queryable,
  tenant: string,
  gridId: string,
  crmTaskId: string,
  details: unknown,
  now: Date = new Date(),
): Promise<void> {
  const rows = await db.query(MARK_TASK_CREATED, [
    tenant,
    gridId,
    crmTaskId,
    JSON.stringify(details ?? null),
    now,
  ]);
  if (rows.length === 0) {
    throw new Error(
      `no AE task ledger entry for ${tenant}/${gridId}: call beginTaskCreation before creating the task`,
    );
  }
}
