import { describe, expect, it } from 'vitest';

import { CrmBreaker } from './crm-breaker.ts';

describe('CrmBreaker', () => {
  it('lets calls through until a failure, then pauses for a time that doubles up to the cap', () => {
    const breaker = new CrmBreaker({ baseMs: 1_000, capMs: 5_000 });
    expect(breaker.waitMs(0)).toBe(0);
    breaker.failed(0, '503');
    expect(breaker.waitMs(0)).toBe(1_000);
    breaker.failed(1_000, '503');
    expect(breaker.waitMs(1_000)).toBe(2_000);
    breaker.failed(3_000, '503');
    breaker.failed(7_000, '503');
    breaker.failed(15_000, '503');
    expect(breaker.waitMs(15_000)).toBe(5_000);
    expect(breaker.describe(15_000)).toContain('failed 5 time(s) in a row (last: 503)');
  });

  it('honours a longer wait the CRM asked for (a rate limit window)', () => {
    const breaker = new CrmBreaker({ baseMs: 1_000, capMs: 5_000 });
    breaker.failed(0, '429', 9_000);
    expect(breaker.waitMs(0)).toBe(9_000);
  });

  it('closes again after a success', () => {
    const breaker = new CrmBreaker({ baseMs: 1_000, capMs: 5_000 });
    breaker.failed(0, '503');
    breaker.failed(0, '503');
    breaker.succeeded();
    expect(breaker.waitMs(0)).toBe(0);
    breaker.failed(0, '503');
    expect(breaker.waitMs(0)).toBe(1_000);
  });
});
