/**
 * The Salesforce adapter's opportunity lookups and creates against the stateful stand-in: the statement
 * sent, what it found, and how many queries a batch of accounts costs.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import type { CrmClient, NewDeal } from '../../src/crm/crm-client.ts';
import { SalesforceFake } from '../fakes/salesforce-fake/salesforce-fake.ts';
import { seedOpportunitySales } from '../fakes/salesforce-fake/seed-opportunity-sales.ts';
import { accessTokenAt, salesforceClient, salesforceMapping } from '../support/salesforce-client.ts';

const KEY_FIELD = 'Gridsync_Key__c';
let fake: SalesforceFake;
let recordTypes: Map<string, string>;

function client(): CrmClient {
  return salesforceClient({
    mapping: salesforceMapping({
      deal: {
        whenNone: 'create',
        create: { recordType: 'New_Business', stage: 'Prospecting', keyField: KEY_FIELD },
      },
    }),
    credentials: accessTokenAt(fake.url),
  });
}

beforeEach(async () => {
  fake = await SalesforceFake.start();
  recordTypes = seedOpportunitySales(fake.org);
});
afterEach(async () => {
  await fake.close();
});

function account(name: string): string {
  return fake.org.insertRecord('Account', { Name: name });
}

function opportunity(accountId: string, values: Record<string, string | number> = {}): string {
  return fake.org.insertRecord('Opportunity', {
    Name: 'Opportunity',
    StageName: 'Prospecting',
    CloseDate: '2027-01-31',
    AccountId: accountId,
    RecordTypeId: recordTypes.get('New_Business') ?? null,
    ...values,
  });
}

describe('Salesforce: the opportunities of a batch of accounts', () => {
  it('one SOQL query with the rule in WHERE: open, of the record type; accounts without one have no entry', async () => {
    const ledgerline = account('Ledgerline');
    const quiet = account('Quiet');
    const open = opportunity(ledgerline, { Name: 'Relay', Amount: 12000 });
    opportunity(ledgerline, { Name: 'Lost', StageName: 'Closed Lost' });
    opportunity(ledgerline, { Name: 'Renewal', RecordTypeId: recordTypes.get('Renewal')! });

    const found = await client().findCompanyDeals({
      companyIds: [ledgerline, quiet],
      stages: 'open',
      recordTypes: ['New_Business'],
    });

    expect(fake.soql()).toEqual([
      `SELECT Id, AccountId, Name, StageName, IsClosed, Amount, CreatedDate, LastModifiedDate, OwnerId, RecordType.DeveloperName, ${KEY_FIELD} FROM Opportunity WHERE AccountId IN ('${ledgerline}', '${quiet}') AND IsClosed = false AND RecordType.DeveloperName IN ('New_Business') ORDER BY CreatedDate DESC, Id DESC`,
    ]);
    expect([...found.keys()]).toEqual([ledgerline]);
    expect(found.get(ledgerline)).toEqual([
      expect.objectContaining({
        id: open,
        companyId: ledgerline,
        ownerId: fake.org.integrationUserId,
        name: 'Relay',
        pipeline: 'New_Business',
        stage: 'Prospecting',
        closed: false,
        amount: 12000,
        contactIds: [],
      }),
    ]);
  });

  it('a stage list replaces the open filter', async () => {
    const id = account('Ledgerline');
    const won = opportunity(id, { StageName: 'Closed Won' });
    opportunity(id);
    const found = await client().findCompanyDeals({ companyIds: [id], stages: ['Closed Won'] });
    expect(fake.soql()[0]).toContain("AND StageName IN ('Closed Won')");
    expect(found.get(id)?.map((d) => [d.id, d.closed])).toEqual([[won, true]]);
  });

  it('reads contact roles in one more query when the rule picks the contact’s opportunity', async () => {
    const id = account('Ledgerline');
    const maya = fake.org.insertRecord('Contact', { LastName: 'Ortiz', Email: 'maya@ledgerline.example' });
    const withMaya = opportunity(id);
    const without = opportunity(id);
    fake.org.insertRecord('OpportunityContactRole', { OpportunityId: withMaya, ContactId: maya });

    const found = await client().findCompanyDeals({ companyIds: [id], stages: 'open', contactIds: [maya] });

    expect(new Map(found.get(id)?.map((d) => [d.id, d.contactIds]))).toEqual(
      new Map([
        [withMaya, [maya]],
        [without, []],
      ]),
    );
    expect(fake.soql()).toHaveLength(2);
    expect(fake.soql()[1]).toMatch(/^SELECT OpportunityId, ContactId FROM OpportunityContactRole WHERE /);
  });

  it('200 accounts with an opportunity each cost at most 2 queries', async () => {
    const accounts = Array.from({ length: 200 }, (_, i) => account(`Account ${i}`));
    for (const a of accounts) opportunity(a);
    const found = await client().findCompanyDeals({ companyIds: accounts, stages: 'open' });
    expect(found.size).toBe(200);
    expect(fake.soql().length).toBeLessThanOrEqual(2);
    expect(fake.callCount(/^GET \/query/)).toBeLessThanOrEqual(2);
  });
});

describe('Salesforce: opportunities gridsync opens', () => {
  const newDeal = (accountId: string): NewDeal => ({
    key: `gridsync-${accountId}`,
    companyId: accountId,
    name: 'Ledgerline: developer conversation',
    stage: 'Prospecting',
    recordType: 'New_Business',
    closeDate: '2027-03-01',
    ownerId: fake.org.integrationUserId,
  });

  it('upserts on the key field, with record type, stage, close date, account and owner', async () => {
    const id = account('Ledgerline');
    const [outcome] = await client().createDeals([newDeal(id)]);
    expect(outcome).toMatchObject({ ok: true, created: true });
    const record = fake.org.get(outcome!.ok ? outcome!.id : '');
    expect(record?.values).toMatchObject({
      Name: 'Ledgerline: developer conversation',
      StageName: 'Prospecting',
      CloseDate: '2027-03-01',
      AccountId: id,
      RecordTypeId: recordTypes.get('New_Business'),
      [KEY_FIELD]: `gridsync-${id}`,
      IsClosed: false,
    });
    expect(fake.callCount(`PATCH /composite/sobjects/Opportunity/${KEY_FIELD}`)).toBe(1);
  });

  it('the same key twice (a retry after a crash) leaves one opportunity', async () => {
    const id = account('Ledgerline');
    const [first] = await client().createDeals([newDeal(id)]);
    const [again] = await client().createDeals([newDeal(id)]);
    expect(again).toMatchObject({ ok: true, id: first!.ok ? first!.id : 'x' });
    expect(fake.org.records('Opportunity')).toHaveLength(1);
  });

  it('finds opportunities by key whatever their stage', async () => {
    const id = account('Ledgerline');
    const closed = opportunity(id, { StageName: 'Closed Lost', [KEY_FIELD]: `gridsync-${id}` });
    const byKey = await client().findDealsByKey([`gridsync-${id}`, 'gridsync-unknown']);
    expect([...byKey.keys()]).toEqual([`gridsync-${id}`]);
    expect(byKey.get(`gridsync-${id}`)).toMatchObject({ id: closed, closed: true, companyId: id });
  });

  it('an unknown record type is refused before anything is written', async () => {
    const id = account('Ledgerline');
    await expect(client().createDeals([{ ...newDeal(id), recordType: 'Enterprise' }])).rejects.toThrow(
      /no Opportunity record type "Enterprise"/,
    );
    expect(fake.org.records('Opportunity')).toHaveLength(0);
  });
});
