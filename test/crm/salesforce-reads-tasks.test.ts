import { afterEach, describe, expect, it } from 'vitest';

import type { CrmClient, NewAeTask } from '../../src/crm/crm-client.ts';
import { CrmError } from '../../src/crm/crm-errors.ts';
import { createSalesforceClient } from '../../src/crm/salesforce/salesforce-client.ts';
import {
  API,
  apiError,
  FakeSalesforce,
  INSTANCE_URL,
  queryPage,
  type Reply,
  salesforceMapping,
  sfId,
  silentLogger,
  soqlOf,
  TEST_RETRY,
} from '../fakes/salesforce-nock.ts';

const MARKER = 'gridsync8f3a0c12d4';

function client(): CrmClient {
  return createSalesforceClient({
    mapping: salesforceMapping(),
    credentials: { kind: 'access_token', instanceUrl: INSTANCE_URL, accessToken: 'static-token' },
    logger: silentLogger(),
    retry: TEST_RETRY,
  });
}

/** Answers each SOQL statement with the first handler whose pattern it matches. */
function queries(fake: FakeSalesforce, answers: [RegExp, (soql: string) => Reply][]): FakeSalesforce {
  return fake.route('GET', '/query', (call) => {
    const soql = soqlOf(call);
    const answer = answers.find(([pattern]) => pattern.test(soql));
    return answer === undefined ? [400, apiError('MALFORMED_QUERY', `unexpected: ${soql}`)] : answer[1](soql);
  });
}

function task(overrides: Partial<NewAeTask> = {}): NewAeTask {
  return {
    subject: 'Acme: SSO rollout blocked',
    body: 'Before: exports by hand. Ideal: nightly sync.',
    dueAt: new Date('2026-11-24T09:00:00Z'),
    priority: 'high',
    ownerId: sfId('005', 7),
    marker: MARKER,
    links: { deal: sfId('006', 1), company: sfId('001', 1), contact: sfId('003', 1) },
    ...overrides,
  };
}

afterEach(() => FakeSalesforce.reset());

describe('Salesforce lookups', () => {
  it('finds accounts by website with escaped IN lists and answers in the caller’s spelling', async () => {
    const fake = queries(new FakeSalesforce(), [
      [
        /FROM Account/,
        () => [
          200,
          queryPage('Account', [
            {
              Id: sfId('001', 1),
              OwnerId: sfId('005', 1),
              Website: 'https://www.acme.com/',
              Industry: 'Fintech',
              NumberOfEmployees: 250,
            },
            { Id: sfId('001', 2), OwnerId: sfId('005', 2), Website: "o'hare.io", Industry: null },
          ]),
        ],
      ],
    ]);
    const found = await client().findCompaniesByDomain(
      ['Acme.com', "o'hare.io", 'unknown.dev'],
      ['Industry', 'NumberOfEmployees'],
    );

    const soql = soqlOf(fake.calls[0]!);
    expect(fake.calls[0]!.path).toBe(`${API}/query`);
    expect(soql).toMatch(
      /^SELECT Id, OwnerId, Website, Industry, NumberOfEmployees FROM Account WHERE Website IN \(/,
    );
    expect(soql).toContain("'o\\'hare.io'");
    expect(soql).toContain("'https://www.acme.com/'");
    expect(soql).not.toContain("'o'hare");
    expect(found.get('Acme.com')).toEqual({
      id: sfId('001', 1),
      ownerId: sfId('005', 1),
      fields: { Industry: 'Fintech', NumberOfEmployees: '250' },
    });
    expect(found.get("o'hare.io")).toEqual({ id: sfId('001', 2), ownerId: sfId('005', 2), fields: {} });
    expect(found.has('unknown.dev')).toBe(false);
  });

  it('keeps a crafted value inside its literal, backslashes and quotes escaped', async () => {
    const fake = queries(new FakeSalesforce(), [[/FROM Contact/, () => [200, queryPage('Contact', [])]]]);
    await client().findContactsByEmail(["x\\' or email != '"]);
    expect(soqlOf(fake.calls[0]!)).toBe(
      "SELECT Id, OwnerId, Email FROM Contact WHERE Email IN ('x\\\\\\' or email != \\'') ORDER BY CreatedDate ASC, Id ASC",
    );
  });

  it('matches contacts by email whatever the case', async () => {
    queries(new FakeSalesforce(), [
      [
        /FROM Contact/,
        () => [
          200,
          queryPage('Contact', [{ Id: sfId('003', 1), OwnerId: sfId('005', 1), Email: 'Dev@Acme.com' }]),
        ],
      ],
    ]);
    const found = await client().findContactsByEmail(['dev@acme.com']);
    expect(found.get('dev@acme.com')?.id).toBe(sfId('003', 1));
  });

  it('reads opportunities by id, follows nextRecordsUrl, and never sends an id that cannot be one', async () => {
    const next = `${API}/query/01gD0000002HU6KIAW-2000`;
    const fake = new FakeSalesforce()
      .route('GET', '/query', () => [
        200,
        queryPage(
          'Opportunity',
          [{ Id: sfId('006', 1), OwnerId: sfId('005', 1), StageName: 'Prospecting' }],
          next,
        ),
      ])
      .route('GET', '/query/01gD0000002HU6KIAW-2000', () => [
        200,
        queryPage('Opportunity', [{ Id: sfId('006', 2), OwnerId: sfId('005', 2) }]),
      ]);
    const shortForm = sfId('006', 1).slice(0, 15);
    const found = await client().getDeals([shortForm, sfId('006', 2), "x' OR Id != '"], ['StageName']);

    expect(soqlOf(fake.calls[0]!)).toBe(
      `SELECT Id, OwnerId, StageName FROM Opportunity WHERE Id IN ('${shortForm}', '${sfId('006', 2)}')`,
    );
    expect(fake.calls).toHaveLength(2);
    expect(found.get(shortForm)).toEqual({
      id: sfId('006', 1),
      ownerId: sfId('005', 1),
      fields: { StageName: 'Prospecting' },
    });
    expect(found.get(sfId('006', 2))?.ownerId).toBe(sfId('005', 2));
    expect(found.size).toBe(2);
  });

  it('reads owners from User and says when one is deactivated', async () => {
    const fake = queries(new FakeSalesforce(), [
      [
        new RegExp(sfId('005', 1)),
        () => [200, queryPage('User', [{ Id: sfId('005', 1), IsActive: true, Name: 'Ada AE' }])],
      ],
      [
        new RegExp(sfId('005', 2)),
        () => [200, queryPage('User', [{ Id: sfId('005', 2), IsActive: false, Name: 'Gone AE' }])],
      ],
      [/FROM User/, () => [200, queryPage('User', [])]],
    ]);
    const sf = client();
    expect(await sf.getOwner(sfId('005', 1))).toEqual({ id: sfId('005', 1), active: true, name: 'Ada AE' });
    expect(await sf.getOwner(sfId('005', 2))).toEqual({ id: sfId('005', 2), active: false, name: 'Gone AE' });
    expect(await sf.getOwner(sfId('005', 3))).toBeUndefined();
    expect(await sf.getOwner('not-an-id')).toBeUndefined();
    expect(soqlOf(fake.calls[0]!)).toBe(`SELECT Id, IsActive, Name FROM User WHERE Id = '${sfId('005', 1)}'`);
    expect(fake.calls).toHaveLength(3);
  });

  it('reports an identity field the org lacks as field_missing naming it', async () => {
    queries(new FakeSalesforce(), [
      [
        /FROM Account/,
        () => [400, apiError('INVALID_FIELD', "No such column 'Domain__c' on entity 'Account'.")],
      ],
    ]);
    const sf = createSalesforceClient({
      mapping: salesforceMapping({
        identity: { company: { field: 'Domain__c' }, contact: { field: 'Email' } },
      }),
      credentials: { kind: 'access_token', instanceUrl: INSTANCE_URL, accessToken: 'static-token' },
      logger: silentLogger(),
      retry: TEST_RETRY,
    });
    const error = await sf.findCompaniesByDomain(['acme.com'], []).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CrmError);
    expect(error).toMatchObject({ kind: 'field_missing', field: 'Domain__c', status: 400 });
  });
});

