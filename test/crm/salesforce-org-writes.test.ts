/**
 * The Salesforce adapter's grid upserts, links and updates against the stateful stand-in: what the org
 * holds afterwards is checked, not only the requests. Narrow failure shapes stay in salesforce-writes.test.ts.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import type { CrmClient } from '../../src/crm/crm-client.ts';
import { SalesforceFake } from '../fakes/salesforce-fake/salesforce-fake.ts';
import { seedGridObject } from '../fakes/salesforce-fake/seed-grid-object.ts';
import { GRID_KEY, GRID_OBJECT } from '../fakes/salesforce-nock.ts';
import { accessTokenAt, gridUpserts, salesforceClient } from '../support/salesforce-client.ts';

const UPSERT = `PATCH /composite/sobjects/${GRID_OBJECT}/${GRID_KEY}`;
let fake: SalesforceFake;

function client(): CrmClient {
  return salesforceClient({ credentials: accessTokenAt(fake.url) });
}

function sent(route: string): Record<string, unknown>[][] {
  return fake.bodiesOf(route).map((body) => (body as { records: Record<string, unknown>[] }).records);
}

beforeEach(async () => {
  fake = await SalesforceFake.start();
  seedGridObject(fake.org, { fields: [{ name: 'Grid_Status__c', type: 'string' }] });
  fake.org.addField('Opportunity', { name: 'Grid_Status__c', type: 'string' });
});
afterEach(async () => {
  await fake.close();
});

describe('Salesforce grid upserts (stand-in)', () => {
  it('writes 450 grids with 3 sObject Collections calls of at most 200 records, then updates them in place', async () => {
    const outcomes = await client().upsertGridRecords(gridUpserts(450));

    expect(sent(UPSERT).map((records) => records.length)).toEqual([200, 200, 50]);
    expect(fake.bodiesOf(UPSERT).every((b) => (b as { allOrNone: unknown }).allOrNone === false)).toBe(true);
    expect(sent(UPSERT)[0]![0]).toEqual({
      attributes: { type: GRID_OBJECT },
      [GRID_KEY]: '0f3a0000',
      Before_Scenario__c: 'Exports by hand, grid 0',
    });
    expect(outcomes.every((o) => o.ok && o.created === true)).toBe(true);
    expect(fake.org.records(GRID_OBJECT)).toHaveLength(450);

    const again = await client().upsertGridRecords(gridUpserts(3));
    expect(again.map((o) => o.ok && o.created)).toEqual([false, false, false]);
    expect(fake.org.records(GRID_OBJECT)).toHaveLength(450);
  });

  it('sends a single grid through the collections endpoint too, its key in the body, not the URL', async () => {
    const [outcome] = await client().upsertGridRecords([{ externalId: 'grid/../1', properties: {} }]);
    expect(fake.requests.map((r) => r.route)).toEqual([UPSERT]);
    expect(outcome).toMatchObject({ ok: true, created: true });
    expect(fake.org.records(GRID_OBJECT)[0]?.values[GRID_KEY]).toBe('grid/../1');
  });

  it('merges two pending versions of one grid into one record, the later values winning', async () => {
    const outcomes = await client().upsertGridRecords([
      { externalId: 'g1', properties: { Before_Scenario__c: 'v1', Grid_Status__c: 'kept' } },
      { externalId: 'g1', properties: { Before_Scenario__c: 'v2' } },
    ]);
    expect(sent(UPSERT)).toEqual([
      [
        {
          attributes: { type: GRID_OBJECT },
          [GRID_KEY]: 'g1',
          Before_Scenario__c: 'v2',
          Grid_Status__c: 'kept',
        },
      ],
    ]);
    expect(outcomes[0]).toEqual(outcomes[1]);
    expect(fake.org.records(GRID_OBJECT)).toHaveLength(1);
  });

  it('pins a field the org lacks on the records carrying it and delivers the others', async () => {
    const records = gridUpserts(3);
    records[1]!.properties['Typo__c'] = 'x';
    const outcomes = await client().upsertGridRecords(records);
    expect(outcomes.map((o) => (o.ok ? 'ok' : o.error.kind))).toEqual(['ok', 'field_missing', 'ok']);
    expect(fake.org.records(GRID_OBJECT).map((r) => r.values[GRID_KEY])).toEqual(['0f3a0000', '0f3a0002']);
  });

  it('reports a value too long for its field on that record alone', async () => {
    const records = gridUpserts(2);
    records[0]!.properties['Grid_Status__c'] = 'x'.repeat(256);
    const outcomes = await client().upsertGridRecords(records);
    expect(outcomes[0]).toMatchObject({
      ok: false,
      error: { kind: 'rejected', correlationId: 'STRING_TOO_LONG' },
    });
    expect(outcomes[1]).toMatchObject({ ok: true });
  });
});

describe('Salesforce links and updates (stand-in)', () => {
  it('links grids through the lookup fields the mapping names, in one collections update', async () => {
    const account = fake.org.insertRecord('Account', { Name: 'Acme' });
    const deal = fake.org.insertRecord('Opportunity', {
      Name: 'Acme',
      StageName: 'Proposal',
      CloseDate: '2026-12-31',
    });
    const contact = fake.org.insertRecord('Contact', { LastName: 'Ortiz' });
    const [first, second] = await client().upsertGridRecords(gridUpserts(2));
    const grid = first!.ok ? first!.id : '';
    const other = second!.ok ? second!.id : '';

    const outcomes = await client().linkGridRecords([
      { gridRecordId: grid, deal, company: account, contact },
      { gridRecordId: other },
    ]);

    expect(fake.callCount('PATCH /composite/sobjects')).toBe(1);
    expect(outcomes).toEqual([
      { ok: true, id: grid },
      { ok: true, id: other },
    ]);
    expect(fake.org.get(grid)?.values).toMatchObject({
      Opportunity__c: deal,
      Account__c: account,
      Contact__c: contact,
    });
  });

  it('updates deals as Opportunity records by id and reports a deleted one as not_found', async () => {
    const deal = () =>
      fake.org.insertRecord('Opportunity', { Name: 'D', StageName: 'Proposal', CloseDate: '2026-12-31' });
    const kept = deal();
    const deleted = deal();
    fake.org.delete(deleted);
    const outcomes = await client().updateRecords('deal', [
      { id: kept, properties: { Grid_Status__c: 'complete' } },
      { id: deleted, properties: { Grid_Status__c: 'draft' } },
    ]);
    expect(sent('PATCH /composite/sobjects')[0]![0]).toEqual({
      attributes: { type: 'Opportunity' },
      id: kept,
      Grid_Status__c: 'complete',
    });
    expect(outcomes.map((o) => (o.ok ? 'ok' : o.error.kind))).toEqual(['ok', 'not_found']);
    expect(fake.org.get(kept)?.values['Grid_Status__c']).toBe('complete');
  });
});
