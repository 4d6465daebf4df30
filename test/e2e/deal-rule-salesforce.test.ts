/**
 * Issue 9 end to end on Salesforce: globex's rule (open New_Business opportunities of the Account, the most
 * recently created; open one when there is none) through the whole of gridsync against the stateful
 * Salesforce stand-in.
 */
import { describe, expect, it } from 'vitest';

import { documentedSyncOf as syncOf } from '../support/grid-status-schema.ts';
import { startSalesforceHarness } from '../support/salesforce-harness.ts';
import { ledgerlineGrid, qualifyingSignals } from '../support/fixtures.ts';
import { closedAfterEach, scheduledRuns } from '../support/harness-per-test.ts';

const startSalesforcePerTest = closedAfterEach(startSalesforceHarness);

// Qualification made easy to reach with the shared fixture signals: this file is about deals.
const EASY_QUALIFICATION: [string[], unknown][] = [
  [['qualification', 'usage'], { activeUsers: { min: 3 } }],
  [
    ['qualification', 'icp'],
    { required: 1, criteria: { industry: { from: [{ crmField: 'Industry' }], in: ['Banking'] } } },
  ],
];

async function start(mapping: [string[], unknown][] = []) {
  const sf = await startSalesforcePerTest({ mapping: [...EASY_QUALIFICATION, ...mapping] });
  const { org } = sf.fake;
  const ae = org.insertRecord('User', { Name: 'Alex AE', Username: 'ae@globex.example', IsActive: true });
  const accountOwner = org.insertRecord('User', {
    Name: 'Sam Owner',
    Username: 'sam@globex.example',
    IsActive: true,
  });
  const accountId = org.insertRecord('Account', {
    Name: 'Ledgerline',
    Domain__c: 'ledgerline.example',
    Industry: 'Banking',
    OwnerId: accountOwner,
  });
  org.insertRecord('Contact', { LastName: 'Ortiz', Email: 'maya@ledgerline.example', AccountId: accountId });
  const recordType = (name: string) =>
    org.records('RecordType').find((r) => r.values['DeveloperName'] === name)?.id ?? null;
  const opportunity = (values: Record<string, string | number>) =>
    org.insertRecord('Opportunity', {
      Name: 'Opportunity',
      StageName: 'Qualification',
      CloseDate: '2027-01-31',
      AccountId: accountId,
      OwnerId: ae,
      RecordTypeId: recordType('New_Business'),
      ...values,
    });
  return { h: sf, org, ae, accountOwner, accountId, opportunity };
}

const grid = (overrides: Record<string, unknown> = {}) => ledgerlineGrid({ deal: undefined, ...overrides });

const scheduledRun = scheduledRuns('globex');

