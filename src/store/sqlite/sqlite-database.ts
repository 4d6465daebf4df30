/**
 * One node:sqlite connection with the settings durability needs, a prepared-statement cache, transactions and
 * migrations. node:sqlite is synchronous: a transaction runs start to end within one turn of the event loop,
 * so calls from this process never interleave; BEGIN IMMEDIATE (with busy_timeout) orders us against other
 * processes opening the same file (`gridsync migrate` next to `gridsync serve`).
 *
 * Being synchronous, it would hold the event loop for every statement and every disk sync the worker asks for,
 * so the intake (and /healthz) waited for the worker. Every transaction is therefore queued (group-commit.ts):
 * each starts in a turn of its own, writes that arrive together share one COMMIT, and the disk sync of a COMMIT
 * runs off the event loop (sqlite-wal-sync.ts) with nothing else begun until it is done.
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { DatabaseSync, type SQLInputValue, type StatementSync } from 'node:sqlite';
import { err, ok } from '../../lib/result.ts';
import { loadMigrations, pendingMigrations } from '../migrations.ts';
import { StoreError } from '../store-errors.ts';
import { GroupCommit, type GroupedWork, type WorkOutcome } from './group-commit.ts';
import { WalCheckpointer } from './sqlite-wal-checkpoint.ts';
import { WalSync } from './sqlite-wal-sync.ts';

const MIGRATIONS = new URL('./migrations/', import.meta.url);
const BUSY_TIMEOUT_MS = 5_000;

/** Named (`$name` in the SQL) or positional (`?`) parameters. */
export type Params = Record<string, SQLInputValue> | SQLInputValue[];

export class SqliteDatabase {
  readonly path: string;
  readonly #db: DatabaseSync;
  readonly #statements = new Map<string, StatementSync>();
  readonly #queue: GroupCommit;
  readonly #walSync: WalSync | undefined;
  readonly #checkpointer: WalCheckpointer | undefined;

