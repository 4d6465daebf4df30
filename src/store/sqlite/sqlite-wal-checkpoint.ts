/**
 * WAL checkpoints off the event loop. SQLite's automatic checkpoint runs inside the COMMIT that takes the WAL
 * past 1,000 pages, on the thread that called COMMIT: it copies the WAL's pages into the database file and
 * syncs both (synchronous=NORMAL syncs at checkpoints), and measured on the 2-core dev machine that held the
 * event loop 25–50 ms each time, once per signal batch of 1,000 and every few groups of grids, while the COMMIT
 * itself took some 5 ms.
 *
 * So the store's connection runs with wal_autocheckpoint=0 and this runs `PRAGMA wal_checkpoint(PASSIVE)` on a
 * connection of its own in a worker thread. The group commit awaits it between two groups, like the WAL's sync:
 * no transaction is open meanwhile, so the checkpoint copies the whole WAL and the next write starts the WAL
 * over from its beginning (the file stays the size it reached), and the event loop serves requests meanwhile.
 * Durability does not depend on it: a commit is durable once its WAL frames are synced (sqlite-wal-sync.ts), and
 * a checkpoint syncs the WAL before it copies anything and the database before the WAL is reused.
 *
 * If the worker cannot start or its checkpoint fails, the connection goes back to SQLite's own automatic
 * checkpoints (`fallBack`), so the WAL never grows without bound.
 */
import { Worker } from 'node:worker_threads';

/** About how many rows are written between two checkpoints (a row is a few WAL pages at most). */
export const CHECKPOINT_EVERY_ROWS = 8_000;
/**
 * Every so many checkpoints, one is awaited with no transaction open, so that the WAL starts over. Measured with
 * bench/intake.ts (signal batches of 1,000): the WAL then peaked near 15,000 pages (60 MB).
 */
export const REWIND_EVERY = 3;

/** The worker: one connection, one PASSIVE checkpoint per message, its result (or error) posted back. */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const { DatabaseSync } = require('node:sqlite');
const db = new DatabaseSync(workerData.path, { timeout: workerData.busyTimeoutMs });
const checkpoint = db.prepare('PRAGMA wal_checkpoint(PASSIVE)');
parentPort.on('message', (message) => {
  if (message === 'close') {
    db.close();
    parentPort.close();
    return;
  }
  try {
    parentPort.postMessage({ ok: true, result: checkpoint.get() });
  } catch (error) {
    parentPort.postMessage({ ok: false, error: error instanceof Error ? error.message : String(error) });
  }
});
`;

export interface CheckpointResult {
  /** 1 when it could not run to completion (another connection held a lock). */
  busy: number;
  /** Frames in the WAL. */
  log: number;
  /** Frames copied into the database file. */
  checkpointed: number;
}

type Answer = { ok: true; result: CheckpointResult } | { ok: false; error: string };

export class WalCheckpointer {
  readonly #path: string;
  readonly #busyTimeoutMs: number;
  readonly #fallBack: () => void;
  #worker: { thread: Worker; exited: Promise<void> } | undefined;
  #rows = 0;
  #sinceRewind = 0;
  #inFlight: Promise<void> | undefined;
  #failed = false;
  #checkpoints = 0;

  /** `fallBack` turns SQLite's automatic checkpoints back on for the store's connection. */
  constructor(path: string, options: { busyTimeoutMs: number; fallBack: () => void }) {
    this.#path = path;
    this.#busyTimeoutMs = options.busyTimeoutMs;
    this.#fallBack = options.fallBack;
  }

  /** How many checkpoints ran (for tests). */
  get checkpoints(): number {
    return this.#checkpoints;
  }

  /**
   * Counts what a committed group wrote. Once enough was written since the last checkpoint, one starts on the
   * worker while the next groups run (a PASSIVE checkpoint copies what was committed when it began, beside the
   * writer). Every REWIND_EVERY-th is awaited before the next group, as is one still running when the next is
   * due: with no transaction open meanwhile it copies the whole WAL, so the next write starts the WAL over and
   * the file stays bounded. Undefined: the next group may begin at once.
   */
  afterCommit(rows: number): Promise<void> | undefined {
    if (this.#failed) return undefined;
    this.#rows += rows;
    if (this.#rows < CHECKPOINT_EVERY_ROWS) return undefined;
    if (this.#inFlight) return this.#inFlight;
    this.#rows = 0;
    this.#sinceRewind += 1;
    const running = this.run().then(
      () => undefined,
      () => this.#giveUp(),
    );
    this.#inFlight = running.finally(() => (this.#inFlight = undefined));
    if (this.#sinceRewind < REWIND_EVERY) return undefined;
    this.#sinceRewind = 0;
    return this.#inFlight;
  }

  /** One PASSIVE checkpoint on the worker's connection. */
  run(): Promise<CheckpointResult> {
    const worker = (this.#worker ??= this.#start()).thread;
    // Referenced while it works, so the process waits for what it awaits; idle, it keeps no process alive.
    worker.ref();
    return new Promise<CheckpointResult>((resolve, reject) => {
      const onExit = (code: number) => reject(new Error(`the checkpoint worker exited with ${code}`));
      worker.once('exit', onExit);
      worker.once('message', (answer: Answer) => {
        worker.off('exit', onExit);
        worker.unref();
        if (answer.ok) {
          this.#checkpoints += 1;
          resolve(answer.result);
        } else reject(new Error(answer.error));
      });
      worker.postMessage('run');
    });
  }

  async close(): Promise<void> {
    const worker = this.#worker;
    this.#worker = undefined;
    if (!worker) return;
    worker.thread.ref();
    worker.thread.postMessage('close');
    await worker.exited;
  }

  #start(): { thread: Worker; exited: Promise<void> } {
    const thread = new Worker(WORKER_SOURCE, {
      eval: true,
      workerData: { path: this.#path, busyTimeoutMs: this.#busyTimeoutMs },
    });
    const exited = new Promise<void>((resolve) => thread.once('exit', () => resolve()));
    // An error ends it, and is answered through 'exit'.
    thread.unref();
    thread.on('error', () => undefined);
    return { thread, exited };
  }

  #giveUp(): void {
    this.#failed = true;
    this.#fallBack();
    void this.close().catch(() => undefined);
  }
}