describe('Salesforce AE tasks', () => {
  it('creates a Task with owner, opportunity, contact, due date and priority, the marker in subject and body', async () => {
    const fake = new FakeSalesforce().route('POST', '/sobjects/Task', () => [
      201,
      { id: sfId('00T', 1), success: true, errors: [] },
    ]);
    const id = await client().createTask(task());
    expect(id).toBe(sfId('00T', 1));
    const [call] = fake.calls;
    expect(call!.path).toBe(`${API}/sobjects/Task`);
    expect(call!.body).toEqual({
      Subject: `Acme: SSO rollout blocked [${MARKER}]`,
      Description: `Before: exports by hand. Ideal: nightly sync.\n\n(gridsync ${MARKER})`,
      ActivityDate: '2026-11-24',
      Status: 'Not Started',
      Priority: 'High',
      OwnerId: sfId('005', 7),
      WhatId: sfId('006', 1),
      WhoId: sfId('003', 1),
    });
  });

  it('finds a task by its marker with a SOQL filter on Subject', async () => {
    const fake = queries(new FakeSalesforce(), [
      [new RegExp(MARKER), () => [200, queryPage('Task', [{ Id: sfId('00T', 9) }])]],
      [/FROM Task/, () => [200, queryPage('Task', [])]],
    ]);
    const sf = client();
    expect(await sf.findTaskByMarker(MARKER)).toBe(sfId('00T', 9));
    expect(await sf.findTaskByMarker('gridsync000000')).toBeUndefined();
    expect(soqlOf(fake.calls[0]!)).toBe(
      `SELECT Id FROM Task WHERE Subject LIKE '%[${MARKER}]%' ORDER BY CreatedDate ASC, Id ASC LIMIT 1`,
    );
  });

  it('after a failed create, looks for the task before creating it again', async () => {
    const fake = new FakeSalesforce()
      .route('POST', '/sobjects/Task', () => [
        503,
        apiError('SERVER_UNAVAILABLE', 'the create may or may not have happened'),
      ])
      .route('GET', '/query', () => [200, queryPage('Task', [{ Id: sfId('00T', 3) }])]);
    expect(await client().createTask(task())).toBe(sfId('00T', 3));
    expect(fake.calls.map((c) => c.method)).toEqual(['POST', 'GET']);
  });

  it('refuses a task Salesforce rejects, naming the field', async () => {
    new FakeSalesforce().route('POST', '/sobjects/Task', () => [
      400,
      apiError('FIELD_INTEGRITY_EXCEPTION', 'Assigned To ID: owner cannot be inactive', ['OwnerId']),
    ]);
    const error = await client()
      .createTask(task())
      .catch((e: unknown) => e);
    expect(error).toMatchObject({
      kind: 'rejected',
      field: 'OwnerId',
      status: 400,
      correlationId: 'FIELD_INTEGRITY_EXCEPTION',
    });
  });
});
