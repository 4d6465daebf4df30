/** Reads and small writes on SQLite: grids, signals, the worker's state documents and its two ledgers. */
import type { GridCompleteness } from '../../domain/grid-completeness.ts';
import type { SalesGrid } from '../../domain/sales-grid.ts';
import type { Signal } from '../../domain/signal.ts';
import type { AccountState } from '../../domain/account-state.ts';
import { accountDueColumns } from '../account-due.ts';
import { dealWatchDueAt } from '../deal-watch-columns.ts';
import type { GridSyncState } from '../../domain/sync-state.ts';
import type { SignalCursor, SignalPage, StateDocuments, StoredGrid, TaskLedgerEntry } from '../store.ts';
import type { SqliteDatabase } from './sqlite-database.ts';

export function getGrid(db: SqliteDatabase, tenant: string, gridId: string): StoredGrid | undefined {
  const row = db.get<{ version: number; grid: string; completeness: string; received_at: number }>(
    `SELECT v.version, v.grid, v.completeness, v.received_at FROM grids g
     JOIN grid_versions v ON v.tenant = g.tenant AND v.grid_id = g.grid_id AND v.version = g.current_version
     WHERE g.tenant = $tenant AND g.grid_id = $gridId`,
    { $tenant: tenant, $gridId: gridId },
  );
  return (
    row && {
      tenant,
      gridId,
      version: row.version,
      grid: JSON.parse(row.grid) as SalesGrid,
      completeness: JSON.parse(row.completeness) as GridCompleteness,
      receivedAt: new Date(row.received_at),
    }
  );
}

export function listGridIdsForAccount(db: SqliteDatabase, tenant: string, accountDomain: string): string[] {
  return db
    .all<{ grid_id: string }>(
      'SELECT grid_id FROM grids WHERE tenant = $tenant AND account_domain = $domain ORDER BY grid_id',
      {
        $tenant: tenant,
        $domain: accountDomain,
      },
    )
    .map((r) => r.grid_id);
}

/**
 * A grid whose latest grid.sync job is dead waits for an operator (`gridsync deadletters replay`): the pass does
 * not queue it again, or every pass would retry it and its dead letter would vanish from the list (a newer job
 * of the key supersedes a dead one). The key is job-lifecycle.ts's gridSyncJob key; jobs_by_key finds it.
 */
const DEAD_LETTERED = `EXISTS (SELECT 1 FROM jobs d
    WHERE d.tenant = g.tenant AND d.key = 'grid.sync:' || g.tenant || ':' || g.grid_id AND d.state = 'dead'
      AND NOT EXISTS (SELECT 1 FROM jobs n WHERE n.tenant = d.tenant AND n.key = d.key AND n.id > d.id))`;

export function listGridIdsAwaitingTask(db: SqliteDatabase, tenant: string): string[] {
  // grids_awaiting_task holds only complete grids without a created task; each joins its account by key. Named,
  // and sorted here, because without ANALYZE statistics SQLite preferred walking every grid of the tenant.
  return db
    .all<{ grid_id: string }>(
      `SELECT g.grid_id FROM grids g INDEXED BY grids_awaiting_task
       JOIN account_state a ON a.tenant = g.tenant AND a.account_domain = g.account_domain
       WHERE g.tenant = $tenant AND g.complete = 1 AND g.task_created = 0 AND a.qualified = 1
         AND NOT ${DEAD_LETTERED}`,
      { $tenant: tenant },
    )
    .map((r) => r.grid_id)
    .sort(byteOrder);
}

/**
 * Three index range scans (due by time; evaluated under a basis sorting before or after this one), merged and
 * sorted here: as one UNION … ORDER BY, SQLite walked the primary key for the order, reading every account.
 */
