/**
 * The shared request windows (src/lib/shared-window.ts) on PostgreSQL: a window of N requests is N rows of
 * crm_request_slots. Taking a slot is one UPDATE of a free row (free_at passed) picked with SKIP LOCKED, so
 * replicas never wait on each other and never take the same row; while the request is in flight the row is
 * held (free_at far ahead, in case the process dies); its answer sets free_at one window ahead. Every time is
 * the database's clock (clock_timestamp()), so replicas with skewed clocks still agree.
 */
import { randomUUID } from 'node:crypto';

import type { SharedSlot, SharedWindows } from '../../lib/shared-window.ts';
import { type Queryable, sql } from './postgres-database.ts';

/** A slot held by a process that died is free again after this long plus the window (longer than any try). */
const IN_FLIGHT_MS = 120_000;
/** Asked again this soon when every slot is held by a request in flight (one of them will end). */
const ALL_IN_FLIGHT_WAIT_MS = 10;

const FILL = sql(`INSERT INTO crm_request_slots (budget, slot, free_at)
  SELECT $1, s, '-infinity' FROM generate_series(0, $2::int - 1) AS s ON CONFLICT DO NOTHING`);
const TRIM = sql(`DELETE FROM crm_request_slots WHERE budget = $1 AND slot >= $2`);

const TAKE = sql(`WITH free AS (
    SELECT slot, free_at FROM crm_request_slots
    WHERE budget = $1 AND slot < $2 AND free_at <= clock_timestamp()
    ORDER BY free_at LIMIT 1 FOR UPDATE SKIP LOCKED
  )
  UPDATE crm_request_slots s SET free_at = clock_timestamp() + make_interval(secs => $3::float8 / 1000), holder = $4
  FROM free WHERE s.budget = $1 AND s.slot = free.slot
  RETURNING s.slot, free.free_at::text AS previous,
    (SELECT count(*)::int FROM crm_request_slots u
     WHERE u.budget = $1 AND u.slot < $2 AND u.free_at > clock_timestamp()) + 1 AS used`);

/** When the next slot not in flight frees (ms from now), or null when every slot is in flight. */
const NEXT_FREE =
  sql(`SELECT GREATEST(0, EXTRACT(EPOCH FROM (MIN(free_at) - clock_timestamp())) * 1000)::float8 AS wait_ms
  FROM crm_request_slots WHERE budget = $1 AND slot < $2 AND holder IS NULL`);

/**
 * For each window asked about ($1 keys, $2 limits, $3 idle times): its rows, and how long until one has been free
 * for the idle time (0 when one has; null when every slot is in flight). One statement for all tenants.
 */
const IDLE_IN = sql(`SELECT k.i::int AS i, count(s.slot)::int AS rows,
    -- A slot never taken is free since -infinity: idle, and no date arithmetic on it.
    CASE WHEN bool_or(s.holder IS NULL AND s.free_at = '-infinity') THEN 0
    ELSE GREATEST(0, EXTRACT(EPOCH FROM (MIN(s.free_at) FILTER (WHERE s.holder IS NULL)
      + make_interval(secs => k.idle / 1000) - clock_timestamp())) * 1000)::float8 END AS wait_ms
  FROM unnest($1::text[], $2::int[], $3::float8[]) WITH ORDINALITY AS k(budget, lim, idle, i)
  LEFT JOIN crm_request_slots s ON s.budget = k.budget AND s.slot < k.lim
  GROUP BY k.i, k.idle`);

const SETTLE = sql(`UPDATE crm_request_slots
  SET free_at = clock_timestamp() + make_interval(secs => $3::float8 / 1000), holder = NULL
  WHERE budget = $1 AND slot = $2 AND holder = $4`);

const CANCEL = sql(`UPDATE crm_request_slots SET free_at = $3::timestamptz, holder = NULL
  WHERE budget = $1 AND slot = $2 AND holder = $4`);

interface IdleQuestion {
  key: string;
  limit: number;
  idleMs: number;
  resolve: (waitMs: number) => void;
  reject: (thrown: unknown) => void;
}

export function postgresRequestWindows(db: Queryable): SharedWindows {
  /** The window sizes this process has made rows for (a changed limit adds or removes rows). */
  const sized = new Map<string, number>();
  /** Questions asked in the same tick (the runner asks for every tenant at once): one statement answers all. */
  let asked: IdleQuestion[] | undefined;
  async function answerAsked(): Promise<void> {
    const batch = asked ?? [];
    asked = undefined;
    try {
      const rows = await db.query<{ i: number; rows: number; wait_ms: number | null }>(IDLE_IN, [
        batch.map((q) => q.key),
        batch.map((q) => q.limit),
        batch.map((q) => q.idleMs),
      ]);
      for (const row of rows) {
        const question = batch[row.i - 1]!;
        // Missing rows are slots nobody has taken yet (the window is new, or its limit grew).
        if (row.rows < question.limit) question.resolve(0);
        else question.resolve(row.wait_ms === null ? ALL_IN_FLIGHT_WAIT_MS : Math.ceil(row.wait_ms));
      }
    } catch (thrown) {
      for (const question of batch) question.reject(thrown);
    }
  }
  return {
    async take(key, limit, windowMs) {
      if (sized.get(key) !== limit) {
        await db.query(FILL, [key, limit]);
        await db.query(TRIM, [key, limit]);
        sized.set(key, limit);
      }
      const holder = randomUUID();
      const [row] = await db.query<{ slot: number; previous: string; used: number }>(TAKE, [
        key,
        limit,
        IN_FLIGHT_MS + windowMs,
        holder,
      ]);
      if (row === undefined) {
        const [next] = await db.query<{ wait_ms: number | null }>(NEXT_FREE, [key, limit]);
        const waitMs = next?.wait_ms == null ? ALL_IN_FLIGHT_WAIT_MS : Math.ceil(next.wait_ms) + 1;
        return { waitMs: Math.max(1, waitMs) };
      }
      const slot: SharedSlot = {
        used: row.used,
        settle: async () => void (await db.query(SETTLE, [key, row.slot, windowMs, holder])),
        cancel: async () => void (await db.query(CANCEL, [key, row.slot, row.previous, holder])),
      };
      return slot;
    },
    idleInMs(key, limit, idleMs) {
      return new Promise((resolve, reject) => {
        if (asked === undefined) {
          asked = [];
          queueMicrotask(() => void answerAsked());
        }
        asked.push({ key, limit, idleMs, resolve, reject });
      });
    },
  };
}
