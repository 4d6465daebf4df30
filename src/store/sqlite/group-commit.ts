/**
 * Group commit for intake. With synchronous=FULL every COMMIT waits for the disk, and node:sqlite waits on the
 * event loop's own thread: one commit per delivery made the fsync, not the work, the cost of a webhook. Here
 * deliveries that arrive together are queued and committed together by one transaction (`RunGroup`, in
 * SqliteDatabase.writeGroup), so one fsync acknowledges all of them.
 *
 * What a caller sees does not change: its promise settles only after the COMMIT that holds its delivery is on
 * disk (a 202 is never sent for data that could still be lost), a delivery that fails is rolled back alone and
 * rejects alone, and a COMMIT that fails rejects every delivery of its group. Deliveries run in the order they
 * were submitted, each seeing the ones before it, so a group behaves exactly as the same calls one after another.
 */
import type { GroupedWork, WorkOutcome } from './sqlite-database.ts';

/** Runs the works in one transaction, each isolated; throws when the transaction as a whole failed. */
export type RunGroup = (works: readonly GroupedWork[]) => WorkOutcome[];

export interface GroupLimits {
  /** Deliveries per transaction. */
  maxDeliveries: number;
  /**
   * Rows a transaction may write (a delivery counts roughly the rows it writes): the group's work holds the event
   * loop and delays every answer in it, so a few large signal batches fill a group on their own. A delivery
   * larger than this still runs, alone.
   */
  maxRows: number;
}

/**
 * Measured on the 2-core dev machine: 256 grids take some 30 ms; a batch of 1,000 signals 15–40 ms, most of it
 * B-tree work that grouping does not save, so five batches (5,000 rows) already share the commit well and a
 * bigger group would mostly make its first answer wait longer.
 */
export const DEFAULT_GROUP_LIMITS: GroupLimits = { maxDeliveries: 256, maxRows: 5_000 };

interface Queued {
  work: GroupedWork;
  rows: number;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

export class GroupCommit {
  readonly #runGroup: RunGroup;
  readonly #limits: GroupLimits;
  #queue: Queued[] = [];
  #scheduled: NodeJS.Immediate | undefined;

  constructor(runGroup: RunGroup, limits: GroupLimits = DEFAULT_GROUP_LIMITS) {
    this.#runGroup = runGroup;
    this.#limits = limits;
  }

  /** Queues `run` for the next group; settles once that group's COMMIT has succeeded, or failed. */
  submit<T>(what: string, rows: number, run: () => T): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.#queue.push({ work: { what, run }, rows, resolve: resolve as (value: unknown) => void, reject });
      this.#schedule();
    });
  }

  /** Commits everything queued, now: before the connection closes, so nothing submitted is left hanging. */
  flushAll(): void {
    if (this.#scheduled) clearImmediate(this.#scheduled);
    this.#scheduled = undefined;
    while (this.#queue.length > 0) this.#commitNextGroup();
  }

  /**
   * setImmediate, not a microtask: it runs once the event loop's poll phase has handed every request that
   * arrived meanwhile to its handler, so those deliveries are already queued and share the commit; on an idle
   * loop it runs at once, adding no timer delay. Between two groups the loop turns, so the answers of the first
   * go out while the next is written.
   */
  #schedule(): void {
    this.#scheduled ??= setImmediate(() => {
      this.#scheduled = undefined;
      this.#commitNextGroup();
      if (this.#queue.length > 0) this.#schedule();
    });
  }

  #commitNextGroup(): void {
    const group = this.#takeGroup();
    if (group.length === 0) return;
    let outcomes: WorkOutcome[];
    try {
      outcomes = this.#runGroup(group.map((queued) => queued.work));
    } catch (error) {
      // Nothing of the group was committed: every delivery in it failed, and each sender may retry.
      for (const queued of group) queued.reject(error);
      return;
    }
    group.forEach((queued, i) => {
      const outcome = outcomes[i]!; // RunGroup answers one outcome per work, in order.
      if (outcome.ok) queued.resolve(outcome.value);
      else queued.reject(outcome.error);
    });
  }

  /** The oldest deliveries, in order, within the limits (always at least one). */
  #takeGroup(): Queued[] {
    let count = 0;
    let rows = 0;
    while (count < this.#queue.length && count < this.#limits.maxDeliveries) {
      const next = this.#queue[count]!;
      if (count > 0 && rows + next.rows > this.#limits.maxRows) break;
      rows += next.rows;
      count += 1;
    }
    return this.#queue.splice(0, count);
  }
}
