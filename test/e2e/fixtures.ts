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
  const users = ['maya@ledgerline.example', 'ken@ledgerline.example', 'ade@ledgerline.example'];
  const signals: unknown[] = users.flatMap((email, i) => [
    {
      id: `active-${domain}-${i}-a`,
      type: 'product.active_day',
      account: { domain },
      contact: { email },
      occurredAt: at(15 - i),
      source: 'product',
    },
    {
      id: `active-${domain}-${i}-b`,
      type: 'product.active_day',
      account: { domain },
      contact: { email },
      occurredAt: at(1 + i),
      source: 'product',
    },
  ]);
  signals.push(
    {
      id: `feature-${domain}-1`,
      type: 'product.core_feature_used',
      account: { domain },
      contact: { email: users[0] },
      occurredAt: at(5),
      attributes: { feature: 'retry_policies' },
    },
    {
      id: `feature-${domain}-2`,
      type: 'product.core_feature_used',
      account: { domain },
      contact: { email: users[1] },
      occurredAt: at(4),
      attributes: { feature: 'delivery_logs' },
    },
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
