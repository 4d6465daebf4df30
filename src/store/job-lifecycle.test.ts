import { describe, expect, it } from 'vitest';
import { accountRefreshJob, DEFAULT_MAX_ATTEMPTS, gridSyncJob, jobsToStore } from './job-lifecycle.ts';

const now = new Date('2026-11-20T16:00:00Z');

describe('job builders', () => {
  it('key grid syncs and account refreshes by tenant and subject', () => {
    expect(gridSyncJob('acme', 'g-1').key).toBe('grid.sync:acme:g-1');
    expect(accountRefreshJob('acme', 'ledgerline.example')).toEqual({
      kind: 'account.refresh',
      tenant: 'acme',
      payload: { accountDomain: 'ledgerline.example' },
      key: 'account.refresh:acme:ledgerline.example',
    });
  });
});

describe('job timing', () => {
  it('passes a run time and attempts through, and leaves out what is not given', () => {
    const runAt = new Date('2026-11-20T16:00:00Z');
    expect(gridSyncJob('acme', 'g', { runAt, maxAttempts: 3 })).toMatchObject({ runAt, maxAttempts: 3 });
    expect(Object.keys(accountRefreshJob('acme', 'd.example', { maxAttempts: undefined }))).not.toContain(
      'maxAttempts',
    );
  });
});

describe('jobsToStore', () => {
  it('fills in run time, attempts and once', () => {
    expect(jobsToStore([gridSyncJob('acme', 'g')], now)).toEqual([
      { job: gridSyncJob('acme', 'g'), once: false, runAt: now, maxAttempts: DEFAULT_MAX_ATTEMPTS },
    ]);
  });

  it('collapses one key given twice into one job with the earlier run time', () => {
    const later = gridSyncJob('acme', 'g', { runAt: new Date(now.getTime() + 5_000) });
    const earlier = gridSyncJob('acme', 'g', { runAt: new Date(now.getTime() + 1_000) });
    const stored = jobsToStore([later, earlier, gridSyncJob('globex', 'g', { runAt: now })], now);
    expect(stored.map((s) => [s.job.tenant, s.runAt.getTime() - now.getTime()])).toEqual([
      ['acme', 1_000],
      ['globex', 0],
    ]);
  });
});
