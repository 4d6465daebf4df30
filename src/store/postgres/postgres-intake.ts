/**
 * Intake on PostgreSQL: a delivery is stored, its jobs enqueued and its answer logged in one transaction.
 * Concurrent deliveries with the same webhook-id (or for the same grid) wait on an advisory lock and then, in
 * a fresh statement, see what the first one committed: a replay, or the version to compare with.
 */
import { type GridHead, planGridAcceptance } from '../grid-versioning.ts';
import { accountRefreshJob } from '../job-lifecycle.ts';
import type {
  Accepted,
  AcceptGrid,
  AcceptSignals,
  DeliveryAnswer,
  GridAcceptance,
  SignalsAcceptance,
} from '../store.ts';
import { LOCK_SPACE, type Queryable, sql } from './postgres-database.ts';
import { enqueueJobs } from './postgres-jobs.ts';

const LOCK = sql("SELECT pg_advisory_xact_lock($1, hashtext($2 || E'\\n' || $3))");
const FIND_DELIVERY = sql('SELECT status, body FROM deliveries WHERE tenant = $1 AND webhook_id = $2');
const RECORD_DELIVERY = sql(`INSERT INTO deliveries (tenant, webhook_id, kind, status, body, received_at)
  VALUES ($1, $2, $3, $4, $5, $6)`);

async function findDelivery(
  tx: Queryable,
  tenant: string,
  webhookId: string,
): Promise<DeliveryAnswer | undefined> {
  await tx.query(LOCK, [LOCK_SPACE.delivery, tenant, webhookId]);
  const [row] = await tx.query<DeliveryAnswer>(FIND_DELIVERY, [tenant, webhookId]);
  return row && { status: row.status, body: row.body };
}

async function recordDelivery(
  tx: Queryable,
  cmd: { tenant: string; webhookId: string; receivedAt: Date },
  kind: 'grid' | 'signals',
  answer: DeliveryAnswer,
): Promise<void> {
  await tx.query(RECORD_DELIVERY, [
    cmd.tenant,
    cmd.webhookId,
    kind,
    answer.status,
    JSON.stringify(answer.body ?? null),
    cmd.receivedAt,
  ]);
}

const GRID_HEAD = sql(`SELECT current_version, latest_version, content_hash, captured_at FROM grids
  WHERE tenant = $1 AND grid_id = $2`);
// finds_deal: the deal watch looks only at grids whose current version leaves the deal to the mapping's rule.
const PUT_CURRENT =
  sql(`INSERT INTO grids (tenant, grid_id, current_version, latest_version, content_hash, captured_at,
    account_domain, complete, updated_at, finds_deal)
  VALUES ($1, $2, $3, $3, $4, $5, $6, $7, $8, $9)
  ON CONFLICT (tenant, grid_id) DO UPDATE SET current_version = excluded.current_version,
    latest_version = excluded.latest_version, content_hash = excluded.content_hash, captured_at = excluded.captured_at,
    account_domain = excluded.account_domain, complete = excluded.complete, updated_at = excluded.updated_at,
    finds_deal = excluded.finds_deal`);
const PUT_SUPERSEDED = sql(
  'UPDATE grids SET latest_version = $3, updated_at = $4 WHERE tenant = $1 AND grid_id = $2',
);
// A superseded version was never current: history (replaced_at set) from the start.
const ADD_VERSION =
  sql(`INSERT INTO grid_versions (tenant, grid_id, version, outcome, grid, completeness, content_hash,
    captured_at, received_at, webhook_id, replaced_at)
  VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, CASE WHEN $4 = 'superseded' THEN $9::timestamptz END)`);
// The version a new current one replaces is history from now on: retention prunes it after a while.
const REPLACE_VERSION = sql(
  'UPDATE grid_versions SET replaced_at = $4 WHERE tenant = $1 AND grid_id = $2 AND version = $3',
);

interface GridHeadRow {
  current_version: number;
  latest_version: number;
  content_hash: string;
  captured_at: Date;
}

