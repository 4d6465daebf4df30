/**
 * The drift watch against the HubSpot stand-in: the first check runs when the watch starts (not at the first
 * tick), writes are never failed early before one check came out clean, and each new drift finding is
 * logged and counted once (gridsync_drift_findings_total).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { applyCommand } from '../../src/cli/mapping-plan-command.ts';
import { readCrmSchema } from '../../src/crm/read-crm-schema.ts';
import type { LoadedMapping } from '../../src/mapping/loaded-mapping.ts';
import { loadMappingFile } from '../../src/mapping/load-mapping-file.ts';
import { createMetrics, type GridsyncMetrics } from '../../src/metrics/gridsync-metrics.ts';
import { DriftWatch, type DriftMappings } from '../../src/worker/drift-watch.ts';
import { HubSpotFake } from '../fakes/hubspot-fake-server.ts';
import { FAKE_TOKEN, writeTenantMapping } from '../support/gridsync-harness.ts';
import { silentLogger } from '../support/loggers.ts';

let fake: HubSpotFake;
let dir: string;
let file: string;
let metrics: GridsyncMetrics;
const secrets = (ref: object) => ('env' in ref && ref.env === 'ACME_HUBSPOT_TOKEN' ? FAKE_TOKEN : undefined);

function mappingsOf(loaded: LoadedMapping): DriftMappings {
  return { get: () => loaded, tenants: () => ['acme'], onChange: () => () => {} };
}

function watchOf(loaded: LoadedMapping): DriftWatch {
  return new DriftWatch({
    mappings: mappingsOf(loaded),
    logger: silentLogger(),
    readSchema: (l) => readCrmSchema(l.mapping, secrets, silentLogger()),
    tickMs: 3_600_000, // no tick during the test: whatever is checked, start() or check() did it
  });
}

function load(): LoadedMapping {
  const loaded = loadMappingFile(file);
  if (!loaded.ok) throw new Error('the acme example mapping does not load');
  return loaded.value;
}

async function driftCount(): Promise<number> {
  const metric = (await metrics.registry.getMetricsAsJSON()).find(
    (m) => m.name === 'gridsync_drift_findings_total',
  );
  return (metric?.values ?? [])
    .filter((v) => v.labels['tenant'] === 'acme' && v.labels['kind'] === 'field_missing')
    .reduce((sum, v) => sum + v.value, 0);
}

async function until(test: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !test(); i += 1) await new Promise((r) => setTimeout(r, 10));
}

beforeEach(async () => {
  fake = await HubSpotFake.start();
  dir = mkdtempSync(join(tmpdir(), 'gridsync-drift-'));
  writeTenantMapping(dir, fake.url);
  file = join(dir, 'mappings', 'acme.yaml');
  metrics = createMetrics({});
});
afterEach(async () => {
  metrics.close();
  await fake.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('drift watch', () => {
  it('checks a tenant as soon as it starts, without waiting for a tick', async () => {
    const watch = watchOf(load());
    watch.start();
    try {
      await until(() => watch.latest('acme') !== undefined);
      expect(watch.latest('acme')?.state).toBe('drift'); // the empty portal: nothing applied yet
    } finally {
      watch.stop();
    }
  });

  it('fails writes early only after a clean check, and counts a new drift finding once', async () => {
    const watch = watchOf(load());
    // Never clean: the findings are shown, but nothing is blocked (the plan could be wrong about the portal).
    expect((await watch.check('acme')).state).toBe('drift');
    expect(watch.blocking('acme')).toEqual([]);

    expect(await applyCommand([file, '--yes'], quietIo())).toBe(0);
    expect((await watch.check('acme')).state).toBe('ok');
    const before = await driftCount();

    const grid = fake.schemas.schemas[0]!;
    fake.schemas.archiveProperty(grid.objectTypeId, 'gridsync_before_scenario');
    expect((await watch.check('acme')).state).toBe('drift');
    expect(watch.blocking('acme')).toEqual([
      expect.objectContaining({ code: 'field_missing', field: 'gridsync_before_scenario' }),
    ]);
    await watch.check('acme'); // still drifted: not a new finding
    expect((await driftCount()) - before).toBe(1);
  });
});

function quietIo() {
  return {
    stdout: () => {},
    stderr: () => {},
    secrets,
    defaultFiles: () => Promise.resolve([file]),
    logger: silentLogger(),
  };
}
