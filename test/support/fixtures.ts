/** Grids and signals for end-to-end tests: the Ledgerline story (a fintech hand-rolling payment webhooks), on dates relative to now. */
import grid from '../fixtures/grids/ledgerline-complete.json' with { type: 'json' };

export type GridPayload = typeof grid & Record<string, unknown>;

export function ledgerlineGrid(overrides: Record<string, unknown> = {}): GridPayload {
  return { ...structuredClone(grid), capturedAt: new Date().toISOString(), ...overrides };
}

const DAY = 86_400_000;

/** Product signals that satisfy acme's usage criteria: 3 users over 15 days, 2 core features, 12,000 deliveries. */
export function qualifyingSignals(domain = 'ledgerline.example', now = Date.now()): unknown[] {
  const at = (daysAgo: number) => new Date(now - daysAgo * DAY).toISOString();
  const users = ['maya@ledgerline.example', 'ken@ledgerline.example', 'ade@ledgerline.example'] as const;
  const activeDay = (email: string, i: number, run: 'a' | 'b', daysAgo: number) => ({
    id: `active-${domain}-${i}-${run}`,
    type: 'product.active_day',
    account: { domain },
    contact: { email },
    occurredAt: at(daysAgo),
    source: 'product',
  });
  const coreFeature = (n: number, email: string, feature: string, daysAgo: number) => ({
    id: `feature-${domain}-${n}`,
    type: 'product.core_feature_used',
    account: { domain },
    contact: { email },
    occurredAt: at(daysAgo),
    attributes: { feature },
  });
  const signals: unknown[] = users.flatMap((email, i) => [
    activeDay(email, i, 'a', 15 - i),
    activeDay(email, i, 'b', 1 + i),
  ]);
  signals.push(
    coreFeature(1, users[0], 'retry_policies', 5),
    coreFeature(2, users[1], 'delivery_logs', 4),
    {
      id: `usage-${domain}`,
      type: 'product.webhooks_delivered',
      account: { domain },
      occurredAt: at(2),
      value: 12_000,
    },
    { id: `pricing-${domain}`, type: 'website.pricing_view', account: { domain }, occurredAt: at(1) },
  );
  return signals;
}

/** The Ledgerline records in the fake HubSpot portal; ICP values that satisfy 3 of acme's 5 ICP criteria. */
export function seedLedgerline(
  fake: {
    addRecord(type: string, p: Record<string, string>): string;
    addOwner(o: { id: string; archived: boolean; email?: string }): void;
  },
  owners = { deal: '500', company: '501' },
) {
  fake.addOwner({ id: '500', archived: false, email: 'ae@vendor.example' });
  fake.addOwner({ id: '501', archived: false, email: 'account-owner@vendor.example' });
  fake.addOwner({ id: '81234567', archived: false, email: 'sales-lead@vendor.example' });
  const companyId = fake.addRecord('companies', {
    domain: 'ledgerline.example',
    name: 'Ledgerline',
    numberofemployees: '300',
    industry: 'FINANCIAL_SERVICES',
    country: 'United States',
    hubspot_owner_id: owners.company,
  });
  const contactId = fake.addRecord('contacts', { email: 'maya@ledgerline.example', firstname: 'Maya' });
  const dealId = fake.addRecord('deals', {
    dealname: 'Ledgerline: Relay Enterprise',
    hubspot_owner_id: owners.deal,
  });
  return { companyId, contactId, dealId };
}
