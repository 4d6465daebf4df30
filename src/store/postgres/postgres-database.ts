/**
 * A pg Pool with what the PostgreSQL store needs: named (server-prepared) statements, transactions, advisory
 * locks and migrations. Errors from the database or the connection become StoreError here, at the query, so
 * an error thrown by a caller's callback inside a transaction passes through unwrapped.
 */
import { createHash } from 'node:crypto';
import pg from 'pg';
import type { Logger } from '../../lib/logger.ts';
import { loadMigrations, pendingMigrations } from '../migrations.ts';
import { StoreError } from '../store-errors.ts';

const MIGRATIONS = new URL('./migrations/', import.meta.url);

/** A statement with a stable name, so each pooled connection parses and plans it once. */
export interface Sql {
  readonly name: string;
  readonly text: string;
}

export function sql(text: string): Sql {
  return { name: `gridsync_${createHash('sha1').update(text).digest('hex').slice(0, 16)}`, text };
}

/**
 * First key of every two-key advisory lock we take (the second is a hash of the locked thing), so our locks
 * cannot collide with another application's, nor with each other's kinds.
 */
export const LOCK_SPACE = {
  migrations: 0x67730001,
  delivery: 0x67730002,
  grid: 0x67730003,
  enqueueKey: 0x67730004,
  claimKey: 0x67730005,
} as const;

const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

/** Runs statements inside one transaction. */
export interface Queryable {
  query<Row>(statement: Sql | string, values?: unknown[]): Promise<Row[]>;
}

export interface PostgresOptions {
  schema?: string | undefined;
  logger?: Logger | undefined;
  /** Pool size; the default suits one replica on a small machine. */
  maxConnections?: number | undefined;
}

export class PostgresDatabase {
  /** The schema openStore was asked for; undefined means the connection's default (its current_schema()). */
  readonly schema: string | undefined;
  readonly #pool: pg.Pool;
  readonly #where: string;

  constructor(url: string, options: PostgresOptions = {}) {
    if (options.schema !== undefined && !SCHEMA_NAME.test(options.schema)) {
      throw new Error(
        `PostgreSQL schema name "${options.schema}" must be lower-case letters, digits and "_" (at most 63)`,
      );
    }
    this.schema = options.schema;
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch (error) {
      // Not echoed: the URL may hold a password.
      throw new StoreError(
        'the PostgreSQL URL is not a valid URL (expected postgres://user@host:5432/database)',
        { cause: error },
      );
    }
    // Where, for error messages: never the password.
    this.#where = `postgres://${parsed.host}${parsed.pathname}${options.schema ? ` (schema ${options.schema})` : ''}`;
    this.#pool = new pg.Pool({
      connectionString: url,
      max: options.maxConnections ?? 10,
      ...(options.schema !== undefined && { options: `-c search_path=${options.schema}` }),
    });
    // An idle connection the server dropped: pg discards it; the next query reconnects or fails with a StoreError.
    this.#pool.on('error', (error) =>
      options.logger?.warn({ err: error }, 'idle PostgreSQL connection failed'),
    );
  }

  /** Single statements outside a transaction (each its own, autocommit). `what` names the operation in errors. */
  autocommit(what: string): Queryable {
    const label = `${this.#where}: ${what}`;
    return { query: <Row>(s: Sql | string, v: unknown[] = []) => runQuery<Row>(this.#pool, label, s, v) };
  }

  /** BEGIN … COMMIT on one connection; ROLLBACK when `work` throws. `what` names the operation in errors. */
  async transaction<T>(what: string, work: (tx: Queryable) => Promise<T>): Promise<T> {
    let client: pg.PoolClient;
    try {
      client = await this.#pool.connect();
    } catch (error) {
      throw storeError(`${this.#where}: ${what} (connecting)`, error);
    }
    const label = `${this.#where}: ${what}`;
    const tx: Queryable = {
      query: <Row>(s: Sql | string, v: unknown[] = []) => runQuery<Row>(client, label, s, v),
    };
    let broken: Error | undefined;
    try {
      await tx.query('BEGIN');
      const result = await work(tx);
      await tx.query('COMMIT');
      return result;
    } catch (error) {
      try {
        await client.query('ROLLBACK');
      } catch (rollbackError) {
        // The connection is unusable: destroy it rather than return it to the pool.
        broken = rollbackError instanceof Error ? rollbackError : new Error(String(rollbackError));
      }
      throw error;
    } finally {
      client.release(broken);
    }
  }

  /**
   * Applies pending migrations under a transaction-scoped advisory lock: replicas starting together wait for the
   * first one, then find nothing left to do. Returns the names applied.
   */
  migrate(): Promise<string[]> {
    return this.transaction('migrate', async (tx) => {
      const schema =
        this.schema ??
        (await tx.query<{ schema: string | null }>('SELECT current_schema() AS schema'))[0]?.schema;
      if (!schema) {
        throw new StoreError(
          `PostgreSQL store ${this.#where}: no schema on the search_path to create tables in`,
        );
      }
      const quoted = `"${schema.replaceAll('"', '""')}"`;
      await tx.query('SELECT pg_advisory_xact_lock($1, hashtext($2))', [LOCK_SPACE.migrations, schema]);
      await tx.query(`CREATE SCHEMA IF NOT EXISTS ${quoted}`);
      await tx.query(
        `CREATE TABLE IF NOT EXISTS ${quoted}.schema_migrations
           (version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`,
      );
      const applied = await tx.query<{ version: number }>(`SELECT version FROM ${quoted}.schema_migrations`);
      const pending = pendingMigrations(
        loadMigrations(MIGRATIONS),
        applied.map((r) => r.version),
      );
      for (const migration of pending) {
        await tx.query(migration.sql);
        await tx.query(`INSERT INTO ${quoted}.schema_migrations (version, name) VALUES ($1, $2)`, [
          migration.version,
          migration.name,
        ]);
      }
      return pending.map((m) => `${String(m.version).padStart(3, '0')}-${m.name}`);
    });
  }

  /** Idempotent: shutdown paths may close twice. */
  async close(): Promise<void> {
    if (this.#pool.ended) return;
    await this.#pool.end();
  }
}

async function runQuery<Row>(
  on: pg.Pool | pg.PoolClient,
  label: string,
  statement: Sql | string,
  values: unknown[],
): Promise<Row[]> {
  const config = typeof statement === 'string' ? { text: statement, values } : { ...statement, values };
  try {
    const result = await on.query(config);
    return result.rows as Row[];
  } catch (error) {
    throw storeError(label, error);
  }
}

function storeError(label: string, error: unknown): StoreError {
  const message = error instanceof Error ? error.message : String(error);
  const code = (error as { code?: unknown } | null)?.code;
  return new StoreError(
    `PostgreSQL store ${label} failed: ${message}${typeof code === 'string' ? ` (${code})` : ''}`,
    {
      cause: error,
    },
  );
}
