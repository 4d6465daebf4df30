import { describe, expect, it } from 'vitest';

import type { Signal } from '../domain/signal.ts';
import { accountSignal, scoringTable } from '../../test/support/qualification-builders.ts';
import { intentLevelOf, markClustered, scoreSignals } from './score-signals.ts';

const NOW = new Date('2026-11-20T12:00:00.000Z');
const HOUR = 3_600_000;
const DAY = 24 * HOUR;

// A cluster needs 3 signals; most tests space signals far apart to keep the bonus out of the way.
const scoring = scoringTable({
  'website.pricing_view': { intent: 'high', weight: 1, page: 'pricing' },
  'docs.quickstart': { intent: 'medium', weight: 1 },
  'community.question': { intent: 'low', weight: 2 },
});

function ago(ms: number): string {
  return new Date(NOW.getTime() - ms).toISOString();
}

function signal(id: string, type: string, occurredAt: string): Signal {
  return accountSignal(type, occurredAt, { id });
}

describe('scoreSignals', () => {
  it('counts a brand-new high-intent signal at full points times its weight', () => {
    const result = scoreSignals([signal('a', 'community.question', ago(0))], scoring, NOW);
    expect(result.score).toBe(2);
    expect(result.contributions[0]).toMatchObject({ intent: 'low', basePoints: 2, decay: 1, points: 2 });
  });

  it('halves a signal after one half-life and quarters it after two', () => {
    const one = scoreSignals([signal('a', 'website.pricing_view', ago(14 * DAY))], scoring, NOW);
    const two = scoreSignals([signal('a', 'website.pricing_view', ago(28 * DAY))], scoring, NOW);
    expect(one.score).toBe(5);
    expect(one.contributions[0]?.decay).toBeCloseTo(0.5, 12);
    expect(two.score).toBe(2.5);
  });

  it('keeps a signal exactly windowDays old and ignores one a millisecond older', () => {
    const result = scoreSignals(
      [signal('edge', 'docs.quickstart', ago(30 * DAY)), signal('old', 'docs.quickstart', ago(30 * DAY + 1))],
      scoring,
      NOW,
    );
    expect(result.contributions.map((c) => c.signalId)).toEqual(['edge']);
    expect(result.ignored).toEqual([{ signalId: 'old', type: 'docs.quickstart', reason: 'outside_window' }]);
  });

  it('ignores unknown signal types by default and scores them low with weight 1 when asked', () => {
    const unknown = [signal('u', 'github.star', ago(0))];
    expect(scoreSignals(unknown, scoring, NOW)).toMatchObject({
      score: 0,
      level: 'none',
      ignored: [{ signalId: 'u', reason: 'unknown_type' }],
    });
    const asLow = scoreSignals(unknown, { ...scoring, unknownSignals: 'low' }, NOW);
    expect(asLow.score).toBe(1);
    expect(asLow.contributions[0]?.intent).toBe('low');
  });

  it('treats a signal dated in the future as new, never as worth more', () => {
    const result = scoreSignals(
      [signal('f', 'website.pricing_view', new Date(NOW.getTime() + DAY).toISOString())],
      scoring,
      NOW,
    );
    expect(result.score).toBe(10);
  });

  it('ignores a signal whose time cannot be read', () => {
    const result = scoreSignals([signal('x', 'website.pricing_view', 'yesterday')], scoring, NOW);
    expect(result.ignored).toEqual([{ signalId: 'x', type: 'website.pricing_view', reason: 'invalid_time' }]);
  });

  it('multiplies signals that form a cluster and reports it', () => {
    const clustered = scoreSignals(
      [
        signal('a', 'docs.quickstart', ago(0)),
        signal('b', 'docs.quickstart', ago(30 * HOUR)),
        signal('c', 'docs.quickstart', ago(72 * HOUR)),
      ],
      scoring,
      NOW,
    );
    expect(clustered.clusterFound).toBe(true);
    expect(clustered.contributions.every((c) => c.clustered)).toBe(true);
    const unclustered = scoreSignals(
      [
        signal('a', 'docs.quickstart', ago(0)),
        signal('b', 'docs.quickstart', ago(30 * HOUR)),
        signal('c', 'docs.quickstart', ago(72 * HOUR + 1)),
      ],
      scoring,
      NOW,
    );
    expect(unclustered.clusterFound).toBe(false);
    const plain = unclustered.contributions.reduce((s, c) => s + c.points, 0);
    const boosted = clustered.contributions.reduce((s, c) => s + c.points, 0);
    // Same signals within a millisecond of each other: the bonus is the whole difference.
    expect(boosted / plain).toBeCloseTo(1.5, 6);
  });

  it('gives the bonus only to the signals inside the cluster', () => {
    const result = scoreSignals(
      [
        signal('early', 'docs.quickstart', ago(20 * DAY)),
        signal('a', 'docs.quickstart', ago(2 * HOUR)),
        signal('b', 'docs.quickstart', ago(1 * HOUR)),
        signal('c', 'docs.quickstart', ago(0)),
      ],
      scoring,
      NOW,
    );
    expect(result.contributions.map((c) => [c.signalId, c.clustered])).toEqual([
      ['early', false],
      ['a', true],
      ['b', true],
      ['c', true],
    ]);
  });

  it('does not count ignored signals towards a cluster', () => {
    const result = scoreSignals(
      [
        signal('a', 'docs.quickstart', ago(0)),
        signal('b', 'docs.quickstart', ago(HOUR)),
        signal('u', 'github.star', ago(2 * HOUR)),
      ],
      scoring,
      NOW,
    );
    expect(result.clusterFound).toBe(false);
  });

  it('gives the same score and evidence whatever order the signals arrive in', () => {
    const signals = [
      signal('a', 'docs.quickstart', ago(5 * DAY)),
      signal('b', 'website.pricing_view', ago(5 * DAY)),
      signal('c', 'community.question', ago(HOUR)),
      signal('d', 'docs.quickstart', ago(3 * HOUR)),
      signal('e', 'website.pricing_view', ago(9 * DAY)),
    ];
    const forward = scoreSignals(signals, scoring, NOW);
    const backward = scoreSignals([...signals].reverse(), scoring, NOW);
    expect(backward).toEqual(forward);
    expect(forward.contributions.map((c) => c.signalId)).toEqual(['e', 'a', 'b', 'd', 'c']);
  });

  it('sets the level from the thresholds, low for any score under medium', () => {
    const pricing = (id: string, age: number) => signal(id, 'website.pricing_view', ago(age));
    expect(scoreSignals([pricing('a', 0)], scoring, NOW)).toMatchObject({ score: 10, level: 'low' });
    expect(scoreSignals([pricing('a', 0), pricing('b', 14 * DAY)], scoring, NOW)).toMatchObject({
      score: 15,
      level: 'medium',
    });
    // Three at once form a cluster: 3 × 10 × 1.5.
    expect(scoreSignals([pricing('a', 0), pricing('b', 0), pricing('c', 0)], scoring, NOW)).toMatchObject({
      score: 45,
      level: 'high',
    });
  });
});

