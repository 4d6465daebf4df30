import { describe, expect, it } from 'vitest';

import type { QualificationRule } from '../mapping/mapping-schema.ts';
import type { AccountAggregate } from './aggregate-account.ts';
import { decideQualification } from './product-qualified-account.ts';

const NOW = new Date('2026-11-20T12:00:00.000Z');

/** Seed 001's template: active 2+ weeks, 3+ users, core features, a usage threshold; 3 of 5 ICP criteria. */
const rule: QualificationRule = {
  ruleVersion: '2026-11-a',
  windowDays: 30,
  usage: {
    activeSpanDays: { min: 14 },
    activeUsers: { min: 3 },
    coreFeatures: { features: ['webhooks', 'retries', 'delivery_logs'], min: 2, attribute: 'feature' },
    usageThreshold: { signal: 'product.api_calls', min: 10_000 },
  },
  icp: {
    required: 3,
    criteria: {
      companySize: { from: [{ crmField: 'numberofemployees' }], min: 50, max: 2000 },
      industry: { from: [{ crmField: 'industry' }], in: ['fintech', 'payments'] },
      techStack: { from: [{ signalAttribute: 'tech_stack' }], anyOf: ['node', 'go'] },
      fundingStage: { from: [{ crmField: 'funding_stage' }], in: ['Series A', 'Series B'] },
      geo: { from: [{ crmField: 'country' }], in: ['US', 'UK', 'DE'] },
    },
  },
};

function aggregate(overrides: Partial<AccountAggregate> = {}): AccountAggregate {
  return {
    windowDays: 30,
    windowStart: '2026-10-21T12:00:00.000Z',
    signalCount: 40,
    productSignalCount: 30,
    activeDays: 12,
    activeSpanDays: 16,
    activeUsers: 4,
    featuresUsed: ['delivery_logs', 'webhooks'],
    coreFeaturesAdopted: ['webhooks', 'delivery_logs'],
    usage: { signal: 'product.api_calls', total: 12_400 },
    pageVisits: { pricing: 2, security: 1, terms: 0, contact: 0, docs: 0, other: 0 },
    lastSignalAt: '2026-11-19T09:00:00Z',
    latestAttributes: {
      tech_stack: { value: 'node;postgres', occurredAt: '2026-11-02T00:00:00Z', signalId: 's1' },
    },
    ...overrides,
  };
}

const icpAllHold = {
  numberofemployees: '201-500',
  industry: 'Fintech',
  funding_stage: 'Series B',
  country: 'UK',
};

