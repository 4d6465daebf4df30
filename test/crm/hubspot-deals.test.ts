import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import type { NewDeal } from '../../src/crm/crm-client.ts';
import { HubSpotFake } from '../fakes/hubspot-fake-server.ts';
import { addCompanyDeal, moveDeal } from '../fakes/hubspot-fake/fake-deals.ts';
import { clientFor, testMapping } from '../support/hubspot-client.ts';

const KEY_FIELD = 'gridsync_deal_key';
let fake: HubSpotFake;

beforeEach(async () => {
  fake = await HubSpotFake.start({ uniqueProperties: { deals: [KEY_FIELD] } });
});
afterEach(async () => {
  await fake.close();
});

function company(name: string): string {
  return fake.addRecord('companies', { name, domain: `${name.toLowerCase()}.example` });
}

function dealOf(companyId: string, properties: Record<string, string>, createdAt?: Date): string {
  return addCompanyDeal(fake.store, companyId, properties, createdAt);
}

const ASSOCIATIONS_READ = 'POST /crm/associations/2026-03/companies/deals/batch/read';
const DEAL_READS = /^POST \/crm\/(v3\/objects|objects\/2026-03)\/deals\/batch\/read$/;

describe('HubSpot: the deals of a batch of companies', () => {
  it("finds each company's deals that count, with owner, stage, amount and dates; companies without one have no entry", async () => {
    const ledgerline = company('Ledgerline');
    const quiet = company('Quiet');
    const open = dealOf(
      ledgerline,
      { dealname: 'Relay', hubspot_owner_id: '500', amount: '12000' },
      new Date('2026-11-01T00:00:00Z'),
    );
    dealOf(ledgerline, { dealname: 'Old', dealstage: 'closedlost' });
    dealOf(ledgerline, { dealname: 'Other pipeline', pipeline: 'renewals' });

    const found = await clientFor(fake).findCompanyDeals({
      companyIds: [ledgerline, quiet],
      pipelines: ['default'],
      stages: 'open',
    });

    expect([...found.keys()]).toEqual([ledgerline]);
    expect(found.get(ledgerline)).toEqual([
      {
        id: open,
        companyId: ledgerline,
        ownerId: '500',
        name: 'Relay',
        pipeline: 'default',
        stage: 'appointmentscheduled',
        closed: false,
        amount: 12000,
        createdAt: '2026-11-01T00:00:00.000Z',
        modifiedAt: '2026-11-01T00:00:00.000Z',
        contactIds: [],
      },
    ]);
  });

  it('a stage list counts only those stages, closed ones included when listed', async () => {
    const id = company('Ledgerline');
    const won = dealOf(id, { dealstage: 'closedwon' });
    dealOf(id, { dealstage: 'appointmentscheduled' });
    const found = await clientFor(fake).findCompanyDeals({ companyIds: [id], stages: ['closedwon'] });
    expect(found.get(id)?.map((d) => [d.id, d.closed])).toEqual([[won, true]]);
  });

  it("reports which of the grids' contacts are on each deal, in one more call", async () => {
    const id = company('Ledgerline');
    const contact = fake.addRecord('contacts', { email: 'maya@ledgerline.example' });
    const withMaya = dealOf(id, { dealname: 'With Maya' });
    const without = dealOf(id, { dealname: 'Without' });
    fake.store.associate({
      fromType: 'contacts',
      fromId: contact,
      toType: 'deals',
      toId: withMaya,
      category: 'HUBSPOT_DEFINED',
      typeId: 4,
    });

    const found = await clientFor(fake).findCompanyDeals({
      companyIds: [id],
      stages: 'open',
      contactIds: [contact],
    });

    expect(new Map(found.get(id)?.map((d) => [d.id, d.contactIds]))).toEqual(
      new Map([
        [withMaya, [contact]],
        [without, []],
      ]),
    );
    expect(fake.callCount('POST /crm/associations/2026-03/deals/contacts/batch/read')).toBe(1);
  });

  it('200 companies with a deal each cost 3 calls: one associations read, two batch reads of 100 deals', async () => {
    const companies = Array.from({ length: 200 }, (_, i) => company(`Company${i}`));
    for (const c of companies) dealOf(c, { dealname: `Deal of ${c}` });
    fake.requests.length = 0;

    const found = await clientFor(fake).findCompanyDeals({ companyIds: companies, stages: 'open' });

    expect(found.size).toBe(200);
    expect(fake.callCount(ASSOCIATIONS_READ)).toBe(1);
    expect(fake.callCount(DEAL_READS)).toBe(2);
    expect(fake.requests).toHaveLength(3);
    expect(fake.bodiesOf(ASSOCIATIONS_READ)[0]).toEqual({ inputs: companies.map((id) => ({ id })) });
  });

  it('asks no deal read when no company has deals, and never sends ids HubSpot cannot have', async () => {
    const found = await clientFor(fake).findCompanyDeals({
      companyIds: [company('Quiet'), '0012x000abc'],
      stages: 'open',
    });
    expect(found.size).toBe(0);
    expect(fake.requests.map((r) => r.route)).toEqual([ASSOCIATIONS_READ]);
    expect(fake.bodiesOf(ASSOCIATIONS_READ)[0]).toEqual({ inputs: [{ id: expect.any(String) }] });
  });
});

