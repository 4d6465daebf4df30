/**
 * Every way gridsync is started in production carries its node flags (src/cli/node-flags.ts), and `gridsync
 * serve` says so when it was started without them. The image's ENTRYPOINT is checked, and run, in
 * test/container/container.test.ts.
 */
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

import { NODE_FLAGS } from '../../src/cli/node-flags.ts';
import { type ChildGridsync, startChildGridsync } from '../support/child-gridsync.ts';

const folder = mkdtempSync(join(tmpdir(), 'gridsync-node-flags-'));
mkdirSync(join(folder, 'mappings'));
copyFileSync('mappings/acme.yaml', join(folder, 'mappings', 'acme.yaml'));
const children: ChildGridsync[] = [];
afterAll(async () => {
  for (const child of children) await child.kill('SIGTERM');
  rmSync(folder, { recursive: true, force: true });
});

async function serve(name: string, command: string[]): Promise<ChildGridsync> {
  const child = await startChildGridsync(
    {
      // The pinned Node 24 first, as npm scripts and `npx` have it.
      PATH: `${resolve('node_modules/.bin')}:${process.env['PATH'] ?? ''}`,
      GRIDSYNC_DATABASE_URL: join(folder, `${name}.db`),
      GRIDSYNC_MAPPINGS_DIR: join(folder, 'mappings'),
      ACME_WEBHOOK_SECRET: 'whsec_' + Buffer.from('node-flags-test-secret-32-bytes!').toString('base64'),
      ACME_STATUS_TOKEN: 'node-flags-status-token',
    },
    15_000,
    command,
  );
  children.push(child);
  return child;
}

const flagWarnings = (child: ChildGridsync) =>
  child.logs.filter((entry) => String(entry['msg']).startsWith('started without gridsync’s Node.js flags'));

describe('node flags', () => {
  it('are in the `gridsync` command’s shebang and in `npm start`', () => {
    const shebang = readFileSync('bin/gridsync.js', 'utf8').split('\n')[0];
    expect(shebang).toBe(`#!/usr/bin/env -S node ${NODE_FLAGS.join(' ')}`);
    const scripts = (JSON.parse(readFileSync('package.json', 'utf8')) as { scripts: Record<string, string> })
      .scripts;
    expect(scripts['start']).toMatch(new RegExp(`^node ${NODE_FLAGS.join(' ')} .*src/cli\\.ts serve$`));
  });

  it('reach the process `gridsync serve` runs in, started as the `gridsync` command', async () => {
    const child = await serve('command', [resolve('bin/gridsync.js'), 'serve']);
    expect(flagWarnings(child)).toEqual([]);
    if (process.platform === 'linux') {
      const argv = readFileSync(`/proc/${child.process.pid}/cmdline`, 'utf8').split('\0');
      expect(argv.slice(1, 1 + NODE_FLAGS.length)).toEqual([...NODE_FLAGS]);
    }
  });

  it('are named in a warning when `gridsync serve` was started without them', async () => {
    const child = await serve('bare', [process.execPath, 'src/cli.ts', 'serve']);
    expect(flagWarnings(child)).toEqual([expect.objectContaining({ level: 40, unset: [...NODE_FLAGS] })]);
  });
});