describe('decideQualification', () => {
  it('qualifies when every usage criterion and enough ICP criteria hold', () => {
    const verdict = decideQualification({
      rule,
      aggregate: aggregate(),
      crmCompanyFields: { ...icpAllHold, funding_stage: 'Seed', country: 'FR' },
      now: NOW,
    });
    expect(verdict).toMatchObject({
      qualified: true,
      ruleVersion: '2026-11-a',
      usageHeld: 4,
      usageTotal: 4,
      icpHeld: 3,
      icpRequired: 3,
      summary: 'Qualified: all 4 usage criteria and 3 of 5 ICP criteria hold',
      evaluatedAt: '2026-11-20T12:00:00.000Z',
    });
    expect(verdict.criteria.map((c) => [c.kind, c.criterion, c.held])).toEqual([
      ['usage', 'activeSpanDays', true],
      ['usage', 'activeUsers', true],
      ['usage', 'coreFeatures', true],
      ['usage', 'usageThreshold', true],
      ['icp', 'companySize', true],
      ['icp', 'industry', true],
      ['icp', 'techStack', true],
      ['icp', 'fundingStage', false],
      ['icp', 'geo', false],
    ]);
  });

  it('does not qualify when a single usage criterion fails, however strong the ICP fit', () => {
    const verdict = decideQualification({
      rule,
      aggregate: aggregate({ activeUsers: 2 }),
      crmCompanyFields: icpAllHold,
      now: NOW,
    });
    expect(verdict).toMatchObject({ qualified: false, usageHeld: 3, icpHeld: 5 });
    expect(verdict.summary).toBe('Not qualified: 2 active users (3 needed)');
    expect(verdict.criteria.find((c) => c.criterion === 'activeUsers')).toEqual({
      criterion: 'activeUsers',
      kind: 'usage',
      held: false,
      evidence: { value: 2, threshold: { min: 3 }, source: 'signals' },
      reason: '2 active users; at least 3 needed',
    });
  });

  it('does not qualify with fewer ICP criteria than required, and names every shortfall', () => {
    const verdict = decideQualification({
      rule,
      aggregate: aggregate({ activeSpanDays: 9, usage: { signal: 'product.api_calls', total: 800 } }),
      crmCompanyFields: { industry: 'retail', numberofemployees: '120' },
      now: NOW,
    });
    expect(verdict).toMatchObject({ qualified: false, icpHeld: 2 });
    expect(verdict.summary).toBe(
      'Not qualified: active over 9 days (14 needed); usage 800 (10,000 needed); 2 ICP criteria hold (3 needed)',
    );
  });

  it('names an ICP shortfall alone when usage is fine', () => {
    const verdict = decideQualification({
      rule,
      aggregate: aggregate(),
      crmCompanyFields: { industry: 'payments' },
      now: NOW,
    });
    expect(verdict.summary).toBe('Not qualified: 2 ICP criteria hold (3 needed)');
    const noneHold = decideQualification({
      rule,
      aggregate: aggregate({ latestAttributes: {} }),
      crmCompanyFields: {},
      now: NOW,
    });
    expect(noneHold.summary).toBe('Not qualified: 0 ICP criteria hold (3 needed)');
  });

  it('explains each usage criterion in plain words', () => {
    const verdict = decideQualification({
      rule: { ...rule, usage: { ...rule.usage, activeDays: { min: 10 } } },
      aggregate: aggregate({ activeDays: 1, coreFeaturesAdopted: [] }),
      crmCompanyFields: icpAllHold,
      now: NOW,
    });
    const reasons = Object.fromEntries(verdict.criteria.map((c) => [c.criterion, c.reason]));
    expect(reasons).toMatchObject({
      activeDays: '1 active day in the last 30 days; at least 10 needed',
      activeSpanDays: 'Active over 16 days from first to last product signal; at least 14 needed',
      activeUsers: '4 active users; at least 3 needed',
      coreFeatures: 'No core feature used; at least 2 of webhooks, retries, delivery_logs needed',
      usageThreshold: 'Usage 12,400 (product.api_calls) in the last 30 days; at least 10,000 needed',
    });
    expect(verdict.summary).toBe('Not qualified: 1 active day (10 needed); 0 core features used (2 needed)');
    expect(verdict.criteria.find((c) => c.criterion === 'coreFeatures')?.evidence).toEqual({
      value: [],
      threshold: { min: 2, features: ['webhooks', 'retries', 'delivery_logs'] },
      source: 'signals',
    });
  });

  it('words a rule with one usage criterion and one ICP criterion naturally', () => {
    const small: QualificationRule = {
      ruleVersion: '1',
      windowDays: 30,
      usage: { activeUsers: { min: 1 } },
      icp: { required: 1, criteria: { industry: { from: [{ crmField: 'industry' }], in: ['fintech'] } } },
    };
    const verdict = decideQualification({
      rule: small,
      aggregate: aggregate(),
      crmCompanyFields: { industry: 'fintech' },
      now: NOW,
    });
    expect(verdict.summary).toBe('Qualified: the usage criterion and 1 of 1 ICP criterion hold');
    const failing = decideQualification({
      rule: small,
      aggregate: aggregate(),
      crmCompanyFields: {},
      now: NOW,
    });
    expect(failing.summary).toBe('Not qualified: 0 ICP criteria hold (1 needed)');
  });
});
