/**
 * The registry keeps every tenant's last good mapping while files change under it. Most tests rescan with
 * reload() to stay deterministic; the last ones let the watcher and the periodic rescan find the change.
 */
import { readFileSync } from 'node:fs';
import { mkdtemp, rm, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

import type { Logger } from '../../src/lib/logger.ts';
import { capturingLogger } from '../support/loggers.ts';
import { envSecrets } from '../support/secrets.ts';
import type { LoadedMapping } from '../../src/mapping/loaded-mapping.ts';
import { createMappingRegistry, type MappingRegistry } from '../../src/mapping/mapping-registry.ts';
import { REPO_ROOT } from './run-cli.ts';

const acme = readFileSync(join(REPO_ROOT, 'mappings/acme.yaml'), 'utf8');
const globex = readFileSync(join(REPO_ROOT, 'mappings/globex.yaml'), 'utf8');
const EVERY_10 = "schedule: '*/10 * * * *'";
const EVERY_20 = "schedule: '*/20 * * * *'";
const BROKEN_CRON = "schedule: 'every ten minutes'";

interface LogLine {
  level: number;
  msg: string;
  tenant?: string;
  problems?: string[];
  missing?: string[];
}

let dir: string;
let logs: LogLine[];
let logger: Logger;
let registry: MappingRegistry | undefined;

const warnings = () => logs.filter((l) => l.level === 40);
const write = (name: string, text: string) => writeFile(join(dir, name), text);
/** Saves `text` as mapping file `name` and has `mappings` rescan the directory. */
const saveAndReload = async (mappings: MappingRegistry, name: string, text: string) => {
  await write(name, text);
  await mappings.reload();
};
const open = async (options: Partial<Parameters<typeof createMappingRegistry>[0]> = {}) => {
  registry = await createMappingRegistry({ dir, logger, watch: false, ...options });
  return registry;
};

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'gridsync-registry-'));
  ({ logger, lines: logs } = capturingLogger<LogLine>('debug'));
  await write('acme.yaml', acme);
  await write('globex.yaml', globex);
});

afterEach(async () => {
  registry?.close();
  registry = undefined;
  await rm(dir, { recursive: true, force: true });
});

describe('at start', () => {
  it('loads every tenant in the directory', async () => {
    const mappings = await open();
    expect(mappings.tenants()).toEqual(['acme', 'globex']);
    expect(mappings.get('acme')?.mapping.crm.type).toBe('hubspot');
    expect(mappings.get('acme')?.file).toBe(join(dir, 'acme.yaml'));
    expect(mappings.problems()).toEqual([]);
  });

  it('reports a broken file and leaves its tenant out, while the others load', async () => {
    await write('globex.yaml', globex.replace("schedule: '*/15 * * * *'", BROKEN_CRON));
    const mappings = await open();
    expect(mappings.tenants()).toEqual(['acme']);
    expect(mappings.problems()).toEqual([
      expect.objectContaining({ file: join(dir, 'globex.yaml'), path: 'schedule', line: expect.any(Number) }),
    ]);
    expect(warnings()).toEqual([
      expect.objectContaining({
        tenant: 'globex',
        msg: expect.stringContaining('tenant globex is not loaded'),
      }),
    ]);
  });

  it('reports a stray .yml copy without touching the tenant loaded from its .yaml file', async () => {
    await write('acme.yml', acme);
    const mappings = await open();
    expect(mappings.get('acme')?.file).toBe(join(dir, 'acme.yaml'));
    expect(mappings.problems()).toEqual([
      expect.objectContaining({ code: 'wrong_extension', file: join(dir, 'acme.yml') }),
    ]);
    expect(warnings()[0]?.msg).toContain(`tenant acme stays loaded from ${join(dir, 'acme.yaml')}`);
  });

  it('starts empty, without throwing, when the directory is missing', async () => {
    const mappings = await createMappingRegistry({
      dir: join(dir, 'absent'),
      logger,
      watch: false,
    });
    registry = mappings;
    expect(mappings.tenants()).toEqual([]);
    expect(mappings.problems()).toEqual([
      expect.objectContaining({ code: 'file_unreadable', message: 'cannot read the mappings directory' }),
    ]);
  });

  it('names secret references that do not resolve, never their values', async () => {
    await open({ secrets: envSecrets({ ACME_WEBHOOK_SECRET: 'whsec_c2VjcmV0' }) });
    const acmeWarning = warnings().find((l) => l.tenant === 'acme');
    expect(acmeWarning?.missing).toEqual([
      'secrets.statusToken (environment variable ACME_STATUS_TOKEN)',
      'crm.auth.token (environment variable ACME_HUBSPOT_TOKEN)',
    ]);
    expect(JSON.stringify(logs)).not.toContain('whsec_c2VjcmV0');
  });
});

