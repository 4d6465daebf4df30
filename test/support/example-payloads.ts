/**
 * Payloads for the intake tests: the Ledgerline conversation (a fintech hand-rolling payment
 * webhooks), as a complete grid and as drafts, and intent signals for its account. The grid is the one
 * test/support/fixtures.ts sends in e2e tests (one story, one text), typed and without the deal id.
 */
import type { SalesGrid } from '../../src/domain/sales-grid.ts';
import ledgerline from '../fixtures/grids/ledgerline-complete.json' with { type: 'json' };
import type { Signal } from '../../src/domain/signal.ts';

/** The Ledgerline grid of test/fixtures/grids/ledgerline-complete.json (the e2e payload), without its deal id. */
export function ledgerlineGrid(overrides: Partial<SalesGrid> = {}): SalesGrid {
  const { deal: _deal, ...grid } = structuredClone(ledgerline);
  return { ...grid, ...overrides };
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
