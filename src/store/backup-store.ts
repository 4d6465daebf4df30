/**
 * `gridsync backup`: a consistent copy of the configured store, taken while `gridsync serve` keeps running.
 *
 * SQLite: `VACUUM INTO` reads the database inside one read transaction, so the copy is the store exactly as
 * one commit left it (in WAL mode the writers carry on meanwhile; nothing half-committed can be in it), and it
 * is a plain database file with no `-wal` beside it. The online backup API would be the other way; under a
 * steady stream of writes from another process it starts over after each one, VACUUM INTO does not. The copy
 * is written under a temporary name, checked (`PRAGMA integrity_check`), synced to disk and only then renamed
 * to the name asked for, so a file by that name is always a whole, checked backup.
 *
 * PostgreSQL: `pg_dump --format=custom` of the database, which is itself one consistent snapshot; restored
 * with `pg_restore` into an empty database (README, Recover). The password goes to pg_dump in its environment,
 * never on its command line (where `ps` would show it).
 */
import { spawn } from 'node:child_process';
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, renameSync, rmSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';

import { parseStoreUrl } from './open-store.ts';
import { StoreError } from './store-errors.ts';

export interface BackupReport {
  kind: 'sqlite' | 'postgres';
  to: string;
  bytes: number;
  seconds: number;
  /** SQLite: what the copy holds, read back from it. */
  contents?: { grids: number; signals: number; unfinishedJobs: number; deadJobs: number };
}

/** A backup that cannot be taken as asked (the target exists, pg_dump is missing): the operator's to fix. */
export class BackupRefused extends Error {
  override readonly name = 'BackupRefused';
}

export async function backupStore(url: string, to: string): Promise<BackupReport> {
  if (existsSync(to)) {
    throw new BackupRefused(`${to} exists: choose a new file name (a backup never overwrites)`);
  }
  const location = parseStoreUrl(url);
  const started = performance.now();
  const partial = join(dirname(to), `.${basename(to)}.${process.pid}.partial`);
  mkdirSync(dirname(to), { recursive: true });
  try {
    const contents =
      location.kind === 'sqlite'
        ? copySqlite(location.path, partial)
        : await dumpPostgres(location.url, partial);
    syncFile(partial);
    renameSync(partial, to);
    syncFile(dirname(to));
    return {
      kind: location.kind,
      to,
      bytes: statSync(to).size,
      seconds: (performance.now() - started) / 1000,
      ...(contents ? { contents } : {}),
    };
  } finally {
    rmSync(partial, { force: true });
  }
}

function copySqlite(path: string, partial: string): BackupReport['contents'] {
  // Opening a missing path would create an empty database and back that up.
  if (path === ':memory:' || !existsSync(path)) {
    throw new StoreError(`SQLite store ${path}: no such file; check GRIDSYNC_DATABASE_URL`);
  }
  try {
    const source = new DatabaseSync(path, { timeout: 5_000 });
    try {
      source.prepare('VACUUM INTO ?').run(partial);
    } finally {
      source.close();
    }
    const copy = new DatabaseSync(partial, { readOnly: true });
    try {
      const check = copy.prepare('PRAGMA integrity_check').all() as { integrity_check: string }[];
      if (check.length !== 1 || check[0]?.integrity_check !== 'ok') {
        throw new StoreError(
          `SQLite backup of ${path} failed its integrity check: ${check.map((r) => r.integrity_check).join('; ')}`,
        );
      }
      const count = (sql: string): number => Number((copy.prepare(sql).get() as { n: number }).n);
      return {
        grids: count('SELECT COUNT(*) AS n FROM grids'),
        signals: count('SELECT COUNT(*) AS n FROM signals'),
        unfinishedJobs: count("SELECT COUNT(*) AS n FROM jobs WHERE state IN ('pending', 'running')"),
        deadJobs: count("SELECT COUNT(*) AS n FROM jobs WHERE state = 'dead'"),
      };
    } finally {
      copy.close();
    }
  } catch (error) {
    if (error instanceof StoreError) throw error;
    throw new StoreError(`SQLite store ${path}: cannot back it up (${(error as Error).message})`, {
      cause: error,
    });
  }
}

async function dumpPostgres(url: string, partial: string): Promise<undefined> {
  const parsed = new URL(url);
  const password = decodeURIComponent(parsed.password);
  parsed.password = '';
  const env = { ...process.env, ...(password === '' ? {} : { PGPASSWORD: password }) };
  const args = ['--format=custom', `--file=${partial}`, `--dbname=${parsed.toString()}`];
  const { code, stderr } = await new Promise<{ code: number | null; stderr: string }>((resolve, reject) => {
    const child = spawn('pg_dump', args, { env, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', (error: NodeJS.ErrnoException) => {
      reject(
        error.code === 'ENOENT'
          ? new BackupRefused(
              'pg_dump is not on the PATH: install the PostgreSQL client tools (the same major version as the server, or newer), or run pg_dump --format=custom yourself',
            )
          : error,
      );
    });
    child.on('close', (exit) => resolve({ code: exit, stderr }));
  });
  if (code !== 0) {
    const where = `PostgreSQL ${parsed.host}${parsed.pathname}`;
    throw new StoreError(`${where}: pg_dump failed (exit ${code}): ${stderr.trim() || 'no message'}`);
  }
  return undefined;
}

function syncFile(path: string): void {
  const fd = openSync(path, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}
