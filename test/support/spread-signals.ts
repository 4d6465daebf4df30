/** Signals spread over accounts, uniform or hot: what bench/memory.ts, bench/memory-serve.ts and test/e2e/memory-bound.test.ts ingest. */
import type { Signal } from '../../src/domain/signal.ts';

const DAY = 86_400_000;
/** Signals per intake batch, as one export of a product-analytics tool sends them. */
export const SIGNAL_BATCH = 1_000;

const TYPES = [
  'product.active_day',
  'product.webhooks_delivered',
  'product.core_feature_used',
  'docs.page_view',
  'website.pricing_view',
  'community.technical_question',
];

export const SPREADS = {
  uniform: { accounts: 7_000, label: 'uniform over 7,000 accounts' },
  hot: { accounts: 5, label: 'hot: 5 accounts' },
} as const;
export type Spread = keyof typeof SPREADS;

export function signalDomain(account: number): string {
  return `account-${account}.example`;
}

/** Which account signal i belongs to: each batch covers 100 accounts (all of them when fewer), the next batch others. */
export function accountOf(i: number, accounts: number): number {
  return (Math.floor(i / SIGNAL_BATCH) * 37 + (i % 100)) % accounts;
}

/** Deterministic signals `first`…: spread over the accounts and the 29 days before `now`, 40 contacts per account. */
export function makeSignals(first: number, count: number, accounts: number, now: Date): Signal[] {
  return Array.from({ length: count }, (_u, k) => {
    const i = first + k;
    const account = accountOf(i, accounts);
    const type = TYPES[i % TYPES.length] ?? 'docs.page_view';
    return {
      id: `sig-${i}`,
      type,
      account: { domain: signalDomain(account) },
      contact: { email: `dev-${i % 40}@${signalDomain(account)}` },
      occurredAt: new Date(now.getTime() - ((i * 104_729) % (29 * DAY))).toISOString(),
      ...(type === 'product.webhooks_delivered' ? { value: i % 500 } : {}),
      attributes: { feature: ['webhooks', 'sso', 'audit_logs', 'retries'][i % 4] ?? 'webhooks', plan: 'pro' },
      source: type.startsWith('product.') ? 'product' : 'website',
    };
  });
}
