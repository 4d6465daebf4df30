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

/** Rows of the key, and how long until one has been free for $3 ms (0 when one has; null when all in flight). */
const IDLE_IN = sql(`SELECT count(*)::int AS rows,
    GREATEST(0, EXTRACT(EPOCH FROM (MIN(free_at) FILTER (WHERE holder IS NULL)
      + make_interval(secs => $3::float8 / 1000) - clock_timestamp())) * 1000)::float8 AS wait_ms
  FROM crm_request_slots WHERE budget = $1 AND slot < $2`);

const SETTLE = sql(`UPDATE crm_request_slots
  SET free_at = clock_timestamp() + make_interval(secs => $3::float8 / 1000), holder = NULL
  WHERE budget = $1 AND slot = $2 AND holder = $4`);

const CANCEL = sql(`UPDATE crm_request_slots SET free_at = $3::timestamptz, holder = NULL
  WHERE budget = $1 AND slot = $2 AND holder = $4`);

export function postgresRequestWindows(db: Queryable): SharedWindows {
  /** The window sizes this process has made rows for (a changed limit adds or removes rows). */
  const sized = new Map<string, number>();
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
    async idleInMs(key, limit, idleMs) {
      const [row] = await db.query<{ rows: number; wait_ms: number | null }>(IDLE_IN, [key, limit, idleMs]);
      // Missing rows are slots nobody has taken yet (the window is new, or its limit grew).
      if (row === undefined || row.rows < limit) return 0;
      return row.wait_ms === null ? ALL_IN_FLIGHT_WAIT_MS : Math.ceil(row.wait_ms);
    },
  };
}
