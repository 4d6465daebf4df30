/**
 * The order and the pace of every transaction of the SQLite store. node:sqlite is synchronous: whatever runs
 * SQL holds the event loop's thread, and a promise that resolves continues in a microtask, so a worker loop
 * awaiting 500 writes used to run all 500 (and their 500 fsyncs) before the intake could answer anything. Here:
 *
 * - Every transaction starts in a turn of its own (setImmediate), so HTTP requests are served between them.
 * - Group commit: writes queued together (deliveries, the worker's writes) are committed together by one
 *   transaction (`RunGroup`, in SqliteDatabase), each in its own SAVEPOINT, so one commit and one disk sync
 *   acknowledge all of them.
 * - The disk sync (`MakeDurable`) runs off the event loop (sqlite-wal-sync.ts), and until it is done no other
 *   transaction begins: nothing reads what is not yet durable, exactly as when SQLite synced inside COMMIT.
 *
 * What a caller sees does not change: its promise settles only once the COMMIT that holds its write is on disk
 * (a 202 is never sent for data that could still be lost), a write that fails is rolled back alone and rejects
 * alone, and a COMMIT that fails rejects every write of its group. Everything runs in the order it was asked
 * for, each write seeing the ones before it, so a group behaves exactly as the same calls one after another.
 */
import type { Result } from '../../lib/result.ts';
import { StoreError } from '../store-errors.ts';

/** One write of a group transaction; `what` names it in its error. */
export interface GroupedWork {
  what: string;
  run: () => unknown;
}

/** What became of one write: its value, or the error that rolled it back. */
export type WorkOutcome = Result<unknown, unknown>;

/**
 * Runs the works in one transaction, each isolated, in order: before each one after the first it asks `stop`
 * (how many ran so far) and, told to, takes no more; it answers the outcomes of those it ran. Throws when the
 * transaction as a whole failed.
 */
export type RunGroup = (works: readonly GroupedWork[], stop: (ran: number) => boolean) => WorkOutcome[];

/** Makes what the last COMMIT wrote durable (the disk sync synchronous=FULL would have done inside COMMIT). */
export type MakeDurable = () => Promise<void>;

/**
 * Upkeep between two groups, told how many rows the group that was just answered wrote: a promise (the WAL's
 * checkpoint, sqlite-wal-checkpoint.ts) holds the next transaction back until it settles, as the sync does;
 * undefined lets it begin at once.
 */
export type AfterCommit = (rows: number) => Promise<void> | undefined;

export interface GroupLimits {
  /** Writes per transaction. */
  maxDeliveries: number;
  /**
   * Rows a transaction may write (a write counts roughly the rows it writes): the group's work holds the event
   * loop and delays every answer in it, so a few large signal batches fill a group on their own. A write
   * larger than this still runs, alone.
   */
  maxRows: number;
  /** Reads run back to back for at most this long before the loop turns (at least one read per turn). */
  readTurnMs: number;
  /**
   * A group stops taking writes once it has run for this long and holds at least `minWrites`; the rest go
   * first into the next group.
   */
  writeTurnMs: number;
  minWrites: number;
}

/**
 * Measured on the 2-core dev machine: 256 grids take some 30 ms; a batch of 1,000 signals 15–40 ms, most of it
 * B-tree work that grouping does not save, so five batches (5,000 rows) already share the commit well and a
 * bigger group would mostly make its first answer wait longer.
 */
export const DEFAULT_GROUP_LIMITS: GroupLimits = {
  maxDeliveries: 256,
  maxRows: 5_000,
  readTurnMs: 5,
  writeTurnMs: 10,
  minWrites: 16,
};

interface Settle {
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}
type Queued =
  | (Settle & { kind: 'write'; work: GroupedWork; rows: number })
  | (Settle & { kind: 'read'; run: () => unknown });

const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

export class GroupCommit {
  readonly #runGroup: RunGroup;
  readonly #makeDurable: MakeDurable;
  readonly #afterCommit: AfterCommit;
  readonly #limits: GroupLimits;
  #queue: Queued[] = [];
  #draining: Promise<void> | undefined;

