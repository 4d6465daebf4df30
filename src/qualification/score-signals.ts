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
import { ClusterTracker } from './cluster-tracker.ts';

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

export interface ScoredCandidate {
  signal: Signal;
  time: number;
  intent: IntentLevel;
  basePoints: number;
}

/** How a signal counts towards the score: a candidate, or why it does not count. */
export function scoringCandidate(
  signal: Signal,
  time: number,
  scoring: ScoringTable,
  windowStartMs: number,
): ScoredCandidate | IgnoredSignal['reason'] {
  if (Number.isNaN(time)) return 'invalid_time';
  if (time < windowStartMs) return 'outside_window';
  const rule = scoring.signals[signal.type];
  if (rule === undefined && scoring.unknownSignals === 'ignore') return 'unknown_type';
  const intent = rule?.intent ?? 'low';
  const weight = rule?.weight ?? 1;
  return { signal, time, intent, basePoints: scoring.points[intent] * weight };
}

export function scoringWindowStart(scoring: ScoringTable, now: Date): number {
  return now.getTime() - scoring.windowDays * DAY_MS;
}

/**
 * The score as a fold over the scored candidates in time order (ties by signal id), one at a time: memory
 * stays the same however many signals an account has. Whether a candidate is clustered depends on the
 * candidates up to one cluster span after it, so the caller runs a second cursor over the same candidates ahead
 * of the first (a ClusterTracker's lead): `wantsLead` / `giveLead` before each `add`.
 */
export class IntentFold {
  readonly #scoring: ScoringTable;
  readonly #nowMs: number;
  readonly #clusters: ClusterTracker;
  readonly #onContribution: (contribution: SignalContribution) => void;
  #sum = 0;
  #scored = 0;
  #clusterFound = false;

  constructor(scoring: ScoringTable, now: Date, onContribution: (c: SignalContribution) => void) {
    this.#scoring = scoring;
    this.#nowMs = now.getTime();
    this.#clusters = new ClusterTracker(scoring.cluster.windowHours * HOUR_MS, scoring.cluster.minSignals);
    this.#onContribution = onContribution;
  }

  get clusters(): ClusterTracker {
    return this.#clusters;
  }

  add(candidate: ScoredCandidate): void {
    const scoring = this.#scoring;
    const isClustered = this.#clusters.classify(candidate.time);
    const ageDays = Math.max(0, this.#nowMs - candidate.time) / DAY_MS;
    const decay = 0.5 ** (ageDays / scoring.halfLifeDays);
    const multiplier = isClustered ? scoring.cluster.multiplier : 1;
    const points = candidate.basePoints * decay * multiplier;
    // Summed in time order, so float rounding cannot depend on the order signals arrived in.
    this.#sum += points;
    this.#scored += 1;
    if (isClustered) this.#clusterFound = true;
    this.#onContribution({
      signalId: candidate.signal.id,
      type: candidate.signal.type,
      occurredAt: candidate.signal.occurredAt,
      intent: candidate.intent,
      basePoints: candidate.basePoints,
      decay,
      clustered: isClustered,
      points,
    });
  }

  result(): { score: number; level: IntentLevel | 'none'; clusterFound: boolean; scored: number } {
    const score = roundTo3(this.#sum);
    return {
      score,
      level: intentLevelOf(score, this.#scoring.levels),
      clusterFound: this.#clusterFound,
      scored: this.#scored,
    };
  }
}

export function scoreSignals(signals: readonly Signal[], scoring: ScoringTable, now: Date): SignalScore {
  const windowStart = scoringWindowStart(scoring, now);
  const ignored: IgnoredSignal[] = [];
  const candidates: ScoredCandidate[] = [];
  for (const signal of signals) {
    const candidate = scoringCandidate(signal, Date.parse(signal.occurredAt), scoring, windowStart);
    if (typeof candidate === 'string') {
      ignored.push({ signalId: signal.id, type: signal.type, reason: candidate });
    } else {
      candidates.push(candidate);
    }
  }
  candidates.sort(byTimeThenId);

  const contributions: SignalContribution[] = [];
  const fold = new IntentFold(scoring, now, (c) => contributions.push(c));
  let lead = 0;
  for (const candidate of candidates) {
    while (fold.clusters.wantsLead(candidate.time)) fold.clusters.giveLead(candidates[lead++]?.time);
    fold.add(candidate);
  }
  const { score, level, clusterFound } = fold.result();
  return { score, level, contributions, clusterFound, ignored };
}

export function intentLevelOf(score: number, levels: ScoringTable['levels']): IntentLevel | 'none' {
  if (score >= levels.high) return 'high';
  if (score >= levels.medium) return 'medium';
  return score > 0 ? 'low' : 'none';
}

/** `times` sorted ascending: which of them are clustered (the rule at the top of this file). */
export function markClustered(times: readonly number[], spanMs: number, minSignals: number): boolean[] {
  const clusters = new ClusterTracker(spanMs, minSignals);
  let lead = 0;
  return times.map((time) => {
    while (clusters.wantsLead(time)) clusters.giveLead(times[lead++]);
    return clusters.classify(time);
  });
}

function byTimeThenId(a: ScoredCandidate, b: ScoredCandidate): number {
  if (a.time !== b.time) return a.time - b.time;
  return a.signal.id < b.signal.id ? -1 : a.signal.id > b.signal.id ? 1 : 0;
}

function roundTo3(n: number): number {
  return Math.round(n * 1000) / 1000;
}
