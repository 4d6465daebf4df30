import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

import { DAILY_LIMIT_STATES, describeDailyLimit } from './daily-limit-status.ts';

describe('the tenant status’s dailyLimit', () => {
  it('is not_reported, with the reason, for a tenant that is not live or whose CRM reported no count', () => {
    expect(describeDailyLimit('dry_run', { limit: 10, remaining: 5 })).toMatchObject({
      state: 'not_reported',
      reason: expect.stringContaining('not live'),
    });
    expect(describeDailyLimit('live', undefined)).toMatchObject({
      state: 'not_reported',
      reason: expect.stringContaining('OAuth'),
    });
  });

  it('says ok, low with the warning, or paused with the moment calls resume', () => {
    expect(describeDailyLimit('live', { limit: 1000, remaining: 900 })).toEqual({
      state: 'ok',
      limit: 1000,
      remaining: 900,
      warning: null,
      resumesAt: null,
      reason: null,
    });
    expect(describeDailyLimit('live', { limit: 1000, remaining: 9, warning: 'only 9 left' })).toMatchObject({
      state: 'low',
      warning: 'only 9 left',
      resumesAt: null,
    });
    // A DAILY 429 without the count (an OAuth app): paused, the count unknown.
    expect(describeDailyLimit('live', { pausedUntil: '2026-12-03T05:00:00.000Z' })).toEqual({
      state: 'paused',
      limit: null,
      remaining: null,
      warning: null,
      resumesAt: '2026-12-03T05:00:00.000Z',
      reason: null,
    });
  });

  it('has every state documented in docs/setup-tenant.md (test/e2e/tenant-status.test.ts checks the members)', () => {
    const docs = readFileSync('docs/setup-tenant.md', 'utf8');
    const row = docs.split('\n').find((line) => line.startsWith('| `dailyLimit.state`'));
    for (const state of DAILY_LIMIT_STATES) expect(row, state).toContain(`\`${state}\``);
  });
});