  constructor(
    runGroup: RunGroup,
    options: { makeDurable?: MakeDurable; afterCommit?: AfterCommit; limits?: Partial<GroupLimits> } = {},
  ) {
    this.#runGroup = runGroup;
    this.#makeDurable = options.makeDurable ?? (() => Promise.resolve());
    this.#afterCommit = options.afterCommit ?? (() => undefined);
    this.#limits = { ...DEFAULT_GROUP_LIMITS, ...options.limits };
  }

  /** Queues a write for the next group; settles once that group's COMMIT is durable, or failed. */
  submit<T>(what: string, rows: number, run: () => T): Promise<T> {
    return this.#enqueue<T>((settle) => ({ kind: 'write', work: { what, run }, rows, ...settle }));
  }

  /** Queues a read (`run` opens its own read transaction); it runs once every earlier write is durable. */
  read<T>(run: () => T): Promise<T> {
    return this.#enqueue<T>((settle) => ({ kind: 'read', run, ...settle }));
  }

  /** Resolves once everything queued so far has run: before the connection closes, so nothing is left hanging. */
  async drain(): Promise<void> {
    while (this.#draining) await this.#draining;
  }

  #enqueue<T>(entry: (settle: Settle) => Queued): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.#queue.push(entry({ resolve: resolve as (value: unknown) => void, reject }));
      this.#draining ??= this.#drainQueue();
    });
  }

  /**
   * One piece per turn. setImmediate, not a microtask: it runs once the event loop's poll phase has handed every
   * request that arrived meanwhile to its handler, so those deliveries are already queued and share the commit;
   * on an idle loop it runs at once, adding no timer delay.
   */
  async #drainQueue(): Promise<void> {
    while (this.#queue.length > 0) {
      await nextTurn();
      if (this.#queue[0]?.kind === 'read') this.#runReads();
      else await this.#commitNextGroup();
    }
    // Cleared in the same synchronous step as the empty-queue check, so a later call starts a new drain.
    this.#draining = undefined;
  }

  #runReads(): void {
    const started = performance.now();
    do {
      const read = this.#queue.shift() as Queued & { kind: 'read' };
      try {
        read.resolve(read.run());
      } catch (error) {
        read.reject(error);
      }
    } while (this.#queue[0]?.kind === 'read' && performance.now() - started < this.#limits.readTurnMs);
  }

  async #commitNextGroup(): Promise<void> {
    const group = this.#takeGroup();
    if (group.length === 0) return;
    let outcomes: WorkOutcome[];
    try {
      const { writeTurnMs, minWrites } = this.#limits;
      const deadline = performance.now() + writeTurnMs;
      outcomes = this.#runGroup(
        group.map((queued) => queued.work),
        (ran) => ran >= minWrites && performance.now() >= deadline,
      );
    } catch (error) {
      // Nothing of the group was committed: every write in it failed, and each caller may retry.
      for (const queued of group) queued.reject(error);
      return;
    }
    // What the deadline left out goes first into the next group, in order.
    this.#queue.unshift(...group.splice(outcomes.length));
    try {
      await this.#makeDurable();
    } catch (error) {
      // Committed, but the disk did not confirm it: nobody may act on it as if it were safe. A retry finds it
      // stored (a delivery is replayed), so refusing is safe; accepting could acknowledge what a power cut loses.
      const message = error instanceof Error ? error.message : String(error);
      const failure = new StoreError(`SQLite store: syncing a commit to disk failed: ${message}`, {
        cause: error,
      });
      for (const queued of group) queued.reject(failure);
      return;
    }
    group.forEach((queued, i) => {
      const outcome = outcomes[i]!; // RunGroup answers one outcome per work, in order.
      if (outcome.ok) queued.resolve(outcome.value);
      else queued.reject(outcome.error);
    });
    // Answered first: upkeep delays the next transaction, never the answers of this one.
    await this.#afterCommit(group.reduce((rows, queued) => rows + queued.rows, 0));
  }

  /** The oldest writes, in order, up to the first read and within the limits (always at least one). */
  #takeGroup(): (Queued & { kind: 'write' })[] {
    let count = 0;
    let rows = 0;
    while (count < this.#queue.length && count < this.#limits.maxDeliveries) {
      const next = this.#queue[count]!;
      if (next.kind !== 'write') break;
      if (count > 0 && rows + next.rows > this.#limits.maxRows) break;
      rows += next.rows;
      count += 1;
    }
    return this.#queue.splice(0, count) as (Queued & { kind: 'write' })[];
  }
}
