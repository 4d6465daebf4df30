/**
 * Every tenant's current mapping, kept up to date while gridsync runs. A valid edit takes effect within
 * moments; a broken edit is reported once, with its file:line:column, and the tenant keeps its last good
 * mapping, so a typo in one YAML file never stops a tenant's sync. Deleting a file removes its tenant.
 *
 * fs.watch gives quick reloads but can miss events (network filesystems, some containers, editors that
 * replace files), so a cheap periodic rescan backs it up. Nothing here ever throws out of a timer or watcher.
 */
import { createHash } from 'node:crypto';
import { type FSWatcher, watch } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';

import { describeSecretRef, type SecretLookup } from '../config/secrets.ts';
import type { Logger } from '../lib/logger.ts';
import { isMappingFileName, loadMappingFile, tenantOfFile } from './load-mapping-file.ts';
import type { LoadedMapping } from './loaded-mapping.ts';
import { formatMappingWarning, mappingWarnings } from './mapping-warnings.ts';
import { formatMappingError, type MappingError } from './mapping-errors.ts';
import type { SecretRef } from '../config/secret-ref.ts';

export type MappingChangeListener = (tenant: string, loaded: LoadedMapping | undefined) => void;

export interface MappingRegistry {
  get(tenant: string): LoadedMapping | undefined;
  tenants(): string[];
  /** Problems of the files whose current content is broken (their tenants may still run on a last good mapping). */
  problems(): MappingError[];
  /** Called after a tenant's mapping is loaded, replaced or removed (undefined); returns an unsubscribe. */
  onChange(listener: MappingChangeListener): () => void;
  /** Rescans the directory now. */
  reload(): Promise<void>;
  close(): void;
}

export interface MappingRegistryOptions {
  dir: string;
  logger: Logger;
  /** When given, a loaded mapping whose secret references do not resolve is reported (names only, never values). */
  secrets?: SecretLookup;
  /** Watch the directory and reload changed files (default true). */
  watch?: boolean;
  /** Quiet time after the last file event before reloading: editors write a file in several steps. */
  debounceMs?: number;
  /** Rescan period when watching, in case fs.watch misses an event; 0 turns it off. */
  rescanIntervalMs?: number;
}

interface FileState {
  hash: string;
  problems?: MappingError[];
}