export function listAccountsDue(db: SqliteDatabase, tenant: string, now: Date, basis: string): string[] {
  const params = { $tenant: tenant, $now: now.getTime(), $basis: basis };
  const due = new Set<string>();
  for (const condition of ['due_at <= $now', 'basis < $basis', 'basis > $basis']) {
    for (const row of db.all<{ account_domain: string }>(
      `SELECT account_domain FROM account_state WHERE tenant = $tenant AND ${condition}`,
      condition.includes('$now')
        ? { $tenant: tenant, $now: params.$now }
        : { $tenant: tenant, $basis: basis },
    )) {
      due.add(row.account_domain);
    }
  }
  return [...due].sort(byteOrder);
}

/** SQLite's default (BINARY) collation: compare UTF-8 bytes, as ORDER BY does. */
function byteOrder(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a), Buffer.from(b));
}

/** Watched grids due at `now`, least recently checked first, at most `limit` (grids_deal_watch). */
export function listGridIdsFindingDeal(
  db: SqliteDatabase,
  tenant: string,
  now: Date,
  limit: number,
): string[] {
  return db
    .all<{ grid_id: string }>(
      `SELECT grid_id FROM grids WHERE tenant = $tenant AND finds_deal = 1 AND deal_watch_at IS NOT NULL
         AND deal_watch_at <= $now ORDER BY deal_watch_at LIMIT $limit`,
      { $tenant: tenant, $now: now.getTime(), $limit: limit },
    )
    .map((r) => r.grid_id);
}

/** The watch looked at these grids: each is due again at `until` (still watched ones only). */
export function deferDealWatch(
  db: SqliteDatabase,
  tenant: string,
  gridIds: readonly string[],
  until: Date,
): void {
  db.run(
    `UPDATE grids SET deal_watch_at = $until WHERE tenant = $tenant AND deal_watch_at IS NOT NULL
       AND grid_id IN (SELECT value FROM json_each($ids))`,
    { $tenant: tenant, $until: until.getTime(), $ids: JSON.stringify(gridIds) },
  );
}

/** The grid's sync state, and whether the deal watch now watches the grid (deal-watch-columns.ts). */
export function putGridSyncState(
  db: SqliteDatabase,
  tenant: string,
  gridId: string,
  state: GridSyncState,
  now: Date = new Date(),
): void {
  putState(db, 'gridSync', tenant, gridId, state, now);
  db.run('UPDATE grids SET deal_watch_at = $at WHERE tenant = $tenant AND grid_id = $gridId', {
    $tenant: tenant,
    $gridId: gridId,
    $at: dealWatchDueAt(state, now),
  });
}

export function listAccountSignals(
  db: SqliteDatabase,
  tenant: string,
  accountDomain: string,
  since: Date,
): Signal[] {
  return db
    .all<{ doc: string }>(
      `SELECT doc FROM signals WHERE tenant = $tenant AND account_domain = $domain AND occurred_at >= $since
       ORDER BY occurred_at, signal_id`,
      { $tenant: tenant, $domain: accountDomain, $since: since.getTime() },
    )
    .map((r) => JSON.parse(r.doc) as Signal);
}

const SIGNALS_PAGE = `SELECT signal_id, occurred_at, doc FROM signals
  WHERE tenant = $tenant AND account_domain = $domain AND occurred_at >= $since`;

export function listAccountSignalsPage(
  db: SqliteDatabase,
  tenant: string,
  accountDomain: string,
  since: Date,
  after: SignalCursor | null,
  limit: number,
): SignalPage {
  const params = { $tenant: tenant, $domain: accountDomain, $since: since.getTime(), $limit: limit };
  const rows = db.all<{ signal_id: string; occurred_at: number; doc: string }>(
    after === null
      ? `${SIGNALS_PAGE} ORDER BY occurred_at, signal_id LIMIT $limit`
      : `${SIGNALS_PAGE} AND (occurred_at, signal_id) > ($at, $id) ORDER BY occurred_at, signal_id LIMIT $limit`,
    after === null ? params : { ...params, $at: Number(after.at), $id: after.signalId },
  );
  const last = rows.at(-1);
  return {
    signals: rows.map((r) => JSON.parse(r.doc) as Signal),
    next: rows.length < limit || !last ? null : { at: String(last.occurred_at), signalId: last.signal_id },
  };
}

