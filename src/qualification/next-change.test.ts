import { describe, expect, it } from 'vitest';

import type { Signal } from '../domain/signal.ts';
import { nextChangeAt } from './next-change.ts';
import { intentLevelOf, scoreSignals } from './score-signals.ts';

const NOW = new Date('2026-11-20T12:00:00.000Z');
const DAY = 86_400_000;
const HOUR = 3_600_000;

const scoring = {
  halfLifeDays: 14,
  windowDays: 30,
  points: { high: 10, medium: 4, low: 1 },
  levels: { high: 40, medium: 15 },
  cluster: { windowHours: 72, minSignals: 3, multiplier: 1.5 },
  unknownSignals: 'ignore' as const,
  signals: { 'website.pricing_view': { intent: 'high' as const, weight: 1 } },
};
const mapping = { scoring, qualification: { windowDays: 45 } };

const at = (ms: number): Signal => ({
  id: `s-${ms}`,
  type: 'website.pricing_view',
  account: { domain: 'ledgerline.example' },
  occurredAt: new Date(ms).toISOString(),
});

describe('nextChangeAt', () => {
  it('is the moment decay carries the score below the next level threshold', () => {
    // Five pricing views just now, clustered: 5 × 10 × 1.5 = 75, high until it decays to 40.
    const signals = [0, 1, 2, 3, 4].map((m) => at(NOW.getTime() - m * 60_000));
    const { score } = scoreSignals(signals, scoring, NOW);
    const next = nextChangeAt(signals, score, mapping, NOW);
    expect(next).not.toBeNull();
    const before = new Date(next!.getTime() - HOUR);
    expect(intentLevelOf(scoreSignals(signals, scoring, before).score, scoring.levels)).toBe('high');
    expect(intentLevelOf(scoreSignals(signals, scoring, next!).score, scoring.levels)).toBe('medium');
  });

  it('is the moment the oldest signal leaves the scoring window when that comes first', () => {
    // One view 29.5 days ago scores under 15 (low): no threshold to cross, but it leaves the 30-day window.
    const old = NOW.getTime() - 29.5 * DAY;
    expect(nextChangeAt([at(old)], 2, mapping, NOW)).toEqual(new Date(old + 30 * DAY + 1));
  });

  it('then the qualification window, which can be the longer one', () => {
    const old = NOW.getTime() - 40 * DAY; // already out of scoring, still in the 45-day qualification window
    expect(nextChangeAt([at(old)], 0, mapping, NOW)).toEqual(new Date(old + 45 * DAY + 1));
  });

  it('is null when nothing changes by time: no signal in any window and no score', () => {
    expect(nextChangeAt([], 0, mapping, NOW)).toBeNull();
    expect(nextChangeAt([at(NOW.getTime() - 60 * DAY)], 0, mapping, NOW)).toBeNull();
  });
});
