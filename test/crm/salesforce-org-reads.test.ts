/**
 * The Salesforce adapter's reads and AE tasks against the stateful stand-in (test/fakes/salesforce-fake):
 * the org holds the records, so each test checks both the statement sent and what it found.
 */
import { aeTask } from '../support/ae-tasks.ts';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import type { CrmClient, NewAeTask } from '../../src/crm/crm-client.ts';
import { CrmError } from '../../src/crm/crm-errors.ts';
import { SalesforceFake } from '../fakes/salesforce-fake/salesforce-fake.ts';
import { accessTokenAt, salesforceClient, salesforceMapping } from '../support/salesforce-client.ts';

const MARKER = 'gridsync8f3a0c12d4';
let fake: SalesforceFake;

function client(overrides: Parameters<typeof salesforceMapping>[0] = {}): CrmClient {
  return salesforceClient({ mapping: salesforceMapping(overrides), credentials: accessTokenAt(fake.url) });
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
    return aeTask({
      subject: 'Acme: SSO rollout blocked',
      body: 'Before: exports by hand. Ideal: nightly sync.',
      dueAt: new Date('2026-11-24T09:00:00Z'),
      ownerId: fake.org.integrationUserId,
      marker: MARKER,
      ...overrides,
    });
  }

  const INSERT = 'POST /composite/sobjects';
  async function createOne(t: NewAeTask): Promise<string> {
    const [outcome] = await client().createTasks([t]);
    if (!outcome?.ok) throw new Error(`task not created: ${String(outcome?.error)}`);
    return outcome.id;
  }

  it('creates a Task with owner, opportunity, contact, due date and priority, the marker in subject and body', async () => {
    const { deal, contact, account } = links();
    const id = await createOne(task({ links: { deal, contact, company: account } }));
    expect(fake.bodiesOf(INSERT)).toEqual([
      {
        allOrNone: false,
        records: [
          {
            attributes: { type: 'Task' },
            Subject: `Acme: SSO rollout blocked [${MARKER}]`,
            Description: `Before: exports by hand. Ideal: nightly sync.\n\n(gridsync ${MARKER})`,
            ActivityDate: '2026-11-24',
            Status: 'Not Started',
            Priority: 'High',
            OwnerId: fake.org.integrationUserId,
            WhatId: deal,
            WhoId: contact,
          },
        ],
      },
    ]);
    expect(fake.org.get(id)?.values).toMatchObject({
      WhatId: deal,
      WhoId: contact,
      Subject: expect.stringContaining(MARKER),
    });
  });

  it('inserts 250 tasks in two collection calls, each result matched to its task by its position', async () => {
    const tasks = Array.from({ length: 250 }, (_, i) =>
      task({ marker: `gridsync${String(i).padStart(6, '0')}`, subject: `task ${i}` }),
    );
    const outcomes = await client().createTasks(tasks);
    expect(fake.callCount(INSERT)).toBe(2);
    outcomes.forEach((outcome, i) => {
      if (!outcome.ok) throw new Error(`task ${i} not created`);
      expect(fake.org.get(outcome.id)?.values['Subject']).toContain(`task ${i} [`);
    });
  });

  it('finds tasks by their markers in one SOQL query on Subject, and not a longer marker', async () => {
    const sf = client();
    const [a, , b] = await sf.createTasks([
      task(),
      task({ marker: `${MARKER}0` }),
      task({ marker: 'gridsyncsecond' }),
    ]);
    const found = await sf.findTasksByMarkers([MARKER, 'gridsyncsecond', 'gridsync000000']);
    expect(found).toEqual(
      new Map([
        [MARKER, a?.ok ? a.id : ''],
        ['gridsyncsecond', b?.ok ? b.id : ''],
      ]),
    );
    expect(fake.soql()).toHaveLength(1);
    expect(fake.soql()[0]).toBe(
      `SELECT Id, Subject FROM Task WHERE Subject LIKE '%[${MARKER}]%' OR Subject LIKE '%[gridsyncsecond]%' OR Subject LIKE '%[gridsync000000]%' ORDER BY CreatedDate ASC, Id ASC`,
    );
  });

  it('does not resend an insert whose answer was lost: the caller looks for the tasks before creating again', async () => {
    fake.loseAnswers(INSERT, 1);
    await expect(client().createTasks([task()])).rejects.toMatchObject({ retryable: true });
    expect(fake.requests.map((r) => r.route)).toEqual([INSERT]);
    const found = await client().findTasksByMarkers([MARKER]);
    expect([...found.values()]).toEqual(fake.org.records('Task').map((t) => t.id));
  });

  it('refuses a task Salesforce rejects, naming the field, and creates its batch-mates', async () => {
    const { contact, deal } = links();
    const [refused, created] = await client().createTasks([
      task({ links: { deal: contact } }),
      task({ marker: 'gridsyncmate', links: { deal } }),
    ]);
    expect(refused).toMatchObject({
      ok: false,
      error: { kind: 'rejected', field: 'WhatId', correlationId: 'FIELD_INTEGRITY_EXCEPTION' },
    });
    expect(created?.ok).toBe(true);
    expect(fake.org.records('Task')).toHaveLength(1);
  });
});