export function countActiveUsers(
  db: SqliteDatabase,
  tenant: string,
  accountDomain: string,
  since: Date,
): number {
  const row = db.get<{ users: number }>(
    `SELECT count(DISTINCT json_extract(doc, '$.contact.email')) AS users FROM signals
     WHERE tenant = $tenant AND account_domain = $domain AND occurred_at >= $since
       AND (json_extract(doc, '$.source') = 'product' OR substr(type, 1, 8) = 'product.')`,
    { $tenant: tenant, $domain: accountDomain, $since: since.getTime() },
  );
  return row?.users ?? 0;
}

export function listActiveAccounts(db: SqliteDatabase, tenant: string, since: Date): string[] {
  return db
    .all<{ account_domain: string }>(
      'SELECT account_domain FROM account_activity WHERE tenant = $tenant AND last_occurred_at >= $since ORDER BY account_domain',
      { $tenant: tenant, $since: since.getTime() },
    )
    .map((r) => r.account_domain);
}

/** grid_sync_state and account_state: one JSON document per (tenant, subject), replaced whole. */
const STATE_TABLES = {
  gridSync: { table: 'grid_sync_state', subject: 'grid_id' },
  account: { table: 'account_state', subject: 'account_domain' },
} as const satisfies Record<keyof StateDocuments, { table: string; subject: string }>;

export function putState<K extends keyof StateDocuments>(
  db: SqliteDatabase,
  kind: K,
  tenant: string,
  id: string,
  doc: StateDocuments[K],
  now: Date = new Date(),
): void {
  const { table, subject } = STATE_TABLES[kind];
  db.run(
    `INSERT INTO ${table} (tenant, ${subject}, doc, updated_at) VALUES ($tenant, $id, $doc, $now)
     ON CONFLICT (tenant, ${subject}) DO UPDATE SET doc = excluded.doc, updated_at = excluded.updated_at`,
    { $tenant: tenant, $id: id, $doc: JSON.stringify(doc ?? null), $now: now.getTime() },
  );
}

/** The account's document, with the columns the scheduled pass queries (account-due.ts). */
export function putAccountState(
  db: SqliteDatabase,
  tenant: string,
  accountDomain: string,
  state: AccountState,
  now: Date = new Date(),
): void {
  const due = accountDueColumns(state);
  db.run(
    `INSERT INTO account_state (tenant, account_domain, doc, updated_at, qualified, due_at, basis)
     VALUES ($tenant, $id, $doc, $now, $qualified, $dueAt, $basis)
     ON CONFLICT (tenant, account_domain) DO UPDATE SET doc = excluded.doc, updated_at = excluded.updated_at,
       qualified = excluded.qualified, due_at = excluded.due_at, basis = excluded.basis`,
    {
      $tenant: tenant,
      $id: accountDomain,
      $doc: JSON.stringify(state),
      $now: now.getTime(),
      $qualified: due.qualified ? 1 : 0,
      $dueAt: due.dueAtMs,
      $basis: due.basis,
    },
  );
}

export function getState<K extends keyof StateDocuments>(
  db: SqliteDatabase,
  kind: K,
  tenant: string,
  id: string,
): StateDocuments[K] | undefined {
  const { table, subject } = STATE_TABLES[kind];
  const row = db.get<{ doc: string }>(
    `SELECT doc FROM ${table} WHERE tenant = $tenant AND ${subject} = $id`,
    {
      $tenant: tenant,
      $id: id,
    },
  );
  // Written by putState from a StateDocuments[K] and by nothing else.
  return row === undefined ? undefined : (JSON.parse(row.doc) as StateDocuments[K]);
}