describe('the deal rule on Salesforce', () => {
  it('one open opportunity: deal fields on it, the grid record looks it up, the task goes to its owner', async () => {
    const { h, org, ae, opportunity } = await start();
    const opp = opportunity({ Name: 'Globex Events' });
    opportunity({
      Name: 'Renewal',
      RecordTypeId: org.records('RecordType').find((r) => r.values['DeveloperName'] === 'Renewal')!.id,
    });
    await h.postSignals(qualifyingSignals());
    const g = grid();
    await h.postGrid(g);
    await h.settle();

    const sync = await syncOf(h, g.gridId);
    expect(sync.deal).toMatchObject({
      state: 'found',
      crmId: opp,
      reason: 'the only one of the open deals of Ledgerline of record type New_Business',
    });
    expect(org.get(opp)?.values['Grid_Status__c']).toBe('Complete');
    const [record] = org.records('Sales_Grid__c');
    expect(record?.values['Opportunity__c']).toBe(opp);
    const tasks = org.records('Task');
    expect(tasks).toHaveLength(1);
    expect(tasks[0]?.values['OwnerId']).toBe(ae);
    expect(tasks[0]?.values['WhatId']).toBe(opp);
  });

  it('no opportunity, whenNone create: gridsync opens one for the Account, once, owned by the account owner', async () => {
    const { h, org, accountId, accountOwner } = await start();
    await h.postSignals(qualifyingSignals());
    await h.postGrid(grid());
    await h.postGrid(grid({ gridId: 'grid-second-conversation' }));
    await h.settle();
    await scheduledRun(h);

    const opportunities = org.records('Opportunity');
    expect(opportunities).toHaveLength(1);
    expect(opportunities[0]?.values).toMatchObject({
      AccountId: accountId,
      OwnerId: accountOwner,
      StageName: 'Prospecting',
      Name: 'Ledgerline: developer conversation at API World',
      Gridsync_Key__c: `gridsync-${accountId}`,
      IsClosed: false,
    });
    const id = opportunities[0]?.id;
    expect((await syncOf(h, 'grid-second-conversation')).deal).toMatchObject({ state: 'created', crmId: id });
    expect(org.records('Sales_Grid__c').map((r) => r.values['Opportunity__c'])).toEqual([id, id]);
    expect(org.records('Task').map((t) => t.values['OwnerId'])).toEqual([accountOwner, accountOwner]);
  });

  it('wait, then the AE opens an opportunity: the next scheduled run writes its fields and creates the task', async () => {
    const { h, org, ae, opportunity } = await start([[['deal', 'whenNone'], 'wait']]);
    opportunity({ Name: 'Lost last year', StageName: 'Closed Lost' });
    await h.postSignals(qualifyingSignals());
    const g = grid();
    await h.postGrid(g);
    await h.settle();
    const waiting = await syncOf(h, g.gridId);
    expect(waiting.deal).toMatchObject({
      state: 'waiting',
      reason: 'waiting for a deal of Ledgerline of record type New_Business (an open stage)',
    });
    expect(waiting.targets.gridRecord.state).toBe('synced');
    expect(waiting.targets.company?.state).toBe('synced');
    expect(org.records('Task')).toHaveLength(0);

    const opp = opportunity({ Name: 'Globex Events 2027' });
    await scheduledRun(h);
    expect(org.get(opp)?.values['Grid_Link__c']).toContain(g.gridId);
    expect(org.records('Sales_Grid__c')[0]?.values['Opportunity__c']).toBe(opp);
    expect(org.records('Task').map((t) => t.values['OwnerId'])).toEqual([ae]);
  });

  it('200 grids of 200 Accounts: at most 2 opportunity queries', async () => {
    const sf = await startSalesforcePerTest({ mapping: EASY_QUALIFICATION, startWorker: false });
    const { org } = sf.fake;
    const newBusiness = org
      .records('RecordType')
      .find((r) => r.values['DeveloperName'] === 'New_Business')?.id;
    const grids = Array.from({ length: 200 }, (_, i) => {
      const accountId = org.insertRecord('Account', {
        Name: `Account ${i}`,
        Domain__c: `account-${i}.example`,
      });
      org.insertRecord('Opportunity', {
        Name: `Opportunity ${i}`,
        StageName: 'Qualification',
        CloseDate: '2027-01-31',
        AccountId: accountId,
        RecordTypeId: newBusiness ?? null,
      });
      return grid({
        gridId: `grid-many-${i}`,
        account: { domain: `account-${i}.example`, name: `Account ${i}` },
      });
    });
    for (const g of grids) expect((await sf.postGrid(g)).status).toBe(202);
    sf.fake.requests.length = 0;
    sf.gridsync.runner.start();
    await sf.settle();

    const opportunityQueries = sf.fake.soql().filter((q) => / FROM Opportunity WHERE AccountId IN /.test(q));
    expect(opportunityQueries.length).toBeGreaterThan(0);
    expect(opportunityQueries.length).toBeLessThanOrEqual(2);
    expect((await syncOf(sf, 'grid-many-7')).deal?.state).toBe('found');
  });

  it('the opportunity closes and a newer one is open: the lookup and the fields move on the next scheduled run', async () => {
    const { h, org, opportunity } = await start();
    const first = opportunity({ Name: 'First' });
    const g = grid();
    await h.postGrid(g);
    await h.settle();
    expect((await syncOf(h, g.gridId)).deal?.crmId).toBe(first);

    Object.assign(org.get(first)!.values, { StageName: 'Closed Won', IsClosed: true });
    const second = opportunity({ Name: 'Second' });
    await scheduledRun(h);
    expect((await syncOf(h, g.gridId)).deal).toMatchObject({
      crmId: second,
      movedFrom: { crmId: first, reason: expect.stringContaining('no longer counts') },
    });
    expect(org.records('Sales_Grid__c')[0]?.values['Opportunity__c']).toBe(second);
    expect(org.get(second)?.values['Grid_Summary__c']).toContain(g.beforeScenario);
  });
});