export async function acceptGrid(tx: Queryable, cmd: AcceptGrid): Promise<Accepted<GridAcceptance>> {
  const replayed = await findDelivery(tx, cmd.tenant, cmd.webhookId);
  if (replayed) return { replay: true, answer: replayed };

  const { grid, tenant } = cmd;
  await tx.query(LOCK, [LOCK_SPACE.grid, tenant, grid.gridId]);
  const [row] = await tx.query<GridHeadRow>(GRID_HEAD, [tenant, grid.gridId]);
  const head: GridHead | undefined = row && {
    currentVersion: row.current_version,
    latestVersion: row.latest_version,
    contentHash: row.content_hash,
    capturedAtMs: row.captured_at.getTime(),
  };
  const plan = planGridAcceptance(head, cmd);

  if (plan.head?.kind === 'current') {
    await tx.query(PUT_CURRENT, [
      tenant,
      grid.gridId,
      plan.head.version,
      plan.head.contentHash,
      new Date(plan.head.capturedAtMs),
      plan.head.accountDomain,
      plan.head.complete,
      cmd.receivedAt,
      grid.deal?.crmId === undefined,
    ]);
    if (row && row.current_version !== plan.head.version) {
      await tx.query(REPLACE_VERSION, [tenant, grid.gridId, row.current_version, cmd.receivedAt]);
    }
  } else if (plan.head?.kind === 'latest') {
    await tx.query(PUT_SUPERSEDED, [tenant, grid.gridId, plan.head.version, cmd.receivedAt]);
  }
  if (plan.version) {
    await tx.query(ADD_VERSION, [
      tenant,
      grid.gridId,
      plan.version.version,
      plan.version.outcome,
      JSON.stringify(plan.version.grid),
      JSON.stringify(plan.version.completeness),
      plan.version.contentHash,
      new Date(plan.version.capturedAtMs),
      cmd.receivedAt,
      cmd.webhookId,
    ]);
  }
  await enqueueJobs(tx, plan.jobs, cmd.receivedAt);

  const { result } = plan;
  const answer = cmd.answer(result);
  await recordDelivery(tx, cmd, 'grid', answer);
  return { replay: false, result, answer };
}

// The hot path, one statement: the batch travels as one JSON array, rows are inserted in signal-id order (two
// overlapping batches then cannot deadlock), duplicates are skipped by the primary key, and each account's
// latest signal time is raised, in account order for the same reason.
const INSERT_SIGNALS = sql(`WITH incoming AS (
    SELECT e.doc->>'id' AS signal_id, e.doc->>'type' AS type, e.doc->'account'->>'domain' AS account_domain,
      (e.doc->>'occurredAt')::timestamptz AS occurred_at, e.doc
    FROM jsonb_array_elements($2::jsonb) AS e(doc)
  ), inserted AS (
    INSERT INTO signals (tenant, signal_id, type, account_domain, occurred_at, doc, received_at)
    SELECT $1, signal_id, type, account_domain, occurred_at, doc, $3 FROM incoming ORDER BY signal_id
    ON CONFLICT (tenant, signal_id) DO NOTHING
    RETURNING account_domain, occurred_at
  ), per_account AS (
    SELECT account_domain, count(*)::int AS stored, max(occurred_at) AS last_occurred_at,
      min(occurred_at) AS first_occurred_at
    FROM inserted GROUP BY account_domain
  ), activity AS (
    INSERT INTO account_activity (tenant, account_domain, last_occurred_at, first_occurred_at)
    SELECT $1, account_domain, last_occurred_at, first_occurred_at FROM per_account ORDER BY account_domain
    ON CONFLICT (tenant, account_domain) DO UPDATE
      SET last_occurred_at = GREATEST(account_activity.last_occurred_at, excluded.last_occurred_at),
        first_occurred_at = LEAST(account_activity.first_occurred_at, excluded.first_occurred_at)
  )
  SELECT account_domain, stored FROM per_account`);

export async function acceptSignals(tx: Queryable, cmd: AcceptSignals): Promise<Accepted<SignalsAcceptance>> {
  const replayed = await findDelivery(tx, cmd.tenant, cmd.webhookId);
  if (replayed) return { replay: true, answer: replayed };

  const perAccount = await tx.query<{ account_domain: string; stored: number }>(INSERT_SIGNALS, [
    cmd.tenant,
    JSON.stringify(cmd.signals),
    cmd.receivedAt,
  ]);
  const accounts = perAccount.map((r) => r.account_domain).sort();
  await enqueueJobs(
    tx,
    accounts.map((domain) =>
      accountRefreshJob(cmd.tenant, domain, { runAt: cmd.receivedAt, maxAttempts: cmd.maxAttempts }),
    ),
    cmd.receivedAt,
  );

  const accepted = perAccount.reduce((sum, r) => sum + r.stored, 0);
  const result: SignalsAcceptance = { accepted, duplicates: cmd.signals.length - accepted, accounts };
  const answer = cmd.answer(result);
  await recordDelivery(tx, cmd, 'signals', answer);
  return { replay: false, result, answer };
}
