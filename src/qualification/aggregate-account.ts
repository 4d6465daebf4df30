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

export function aggregateAccount(signals: readonly Signal[], options: AggregateOptions): AccountAggregate {
  const { rule, scoring, now } = options;
  const windowStartMs = now.getTime() - rule.windowDays * DAY_MS;
  const timed = signals
    .map((signal) => ({ signal, time: Date.parse(signal.occurredAt) }))
    .filter((t) => !Number.isNaN(t.time))
    .sort((a, b) => a.time - b.time || compareIds(a.signal.id, b.signal.id));
  const inWindow = timed.filter((t) => t.time >= windowStartMs);
  const product = inWindow.filter((t) => isProductSignal(t.signal));

  const featureAttribute = rule.usage.coreFeatures?.attribute ?? 'feature';
  const featuresUsed = distinctSorted(
    product.flatMap(({ signal }) => {
      const value = signal.attributes?.[featureAttribute];
      return value === undefined ? [] : [String(value).trim().toLowerCase()];
    }),
  ).filter((f) => f !== '');

  const pageVisits = Object.fromEntries(SIGNAL_PAGE_KINDS.map((kind) => [kind, 0])) as Record<
    SignalPageKind,
    number
  >;
  for (const { signal } of inWindow) {
    const page = scoring.signals[signal.type]?.page;
    if (page !== undefined) pageVisits[page] += 1;
  }

  const usageRule = rule.usage.usageThreshold;
  const usage =
    usageRule === undefined
      ? null
      : {
          signal: usageRule.signal,
          total: inWindow
            .filter(({ signal }) => signal.type === usageRule.signal)
            .reduce((sum, { signal }) => sum + (signal.value ?? 1), 0),
        };

  const firstProduct = product[0];
  const lastProduct = product.at(-1);
  const lastAny = timed.at(-1);

  return {
    windowDays: rule.windowDays,
    windowStart: new Date(windowStartMs).toISOString(),
    signalCount: inWindow.length,
    productSignalCount: product.length,
    activeDays: new Set(product.map((t) => utcDay(t.time))).size,
    activeSpanDays: firstProduct && lastProduct ? utcDay(lastProduct.time) - utcDay(firstProduct.time) : 0,
    activeUsers: new Set(product.flatMap(({ signal }) => (signal.contact ? [signal.contact.email] : [])))
      .size,
    featuresUsed,
    coreFeaturesAdopted: (rule.usage.coreFeatures?.features ?? []).filter((f) =>
      featuresUsed.includes(f.trim().toLowerCase()),
    ),
    usage,
    pageVisits,
    lastSignalAt: lastAny ? lastAny.signal.occurredAt : null,
    latestAttributes: latestAttributesOf(timed.map((t) => t.signal)),
  };
}

/** `signals` sorted oldest first, so a later signal overwrites an earlier one's value. */
function latestAttributesOf(signals: readonly Signal[]): Record<string, LatestAttribute> {
  const latest: Record<string, LatestAttribute> = {};
  for (const signal of signals) {
    for (const [name, value] of Object.entries(signal.attributes ?? {})) {
      latest[name] = { value, occurredAt: signal.occurredAt, signalId: signal.id };
    }
  }
  return latest;
}

/** Days since the epoch in UTC: a calendar date as a number, so differences are whole days. */
function utcDay(time: number): number {
  return Math.floor(time / DAY_MS);
}

function distinctSorted(values: readonly string[]): string[] {
  return [...new Set(values)].sort();
}

function compareIds(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
