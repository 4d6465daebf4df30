import { describe, expect, it } from 'vitest';

import { accountSignal } from '../../test/support/qualification-builders.ts';
import type { Signal } from '../domain/signal.ts';
import { tenantMappingSchema } from '../mapping/mapping-schema.ts';
import { readSourceValue, renderTemplate } from '../mapping/source-values.ts';
import { countActiveUsers, qualificationWindowStart, sortedByTime } from './aggregate-account.ts';
import {
  evaluateAccount,
  evaluateAccountSignals,
  signalLookbackStart,
  STRONGEST_CONTRIBUTIONS_KEPT,
} from './evaluate-account.ts';

const NOW = new Date('2026-11-20T12:00:00.000Z');
const DAY = 86_400_000;

/** A whole mapping through the real schema, so defaults are the ones RevOps gets. */
const mapping = tenantMappingSchema.parse({
  tenant: 'acme',
  crm: { type: 'hubspot' },
  secrets: { webhookSigningSecret: { env: 'ACME_WHSEC' }, statusToken: { env: 'ACME_STATUS' } },
  grid: { object: 'p_sales_grid', externalIdField: 'gridsync_grid_id', fields: {} },
  scoring: {
    signals: {
      'product.active_day': { intent: 'medium' },
      'website.pricing_view': { intent: 'high', page: 'pricing' },
    },
  },
  qualification: {
    ruleVersion: 'pqa-3',
    windowDays: 30,
    usage: { activeDays: { min: 3 }, activeUsers: { min: 2 } },
    icp: {
      required: 2,
      criteria: {
        companySize: { from: [{ crmField: 'numberofemployees' }], min: 50 },
        industry: { from: [{ signalAttribute: 'industry' }], in: ['fintech'] },
        geo: { from: [{ crmField: 'country' }], in: ['US'] },
      },
    },
  },
  task: { subject: 'Follow up', body: 'See grid', owner: { chain: ['deal_owner'] } },
});

function signal(type: string, daysAgo: number, extra: Partial<Signal> = {}): Signal {
  return accountSignal(type, new Date(NOW.getTime() - daysAgo * DAY).toISOString(), extra);
}

const activeSignals = [
  signal('product.active_day', 1, {
    contact: { email: 'ana@ledgerline.example' },
    attributes: { industry: 'Fintech' },
  }),
  signal('product.active_day', 5, { contact: { email: 'ben@ledgerline.example' } }),
  signal('product.active_day', 9, { contact: { email: 'ana@ledgerline.example' } }),
  signal('website.pricing_view', 2),
];