  constructor(path: string) {
    this.path = path;
    try {
      if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
      this.#db = new DatabaseSync(path, { timeout: BUSY_TIMEOUT_MS });
      // WAL: readers do not block the writer. temp_store=MEMORY: group commit puts each write in a SAVEPOINT,
      // whose sub-journal (pages as they were before it) otherwise goes to a temp file on disk, hundreds of page
      // writes per signal batch. It only serves a ROLLBACK TO inside the open transaction, never crash recovery,
      // so memory is the right place for it.
      this.#db.exec(`
        PRAGMA journal_mode = WAL;
        PRAGMA busy_timeout = ${BUSY_TIMEOUT_MS};
        PRAGMA foreign_keys = ON;
        PRAGMA temp_store = MEMORY;
      `);
      // A commit must be on disk before anyone is told it happened (intake answers 202 right after, and a power
      // cut must not lose what was acknowledged). In WAL mode the WAL's sync after COMMIT is what gives that, and
      // WalSync runs it off the event loop, so SQLite itself need not (NORMAL). Without WAL (a file system that
      // refuses it), SQLite syncs inside COMMIT (FULL). In memory there is no disk.
      const mode = this.get<{ journal_mode: string }>('PRAGMA journal_mode')?.journal_mode;
      const wal = mode === 'wal';
      this.#db.exec(`PRAGMA synchronous = ${wal ? 'NORMAL' : 'FULL'}`);
      this.#walSync = wal ? new WalSync(path) : undefined;
      // Checkpoints run on a thread of their own, between two groups (sqlite-wal-checkpoint.ts), not inside a
      // COMMIT on the event loop; should that fail, SQLite's own come back.
      if (wal) this.#db.exec('PRAGMA wal_autocheckpoint = 0');
      this.#checkpointer = wal
        ? new WalCheckpointer(path, {
            busyTimeoutMs: BUSY_TIMEOUT_MS,
            fallBack: () => {
              if (this.#db.isOpen) this.#db.exec('PRAGMA wal_autocheckpoint = 1000');
            },
          })
        : undefined;
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      throw new StoreError(`SQLite store ${path}: cannot open it (${message}); check GRIDSYNC_DATABASE_URL`, {
        cause: error,
      });
    }
    this.#queue = new GroupCommit((works, stop) => this.#writeGroup(groupName(works), works, stop), {
      makeDurable: () => this.#walSync?.sync() ?? Promise.resolve(),
      afterCommit: (rows) => this.#checkpointer?.afterCommit(rows),
    });
  }

  /** The prepared statement for this SQL, prepared once per connection. */
  statement(sql: string): StatementSync {
    let statement = this.#statements.get(sql);
    if (!statement) {
      statement = this.#db.prepare(sql);
      this.#statements.set(sql, statement);
    }
    return statement;
  }

  get<Row>(sql: string, params: Params = []): Row | undefined {
    const statement = this.statement(sql);
    return (Array.isArray(params) ? statement.get(...params) : statement.get(params)) as Row | undefined;
  }

  all<Row>(sql: string, params: Params = []): Row[] {
    const statement = this.statement(sql);
    return (Array.isArray(params) ? statement.all(...params) : statement.all(params)) as Row[];
  }

  /** Runs a statement; returns how many rows it changed. */
  run(sql: string, params: Params = []): number {
    const statement = this.statement(sql);
    return Number((Array.isArray(params) ? statement.run(...params) : statement.run(params)).changes);
  }

  /**
   * A write: all of `work` or none of it, settled once the COMMIT that holds it is on disk. It runs in a later
   * turn of the event loop, as one SAVEPOINT of a transaction it may share with the writes queued in the same
   * turn (group-commit.ts); `rows` (about how many rows it writes) keeps one transaction from holding the loop
   * too long.
   */
  write<T>(what: string, work: () => T, rows = 1): Promise<T> {
    return this.#queue.submit(what, rows, work);
  }

  /**
   * Group commit (see group-commit.ts): one BEGIN IMMEDIATE … COMMIT around independent pieces of work, run in
   * order, each inside its own SAVEPOINT so one that throws is rolled back alone (its error returned in its
   * place) while the rest go on and see what the earlier ones wrote; `stop` may end the group early (the
   * outcomes answer those that ran). Returns only once COMMIT succeeded; throws,
   * with everything rolled back, when the transaction as a whole could not begin or commit. BEGIN IMMEDIATE
   * takes the write lock first, so two processes never deadlock upgrading a read lock.
   */
  #writeGroup(what: string, works: readonly GroupedWork[], stop: (ran: number) => boolean): WorkOutcome[] {
    try {
      this.#db.exec('BEGIN IMMEDIATE');
    } catch (error) {
      throw wrap(what, this.path, error);
    }
    try {
      const outcomes: WorkOutcome[] = [];
      for (const work of works) {
        if (outcomes.length > 0 && stop(outcomes.length)) break;
        outcomes.push(this.#runInSavepoint(work));
      }
      this.#db.exec('COMMIT');
      return outcomes;
    } catch (error) {
      if (this.#db.isTransaction) this.#db.exec('ROLLBACK');
      throw wrap(what, this.path, error);
    }
  }

  /** A read transaction: several statements see one snapshot, of what is durable. It runs in a later turn. */
  read<T>(what: string, work: () => T): Promise<T> {
    return this.#queue.read(() => this.#readTransaction(what, work));
  }

  /** Applies the migrations this file has not seen; returns the names applied. */
  migrate(): Promise<string[]> {
    return this.write('migrate', () => {
      this.#db.exec(
        'CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)',
      );
      const applied = this.all<{ version: number }>('SELECT version FROM schema_migrations').map(
        (r) => r.version,
      );
      const pending = pendingMigrations(loadMigrations(MIGRATIONS), applied);
      for (const migration of pending) {
        this.#db.exec(migration.sql);
        this.run('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)', [
          migration.version,
          migration.name,
          Date.now(),
        ]);
      }
      return pending.map((m) => `${String(m.version).padStart(3, '0')}-${m.name}`);
    });
  }

  /** What is still queued runs (and its callers are answered) first, not dropped with the connection. */
  async close(): Promise<void> {
    await this.#queue.drain();
    // Its connection closes first: the last one to close checkpoints the WAL and removes it.
    await this.#checkpointer?.close();
    this.#statements.clear();
    if (this.#db.isOpen) this.#db.close();
    await this.#walSync?.close();
  }

  // Prepared once (statement()), not exec'd: they run twice per delivery, and parsing them each time showed.
  #runInSavepoint(work: GroupedWork): WorkOutcome {
    this.statement('SAVEPOINT grouped_work').run();
    try {
      const value = work.run();
      this.statement('RELEASE grouped_work').run();
      return ok(value);
    } catch (error) {
      // Some errors (disk full, I/O) make SQLite roll back the whole transaction itself: the work before this one
      // is gone too, so the group as a whole failed.
      if (!this.#db.isTransaction) throw error;
      // ROLLBACK TO keeps the savepoint open; RELEASE pops it, so the next piece starts from the same depth.
      this.statement('ROLLBACK TO grouped_work').run();
      this.statement('RELEASE grouped_work').run();
      return err(wrap(work.what, this.path, error));
    }
  }

  #readTransaction<T>(what: string, work: () => T): T {
    try {
      this.#db.exec('BEGIN');
    } catch (error) {
      throw wrap(what, this.path, error);
    }
    try {
      const result = work();
      this.#db.exec('COMMIT');
      return result;
    } catch (error) {
      if (this.#db.isTransaction) this.#db.exec('ROLLBACK');
      throw wrap(what, this.path, error);
    }
  }
}

/** Names a group in its error by what it held: "group commit (acceptGrid, complete)". */
function groupName(works: readonly GroupedWork[]): string {
  return `group commit (${[...new Set(works.map((w) => w.what))].join(', ')})`;
}

/** SQLite's own errors become StoreError; a caller's callback error (e.g. the intake answer) passes through. */
function wrap(what: string, path: string, error: unknown): Error {
  const code = (error as { code?: unknown } | null)?.code;
  if (code !== 'ERR_SQLITE_ERROR') return error instanceof Error ? error : new Error(String(error));
  const message = error instanceof Error ? error.message : String(error);
  return new StoreError(`SQLite store ${path}: ${what} failed: ${message}`, { cause: error });
}
