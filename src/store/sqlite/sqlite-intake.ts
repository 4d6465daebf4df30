/**
 * Intake on SQLite: a delivery is stored, its jobs enqueued and its answer logged inside one savepoint of the
 * group transaction the caller (SqliteStore, through group-commit.ts) opened with BEGIN IMMEDIATE: all of it or
 * none of it, and its 202 is sent only after that transaction's COMMIT, so it never exists without what it
 * acknowledges. Earlier deliveries of the same group are visible here, so replays and version numbers come out
 * as if the deliveries had been committed one after another.
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
import type { SqliteDatabase } from './sqlite-database.ts';
import { enqueueJobs } from './sqlite-jobs.ts';

function findDelivery(db: SqliteDatabase, tenant: string, webhookId: string): DeliveryAnswer | undefined {
  const row = db.get<{ status: number; body: string }>(
    'SELECT status, body FROM deliveries WHERE tenant = $tenant AND webhook_id = $webhookId',
    { $tenant: tenant, $webhookId: webhookId },
  );
  return row && { status: row.status, body: JSON.parse(row.body) as unknown };
}

function recordDelivery(
  db: SqliteDatabase,
  cmd: { tenant: string; webhookId: string; receivedAt: Date },
  kind: 'grid' | 'signals',
  answer: DeliveryAnswer,
): void {
  db.run(
    `INSERT INTO deliveries (tenant, webhook_id, kind, status, body, received_at)
     VALUES ($tenant, $webhookId, $kind, $status, $body, $receivedAt)`,
    {
      $tenant: cmd.tenant,
      $webhookId: cmd.webhookId,
      $kind: kind,
      $status: answer.status,
      $body: JSON.stringify(answer.body ?? null),
      $receivedAt: cmd.receivedAt.getTime(),
    },
  );
}

interface GridHeadRow {
  current_version: number;
  latest_version: number;
  content_hash: string;
  captured_at: number;
}

export function acceptGrid(db: SqliteDatabase, cmd: AcceptGrid): Accepted<GridAcceptance> {
  const replayed = findDelivery(db, cmd.tenant, cmd.webhookId);
  if (replayed) return { replay: true, answer: replayed };

  const { grid } = cmd;
  const key = { $tenant: cmd.tenant, $gridId: grid.gridId };
  const row = db.get<GridHeadRow>(
    'SELECT current_version, latest_version, content_hash, captured_at FROM grids WHERE tenant = $tenant AND grid_id = $gridId',
    key,
  );
  const head: GridHead | undefined = row && {
    currentVersion: row.current_version,
    latestVersion: row.latest_version,
    contentHash: row.content_hash,
    capturedAtMs: row.captured_at,
  };
  const plan = planGridAcceptance(head, cmd);
  const now = cmd.receivedAt.getTime();

  if (plan.head?.kind === 'current') {
    db.run(
      `INSERT INTO grids (tenant, grid_id, current_version, latest_version, content_hash, captured_at, account_domain, complete, updated_at, finds_deal)
       VALUES ($tenant, $gridId, $version, $version, $hash, $capturedAt, $domain, $complete, $now, $findsDeal)
       ON CONFLICT (tenant, grid_id) DO UPDATE SET current_version = excluded.current_version,
         latest_version = excluded.latest_version, content_hash = excluded.content_hash, captured_at = excluded.captured_at,
         account_domain = excluded.account_domain, complete = excluded.complete, updated_at = excluded.updated_at,
         finds_deal = excluded.finds_deal`,
      {
        ...key,
        $version: plan.head.version,
        $hash: plan.head.contentHash,
        $capturedAt: plan.head.capturedAtMs,
        $domain: plan.head.accountDomain,
        $complete: plan.head.complete ? 1 : 0,
        $now: now,
        // The deal watch looks only at grids whose current version leaves the deal to the mapping's rule.
        $findsDeal: grid.deal?.crmId === undefined ? 1 : 0,
      },
    );
    if (row && row.current_version !== plan.head.version) {
      // The version it replaces is history from now on: retention prunes it after a while.
      db.run(
        'UPDATE grid_versions SET replaced_at = $now WHERE tenant = $tenant AND grid_id = $gridId AND version = $version',
        { ...key, $version: row.current_version, $now: now },
      );
    }
  } else if (plan.head?.kind === 'latest') {
    db.run(
      'UPDATE grids SET latest_version = $version, updated_at = $now WHERE tenant = $tenant AND grid_id = $gridId',
      { ...key, $version: plan.head.version, $now: now },
    );
  }
  if (plan.version) {
    db.run(
      `INSERT INTO grid_versions (tenant, grid_id, version, outcome, grid, completeness, content_hash, captured_at, received_at, webhook_id, replaced_at)
       VALUES ($tenant, $gridId, $version, $outcome, $grid, $completeness, $hash, $capturedAt, $now, $webhookId, $replacedAt)`,
      {
        ...key,
        $version: plan.version.version,
        $outcome: plan.version.outcome,
        $grid: JSON.stringify(plan.version.grid),
        $completeness: JSON.stringify(plan.version.completeness),
        $hash: plan.version.contentHash,
        $capturedAt: plan.version.capturedAtMs,
        $now: now,
        $webhookId: cmd.webhookId,
        // A superseded version was never current: history from the start.
        $replacedAt: plan.version.outcome === 'superseded' ? now : null,
      },
    );
  }
  enqueueJobs(db, plan.jobs, cmd.receivedAt);

  const { result } = plan;
  const answer = cmd.answer(result);
  recordDelivery(db, cmd, 'grid', answer);
  return { replay: false, result, answer };
}

const INSERT_SIGNAL = `INSERT INTO signals (tenant, signal_id, type, account_domain, occurred_at, doc, received_at)
  VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (tenant, signal_id) DO NOTHING`;

export function acceptSignals(db: SqliteDatabase, cmd: AcceptSignals): Accepted<SignalsAcceptance> {
  const replayed = findDelivery(db, cmd.tenant, cmd.webhookId);
  if (replayed) return { replay: true, answer: replayed };

  // The hot path: one prepared statement, reused for every signal of the batch, inside one transaction.
  const insert = db.statement(INSERT_SIGNAL);
  const receivedAt = cmd.receivedAt.getTime();
  const latestByAccount = new Map<string, number>();
  const earliestByAccount = new Map<string, number>();
  let accepted = 0;
  for (const signal of cmd.signals) {
    const domain = signal.account.domain;
    const occurredAt = Date.parse(signal.occurredAt);
    const { changes } = insert.run(
      cmd.tenant,
      signal.id,
      signal.type,
      domain,
      occurredAt,
      JSON.stringify(signal),
      receivedAt,
    );
    if (Number(changes) === 0) continue;
    accepted += 1;
    latestByAccount.set(domain, Math.max(occurredAt, latestByAccount.get(domain) ?? occurredAt));
    earliestByAccount.set(domain, Math.min(occurredAt, earliestByAccount.get(domain) ?? occurredAt));
  }

  const accounts = [...latestByAccount.keys()].sort();
  for (const domain of accounts) {
    db.run(
      `INSERT INTO account_activity (tenant, account_domain, last_occurred_at, first_occurred_at)
       VALUES ($tenant, $domain, $at, $first)
       ON CONFLICT (tenant, account_domain) DO UPDATE SET last_occurred_at = MAX(last_occurred_at, excluded.last_occurred_at),
         first_occurred_at = MIN(coalesce(first_occurred_at, excluded.first_occurred_at), excluded.first_occurred_at)`,
      {
        $tenant: cmd.tenant,
        $domain: domain,
        $at: latestByAccount.get(domain) ?? receivedAt,
        $first: earliestByAccount.get(domain) ?? receivedAt,
      },
    );
  }
  enqueueJobs(
    db,
    accounts.map((domain) =>
      accountRefreshJob(cmd.tenant, domain, { runAt: cmd.receivedAt, maxAttempts: cmd.maxAttempts }),
    ),
    cmd.receivedAt,
  );

  const result: SignalsAcceptance = { accepted, duplicates: cmd.signals.length - accepted, accounts };
  const answer = cmd.answer(result);
  recordDelivery(db, cmd, 'signals', answer);
  return { replay: false, result, answer };
}
