/**
 * Numbered SQL migrations, one folder per adapter (`NNN-what-it-does.sql`), applied in order, each once,
 * recorded in the store's schema_migrations table. The numbering is checked here so a gap or a clash fails
 * at start-up, not halfway through a deploy.
 */
import { readdirSync, readFileSync } from 'node:fs';

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

const FILE_NAME = /^(\d{3})-([a-z0-9-]+)\.sql$/;

export function parseMigrationFileName(file: string): { version: number; name: string } | undefined {
  const match = FILE_NAME.exec(file);
  if (!match?.[1] || !match[2]) return undefined;
  return { version: Number(match[1]), name: match[2] };
}

/** Reads every `.sql` file of the folder; throws when a name does not follow the scheme or numbers are not 1…n. */
export function loadMigrations(folder: URL): Migration[] {
  const files = readdirSync(folder)
    .filter((file) => file.endsWith('.sql'))
    .sort();
  const migrations = files.map((file): Migration => {
    const parsed = parseMigrationFileName(file);
    if (!parsed) {
      throw new Error(
        `migration file "${file}" in ${folder.pathname} must be named NNN-lower-case-words.sql`,
      );
    }
    return { ...parsed, sql: readFileSync(new URL(file, folder), 'utf8') };
  });
  migrations.forEach((migration, index) => {
    if (migration.version !== index + 1) {
      throw new Error(
        `migrations in ${folder.pathname} must be numbered 001, 002, … without gaps or repeats; found ${files.join(', ')}`,
      );
    }
  });
  return migrations;
}

export function pendingMigrations(all: readonly Migration[], applied: Iterable<number>): Migration[] {
  const done = new Set(applied);
  return all.filter((migration) => !done.has(migration.version));
}
