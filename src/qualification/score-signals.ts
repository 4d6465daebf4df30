/**
 * Intent scoring (as the signals guide has it, docs/architecture.md "Background": score signals high/medium/low, combine them, time
 * outreach to signal clusters). Pure: the same signals, table and `now` always give the same score.
 *
 * One signal's contribution = points[intent] × weight × decay × (cluster multiplier when clustered), where
 *  - intent and weight come from the tenant's table; a type missing from it is ignored or scored `low`
 *    with weight 1, as `unknownSignals` says;
 *  - decay = 0.5 ^ (age in days / halfLifeDays), so a signal counts half after one half-life. A signal dated
 *    in the future (a sender's clock running ahead) counts as brand new (decay 1), never more;
 *  - a signal older than windowDays is ignored (age exactly windowDays still counts).
 *
 * The cluster rule, exactly: among the scored signals (ignored ones never count), a signal is clustered when
 * some span of `cluster.windowHours` hours (both ends inclusive) contains it and at least `cluster.minSignals`
 * scored signals. Such a span can always be slid so it starts at a signal, so we test the span starting at
 * each signal, in time order. A clustered signal gets the multiplier once, however many clusters it is in.
 * The rule reads only the set of timestamps, so the input order never changes the result.
 */
import type { IntentLevel, Signal } from '../domain/signal.ts';
import type { ScoringTable } from '../mapping/mapping-schema.ts';

const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;

export interface SignalContribution {
  signalId: string;
  type: string;
  occurredAt: string;
  intent: IntentLevel;
  /** points[intent] × weight, before decay and cluster bonus. */
  basePoints: number;
  /** 0.5 ^ (age / halfLife), 1 for a signal dated in the future. */
  decay: number;
  clustered: boolean;
  /** What this signal adds to the account's score. */
  points: number;
}

export interface IgnoredSignal {
  signalId: string;
  type: string;
  reason: 'unknown_type' | 'outside_window' | 'invalid_time';
}

export interface SignalScore {
  /** Sum of the contributions, rounded to 3 decimals so stored values do not flicker by float noise. */
  score: number;
  /** high / medium by the table's `levels`; low when above zero but under medium; none at zero. */
  level: IntentLevel | 'none';
  /** One per scored signal, oldest first (ties by signal id). */
  contributions: SignalContribution[];
  clusterFound: boolean;
  ignored: IgnoredSignal[];
}

interface ScoredCandidate {
  signal: Signal;
  time: number;
  intent: IntentLevel;
  basePoints: number;
}

export function scoreSignals(signals: readonly Signal[], scoring: ScoringTable, now: Date): SignalScore {
  const nowMs = now.getTime();
  const windowStart = nowMs - scoring.windowDays * DAY_MS;
  const ignored: IgnoredSignal[] = [];
  const candidates: ScoredCandidate[] = [];

  for (const signal of signals) {
    const time = Date.parse(signal.occurredAt);
    if (Number.isNaN(time)) {
      ignored.push({ signalId: signal.id, type: signal.type, reason: 'invalid_time' });
      continue;
    }
    if (time < windowStart) {
      ignored.push({ signalId: signal.id, type: signal.type, reason: 'outside_window' });
      continue;
    }
    const rule = scoring.signals[signal.type];
    if (rule === undefined && scoring.unknownSignals === 'ignore') {
      ignored.push({ signalId: signal.id, type: signal.type, reason: 'unknown_type' });
      continue;
    }
    const intent = rule?.intent ?? 'low';
    const weight = rule?.weight ?? 1;
    candidates.push({ signal, time, intent, basePoints: scoring.points[intent] * weight });
  }

  candidates.sort(byTimeThenId);
  const clustered = markClustered(
    candidates.map((c) => c.time),
    scoring.cluster.windowHours * HOUR_MS,
    scoring.cluster.minSignals,
  );

  const contributions = candidates.map((candidate, index): SignalContribution => {
    const ageDays = Math.max(0, nowMs - candidate.time) / DAY_MS;
    const decay = 0.5 ** (ageDays / scoring.halfLifeDays);
    const isClustered = clustered[index] === true;
    const multiplier = isClustered ? scoring.cluster.multiplier : 1;
    return {
      signalId: candidate.signal.id,
      type: candidate.signal.type,
      occurredAt: candidate.signal.occurredAt,
      intent: candidate.intent,
      basePoints: candidate.basePoints,
      decay,
      clustered: isClustered,
      points: candidate.basePoints * decay * multiplier,
    };
  });

  // Summed in the sorted order above, so float rounding cannot depend on the order signals arrived in.
  const score = roundTo3(contributions.reduce((sum, c) => sum + c.points, 0));
  return {
    score,
    level: intentLevelOf(score, scoring.levels),
    contributions,
    clusterFound: clustered.some(Boolean),
    ignored,
  };
}

export function intentLevelOf(score: number, levels: ScoringTable['levels']): IntentLevel | 'none' {
  if (score >= levels.high) return 'high';
  if (score >= levels.medium) return 'medium';
  return score > 0 ? 'low' : 'none';
}

/**
 * `times` sorted ascending. Two pointers: for each start, `end` advances to the last signal within the span;
 * everything from start to end is clustered when there are enough of them. O(n): `markedUntil` keeps a
 * signal from being marked twice.
 */
export function markClustered(times: readonly number[], spanMs: number, minSignals: number): boolean[] {
  const clustered = times.map(() => false);
  let end = 0;
  let markedUntil = -1;
  for (let start = 0; start < times.length; start++) {
    const startTime = times[start] ?? 0;
    end = Math.max(end, start);
    while (end + 1 < times.length && (times[end + 1] ?? Infinity) - startTime <= spanMs) end++;
    if (end - start + 1 < minSignals) continue;
    for (let i = Math.max(start, markedUntil + 1); i <= end; i++) clustered[i] = true;
    markedUntil = Math.max(markedUntil, end);
  }
  return clustered;
}

function byTimeThenId(a: ScoredCandidate, b: ScoredCandidate): number {
  if (a.time !== b.time) return a.time - b.time;
  return a.signal.id < b.signal.id ? -1 : a.signal.id > b.signal.id ? 1 : 0;
}

function roundTo3(n: number): number {
  return Math.round(n * 1000) / 1000;
}