describe('reloading', () => {
  it('applies a valid edit and tells listeners', async () => {
    const mappings = await open();
    const changes: [string, LoadedMapping | undefined][] = [];
    mappings.onChange((tenant, loaded) => changes.push([tenant, loaded]));
    await saveAndReload(mappings, 'acme.yaml', acme.replace(EVERY_10, EVERY_20));
    expect(mappings.get('acme')?.mapping.schedule).toBe('*/20 * * * *');
    expect(changes).toEqual([['acme', mappings.get('acme')]]);
    expect(logs.some((l) => l.msg === `mapping ${join(dir, 'acme.yaml')} reloaded`)).toBe(true);
  });

  it('keeps the last good mapping on a broken edit and reports it once, with its location', async () => {
    const mappings = await open();
    const before = mappings.get('acme');
    const listener = vi.fn();
    mappings.onChange(listener);
    await saveAndReload(mappings, 'acme.yaml', acme.replace(EVERY_10, BROKEN_CRON));
    await mappings.reload();
    await mappings.reload();
    expect(mappings.get('acme')).toBe(before);
    expect(listener).not.toHaveBeenCalled();
    const line = acme.split('\n').findIndex((l) => l.startsWith('schedule:')) + 1;
    expect(mappings.problems()).toEqual([expect.objectContaining({ path: 'schedule', line, column: 11 })]);
    expect(warnings()).toHaveLength(1);
    expect(warnings()[0]).toMatchObject({
      tenant: 'acme',
      msg: expect.stringContaining('tenant acme keeps its last good mapping'),
      problems: [
        expect.stringMatching(new RegExp(`acme\\.yaml:${line}:11  schedule: not a valid cron expression`)),
      ],
    });
  });

  it('reports a second, different broken edit again', async () => {
    const mappings = await open();
    await saveAndReload(mappings, 'acme.yaml', acme.replace(EVERY_10, BROKEN_CRON));
    await saveAndReload(mappings, 'acme.yaml', acme.replace(EVERY_10, `${BROKEN_CRON}\ncolour: blue`));
    expect(warnings()).toHaveLength(2);
    expect(mappings.problems()).toHaveLength(2);
  });

  it('takes a fixed file back and clears its problems', async () => {
    const mappings = await open();
    await saveAndReload(mappings, 'acme.yaml', acme.replace(EVERY_10, BROKEN_CRON));
    await saveAndReload(mappings, 'acme.yaml', acme.replace(EVERY_10, EVERY_20));
    expect(mappings.get('acme')?.mapping.schedule).toBe('*/20 * * * *');
    expect(mappings.problems()).toEqual([]);
    expect(logs.some((l) => l.msg.endsWith('fixed and reloaded'))).toBe(true);
  });

  it('changes nothing when a broken file is put back as it was', async () => {
    const mappings = await open();
    const before = mappings.get('acme');
    const listener = vi.fn();
    mappings.onChange(listener);
    await saveAndReload(mappings, 'acme.yaml', acme.replace(EVERY_10, BROKEN_CRON));
    await saveAndReload(mappings, 'acme.yaml', acme);
    expect(mappings.get('acme')).toBe(before);
    expect(mappings.problems()).toEqual([]);
    expect(listener).not.toHaveBeenCalled();
  });

  it('ignores a file saved without changes', async () => {
    const mappings = await open();
    const before = mappings.get('acme');
    await saveAndReload(mappings, 'acme.yaml', acme);
    expect(mappings.get('acme')).toBe(before);
  });

  it('removes the tenant of a deleted file and tells listeners', async () => {
    const mappings = await open();
    const listener = vi.fn();
    mappings.onChange(listener);
    await unlink(join(dir, 'globex.yaml'));
    await mappings.reload();
    expect(mappings.tenants()).toEqual(['acme']);
    expect(mappings.get('globex')).toBeUndefined();
    expect(listener).toHaveBeenCalledWith('globex', undefined);
  });

  it('adds the tenant of a new file', async () => {
    await unlink(join(dir, 'globex.yaml'));
    const mappings = await open();
    await saveAndReload(mappings, 'globex.yaml', globex);
    expect(mappings.tenants()).toEqual(['acme', 'globex']);
  });

  it('survives a listener that throws, and still tells the others', async () => {
    const mappings = await open();
    const second = vi.fn();
    mappings.onChange(() => {
      throw new Error('listener bug');
    });
    mappings.onChange(second);
    await write('acme.yaml', acme.replace(EVERY_10, EVERY_20));
    await expect(mappings.reload()).resolves.toBeUndefined();
    expect(second).toHaveBeenCalledOnce();
    expect(logs.some((l) => l.level === 50 && l.msg === 'a listener for mapping changes failed')).toBe(true);
  });

  it('stops telling a listener after it unsubscribes', async () => {
    const mappings = await open();
    const listener = vi.fn();
    const unsubscribe = mappings.onChange(listener);
    unsubscribe();
    await saveAndReload(mappings, 'acme.yaml', acme.replace(EVERY_10, EVERY_20));
    expect(listener).not.toHaveBeenCalled();
  });
});

describe('while gridsync runs', () => {
  it('picks up an edit by itself within seconds (file watching)', async () => {
    const mappings = await open({ watch: true, debounceMs: 50, rescanIntervalMs: 0 });
    await write('acme.yaml', acme.replace(EVERY_10, EVERY_20));
    await vi.waitFor(() => expect(mappings.get('acme')?.mapping.schedule).toBe('*/20 * * * *'), {
      timeout: 5_000,
      interval: 25,
    });
  });

  it('still picks up an edit when the watcher misses it (periodic rescan)', async () => {
    // A debounce longer than the test means only the rescan can see the change.
    const mappings = await open({ watch: true, debounceMs: 60_000, rescanIntervalMs: 100 });
    await unlink(join(dir, 'globex.yaml'));
    await vi.waitFor(() => expect(mappings.tenants()).toEqual(['acme']), { timeout: 5_000, interval: 25 });
  });

  it('stops watching when closed', async () => {
    const mappings = await open({ watch: true, debounceMs: 20, rescanIntervalMs: 50 });
    mappings.close();
    await write('acme.yaml', acme.replace(EVERY_10, EVERY_20));
    await new Promise((resolve) => setTimeout(resolve, 300));
    await mappings.reload();
    expect(mappings.get('acme')?.mapping.schedule).toBe('*/10 * * * *');
  });
});