describe('evaluateAccount', () => {
  it('produces the account state the worker stores: score, level, aggregate and verdict', () => {
    const state = evaluateAccount({
      domain: 'ledgerline.example',
      signals: activeSignals,
      mapping,
      crmCompanyFields: { numberofemployees: '120' },
      now: NOW,
    });
    expect(state).toMatchObject({
      domain: 'ledgerline.example',
      level: 'medium',
      signalCount: 4,
      lastSignalAt: activeSignals[0]?.occurredAt,
      updatedAt: NOW.toISOString(),
      verdict: { qualified: true, ruleVersion: 'pqa-3', usageHeld: 2, icpHeld: 2, icpRequired: 2 },
    });
    expect(state.score).toBeGreaterThan(15);
    expect(state.aggregate).toMatchObject({ activeDays: 3, activeUsers: 2 });
    expect(state.aggregate.intent).toMatchObject({
      scoreWindowDays: 30,
      scoredSignals: 4,
      clusterFound: false,
    });
    expect(state.aggregate.intent.strongest[0]?.type).toBe('website.pricing_view');
  });

  it('is read by the mapping source paths (account.*)', () => {
    const state = evaluateAccount({
      domain: 'ledgerline.example',
      signals: activeSignals,
      mapping,
      crmCompanyFields: {},
      now: NOW,
    });
    expect(readSourceValue('account.activeUsers', { account: state })).toBe('2');
    expect(readSourceValue('account.qualified', { account: state })).toBe('false');
    expect(renderTemplate('{{account.qualificationSummary}}', { account: state })).toBe(
      'Not qualified: 1 ICP criterion holds (2 needed)',
    );
  });

  it("drops other accounts' signals and repeated ids", () => {
    const first = activeSignals[0]!;
    const state = evaluateAccount({
      domain: 'LedgerLine.example',
      signals: [
        ...activeSignals,
        first,
        signal('product.active_day', 1, { account: { domain: 'other.example' } }),
      ],
      mapping,
      crmCompanyFields: {},
      now: NOW,
    });
    expect(state.signalCount).toBe(4);
  });

  it('gives an account without signals score 0, level none and a verdict saying why', () => {
    const state = evaluateAccount({
      domain: 'quiet.example',
      signals: [],
      mapping,
      crmCompanyFields: {},
      now: NOW,
    });
    expect(state).toMatchObject({ score: 0, level: 'none', signalCount: 0, lastSignalAt: null });
    expect(state.verdict.summary).toBe(
      'Not qualified: 0 active days (3 needed); 0 active users (2 needed); 0 ICP criteria hold (2 needed)',
    );
  });

  it('keeps only the strongest contributions as evidence', () => {
    const many = Array.from({ length: 25 }, (_, i) => signal('product.active_day', i));
    const state = evaluateAccount({
      domain: 'ledgerline.example',
      signals: many,
      mapping,
      crmCompanyFields: {},
      now: NOW,
    });
    expect(state.aggregate.intent.scoredSignals).toBe(25);
    expect(state.aggregate.intent.strongest).toHaveLength(STRONGEST_CONTRIBUTIONS_KEPT);
    const points = state.aggregate.intent.strongest.map((c) => c.points);
    expect(points).toEqual([...points].sort((a, b) => b - a));
  });
});

describe('evaluateAccountSignals', () => {
  it('reaches the very state evaluateAccount does, page by page, whatever the order within a millisecond', async () => {
    let seed = 5;
    const next = () => (seed = (seed * 48_271) % 2_147_483_647) / 2_147_483_647;
    const types = ['product.active_day', 'website.pricing_view', 'github.star'];
    for (let trial = 0; trial < 40; trial++) {
      const signals = Array.from({ length: Math.floor(next() * 300) }, (_u, i) =>
        signal(types[i % 3] ?? 'x', Math.floor(next() * 40 * 24) / 24, {
          ...(next() < 0.5 ? { contact: { email: `u${Math.floor(next() * 9)}@ledgerline.example` } } : {}),
          ...(next() < 0.3 ? { attributes: { industry: next() < 0.5 ? 'fintech' : 'retail' } } : {}),
        }),
      );
      // Several signals in one millisecond: the store's order among them is not the fold's.
      for (const s of signals.slice(0, 20)) s.occurredAt = signals[0]?.occurredAt ?? s.occurredAt;
      const inStoreOrder = [...signals].sort(
        (a, b) => Date.parse(a.occurredAt) - Date.parse(b.occurredAt) || (a.id < b.id ? 1 : -1),
      );
      const pageSize = 1 + Math.floor(next() * 50);
      const pages = async function* () {
        for (let i = 0; i < inStoreOrder.length; i += pageSize) {
          await Promise.resolve(); // each page comes later, as from the store
          yield inStoreOrder.slice(i, i + pageSize);
        }
      };
      const input = { domain: 'ledgerline.example', mapping, crmCompanyFields: {}, now: NOW };
      const activeUsers = countActiveUsers(
        sortedByTime(signals),
        qualificationWindowStart(mapping.qualification, NOW),
      );
      expect(await evaluateAccountSignals({ ...input, pages, activeUsers })).toEqual(
        evaluateAccount({ ...input, signals }),
      );
    }
  });
});

describe('signalLookbackStart', () => {
  it('reaches back over the longer of the scoring and qualification windows', () => {
    const longer = { ...mapping, qualification: { ...mapping.qualification, windowDays: 45 } };
    expect(signalLookbackStart(mapping, NOW)).toEqual(new Date(NOW.getTime() - 30 * DAY));
    expect(signalLookbackStart(longer, NOW)).toEqual(new Date(NOW.getTime() - 45 * DAY));
  });
});
