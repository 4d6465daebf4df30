/**
 * The Salesforce adapter's reads and AE tasks against the stateful stand-in (test/fakes/salesforce-fake):
 * the org holds the records, so each test checks both the statement sent and what it found.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import type { CrmClient, NewAeTask } from '../../src/crm/crm-client.ts';
import { CrmError } from '../../src/crm/crm-errors.ts';
import { createSalesforceClient } from '../../src/crm/salesforce/salesforce-client.ts';
import { SalesforceFake } from '../fakes/salesforce-fake/salesforce-fake.ts';
import { salesforceMapping, silentLogger, TEST_RETRY } from '../fakes/salesforce-nock.ts';

const MARKER = 'gridsync8f3a0c12d4';
let fake: SalesforceFake;

function client(overrides: Parameters<typeof salesforceMapping>[0] = {}): CrmClient {
  return createSalesforceClient({
    mapping: salesforceMapping(overrides),
    credentials: { kind: 'access_token', instanceUrl: fake.url, accessToken: 'test-token' },
    logger: silentLogger(),
    retry: TEST_RETRY,
  });
}

beforeEach(async () => {
  fake = await SalesforceFake.start({ queryPageSize: 1 });
});
afterEach(async () => {
  await fake.close();
});

describe('Salesforce lookups (stand-in)', () => {
  it('finds accounts by website with escaped IN lists and answers in the caller’s spelling', async () => {
    const owner = fake.org.integrationUserId;
    const acme = fake.org.insertRecord('Account', {
      Name: 'Acme',
      Website: 'https://www.acme.com/',
      Industry: 'Fintech',
      NumberOfEmployees: 250,
      OwnerId: owner,
    });
    const ohare = fake.org.insertRecord('Account', { Name: "O'Hare", Website: "o'hare.io", OwnerId: owner });
    fake.org.insertRecord('Account', { Name: 'Acme duplicate, newer', Website: 'acme.com', OwnerId: owner });

    const found = await client().findCompaniesByDomain(
      ['Acme.com', "o'hare.io", 'unknown.dev'],
      ['Industry', 'NumberOfEmployees'],
    );

    const [soql] = fake.soql();
    expect(soql).toMatch(
      /^SELECT Id, OwnerId, Website, Industry, NumberOfEmployees FROM Account WHERE Website IN \(/,
    );
    expect(soql).toContain("'o\\'hare.io'");
    expect(found.get('Acme.com')).toEqual({
      id: acme,
      ownerId: owner,
      fields: { Industry: 'Fintech', NumberOfEmployees: '250' },
    });
    expect(found.get("o'hare.io")).toEqual({ id: ohare, ownerId: owner, fields: {} });
    expect(found.has('unknown.dev')).toBe(false);
  });

  it('keeps a crafted value inside its literal: the statement parses and matches nothing', async () => {
    fake.org.insertRecord('Contact', { LastName: 'Ortiz', Email: 'maya@ledgerline.example' });
    const found = await client().findContactsByEmail(["x\\' or email != '"]);
    expect(fake.soql()).toEqual([
      "SELECT Id, OwnerId, Email FROM Contact WHERE Email IN ('x\\\\\\' or email != \\'') ORDER BY CreatedDate ASC, Id ASC",
    ]);
    expect(found.size).toBe(0);
  });

  it('matches contacts by email whatever the case', async () => {
    const id = fake.org.insertRecord('Contact', { LastName: 'Dev', Email: 'Dev@Acme.com' });
    expect((await client().findContactsByEmail(['dev@acme.com'])).get('dev@acme.com')?.id).toBe(id);
  });

  it('reads opportunities by id, follows nextRecordsUrl, and never sends an id that cannot be one', async () => {
    const owner = fake.org.integrationUserId;
    const deal = (name: string) =>
      fake.org.insertRecord('Opportunity', {
        Name: name,
        StageName: 'Prospecting',
        CloseDate: '2026-12-31',
        OwnerId: owner,
      });
    const first = deal('One');
    const second = deal('Two');
    const shortForm = first.slice(0, 15);

    const found = await client().getDeals([shortForm, second, "x' OR Id != '"], ['StageName']);

    expect(fake.soql()).toEqual([
      `SELECT Id, OwnerId, StageName FROM Opportunity WHERE Id IN ('${shortForm}', '${second}')`,
    ]);
    expect(fake.callCount(/^GET \/query\/01g/)).toBe(1);
    expect(found.get(shortForm)).toEqual({ id: first, ownerId: owner, fields: { StageName: 'Prospecting' } });
    expect(found.get(second)?.ownerId).toBe(owner);
    expect(found.size).toBe(2);
  });

  it('reads owners from User and says when one is deactivated', async () => {
    const active = fake.org.insertRecord('User', { Name: 'Ada AE', IsActive: true });
    const gone = fake.org.insertRecord('User', { Name: 'Gone AE', IsActive: false });
    const sf = client();
    expect(await sf.getOwner(active)).toEqual({ id: active, active: true, name: 'Ada AE' });
    expect(await sf.getOwner(gone)).toEqual({ id: gone, active: false, name: 'Gone AE' });
    expect(await sf.getOwner(`005${'0'.repeat(15)}`)).toBeUndefined();
    expect(await sf.getOwner('not-an-id')).toBeUndefined();
    expect(fake.soql()[0]).toBe(`SELECT Id, IsActive, Name FROM User WHERE Id = '${active}'`);
    expect(fake.soql()).toHaveLength(3);
  });

  it('reports an identity field the org lacks as field_missing naming it', async () => {
    const sf = client({ identity: { company: { field: 'Domain__c' }, contact: { field: 'Email' } } });
    const error = await sf.findCompaniesByDomain(['acme.com'], []).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CrmError);
    expect(error).toMatchObject({ kind: 'field_missing', field: 'Domain__c', status: 400 });
  });
});

describe('Salesforce AE tasks (stand-in)', () => {
  function links() {
    const account = fake.org.insertRecord('Account', { Name: 'Acme' });
    return {
      account,
      deal: fake.org.insertRecord('Opportunity', {
        Name: 'Acme',
        StageName: 'Prospecting',
        CloseDate: '2026-12-31',
        AccountId: account,
      }),
      contact: fake.org.insertRecord('Contact', { LastName: 'Ortiz', AccountId: account }),
    };
  }

  function task(overrides: Partial<NewAeTask> = {}): NewAeTask {
    return {
      subject: 'Acme: SSO rollout blocked',
      body: 'Before: exports by hand. Ideal: nightly sync.',
      dueAt: new Date('2026-11-24T09:00:00Z'),
      priority: 'high',
      ownerId: fake.org.integrationUserId,
      marker: MARKER,
      links: {},
      ...overrides,
    };
  }

  it('creates a Task with owner, opportunity, contact, due date and priority, the marker in subject and body', async () => {
    const { deal, contact, account } = links();
    const id = await client().createTask(task({ links: { deal, contact, company: account } }));
    expect(fake.bodiesOf('POST /sobjects/Task')).toEqual([
      {
        Subject: `Acme: SSO rollout blocked [${MARKER}]`,
        Description: `Before: exports by hand. Ideal: nightly sync.\n\n(gridsync ${MARKER})`,
        ActivityDate: '2026-11-24',
        Status: 'Not Started',
        Priority: 'High',
        OwnerId: fake.org.integrationUserId,
        WhatId: deal,
        WhoId: contact,
      },
    ]);
    expect(fake.org.get(id)?.values).toMatchObject({
      WhatId: deal,
      WhoId: contact,
      Subject: expect.stringContaining(MARKER),
    });
  });

  it('finds a task by its marker with a SOQL filter on Subject, and not a longer marker', async () => {
    const sf = client();
    const id = await sf.createTask(task());
    await sf.createTask(task({ marker: `${MARKER}0` }));
    expect(await sf.findTaskByMarker(MARKER)).toBe(id);
    expect(await sf.findTaskByMarker('gridsync000000')).toBeUndefined();
    expect(fake.soql()[0]).toBe(
      `SELECT Id FROM Task WHERE Subject LIKE '%[${MARKER}]%' ORDER BY CreatedDate ASC, Id ASC LIMIT 1`,
    );
  });

  it('after a create whose answer was lost, finds the task instead of creating a second one', async () => {
    fake.loseAnswers('POST /sobjects/Task', 1);
    const id = await client().createTask(task());
    expect(fake.org.records('Task').map((t) => t.id)).toEqual([id]);
    expect(fake.requests.map((r) => r.route)).toEqual(['POST /sobjects/Task', 'GET /query']);
  });

  it('refuses a task Salesforce rejects, naming the field', async () => {
    const { contact } = links();
    const error = await client()
      .createTask(task({ links: { deal: contact } }))
      .catch((e: unknown) => e);
    expect(error).toMatchObject({
      kind: 'rejected',
      field: 'WhatId',
      status: 400,
      correlationId: 'FIELD_INTEGRITY_EXCEPTION',
    });
    expect(fake.org.records('Task')).toHaveLength(0);
  });
});
