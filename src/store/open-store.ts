/**
 * GRIDSYNC_DATABASE_URL → a migrated Store. A postgres:// or postgresql:// URL opens PostgreSQL; anything else
 * is a SQLite file (a path, `sqlite:path` or `file:` URL; `:memory:` for tests), its folder created if needed.
 * Adapters load on demand, so a SQLite deployment never loads the pg driver.
 */
import { fileURLToPath } from 'node:url';
import type { Logger } from '../lib/logger.ts';
import type { Store } from './store.ts';

export const DEFAULT_DATABASE_URL = './data/gridsync.db';

export interface OpenStoreOptions {
  /** PostgreSQL only: every table goes in this schema (created if absent), e.g. one per test file. */
  schema?: string;
  /** PostgreSQL only: where idle-connection failures are reported. */
  logger?: Logger;
}

export type StoreLocation = { kind: 'postgres'; url: string } | { kind: 'sqlite'; path: string };

/** Pure: which adapter a URL names and where. */
export function parseStoreUrl(url: string): StoreLocation {
  const trimmed = url.trim();
  if (trimmed === '') {
    throw new Error('the database URL is empty: give a SQLite file path or a postgres:// URL');
  }
  if (/^postgres(ql)?:\/\//i.test(trimmed)) return { kind: 'postgres', url: trimmed };
  if (/^file:/i.test(trimmed)) return { kind: 'sqlite', path: fileURLToPath(trimmed) };
  const path = trimmed.replace(/^sqlite:(\/\/)?/i, '');
  if (path === '') {
    throw new Error(`"${url}" names no SQLite file: write sqlite:./data/gridsync.db or a plain path`);
  }
  return { kind: 'sqlite', path };
}

/** For messages and logs: the adapter and where, never a password. */
export function describeStoreLocation(location: StoreLocation): string {
  if (location.kind === 'sqlite') return `SQLite ${location.path}`;
  const url = new URL(location.url);
  return `PostgreSQL ${url.host}${url.pathname}`;
}

type MigratingStore = Store & { applyMigrations(): Promise<string[]> };

async function openUnmigrated(location: StoreLocation, options: OpenStoreOptions): Promise<MigratingStore> {
  return location.kind === 'postgres'
    ? (await import('./postgres/postgres-store.ts')).createPostgresStore(location.url, options)
    : (await import('./sqlite/sqlite-store.ts')).createSqliteStore(location.path);
}

/** Opens the store the URL names and applies its pending migrations before returning it. */
export async function openStore(url: string, options: OpenStoreOptions = {}): Promise<Store> {
  const store = await openUnmigrated(parseStoreUrl(url), options);
  try {
    await store.migrate();
  } catch (error) {
    await store.close().catch(() => undefined);
    throw error;
  }
  return store;
}

/** `gridsync migrate`: applies pending migrations, closes the store, and says which were applied. */
export async function applyStoreMigrations(
  url: string,
  options: OpenStoreOptions = {},
): Promise<{ where: string; applied: string[] }> {
  const location = parseStoreUrl(url);
  const store = await openUnmigrated(location, options);
  try {
    return { where: describeStoreLocation(location), applied: await store.applyMigrations() };
  } finally {
    await store.close();
  }
}