/** Loads every mapping in `dir` before returning; broken files are reported and their tenants left out. */
export async function createMappingRegistry(options: MappingRegistryOptions): Promise<MappingRegistry> {
  const { dir, secrets } = options;
  const logger = options.logger.child({ component: 'mappings' });
  const files = new Map<string, FileState>();
  const current = new Map<string, LoadedMapping>();
  const listeners = new Set<MappingChangeListener>();
  let directoryProblem: MappingError | undefined;
  let closed = false;

  const emit = (tenant: string, loaded: LoadedMapping | undefined): void => {
    for (const listener of listeners) {
      try {
        listener(tenant, loaded);
      } catch (error) {
        logger.error({ err: error, tenant }, 'a listener for mapping changes failed');
      }
    }
  };

  const accept = (file: string, hash: string, loaded: LoadedMapping, wasBroken: boolean): void => {
    const tenant = loaded.mapping.tenant;
    files.set(file, { hash });
    const before = current.get(tenant);
    if (before?.contentHash === loaded.contentHash) {
      // Reverted to the content already in force: nothing changes for the tenant.
      if (wasBroken) {
        logger.info({ tenant, file }, `mapping ${file} is valid again; tenant ${tenant} unchanged`);
      }
      return;
    }
    current.set(tenant, loaded);
    const what = before === undefined ? 'loaded' : wasBroken ? 'fixed and reloaded' : 'reloaded';
    logger.info({ tenant, file }, `mapping ${file} ${what}`);
    for (const warning of mappingWarnings(loaded)) {
      logger.warn({ tenant, file, code: warning.code }, formatMappingWarning(warning));
    }
    reportUnresolvedSecrets(loaded);
    emit(tenant, loaded);
  };

  const refuse = (file: string, hash: string, problems: MappingError[]): void => {
    files.set(file, { hash, problems });
    const tenant = tenantOfFile(file);
    const inForce = current.get(tenant);
    const consequence =
      inForce === undefined
        ? `tenant ${tenant} is not loaded`
        : inForce.file === file
          ? `tenant ${tenant} keeps its last good mapping`
          : `tenant ${tenant} stays loaded from ${inForce.file}`;
    logger.warn(
      { tenant, file, problems: problems.map(formatMappingError) },
      `mapping ${file} has ${problems.length} problem${problems.length === 1 ? '' : 's'}; ${consequence}`,
    );
  };

  const forget = (file: string): void => {
    files.delete(file);
    const tenant = tenantOfFile(file);
    if (current.get(tenant)?.file !== file) return;
    current.delete(tenant);
    logger.info({ tenant, file }, `mapping ${file} was removed; tenant ${tenant} is unloaded`);
    emit(tenant, undefined);
  };

  const reportUnresolvedSecrets = (loaded: LoadedMapping): void => {
    if (!secrets) return;
    const { mapping } = loaded;
    const refs: [string, SecretRef][] = [
      ['secrets.webhookSigningSecret', mapping.secrets.webhookSigningSecret],
      ['secrets.statusToken', mapping.secrets.statusToken],
      ...Object.entries(mapping.crm.auth ?? {}).flatMap(([key, value]): [string, SecretRef][] =>
        typeof value === 'object' ? [[`crm.auth.${key}`, value]] : [],
      ),
    ];
    const missing = refs
      .filter(([, ref]) => secrets(ref) === undefined)
      .map(([path, ref]) => `${path} (${describeSecretRef(ref)})`);
    if (missing.length > 0) {
      logger.warn(
        { tenant: mapping.tenant, missing },
        `tenant ${mapping.tenant}: secrets not set: ${missing.join(', ')}`,
      );
    }
  };

  const scan = async (): Promise<void> => {
    let names: string[];
    try {
      names = await readdir(dir);
    } catch (error) {
      // Keep every tenant: a directory that is briefly unreadable must not unload them all.
      if (!directoryProblem) logger.error({ err: error, dir }, `cannot read the mappings directory ${dir}`);
      directoryProblem = {
        code: 'file_unreadable',
        file: dir,
        line: 0,
        column: 0,
        path: '',
        message: 'cannot read the mappings directory',
      };
      return;
    }
    if (directoryProblem) logger.info({ dir }, `the mappings directory ${dir} is readable again`);
    directoryProblem = undefined;
    const present = new Set(names.filter(isMappingFileName).map((name) => join(dir, name)));
    for (const file of [...present].sort()) {
      if (closed) return;
      const text = await readFile(file, 'utf8').catch(() => undefined);
      if (text === undefined) continue; // gone between readdir and read: the next scan sees it as removed
      const hash = createHash('sha256').update(text).digest('hex');
      const previous = files.get(file);
      if (previous?.hash === hash) continue;
      const result = loadMappingFile(file, text);
      if (result.ok) accept(file, hash, result.value, previous?.problems !== undefined);
      else refuse(file, hash, result.error);
    }
    for (const file of [...files.keys()]) if (!present.has(file)) forget(file);
  };

  // One scan at a time, in order: a reload requested during a scan runs after it.
  let queue: Promise<void> = Promise.resolve();
  const reload = (): Promise<void> => {
    if (closed) return Promise.resolve();
    const next = queue.then(scan);
    queue = next.catch(() => undefined);
    return next;
  };
  const reloadQuietly = (): void => {
    reload().catch((error: unknown) => logger.error({ err: error, dir }, 'reloading mappings failed'));
  };

  await reload();
  logger.info(
    {
      dir,
      tenants: [...current.keys()].sort(),
      broken: [...files.values()].filter((f) => f.problems).length,
    },
    'mappings loaded',
  );

  let watcher: FSWatcher | undefined;
  let debounce: NodeJS.Timeout | undefined;
  let rescan: NodeJS.Timeout | undefined;
  const debounceMs = options.debounceMs ?? 200;
  const startWatching = (): void => {
    try {
      watcher = watch(dir, { persistent: false }, () => {
        clearTimeout(debounce);
        debounce = setTimeout(reloadQuietly, debounceMs);
        debounce.unref();
      });
      watcher.on('error', (error) => {
        logger.warn(
          { err: error, dir },
          'watching the mappings directory stopped; relying on the periodic rescan',
        );
        watcher?.close();
        watcher = undefined;
      });
    } catch (error) {
      watcher = undefined;
      logger.warn({ err: error, dir }, 'cannot watch the mappings directory; relying on the periodic rescan');
    }
  };
  if (options.watch ?? true) {
    startWatching();
    const every = options.rescanIntervalMs ?? 5_000;
    if (every > 0) {
      rescan = setInterval(() => {
        if (!watcher && !closed) startWatching();
        reloadQuietly();
      }, every);
      rescan.unref();
    }
  }

  return {
    get: (tenant) => current.get(tenant),
    tenants: () => [...current.keys()].sort(),
    problems: () => [
      ...(directoryProblem ? [directoryProblem] : []),
      ...[...files.values()].flatMap((f) => f.problems ?? []),
    ],
    onChange(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    reload,
    close() {
      closed = true;
      watcher?.close();
      clearTimeout(debounce);
      clearInterval(rescan);
      listeners.clear();
    },
  };
}
