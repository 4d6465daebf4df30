import { describe, expect, it } from 'vitest';

import { accountSignal, scoringTable } from '../../test/support/qualification-builders.ts';
import type { QualificationRule } from '../mapping/mapping-schema.ts';
import { aggregateAccount, isProductSignal } from './aggregate-account.ts';

const NOW = new Date('2026-11-20T12:00:00.000Z');

const scoring = scoringTable({
  'website.pricing_view': { intent: 'high', weight: 1, page: 'pricing' },
  'website.security_view': { intent: 'high', weight: 1, page: 'security' },
  'website.terms_view': { intent: 'medium', weight: 1, page: 'terms' },
});

const rule: QualificationRule = {
  ruleVersion: '1',
  windowDays: 30,
  usage: {
    activeDays: { min: 10 },
    coreFeatures: { features: ['webhooks', 'Retries', 'delivery_logs'], min: 2, attribute: 'feature' },
    usageThreshold: { signal: 'product.api_calls', min: 10_000 },
  },
  icp: { required: 1, criteria: { industry: { from: [{ signalAttribute: 'industry' }], in: ['fintech'] } } },
};

const signal = accountSignal;
const user = (email: string) => ({ contact: { email } });

describe('isProductSignal', () => {
  it('counts the product source and the product.* type family as product usage', () => {
    expect(isProductSignal(signal('product.active_day', NOW.toISOString()))).toBe(true);
    expect(isProductSignal(signal('cli.run', NOW.toISOString(), { source: 'product' }))).toBe(true);
    expect(isProductSignal(signal('docs.quickstart', NOW.toISOString(), { source: 'docs' }))).toBe(false);
    expect(isProductSignal(signal('productivity.tip', NOW.toISOString()))).toBe(false);
  });
});

describe('aggregateAccount', () => {
  it('counts distinct UTC dates with product activity and the span from first to last', () => {
    const result = aggregateAccount(
      [
        signal('product.active_day', '2026-11-01T23:30:00-02:00'), // 2026-11-02 in UTC
        signal('product.active_day', '2026-11-02T08:00:00Z'),
        signal('product.active_day', '2026-11-16T08:00:00Z'),
        signal('website.pricing_view', '2026-11-19T08:00:00Z'), // not product: no active day
      ],
      { rule, scoring, now: NOW },
    );
    expect(result.activeDays).toBe(2);
    expect(result.activeSpanDays).toBe(14);
    expect(result.productSignalCount).toBe(3);
    expect(result.signalCount).toBe(4);
  });

  it('counts distinct contacts on product signals as active users', () => {
    const result = aggregateAccount(
      [
        signal('product.active_day', '2026-11-10T08:00:00Z', user('ana@ledgerline.example')),
        signal('product.active_day', '2026-11-11T08:00:00Z', user('ana@ledgerline.example')),
        signal('product.active_day', '2026-11-11T09:00:00Z', user('ben@ledgerline.example')),
        signal('product.active_day', '2026-11-11T09:00:00Z'),
        signal('docs.quickstart', '2026-11-11T09:00:00Z', user('cy@ledgerline.example')),
      ],
      { rule, scoring, now: NOW },
    );
    expect(result.activeUsers).toBe(2);
  });

  it('lists core features adopted as spelled in the mapping, matching case-insensitively', () => {
    const result = aggregateAccount(
      [
        signal('product.feature_used', '2026-11-10T08:00:00Z', { attributes: { feature: 'Webhooks' } }),
        signal('product.feature_used', '2026-11-10T09:00:00Z', { attributes: { feature: 'retries' } }),
        signal('product.feature_used', '2026-11-10T10:00:00Z', { attributes: { feature: 'dashboards' } }),
        signal('docs.page_view', '2026-11-10T10:00:00Z', { attributes: { feature: 'delivery_logs' } }),
      ],
      { rule, scoring, now: NOW },
    );
    expect(result.featuresUsed).toEqual(['dashboards', 'retries', 'webhooks']);
    expect(result.coreFeaturesAdopted).toEqual(['webhooks', 'Retries']);
  });

  it('sums the usage signal values, counting a signal without a value as one', () => {
    const result = aggregateAccount(
      [
        signal('product.api_calls', '2026-11-10T08:00:00Z', { value: 6_000 }),
        signal('product.api_calls', '2026-11-11T08:00:00Z', { value: 4_500 }),
        signal('product.api_calls', '2026-11-12T08:00:00Z'),
        signal('product.api_calls', '2026-10-01T08:00:00Z', { value: 99_999 }), // outside the 30-day window
      ],
      { rule, scoring, now: NOW },
    );
    expect(result.usage).toEqual({ signal: 'product.api_calls', total: 10_501 });
  });

  it('reports no usage figure when the rule has no usage threshold', () => {
    const { usageThreshold: _, ...usage } = rule.usage;
    const result = aggregateAccount([], { rule: { ...rule, usage }, scoring, now: NOW });
    expect(result.usage).toBeNull();
    expect(result.lastSignalAt).toBeNull();
    expect(result.activeSpanDays).toBe(0);
  });

  it('counts page visits by the kind the scoring table gives each signal type', () => {
    const result = aggregateAccount(
      [
        signal('website.pricing_view', '2026-11-10T08:00:00Z'),
        signal('website.pricing_view', '2026-11-11T08:00:00Z'),
        signal('website.security_view', '2026-11-11T08:00:00Z'),
        signal('website.blog_view', '2026-11-11T08:00:00Z'),
      ],
      { rule, scoring, now: NOW },
    );
    expect(result.pageVisits).toEqual({ pricing: 2, security: 1, terms: 0, contact: 0, docs: 0, other: 0 });
  });

  it('ignores signals older than the rule window in every count', () => {
    const result = aggregateAccount(
      [
        signal('product.active_day', '2026-10-21T11:59:59Z', user('old@ledgerline.example')),
        signal('product.active_day', '2026-10-21T12:00:00Z', user('edge@ledgerline.example')),
      ],
      { rule, scoring, now: NOW },
    );
    expect(result.windowStart).toBe('2026-10-21T12:00:00.000Z');
    expect(result).toMatchObject({ signalCount: 1, activeDays: 1, activeUsers: 1 });
  });

  it('keeps the newest value of each attribute and the time of the last signal, whatever the window', () => {
    const result = aggregateAccount(
      [
        signal('external.funding', '2026-11-15T08:00:00Z', { attributes: { funding_stage: 'Series B' } }),
        signal('external.funding', '2026-06-01T08:00:00Z', {
          attributes: { funding_stage: 'Series A', geo: 'EU' },
        }),
      ],
      { rule, scoring, now: NOW },
    );
    expect(result.latestAttributes['funding_stage']?.value).toBe('Series B');
    expect(result.latestAttributes['geo']).toMatchObject({ value: 'EU', occurredAt: '2026-06-01T08:00:00Z' });
    expect(result.lastSignalAt).toBe('2026-11-15T08:00:00Z');
    expect(result.signalCount).toBe(1);
  });
});
