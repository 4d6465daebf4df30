/**
 * What an account's signals add up to, in the terms of the Product-Qualified Account template (docs/architecture.md, "Background"):
 * active days, active users, core features, usage against a threshold, page visits. Pure.
 *
 * Everything is counted over the qualification rule's window (occurredAt >= now - windowDays), except
 * `lastSignalAt` and `latestAttributes`, which look at every signal passed in: the time of the last signal is a
 * fact whatever the window, and an ICP attribute such as a funding stage stays true after its signal ages out.
 * Days are UTC calendar days.
 */
import type { Signal } from '../domain/signal.ts';
import { type QualificationRule, type ScoringTable, SIGNAL_PAGE_KINDS } from '../mapping/mapping-schema.ts';

const DAY_MS = 86_400_000;

export type SignalPageKind = (typeof SIGNAL_PAGE_KINDS)[number];
export type SignalAttributeValue = string | number | boolean;

export interface LatestAttribute {
  value: SignalAttributeValue;
  occurredAt: string;
  signalId: string;
}

export interface AccountAggregate {
  windowDays: number;
  windowStart: string;
  /** Signals in the window, every source. */
  signalCount: number;
  productSignalCount: number;
  /** Distinct UTC dates with a product signal. */
  activeDays: number;
  /** UTC calendar days from the first to the last product signal: Mar 1 → Mar 15 is 14; one day alone is 0. */
  activeSpanDays: number;
  /** Distinct contact emails on product signals (the emails themselves are not kept: they are personal data). */
  activeUsers: number;
  /** Distinct values of the feature attribute on product signals, lower-cased, sorted. */
  featuresUsed: string[];
  /** The rule's core features the account used, spelled and ordered as in the mapping. */
  coreFeaturesAdopted: string[];
  /** Sum of `value` over the usage signal type (a signal without a value counts as 1); null when not configured. */
  usage: { signal: string; total: number } | null;
  pageVisits: Record<SignalPageKind, number>;
  lastSignalAt: string | null;
  /** Newest value of each attribute name over all signals passed in (ties broken by signal id). */
  latestAttributes: Record<string, LatestAttribute>;
}

export interface AggregateOptions {
  rule: QualificationRule;
  scoring: ScoringTable;
  now: Date;
}

/** Product usage: the product source, or a type in the product.* family when the sender set no source. */
export function isProductSignal(signal: Signal): boolean {
  return signal.source === 'product' || signal.type.startsWith('product.');
}

/** Where the rule's window starts: signals at or after it count. */
export function qualificationWindowStart(rule: QualificationRule, now: Date): number {
  return now.getTime() - rule.windowDays * DAY_MS;
}

/**
 * The aggregate as a fold over signals in time order (ties by signal id). What it keeps is what the aggregate
 * shows (distinct days, features, attribute names), never the signals: except active users, whose emails are
 * not kept at all. The caller counts them (in SQL over the window for stored signals: countActiveUsers here for
 * a list) and hands the count to `result`.
 */
export class AggregateFold {
  readonly #rule: QualificationRule;
  readonly #scoring: ScoringTable;
  readonly #windowStartMs: number;
  readonly #featureAttribute: string;
  #signalCount = 0;
  #productSignalCount = 0;
  readonly #activeDays = new Set<number>();
  #firstProductTime: number | undefined;
  #lastProductTime: number | undefined;
  readonly #features = new Set<string>();
  #usageTotal = 0;
  readonly #pageVisits = Object.fromEntries(SIGNAL_PAGE_KINDS.map((kind) => [kind, 0])) as Record<
    SignalPageKind,
    number
  >;
  #lastSignalAt: string | null = null;
  readonly #latestAttributes: Record<string, LatestAttribute> = {};

  constructor(options: AggregateOptions) {
    this.#rule = options.rule;
    this.#scoring = options.scoring;
    this.#windowStartMs = qualificationWindowStart(options.rule, options.now);
    this.#featureAttribute = options.rule.usage.coreFeatures?.attribute ?? 'feature';
  }

