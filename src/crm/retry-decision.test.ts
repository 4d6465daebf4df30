import { describe, expect, it } from 'vitest';

import { CrmError } from './crm-errors.ts';
import { backoffMs } from '../lib/backoff.ts';
import { decideRetry, type RetryPolicy } from './retry-decision.ts';

const policy: RetryPolicy = {
  maxAttempts: 4,
  baseMs: 100,
  capMs: 1_000,
  maxWaitMs: 30_000,
  attemptTimeoutMs: 5_000,
};
const low = (): number => 0;
const high = (): number => 0.999;

describe('decideRetry', () => {
  it.each(['field_missing', 'rejected', 'not_found'] as const)(
    'never retries a permanent %s error',
    (kind) => {
      const decision = decideRetry(new CrmError(kind, 'no'), 1, policy, low);
      expect(decision).toMatchObject({ retry: false, waitMs: 0 });
      expect(decision.reason).toContain('permanent');
    },
  );

  it('does not loop on refused credentials but lets the job come back later', () => {
    const decision = decideRetry(new CrmError('auth_failed', 'expired', { status: 401 }), 1, policy, low);
    expect(decision.retry).toBe(false);
    expect(decision.waitMs).toBeGreaterThan(0);
  });

  it('waits what a 429 asked for, plus a bounded jitter', () => {
    const error = new CrmError('rate_limited', '429', { status: 429, waitMs: 2_000 });
    expect(decideRetry(error, 1, policy, low)).toMatchObject({ retry: true, waitMs: 2_000 });
    const jittered = decideRetry(error, 1, policy, high).waitMs;
    expect(jittered).toBeGreaterThan(2_000);
    expect(jittered).toBeLessThanOrEqual(2_100);
  });

  it('gives up at once on a wait longer than a request may wait (the DAILY policy), keeping the wait as a hint', () => {
    const error = new CrmError('rate_limited', 'daily', { status: 429, waitMs: 3_600_000 });
    const decision = decideRetry(error, 1, policy, low);
    expect(decision).toMatchObject({ retry: false, waitMs: 3_600_000 });
    expect(decision.reason).toContain('job retries later');
  });

  it('backs off on 5xx with waits that grow until the cap, then stops after maxAttempts', () => {
    const error = new CrmError('unavailable', '503', { status: 503 });
    const waits = [1, 2, 3].map((attempt) => decideRetry(error, attempt, policy, Math.random));
    expect(waits.every((d) => d.retry)).toBe(true);
    expect(waits[1]!.waitMs).toBeGreaterThanOrEqual(waits[0]!.waitMs);
    expect(waits[2]!.waitMs).toBeGreaterThanOrEqual(waits[1]!.waitMs);
    const last = decideRetry(error, 4, policy, low);
    expect(last.retry).toBe(false);
    expect(last.reason).toContain('after 4 attempts');
  });

  it('retries a timeout like an outage', () => {
    expect(decideRetry(new CrmError('timeout', 'slow'), 1, policy, low)).toMatchObject({
      retry: true,
      waitMs: 50,
    });
  });

  it('honours a Retry-After on a 503 when it is longer than the backoff', () => {
    const error = new CrmError('unavailable', '503', { status: 503, waitMs: 700 });
    expect(decideRetry(error, 1, policy, low).waitMs).toBe(700);
  });
});

describe('backoffMs', () => {
  it('keeps half of each step fixed, so a wait is never zero', () => {
    expect(backoffMs(1, policy, low)).toBe(50);
    expect(backoffMs(1, policy, high)).toBeLessThanOrEqual(100);
    expect(backoffMs(3, policy, low)).toBe(200);
  });

  it('never exceeds the cap, however many attempts', () => {
    expect(backoffMs(30, policy, high)).toBeLessThanOrEqual(1_000);
    expect(backoffMs(30, policy, low)).toBe(500);
  });
});
