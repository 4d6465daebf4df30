/**
 * Issue 13, item 1, as an operator runs gridsync: `gridsync serve`, started with its node flags, stays within
 * 256 MB while 100,000 signals arrive on five hot accounts and its worker evaluates them. Without the flags
 * the same run peaks above 320 MB (bench/memory-serve.ts prints both, and the 1M-signal figures).
 */
import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

import { type ChildGridsync, startChildGridsync } from '../support/child-gridsync.ts';
import {
  expectedSignalCounts,
  peakRssMb,
  postSignalBatches,
  settledRefreshJobs,
} from '../support/signal-load.ts';
import { SPREADS } from '../support/spread-signals.ts';
import { waitFor } from '../support/wait-for.ts';

const SIGNALS = 100_000;
const secret = 'whsec_' + Buffer.from('memory-bound-test-secret-32byte!').toString('base64');
const dir = mkdtempSync(join(tmpdir(), 'gridsync-memory-bound-'));
let child: ChildGridsync | undefined;
afterAll(async () => {
  await child?.kill('SIGTERM');
  rmSync(dir, { recursive: true, force: true });
});

describe.skipIf(process.platform !== 'linux')('memory of gridsync serve', () => {
  it('stays within 256 MB while 100,000 signals on five hot accounts arrive and are evaluated', async () => {
    mkdirSync(join(dir, 'mappings'));
    copyFileSync('mappings/acme.yaml', join(dir, 'mappings', 'acme.yaml'));
    child = await startChildGridsync({
      GRIDSYNC_DATABASE_URL: join(dir, 'gridsync.db'),
      GRIDSYNC_MAPPINGS_DIR: join(dir, 'mappings'),
      ACME_WEBHOOK_SECRET: secret,
      ACME_STATUS_TOKEN: 'memory-bound-status-token',
    });
    const { accounts } = SPREADS.hot;
    await postSignalBatches({
      url: child.url,
      tenant: 'acme',
      secret,
      total: SIGNALS,
      accounts,
      connections: 4,
      now: new Date(),
    });
    const expected = expectedSignalCounts(SIGNALS, accounts);
    await waitFor(() => settledRefreshJobs(join(dir, 'gridsync.db'), 'acme', expected) > 0, 60_000, 200);
    const peak = peakRssMb(child.process.pid);
    expect(peak, `peak RSS ${peak.toFixed(0)} MB`).toBeLessThanOrEqual(256);
  }, 120_000);
});
