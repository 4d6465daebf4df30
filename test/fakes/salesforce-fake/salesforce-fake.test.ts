/**
 * The stand-in's own behaviour, through plain HTTP (the shapes Salesforce's Postman definitions give) and
 * through the real adapter, so tests built on it can trust what it refuses and what it accepts.
 */
import { createSign, generateKeyPairSync } from 'node:crypto';

import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { accessTokenAt, salesforceClient } from '../../support/salesforce-client.ts';
import { SalesforceFake } from './salesforce-fake.ts';
import { seedGridObject } from './seed-grid-object.ts';

const API = '/services/data/v66.0';
let fake: SalesforceFake;

async function call(method: string, path: string, body?: unknown, token = 'test-token') {
  const response = await fetch(`${fake.url}${path.startsWith('/services') ? path : `${API}${path}`}`, {
    method,
    headers: {
      authorization: `Bearer ${token}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  return {
    status: response.status,
    headers: response.headers,
    body: text === '' ? undefined : (JSON.parse(text) as unknown),
  };
}

const query = (soql: string) => call('GET', `/query?q=${encodeURIComponent(soql)}`);

function client() {
  return salesforceClient({ credentials: accessTokenAt(fake.url) });
}

beforeEach(async () => {
  fake = await SalesforceFake.start();
});
afterEach(async () => {
  await fake.close();
});

describe('Salesforce stand-in: records', () => {
  it('upserts by External ID in collections, creating then updating, and counts the route', async () => {
    seedGridObject(fake.org);
    const path = '/composite/sobjects/Sales_Grid__c/Grid_Id__c';
    const records = [
      { attributes: { type: 'Sales_Grid__c' }, Grid_Id__c: 'g1', Before_Scenario__c: 'v1' },
      { attributes: { type: 'Sales_Grid__c' }, Grid_Id__c: 'g2' },
    ];
    const first = await call('PATCH', path, { allOrNone: false, records });
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject([
      { success: true, created: true, errors: [] },
      { success: true, created: true, errors: [] },
    ]);
    const again = await call('PATCH', path, {
      allOrNone: false,
      records: [{ ...records[0], Before_Scenario__c: 'v2' }],
    });
    expect(again.body).toMatchObject([
      { success: true, created: false, id: (first.body as { id: string }[])[0]!.id },
    ]);
    expect(fake.org.records('Sales_Grid__c').map((r) => r.values['Before_Scenario__c'] ?? null)).toEqual([
      'v2',
      null,
    ]);
    expect(fake.callCount(`PATCH ${path}`)).toBe(2);
    expect(first.headers.get('sforce-limit-info')).toBe('api-usage=1/15000');
  });

  it('refuses per record with statusCode, and the whole request for an unknown field or more than 200 records', async () => {
    seedGridObject(fake.org, {
      fields: [{ name: 'Stage__c', type: 'picklist', picklistValues: ['Draft', 'Complete'] }],
    });
    const path = '/composite/sobjects/Sales_Grid__c/Grid_Id__c';
    const grid = (extra: object) => ({ attributes: { type: 'Sales_Grid__c' }, Grid_Id__c: 'g1', ...extra });
    const perRecord = await call('PATCH', path, {
      allOrNone: false,
      records: [grid({ Stage__c: 'Won' }), { ...grid({}), Grid_Id__c: 'x'.repeat(81) }],
    });
    expect(perRecord.body).toEqual([
      {
        success: false,
        errors: [
          {
            statusCode: 'INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST',
            message: 'Stage: bad value for restricted picklist field: Won',
            fields: ['Stage__c'],
          },
        ],
      },
      {
        success: false,
        errors: [expect.objectContaining({ statusCode: 'STRING_TOO_LONG', fields: ['Grid_Id__c'] })],
      },
    ]);
    const unknown = await call('PATCH', path, { allOrNone: false, records: [grid({ Typo__c: 'x' })] });
    expect(unknown).toMatchObject({
      status: 400,
      body: [
        { errorCode: 'INVALID_FIELD', message: "No such column 'Typo__c' on sobject of type Sales_Grid__c" },
      ],
    });
    const tooMany = await call('PATCH', path, {
      allOrNone: false,
      records: Array.from({ length: 201 }, (_, i) => grid({ Grid_Id__c: `g${i}` })),
    });
    expect(tooMany).toMatchObject({ status: 400, body: [{ errorCode: 'EXCEEDED_ID_LIMIT' }] });
    const text = await call('PATCH', path, { allOrNone: false, records: [grid({ CreatedDate: 'soon' })] });
    expect(text).toMatchObject({ status: 400, body: [{ errorCode: 'JSON_PARSER_ERROR' }] });
  });

  it('rolls every record back under allOrNone', async () => {
    const body = {
      allOrNone: true,
      records: [
        { attributes: { type: 'Account' }, Name: 'Ledgerline' },
        { attributes: { type: 'Account' }, Website: 'no-name.example' },
      ],
    };
    const answer = await call('POST', '/composite/sobjects', body);
    expect(answer.body).toMatchObject([
      { success: false, errors: [{ statusCode: 'ALL_OR_NONE_OPERATION_ROLLED_BACK' }] },
      { success: false, errors: [{ statusCode: 'REQUIRED_FIELD_MISSING', fields: ['Name'] }] },
    ]);
    expect(fake.org.records('Account')).toHaveLength(0);
  });

  it('creates, updates and reads single records; a lookup must point at the right object', async () => {
    const account = await call('POST', '/sobjects/Account', {
      Name: 'Ledgerline',
      Website: 'ledgerline.example',
    });
    expect(account).toMatchObject({ status: 201, body: { success: true, errors: [] } });
    const id = (account.body as { id: string }).id;
    expect(id).toMatch(/^001[A-Za-z0-9]{15}$/);
    expect((await call('PATCH', `/sobjects/Account/${id}`, { Industry: 'Banking' })).status).toBe(204);
    expect((await call('GET', `/sobjects/Account/${id}?fields=Name,Industry`)).body).toMatchObject({
      Name: 'Ledgerline',
      Industry: 'Banking',
    });
    const wrong = await call('POST', '/sobjects/Contact', {
      LastName: 'Ortiz',
      AccountId: fake.org.integrationUserId,
    });
    expect(wrong).toMatchObject({
      status: 400,
      body: [{ errorCode: 'FIELD_INTEGRITY_EXCEPTION', fields: ['AccountId'] }],
    });
    const readOnly = await call('PATCH', `/sobjects/Account/${id}`, { CreatedDate: '2026-01-01T00:00:00Z' });
    expect(readOnly).toMatchObject({ status: 400, body: [{ errorCode: 'INVALID_FIELD_FOR_INSERT_UPDATE' }] });
  });
});

describe('Salesforce stand-in: SOQL', () => {
  it('filters with IN, =, AND, LIKE and relationship paths, ignoring case, ordered and limited', async () => {
    const user = fake.org.integrationUserId;
    fake.org.insertRecord('Account', {
      Name: 'Ledgerline',
      Website: 'https://www.Ledgerline.example/',
      OwnerId: user,
    });
    fake.org.insertRecord('Account', { Name: 'Other', Website: 'other.example', OwnerId: user });
    fake.org.insertRecord('Account', { Name: "O'Brien", Website: 'obrien.example' });
    const byWebsite = await query(
      "SELECT Id, Name, Owner.IsActive FROM Account WHERE Website IN ('https://www.ledgerline.example/', 'obrien.example') AND Name != null ORDER BY CreatedDate ASC, Id ASC LIMIT 5",
    );
    expect(byWebsite.body).toMatchObject({
      totalSize: 2,
      done: true,
      records: [
        {
          attributes: { type: 'Account' },
          Name: 'Ledgerline',
          Owner: { attributes: { type: 'User' }, IsActive: true },
        },
        { Name: "O'Brien" },
      ],
    });
    const escaped = await query("SELECT Name FROM Account WHERE Name = 'o\\'brien'");
    expect((escaped.body as { totalSize: number }).totalSize).toBe(1);
    const like = await query("SELECT Id FROM Account WHERE Name LIKE '%LINE' ORDER BY Name DESC LIMIT 1");
    expect((like.body as { totalSize: number }).totalSize).toBe(1);
  });

  it('answers what Salesforce answers for an unknown field, a long text area filter and a bad statement', async () => {
    expect(await query('SELECT Id, Domain__c FROM Account')).toMatchObject({
      status: 400,
      body: [
        {
          errorCode: 'INVALID_FIELD',
          message: expect.stringContaining("No such column 'Domain__c' on entity 'Account'"),
        },
      ],
    });
    expect(await query("SELECT Id FROM Task WHERE Description = 'x'")).toMatchObject({
      status: 400,
      body: [{ errorCode: 'INVALID_FIELD', message: expect.stringContaining('can not be filtered') }],
    });
    expect(await query('SELECT Id FROM Nope__c')).toMatchObject({
      status: 400,
      body: [{ errorCode: 'INVALID_TYPE' }],
    });
    expect(await query('SELECT FROM Account')).toMatchObject({
      status: 400,
      body: [{ errorCode: 'MALFORMED_QUERY' }],
    });
  });

  it('pages through nextRecordsUrl', async () => {
    await fake.close();
    fake = await SalesforceFake.start({ queryPageSize: 2 });
    for (let i = 0; i < 5; i += 1) fake.org.insertRecord('Account', { Name: `A${i}` });
    const first = (await query('SELECT Name FROM Account ORDER BY Name ASC')).body as {
      nextRecordsUrl: string;
      done: boolean;
    };
    expect(first).toMatchObject({ totalSize: 5, done: false });
    const second = (await call('GET', first.nextRecordsUrl)).body as { records: { Name: string }[] };
    expect(second.records.map((r) => r.Name)).toEqual(['A2', 'A3']);
  });
});

describe('Salesforce stand-in: describe and access', () => {
  it('describes fields with types, lengths, picklists and what the integration user may write', async () => {
    seedGridObject(fake.org, {
      fields: [
        { name: 'Score__c', type: 'double', access: 'read' },
        { name: 'Secret__c', type: 'string', access: 'none' },
      ],
    });
    const { body } = await call('GET', '/sobjects/Sales_Grid__c/describe');
    const fields = (body as { fields: { name: string }[] }).fields;
    const byName = (name: string) => fields.find((f) => f.name === name);
    expect(byName('Grid_Id__c')).toMatchObject({
      type: 'string',
      length: 80,
      externalId: true,
      unique: true,
      createable: true,
      updateable: true,
    });
    expect(byName('Before_Scenario__c')).toMatchObject({
      type: 'textarea',
      length: 32_768,
      extraTypeInfo: 'plaintextarea',
      filterable: false,
    });
    expect(byName('Score__c')).toMatchObject({ type: 'double', createable: false, updateable: false });
    expect(byName('Secret__c')).toBeUndefined();
    expect(byName('Name')).toMatchObject({ autoNumber: true, createable: false });
    const stage = (await call('GET', '/sobjects/Opportunity/describe')).body as {
      fields: { name: string; picklistValues: { value: string }[] }[];
    };
    expect(stage.fields.find((f) => f.name === 'StageName')?.picklistValues.map((v) => v.value)).toContain(
      'Closed Won',
    );
    expect(await call('GET', '/sobjects/Nope__c/describe')).toMatchObject({
      status: 404,
      body: [{ errorCode: 'NOT_FOUND' }],
    });
  });

  it('counts requests in Sforce-Limit-Info and refuses past the daily limit with 403 REQUEST_LIMIT_EXCEEDED', async () => {
    fake.setApiUsage(14_999, 15_000);
    const last = await call('GET', '/sobjects/Account/describe');
    expect(last.headers.get('sforce-limit-info')).toBe('api-usage=15000/15000');
    const over = await call('GET', '/sobjects/Account/describe');
    expect(over).toMatchObject({ status: 403, body: [{ errorCode: 'REQUEST_LIMIT_EXCEEDED' }] });
  });

  it('refuses a missing or revoked session with 401 INVALID_SESSION_ID', async () => {
    expect(await call('GET', '/sobjects', undefined, 'nope')).toMatchObject({
      status: 401,
      body: [{ errorCode: 'INVALID_SESSION_ID' }],
    });
  });
});

describe('Salesforce stand-in: OAuth', () => {
  const form = (fields: Record<string, string>) =>
    fetch(`${fake.url}/services/oauth2/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(fields).toString(),
    }).then(async (r) => ({ status: r.status, body: (await r.json()) as Record<string, string> }));

  it('issues tokens for client credentials and refresh tokens, and refuses wrong secrets as Salesforce does', async () => {
    await fake.close();
    fake = await SalesforceFake.start({
      apps: [{ clientId: 'cid', clientSecret: 'sec', refreshTokens: ['rt'] }],
    });
    const cc = await form({ grant_type: 'client_credentials', client_id: 'cid', client_secret: 'sec' });
    expect(cc.body).toMatchObject({ instance_url: fake.url, token_type: 'Bearer' });
    expect((await call('GET', '/sobjects', undefined, cc.body['access_token'])).status).toBe(200);
    const refresh = await form({
      grant_type: 'refresh_token',
      client_id: 'cid',
      client_secret: 'sec',
      refresh_token: 'rt',
    });
    expect(refresh.status).toBe(200);
    expect(
      await form({
        grant_type: 'refresh_token',
        client_id: 'cid',
        client_secret: 'sec',
        refresh_token: 'old',
      }),
    ).toEqual({
      status: 400,
      body: { error: 'invalid_grant', error_description: 'expired access/refresh token' },
    });
    expect(
      (await form({ grant_type: 'client_credentials', client_id: 'cid', client_secret: 'x' })).body['error'],
    ).toBe('invalid_client');
    fake.revokeTokens();
    expect((await call('GET', '/sobjects', undefined, cc.body['access_token'])).status).toBe(401);
  });

  it('checks a JWT bearer assertion: signature, issuer, subject, audience and expiry', async () => {
    const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    await fake.close();
    fake = await SalesforceFake.start({
      apps: [
        {
          clientId: 'cid',
          clientSecret: 'sec',
          jwt: {
            publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
            usernames: ['gridsync@acme.example'],
          },
        },
      ],
    });
    const jwt = (claims: object, key = privateKey) => {
      const encode = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
      const unsigned = `${encode({ alg: 'RS256' })}.${encode(claims)}`;
      return `${unsigned}.${createSign('RSA-SHA256').update(unsigned).sign(key).toString('base64url')}`;
    };
    const claims = {
      iss: 'cid',
      sub: 'gridsync@acme.example',
      aud: 'https://login.salesforce.com',
      exp: Math.floor(Date.now() / 1000) + 180,
    };
    const grant = 'urn:ietf:params:oauth:grant-type:jwt-bearer';
    expect((await form({ grant_type: grant, assertion: jwt(claims) })).status).toBe(200);
    const other = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
    expect((await form({ grant_type: grant, assertion: jwt(claims, other) })).body['error']).toBe(
      'invalid_grant',
    );
    expect((await form({ grant_type: grant, assertion: jwt({ ...claims, exp: 1 }) })).body['error']).toBe(
      'invalid_grant',
    );
    expect(
      (await form({ grant_type: grant, assertion: jwt({ ...claims, sub: 'someone@else' }) })).body['error'],
    ).toBe('invalid_grant');
    expect(fake.oauth.grants.map((g) => g.grant)).toEqual(['jwt_bearer']);
  });
});

