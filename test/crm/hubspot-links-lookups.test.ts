import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import type { HubSpotFake } from '../fakes/hubspot-fake-server.ts';
import {
  associateDefaultBody,
  associateLabelledBody,
  batchReadBody,
  searchBody,
} from './hubspot-api-shapes.ts';
import {
  clientFor,
  GRID_ID_PROPERTY,
  GRID_OBJECT,
  grids,
  startHubSpotFake,
  testMapping,
} from '../support/hubspot-client.ts';

let fake: HubSpotFake;

beforeEach(async () => {
  fake = await startHubSpotFake();
});
afterEach(() => fake.close());

async function gridRecordIds(count: number): Promise<string[]> {
  const outcomes = await clientFor(fake).upsertGridRecords(grids(count));
  return outcomes.map((o) => (o.ok ? o.id : 'failed'));
}

describe('linking grid records (associations)', () => {
  it('associates each grid with its deal, company and contact in one batched call per target type', async () => {
    const gridIds = await gridRecordIds(120);
    const deal = fake.addRecord('deals', { dealname: 'Ledgerline expansion' });
    const company = fake.addRecord('companies', { domain: 'ledgerline.example' });
    const contact = fake.addRecord('contacts', { email: 'dev@ledgerline.example' });

    const outcomes = await clientFor(fake).linkGridRecords(
      gridIds.map((gridRecordId) => ({ gridRecordId, deal, company, contact })),
    );

    expect(outcomes.every((o, i) => o.ok && o.id === gridIds[i])).toBe(true);
    for (const target of ['deals', 'companies', 'contacts']) {
      const route = `POST /crm/associations/2026-03/${GRID_OBJECT}/${target}/batch/associate/default`;
      expect(fake.callCount(route)).toBe(1);
      expect(associateDefaultBody.parse(fake.bodiesOf(route)[0]).inputs).toHaveLength(120);
    }
    expect(fake.store.associations).toHaveLength(360);
  });

  it('uses batch/create with the mapping’s labelled association type', async () => {
    const [gridRecordId] = await gridRecordIds(1);
    const deal = fake.addRecord('deals', { dealname: 'D' });
    const mapping = testMapping({
      grid: {
        object: GRID_OBJECT,
        externalIdField: GRID_ID_PROPERTY,
        fields: {},
        associate: { deal: { associationTypeId: 77 } },
      },
    });
    const [outcome] = await clientFor(fake, { mapping }).linkGridRecords([
      { gridRecordId: gridRecordId!, deal },
    ]);

    expect(outcome).toEqual({ ok: true, id: gridRecordId });
    const body = associateLabelledBody.parse(
      fake.bodiesOf(`POST /crm/associations/2026-03/${GRID_OBJECT}/deals/batch/create`)[0],
    );
    expect(body.inputs[0]!.types).toEqual([{ associationCategory: 'USER_DEFINED', associationTypeId: 77 }]);
    expect(fake.store.associations[0]).toMatchObject({ toId: deal, typeId: 77, category: 'USER_DEFINED' });
  });

  it('fails only the link whose target does not exist', async () => {
    const [first, second] = await gridRecordIds(2);
    const deal = fake.addRecord('deals', { dealname: 'D' });
    const outcomes = await clientFor(fake).linkGridRecords([
      { gridRecordId: first!, deal },
      { gridRecordId: second!, deal: '424242' },
    ]);

    expect(outcomes[0]).toEqual({ ok: true, id: first });
    expect(outcomes[1]!.ok).toBe(false);
    expect(fake.store.associations).toHaveLength(1);
  });
});

describe('identity lookups', () => {
  it('finds companies by domain with a searched IN filter, case-insensitively, keyed by the caller’s spelling', async () => {
    const ledgerline = fake.addRecord('companies', {
      domain: 'ledgerline.example',
      industry: 'fintech',
      hubspot_owner_id: '501',
    });
    fake.addRecord('companies', { domain: 'ledgerline.example', industry: 'other' });
    const found = await clientFor(fake).findCompaniesByDomain(
      ['Ledgerline.example', 'nowhere.example'],
      ['industry', 'employees'],
    );

    expect([...found.keys()]).toEqual(['Ledgerline.example']);
    expect(found.get('Ledgerline.example')).toEqual({
      id: ledgerline,
      ownerId: '501',
      fields: { industry: 'fintech' },
    });
    const body = searchBody.parse(fake.bodiesOf('POST /crm/objects/2026-03/companies/search')[0]);
    expect(body.filterGroups[0]!.filters[0]).toEqual({
      propertyName: 'domain',
      operator: 'IN',
      values: ['ledgerline.example', 'nowhere.example'],
    });
  });

  it('pages through search results and splits more than 100 domains into several searches', async () => {
    const domains = Array.from({ length: 150 }, (_, i) => `d${i}.example`);
    const ids = domains.map((domain) => fake.addRecord('companies', { domain }));
    // 210 later duplicates of the first domain push the first search past one 200-result page.
    for (let i = 0; i < 210; i += 1) fake.addRecord('companies', { domain: 'd0.example' });
    const found = await clientFor(fake).findCompaniesByDomain(domains, []);

    expect(found.size).toBe(150);
    expect(found.get('d0.example')!.id).toBe(ids[0]);
    const bodies = fake
      .bodiesOf('POST /crm/objects/2026-03/companies/search')
      .map((b) => searchBody.parse(b));
    expect(
      bodies.map((b) => [(b.filterGroups[0]!.filters[0] as { values: string[] }).values.length, b.after]),
    ).toEqual([
      [100, undefined],
      [100, '200'],
      [50, undefined],
    ]);
  });

  it('reads contacts by email with a batch read using email as idProperty', async () => {
    const contact = fake.addRecord('contacts', { email: 'dev@ledgerline.example', hubspot_owner_id: '7' });
    const found = await clientFor(fake).findContactsByEmail([
      'dev@ledgerline.example',
      'ghost@ledgerline.example',
    ]);

    expect(found.get('dev@ledgerline.example')).toEqual({ id: contact, ownerId: '7', fields: {} });
    expect(found.has('ghost@ledgerline.example')).toBe(false);
    const body = batchReadBody.parse(fake.bodiesOf('POST /crm/objects/2026-03/contacts/batch/read')[0]);
    expect(body.idProperty).toBe('email');
  });

  it('reads deals and companies by id with the owner and requested fields; missing ids have no entry', async () => {
    const deal = fake.addRecord('deals', { dealname: 'D', hubspot_owner_id: '9', amount: '' });
    const client = clientFor(fake);
    const deals = await client.getDeals([deal, '999999', 'not-a-number'], ['amount', 'dealname']);

    expect([...deals.keys()]).toEqual([deal]);
    expect(deals.get(deal)).toEqual({ id: deal, ownerId: '9', fields: { dealname: 'D' } });
    const body = batchReadBody.parse(fake.bodiesOf('POST /crm/objects/2026-03/deals/batch/read')[0]);
    expect(body.properties).toEqual(['amount', 'dealname', 'hubspot_owner_id']);
    expect(body.inputs).toEqual([{ id: deal }, { id: '999999' }]);
    expect((await client.getCompanies([], [])).size).toBe(0);
  });
});
