import { describe, expect, it } from 'vitest';

import type { DealCandidate } from '../crm/crm-client.ts';
import type { DealFindRule } from '../mapping/mapping-schema.ts';
import { describeDealScope, describeWaiting, pickDeal } from './pick-deal.ts';

const deal = (id: string, values: Partial<DealCandidate> = {}): DealCandidate => ({
  id,
  companyId: 'c-1',
  closed: false,
  createdAt: '2026-11-01T00:00:00Z',
  modifiedAt: '2026-11-01T00:00:00Z',
  contactIds: [],
  ...values,
});
const rule = (pick: DealFindRule['pick'], extra: Partial<DealFindRule> = {}): DealFindRule => ({
  stages: 'open',
  pick,
  ...extra,
});
const scope = 'open deals of Ledgerline';

describe('pickDeal', () => {
  const older = deal('101', {
    createdAt: '2026-10-01T00:00:00Z',
    modifiedAt: '2026-11-20T00:00:00Z',
    amount: 90_000,
  });
  const newer = deal('102', {
    createdAt: '2026-11-02T00:00:00Z',
    modifiedAt: '2026-11-03T00:00:00Z',
    amount: 5_000,
  });

  it('no candidates: no deal', () => {
    expect(pickDeal([], rule('most_recently_created'), scope)).toBeUndefined();
  });

  it('picks by creation, modification or amount, and says so', () => {
    expect(pickDeal([older, newer], rule('most_recently_created'), scope)).toEqual({
      deal: newer,
      reason: 'the most recently created of 2 open deals of Ledgerline (created 2026-11-02)',
    });
    expect(pickDeal([older, newer], rule('most_recently_modified'), scope)?.deal).toBe(older);
    expect(pickDeal([older, newer], rule('largest_amount'), scope)?.reason).toBe(
      'the largest amount (90,000) of 2 open deals of Ledgerline',
    );
  });

  it('a tie goes to the newer record, so the same deal wins on every run', () => {
    const twin = deal('103', { createdAt: older.createdAt });
    expect(pickDeal([twin, older], rule('most_recently_created'), scope)?.deal.id).toBe('103');
    expect(pickDeal([older, twin], rule('most_recently_created'), scope)?.deal.id).toBe('103');
  });

  it("associated_with_contact: the contact's deal, else the most recently created, saying which", () => {
    const withMaya = deal('104', { createdAt: '2026-09-01T00:00:00Z', contactIds: ['maya'] });
    const maya = { id: 'maya', label: 'Maya Ortiz' };
    expect(pickDeal([newer, withMaya], rule('associated_with_contact'), scope, maya)).toEqual({
      deal: withMaya,
      reason: 'the one of 2 open deals of Ledgerline that Maya Ortiz is on',
    });
    expect(pickDeal([newer, older], rule('associated_with_contact'), scope, maya)?.reason).toBe(
      'the most recently created of 2 open deals of Ledgerline: Maya Ortiz is on none of them',
    );
  });

  it('describes the scope and the wait in the rule’s words', () => {
    const hubspot = rule('most_recently_created', { pipelines: ['default'] });
    expect(describeDealScope(hubspot, 'Ledgerline')).toBe('open deals of Ledgerline in pipeline default');
    expect(describeWaiting(hubspot, 'Ledgerline')).toBe(
      'waiting for a deal of Ledgerline in pipeline default (an open stage)',
    );
    const stages = rule('most_recently_created', { stages: ['Proposal'], recordTypes: ['New_Business'] });
    expect(describeWaiting(stages, 'Ledgerline')).toBe(
      'waiting for a deal of Ledgerline of record type New_Business (stage "Proposal")',
    );
  });
});