describe('Salesforce stand-in: the real adapter', () => {
  it('syncs grids, links them, finds accounts and contacts, reads owners and creates the AE task', async () => {
    seedGridObject(fake.org);
    const user = fake.org.integrationUserId;
    const account = fake.org.insertRecord('Account', {
      Name: 'Ledgerline',
      Website: 'https://ledgerline.example',
      Industry: 'fintech',
      OwnerId: user,
    });
    const contact = fake.org.insertRecord('Contact', {
      LastName: 'Ortiz',
      Email: 'Maya@Ledgerline.example',
      AccountId: account,
    });
    const deal = fake.org.insertRecord('Opportunity', {
      Name: 'Ledgerline',
      StageName: 'Prospecting',
      CloseDate: '2026-12-31',
      AccountId: account,
      OwnerId: user,
    });
    const crm = client();

    const [upserted] = await crm.upsertGridRecords([
      { externalId: 'g-1', properties: { Before_Scenario__c: 'Exports by hand' } },
    ]);
    expect(upserted).toMatchObject({ ok: true, created: true });
    const gridId = upserted!.ok ? upserted!.id : '';
    expect(await crm.linkGridRecords([{ gridRecordId: gridId, deal, company: account, contact }])).toEqual([
      { ok: true, id: gridId },
    ]);
    expect(fake.org.get(gridId)?.values).toMatchObject({
      Opportunity__c: deal,
      Account__c: account,
      Contact__c: contact,
    });

    const companies = await crm.findCompaniesByDomain(['LEDGERLINE.example'], ['Industry']);
    expect(companies.get('LEDGERLINE.example')).toEqual({
      id: account,
      ownerId: user,
      fields: { Industry: 'fintech' },
    });
    expect(
      (await crm.findContactsByEmail(['maya@ledgerline.example'])).get('maya@ledgerline.example')?.id,
    ).toBe(contact);
    expect((await crm.getDeals([deal.slice(0, 15)], [])).get(deal.slice(0, 15))?.ownerId).toBe(user);
    expect(await crm.getOwner(user)).toEqual({ id: user, active: true, name: 'Gridsync Integration' });

    const [created] = await crm.createTasks([
      {
        subject: 'Ledgerline: follow up',
        body: 'Exports by hand',
        dueAt: new Date('2026-12-03T09:00:00Z'),
        priority: 'high',
        ownerId: user,
        marker: 'gridsync-m1',
        links: { deal, contact },
      },
    ]);
    const taskId = created?.ok ? created.id : '';
    expect(fake.org.get(taskId)?.values).toMatchObject({
      WhatId: deal,
      WhoId: contact,
      Priority: 'High',
      Status: 'Not Started',
      ActivityDate: '2026-12-03',
    });
    expect((await crm.findTasksByMarkers(['gridsync-m1'])).get('gridsync-m1')).toBe(taskId);
    expect(fake.requests.every((r) => r.version === '66.0')).toBe(true);
  });
});
