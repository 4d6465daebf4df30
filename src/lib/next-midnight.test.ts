import { describe, expect, it } from 'vitest';

import { nextMidnightIn } from './next-midnight.ts';

describe('nextMidnightIn', () => {
  it('finds the next local midnight as a UTC instant', () => {
    const now = Date.parse('2026-12-01T21:40:00.321Z'); // 16:40 in New York, 22:40 in Berlin
    expect(new Date(nextMidnightIn('US/Eastern', now)!).toISOString()).toBe('2026-12-02T05:00:00.000Z');
    expect(new Date(nextMidnightIn('Europe/Berlin', now)!).toISOString()).toBe('2026-12-01T23:00:00.000Z');
    expect(new Date(nextMidnightIn('UTC', now)!).toISOString()).toBe('2026-12-02T00:00:00.000Z');
  });

  it('follows daylight-saving changes', () => {
    // New York leaves DST on 2026-11-01: midnight after that day is 05:00Z, the one before 04:00Z.
    expect(
      new Date(nextMidnightIn('America/New_York', Date.parse('2026-10-31T12:00:00Z'))!).toISOString(),
    ).toBe('2026-11-01T04:00:00.000Z');
    expect(
      new Date(nextMidnightIn('America/New_York', Date.parse('2026-11-01T12:00:00Z'))!).toISOString(),
    ).toBe('2026-11-02T05:00:00.000Z');
  });

  it('is undefined for a zone the runtime does not know', () => {
    expect(nextMidnightIn('Mars/Olympus', Date.now())).toBeUndefined();
  });
});
