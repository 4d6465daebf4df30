import { describe, expect, it } from 'vitest';

import { PACE_MAX_DELAY_MS, paceDelayMs } from '../request-budget.ts';
import { parseLimitInfo } from './salesforce-limits.ts';

describe('parseLimitInfo', () => {
  it('reads api-usage=used/limit, whatever follows', () => {
    expect(parseLimitInfo('api-usage=1234/15000')).toEqual({ used: 1234, limit: 15000 });
    expect(parseLimitInfo('api-usage=18/15000; per-app-api-usage=17/250(appName=gridsync)')).toEqual({
      used: 18,
      limit: 15000,
    });
  });

  it('ignores a missing or malformed header', () => {
    expect(parseLimitInfo(undefined)).toBeUndefined();
    expect(parseLimitInfo('per-app-api-usage=1/2')).toBeUndefined();
    expect(parseLimitInfo('api-usage=5/0')).toBeUndefined();
  });
});

describe('paceDelayMs', () => {
  it('does not slow down below 90 % of the daily limit', () => {
    expect(paceDelayMs(undefined)).toBe(0);
    expect(paceDelayMs({ used: 8_999, limit: 10_000 })).toBe(0);
  });

  it('slows down more the closer usage gets to the limit', () => {
    const at92 = paceDelayMs({ used: 9_200, limit: 10_000 });
    const at98 = paceDelayMs({ used: 9_800, limit: 10_000 });
    expect(at92).toBeGreaterThan(0);
    expect(at98).toBeGreaterThan(at92);
    expect(paceDelayMs({ used: 12_000, limit: 10_000 })).toBe(PACE_MAX_DELAY_MS);
  });
});
