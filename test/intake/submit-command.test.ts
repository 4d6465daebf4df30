/**
 * `gridsync submit` end to end: the real CLI in a child process, signing with the tenant's secret from its
 * environment and posting to an intake app listening on 127.0.0.1.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { ledgerlineGrid, ledgerlineSignals } from '../support/example-payloads.ts';
import { type IntakeHarness, startIntake } from './intake-harness.ts';

const run = promisify(execFile);
const CLI = join(import.meta.dirname, '../../src/cli.ts');
const REPO = join(import.meta.dirname, '../..');

let intake: IntakeHarness;
let url: string;
let folder: string;

beforeAll(async () => {
  intake = await startIntake();
  url = await intake.app.listen({ host: '127.0.0.1', port: 0 });
  folder = mkdtempSync(join(tmpdir(), 'gridsync-submit-'));
});
afterAll(async () => {
  await intake.close();
  rmSync(folder, { recursive: true, force: true });
});

function file(name: string, content: unknown): string {
  const path = join(folder, name);
  writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content, null, 2) + '\n');
  return path;
}

async function submit(
  args: string[],
  env: Record<string, string> = { ACME_WEBHOOK_SECRET: intake.keys.acme.webhookSecret },
) {
  try {
    const { stdout, stderr } = await run(process.execPath, [CLI, 'submit', '--url', url, ...args], {
      cwd: REPO,
      env: { PATH: process.env['PATH'] ?? '', ...env },
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

describe('gridsync submit', () => {
  it('signs a grid file with the tenant secret, posts it and prints the 202 answer', async () => {
    const grid = file('grid.json', ledgerlineGrid({ gridId: 'grid-submit-1' }));
    const result = await submit(['--tenant', 'acme', '--file', grid, '--webhook-id', 'msg_submit_1']);

    expect(result.code).toBe(0);
    expect(result.stdout).toContain('HTTP 202');
    expect(result.stdout).toContain(
      '"statusUrl": "https://gridsync.test/v1/tenants/acme/grids/grid-submit-1"',
    );
    expect((await intake.store.getGrid('acme', 'grid-submit-1'))?.version).toBe(1);

    const again = await submit(['--tenant', 'acme', '--file', grid, '--webhook-id', 'msg_submit_1']);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('replayed');
  });

  it('sends a file with a "signals" list to the signals endpoint', async () => {
    const signals = file('signals.json', { signals: ledgerlineSignals(3, 'submit') });
    const result = await submit(['--tenant', 'acme', '--file', signals]);

    expect(result.code).toBe(0);
    expect(result.stdout).toContain('/v1/tenants/acme/signals');
    expect(result.stdout).toContain('"accepted": 3');
  });

  it('exits 1 and prints the problem when the intake refuses the payload', async () => {
    const bad = file('bad.json', { ...ledgerlineGrid(), capturedAt: 'yesterday' });
    const result = await submit(['--tenant', 'acme', '--file', bad]);

    expect(result.code).toBe(1);
    expect(result.stdout).toContain('HTTP 400');
    expect(result.stdout).toContain('"pointer": "/capturedAt"');
  });

  it('says which variable to set when the signing secret is missing', async () => {
    const grid = file('grid-2.json', ledgerlineGrid());
    const result = await submit(['--tenant', 'acme', '--file', grid], {});

    expect(result.code).toBe(1);
    expect(result.stderr).toContain('environment variable ACME_WEBHOOK_SECRET');
    expect(result.stderr).toContain('mappings/examples.dev.env');
  });

  it('refuses to run without --tenant and --file', async () => {
    const result = await submit(['--tenant', 'acme']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--tenant and --file are required');
  });
});