describe('HubSpot: deals gridsync creates', () => {
  const creating = clientForCreate;

  it('creates each deal with its key, pipeline, stage, owner and close date, linked to its company and contact in the same call', async () => {
    const id = company('Ledgerline');
    const contact = fake.addRecord('contacts', { email: 'maya@ledgerline.example' });
    const [outcome] = await creating().createDeals([
      keyedDeal(id, { contactId: contact, name: 'Ledgerline: developer conversation', ownerId: '501' }),
    ]);
    expect(outcome).toMatchObject({ ok: true, created: true });
    const dealId = outcome!.ok ? outcome!.id : '';
    expect(fake.store.get('deals', dealId)?.properties).toMatchObject({
      dealname: 'Ledgerline: developer conversation',
      pipeline: 'default',
      dealstage: 'appointmentscheduled',
      closedate: '2027-03-01T00:00:00.000Z',
      hubspot_owner_id: '501',
      [KEY_FIELD]: `gridsync-${id}`,
    });
    expect(fake.callCount('POST /crm/objects/2026-03/deals/batch/create')).toBe(1);
    const found = await creating().findCompanyDeals({ companyIds: [id], stages: 'open' });
    expect(found.get(id)?.map((d) => d.id)).toEqual([dealId]);
  });

  it('a key HubSpot already holds is answered with the existing deal, and no second deal is made', async () => {
    const id = company('Ledgerline');
    const deal = keyedDeal(id);
    const [first] = await creating().createDeals([deal]);
    const [again] = await creating().createDeals([deal]);
    expect(again).toMatchObject({ ok: true, id: first!.ok ? first!.id : 'x' });
    expect(fake.store.records('deals')).toHaveLength(1);
  });

  it('finds deals by key whatever their stage', async () => {
    const id = company('Ledgerline');
    const [created] = await creating().createDeals([keyedDeal(id)]);
    const dealId = created!.ok ? created!.id : '';
    moveDeal(fake.store, dealId, { dealstage: 'closedlost' });
    const byKey = await creating().findDealsByKey([`gridsync-${id}`, 'gridsync-unknown']);
    expect([...byKey.keys()]).toEqual([`gridsync-${id}`]);
    expect(byKey.get(`gridsync-${id}`)).toMatchObject({ id: dealId, closed: true, key: `gridsync-${id}` });
  });
});

/** A deal for `companyId` under its gridsync key, in the default pipeline; `extra` adds or replaces fields. */
function keyedDeal(companyId: string, extra: Partial<NewDeal> = {}): NewDeal {
  return {
    key: `gridsync-${companyId}`,
    companyId,
    name: 'D',
    pipeline: 'default',
    stage: 'appointmentscheduled',
    closeDate: '2027-03-01',
    ...extra,
  };
}

function clientForCreate() {
  return clientFor(fake, {
    mapping: testMapping({
      deal: {
        whenNone: 'create',
        create: { pipeline: 'default', stage: 'appointmentscheduled', keyField: KEY_FIELD },
      },
    }),
  });
}