describe('intentLevelOf', () => {
  it('puts a score exactly on a threshold at that level', () => {
    expect(intentLevelOf(40, scoring.levels)).toBe('high');
    expect(intentLevelOf(39.999, scoring.levels)).toBe('medium');
    expect(intentLevelOf(15, scoring.levels)).toBe('medium');
    expect(intentLevelOf(0.001, scoring.levels)).toBe('low');
    expect(intentLevelOf(0, scoring.levels)).toBe('none');
  });
});

describe('markClustered', () => {
  it('needs minSignals inside one span, not a chain of close neighbours', () => {
    // Gaps of 60 h are each under 72 h, but no 72 h span holds three of them.
    expect(markClustered([0, 60 * HOUR, 120 * HOUR], 72 * HOUR, 3)).toEqual([false, false, false]);
    expect(markClustered([0, 10, 20, 100], 20, 3)).toEqual([true, true, true, false]);
    expect(markClustered([0, 10, 20, 30], 20, 3)).toEqual([true, true, true, true]);
    expect(markClustered([], 20, 3)).toEqual([]);
  });

  it('agrees with the rule read literally (a span with enough signals holds the signal) on random times', () => {
    let seed = 11;
    const next = () => (seed = (seed * 48_271) % 2_147_483_647) / 2_147_483_647;
    for (let trial = 0; trial < 200; trial++) {
      const times = Array.from({ length: Math.floor(next() * 40) }, () => Math.floor(next() * 200)).sort(
        (a, b) => a - b,
      );
      const span = 1 + Math.floor(next() * 40);
      const min = 2 + Math.floor(next() * 4);
      const literal = times.map((t) =>
        times.some(
          (a) => a <= t && t - a <= span && times.filter((u) => u >= a && u - a <= span).length >= min,
        ),
      );
      expect(markClustered(times, span, min)).toEqual(literal);
    }
  });
});
