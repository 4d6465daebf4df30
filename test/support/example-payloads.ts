/**
 * Payloads for the intake tests: the Ledgerline conversation (a fintech hand-rolling payment
 * webhooks), as a complete grid and as drafts, and intent signals for its account.
 */
import type { SalesGrid } from '../../src/domain/sales-grid.ts';
import type { Signal } from '../../src/domain/signal.ts';

export function ledgerlineGrid(overrides: Partial<SalesGrid> = {}): SalesGrid {
  return {
    gridId: 'grid-2026-11-20-ledgerline-maya',
    submittedBy: 'devrel@vendor.example',
    capturedAt: '2026-11-20T16:05:00Z',
    account: { domain: 'ledgerline.example', name: 'Ledgerline' },
    contact: { email: 'maya@ledgerline.example', name: 'Maya Ortiz' },
    context: { event: 'API World', notes: 'Met at the booth after the webhooks talk.' },
    beforeScenario:
      'Hand-rolling webhook delivery and retry logic on top of an internal queue. It works, but it is fragile and the team owns all of the failure handling themselves.',
    idealScenario:
      'Reliable event delivery with no homegrown infrastructure to maintain, so the team can focus on business logic and ship new partner integrations in days, not weeks.',
    negativeConsequences:
      'One bad deploy away from silent message loss, with no visibility into failure modes; tech debt grows with every partner added, and a bad break becomes their incident to own.',
    positiveOutcomes: {
      business:
        'Reduced operations burden, faster integration velocity and a lower incident rate across all of the payment partner integrations.',
      personal:
        'Maya gets to retire code she has been embarrassed about and is seen as the person who fixed a systemic problem, not one who patched symptoms.',
    },
    requiredCapabilities:
      'Managed webhook delivery with configurable retry policies, delivery logs with per-event status, and an API that fits their existing event model without a rewrite.',
    ...overrides,
  };
}

/** A draft straight after the conversation: two sections still empty, one a single line. */
export function ledgerlineDraft(): SalesGrid {
  const { requiredCapabilities: _r, positiveOutcomes: _p, ...rest } = ledgerlineGrid();
  return { ...rest, idealScenario: 'Reliable delivery.' };
}

export function ledgerlineSignals(count: number, prefix = 'sig'): Signal[] {
  return Array.from({ length: count }, (_unused, i) => ({
    id: `${prefix}-${i}`,
    type: i % 2 === 0 ? 'product.active_day' : 'website.pricing_view',
    account: { domain: i % 3 === 0 ? 'ledgerline.example' : 'globex-payments.example' },
    contact: { email: `dev${i % 5}@ledgerline.example` },
    occurredAt: new Date(Date.UTC(2026, 10, 1) + i * 60_000).toISOString(),
    value: 1,
    attributes: { feature: 'retries' },
    source: i % 2 === 0 ? 'product' : 'website',
  }));
}