  /** `time` is Date.parse(signal.occurredAt), a number; signals come oldest first. */
  add(signal: Signal, time: number): void {
    // A later signal overwrites an earlier one's value.
    for (const [name, value] of Object.entries(signal.attributes ?? {})) {
      this.#latestAttributes[name] = { value, occurredAt: signal.occurredAt, signalId: signal.id };
    }
    this.#lastSignalAt = signal.occurredAt;
    if (time < this.#windowStartMs) return;

    this.#signalCount += 1;
    const page = this.#scoring.signals[signal.type]?.page;
    if (page !== undefined) this.#pageVisits[page] += 1;
    const usageRule = this.#rule.usage.usageThreshold;
    if (usageRule !== undefined && signal.type === usageRule.signal) this.#usageTotal += signal.value ?? 1;
    if (!isProductSignal(signal)) return;

    this.#productSignalCount += 1;
    this.#activeDays.add(utcDay(time));
    this.#firstProductTime ??= time;
    this.#lastProductTime = time;
    const feature = signal.attributes?.[this.#featureAttribute];
    if (feature !== undefined) {
      const normalised = String(feature).trim().toLowerCase();
      if (normalised !== '') this.#features.add(normalised);
    }
  }

  result(activeUsers: number): AccountAggregate {
    const rule = this.#rule;
    const featuresUsed = [...this.#features].sort();
    const first = this.#firstProductTime;
    const last = this.#lastProductTime;
    const usageRule = rule.usage.usageThreshold;
    return {
      windowDays: rule.windowDays,
      windowStart: new Date(this.#windowStartMs).toISOString(),
      signalCount: this.#signalCount,
      productSignalCount: this.#productSignalCount,
      activeDays: this.#activeDays.size,
      activeSpanDays: first !== undefined && last !== undefined ? utcDay(last) - utcDay(first) : 0,
      activeUsers,
      featuresUsed,
      coreFeaturesAdopted: (rule.usage.coreFeatures?.features ?? []).filter((f) =>
        featuresUsed.includes(f.trim().toLowerCase()),
      ),
      usage: usageRule === undefined ? null : { signal: usageRule.signal, total: this.#usageTotal },
      pageVisits: { ...this.#pageVisits },
      lastSignalAt: this.#lastSignalAt,
      latestAttributes: { ...this.#latestAttributes },
    };
  }
}

export function aggregateAccount(signals: readonly Signal[], options: AggregateOptions): AccountAggregate {
  const fold = new AggregateFold(options);
  const timed = sortedByTime(signals);
  for (const { signal, time } of timed) fold.add(signal, time);
  return fold.result(countActiveUsers(timed, qualificationWindowStart(options.rule, options.now)));
}

/** Distinct contact emails on product signals at or after windowStartMs. */
export function countActiveUsers(
  timed: readonly { signal: Signal; time: number }[],
  windowStartMs: number,
): number {
  const emails = new Set<string>();
  for (const { signal, time } of timed) {
    if (time >= windowStartMs && isProductSignal(signal) && signal.contact) emails.add(signal.contact.email);
  }
  return emails.size;
}

/** Signals with a readable time, oldest first, ties by signal id: the order every fold reads them in. */
export function sortedByTime(signals: readonly Signal[]): { signal: Signal; time: number }[] {
  return signals
    .map((signal) => ({ signal, time: Date.parse(signal.occurredAt) }))
    .filter((t) => !Number.isNaN(t.time))
    .sort((a, b) => a.time - b.time || compareIds(a.signal.id, b.signal.id));
}

/** Days since the epoch in UTC: a calendar date as a number, so differences are whole days. */
function utcDay(time: number): number {
  return Math.floor(time / DAY_MS);
}

export function compareIds(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
