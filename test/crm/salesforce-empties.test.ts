/**
 * Issue 8 item 6: clearing a Salesforce date, number or picklist field sends JSON null (an empty string is
 * refused for those types), on Opportunity, Account and the grid object; checked in the bodies sent and in what
 * the stand-in org holds afterwards.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { SalesforceFake } from '../fakes/salesforce-fake/salesforce-fake.ts';
import { seedGridObject } from '../fakes/salesforce-fake/seed-grid-object.ts';
import { GRID_KEY, GRID_OBJECT } from '../fakes/salesforce-nock.ts';
import { accessTokenAt, salesforceClient } from '../support/salesforce-client.ts';

let fake: SalesforceFake;
const TYPED = [
  { name: 'Next_Step_Date__c', type: 'date' as const },
  { name: 'Icp_Score__c', type: 'double' as const },
  { name: 'Grid_Stage__c', type: 'picklist' as const, picklistValues: ['Open', 'Won'] },
];
const FILLED = { Next_Step_Date__c: '2026-12-24', Icp_Score__c: '42', Grid_Stage__c: 'Open' };
const CLEARED = { Next_Step_Date__c: '', Icp_Score__c: '', Grid_Stage__c: '' };

beforeEach(async () => {
  fake = await SalesforceFake.start();
  seedGridObject(fake.org, { fields: TYPED });
  for (const object of ['Opportunity', 'Account']) {
    for (const field of TYPED) fake.org.addField(object, field);
  }
});
afterEach(() => fake.close());

const client = () => salesforceClient({ credentials: accessTokenAt(fake.url) });

const lastRecordSent = (route: string) =>
  (fake.bodiesOf(route).at(-1) as { records: Record<string, unknown>[] }).records[0]!;

describe('clearing Salesforce fields', () => {
  it('sends null for an emptied date, number and picklist on the grid object, and the org holds null', async () => {
    const sf = client();
    await sf.upsertGridRecords([{ externalId: 'g1', properties: FILLED }]);
    const [outcome] = await sf.upsertGridRecords([{ externalId: 'g1', properties: CLEARED }]);

    expect(outcome!.ok).toBe(true);
    expect(lastRecordSent(`PATCH /composite/sobjects/${GRID_OBJECT}/${GRID_KEY}`)).toMatchObject({
      Next_Step_Date__c: null,
      Icp_Score__c: null,
      Grid_Stage__c: null,
    });
    const [stored] = fake.org.records(GRID_OBJECT);
    expect(stored!.values).toMatchObject({
      Next_Step_Date__c: null,
      Icp_Score__c: null,
      Grid_Stage__c: null,
    });
  });

  it.each(['deal', 'company'] as const)(
    'sends null for emptied fields on the %s (Opportunity / Account)',
    async (role) => {
      const object = role === 'deal' ? 'Opportunity' : 'Account';
      const id = fake.org.insertRecord(object, { Name: 'Acme', ...FILLED, Icp_Score__c: 42 });
      const [outcome] = await client().updateRecords(role, [{ id, properties: CLEARED }]);

      expect(outcome!.ok).toBe(true);
      expect(lastRecordSent('PATCH /composite/sobjects')).toMatchObject({
        Next_Step_Date__c: null,
        Icp_Score__c: null,
        Grid_Stage__c: null,
      });
      expect(fake.org.get(id)!.values).toMatchObject({
        Next_Step_Date__c: null,
        Icp_Score__c: null,
        Grid_Stage__c: null,
      });
    },
  );

  it('keeps non-empty values as they are', async () => {
    await client().upsertGridRecords([{ externalId: 'g2', properties: FILLED }]);
    expect(lastRecordSent(`PATCH /composite/sobjects/${GRID_OBJECT}/${GRID_KEY}`)).toMatchObject(FILLED);
  });
});
