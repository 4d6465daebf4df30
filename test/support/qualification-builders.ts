/**
 * Builders for the qualification tests: a Ledgerline intent signal and the scoring table the
 * scoring and aggregation tests share (only the per-signal table differs between them).
 */
import type { Signal } from '../../src/domain/signal.ts';
import type { ScoringTable } from '../../src/mapping/mapping-schema.ts';

let nextSignal = 0;

/** A signal from the Ledgerline account; `extra` may set the id, contact, source or attributes. */
export function accountSignal(type: string, occurredAt: string, extra: Partial<Signal> = {}): Signal {
  nextSignal += 1;
  return { id: `s${nextSignal}`, type, occurredAt, account: { domain: 'ledgerline.example' }, ...extra };
}

/**
 * Half-life 14 days, window 30 days, points 10/4/1, levels 40/15; a cluster needs 3 signals
 * within 72 hours and multiplies by 1.5.
 */
export function scoringTable(signals: ScoringTable['signals']): ScoringTable {
  return {
    halfLifeDays: 14,
    windowDays: 30,
    points: { high: 10, medium: 4, low: 1 },
    levels: { high: 40, medium: 15 },
    cluster: { windowHours: 72, minSignals: 3, multiplier: 1.5 },
    signals,
    unknownSignals: 'ignore',
  };
}
