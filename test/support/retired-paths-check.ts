/**
 * vitest global setup: gives every test worker one file to which the HubSpot stand-in appends each call to a
 * retired API path (`/crm/v3/…` with a 2026-03 twin, `/crm/v4/…`, `/oauth/v1/…`), and fails the run at teardown
 * when gridsync made any. A test that expects a failure would otherwise hide such a call behind its 410.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export default function setup(): () => void {
  const dir = mkdtempSync(join(tmpdir(), 'gridsync-retired-'));
  const log = join(dir, 'calls.txt');
  writeFileSync(log, '');
  process.env.GRIDSYNC_TEST_RETIRED_PATHS_LOG = log;
  return () => {
    const calls = readFileSync(log, 'utf8').split('\n').filter(Boolean);
    rmSync(dir, { recursive: true, force: true });
    if (calls.length > 0) {
      const distinct = [...new Set(calls)];
      throw new Error(
        `gridsync called ${calls.length} retired HubSpot path(s) during the tests:\n  ${distinct.join('\n  ')}`,
      );
    }
  };
}