export function getWrittenFields(
  db: SqliteDatabase,
  tenant: string,
  objectType: string,
  recordKeys: readonly string[],
): Map<string, Record<string, string>> {
  const rows = db.all<{ record_key: string; field: string; fingerprint: string }>(
    `SELECT record_key, field, fingerprint FROM written_fields
     WHERE tenant = $tenant AND object_type = $objectType AND record_key IN (SELECT value FROM json_each($keys))`,
    { $tenant: tenant, $objectType: objectType, $keys: JSON.stringify(recordKeys) },
  );
  const byRecord = new Map<string, Record<string, string>>();
  for (const row of rows) {
    const fields = byRecord.get(row.record_key) ?? {};
    fields[row.field] = row.fingerprint;
    byRecord.set(row.record_key, fields);
  }
  return byRecord;
}

export function recordWrittenFields(
  db: SqliteDatabase,
  tenant: string,
  objectType: string,
  entries: readonly { recordKey: string; fields: Record<string, string> }[],
  now: Date = new Date(),
): void {
  for (const { recordKey, fields } of entries) {
    for (const [field, fingerprint] of Object.entries(fields)) {
      db.run(
        `INSERT INTO written_fields (tenant, object_type, record_key, field, fingerprint, updated_at)
         VALUES ($tenant, $objectType, $recordKey, $field, $fingerprint, $now)
         ON CONFLICT (tenant, object_type, record_key, field) DO UPDATE SET fingerprint = excluded.fingerprint,
           updated_at = excluded.updated_at`,
        {
          $tenant: tenant,
          $objectType: objectType,
          $recordKey: recordKey,
          $field: field,
          $fingerprint: fingerprint,
          $now: now.getTime(),
        },
      );
    }
  }
}

interface TaskRow {
  marker: string;
  state: 'creating' | 'created';
  crm_task_id: string | null;
  details: string | null;
  created_at: number;
  updated_at: number;
}

export function getTaskEntry(
  db: SqliteDatabase,
  tenant: string,
  gridId: string,
): TaskLedgerEntry | undefined {
  const row = db.get<TaskRow>(
    'SELECT marker, state, crm_task_id, details, created_at, updated_at FROM ae_task_ledger WHERE tenant = $tenant AND grid_id = $gridId',
    { $tenant: tenant, $gridId: gridId },
  );
  return (
    row && {
      tenant,
      gridId,
      marker: row.marker,
      state: row.state,
      crmTaskId: row.crm_task_id,
      details: row.details === null ? null : (JSON.parse(row.details) as unknown),
      createdAt: new Date(row.created_at),
      updatedAt: new Date(row.updated_at),
    }
  );
}

export function beginTaskCreation(
  db: SqliteDatabase,
  tenant: string,
  gridId: string,
  marker: string,
  now: Date = new Date(),
): void {
  db.run(
    `INSERT INTO ae_task_ledger (tenant, grid_id, marker, state, created_at, updated_at)
     VALUES ($tenant, $gridId, $marker, 'creating', $now, $now) ON CONFLICT (tenant, grid_id) DO NOTHING`,
    { $tenant: tenant, $gridId: gridId, $marker: marker, $now: now.getTime() },
  );
}

/** Returns false when no entry exists (beginTaskCreation was not called). */
export function markTaskCreated(
  db: SqliteDatabase,
  tenant: string,
  gridId: string,
  crmTaskId: string,
  details: unknown,
  now: Date = new Date(),
): boolean {
  const changed = db.run(
    `UPDATE ae_task_ledger SET state = 'created', crm_task_id = $crmTaskId, details = $details, updated_at = $now
     WHERE tenant = $tenant AND grid_id = $gridId`,
    {
      $tenant: tenant,
      $gridId: gridId,
      $crmTaskId: crmTaskId,
      $details: JSON.stringify(details ?? null),
      $now: now.getTime(),
    },
  );
  if (changed > 0) {
    db.run('UPDATE grids SET task_created = 1 WHERE tenant = $tenant AND grid_id = $gridId', {
      $tenant: tenant,
      $gridId: gridId,
    });
  }
  return changed > 0;
}
