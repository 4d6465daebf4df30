/**
 * Issue 10: gridsync on HubSpot's date-versioned APIs, against the stand-in with the retired paths refused
 * (its default). Each block measures what the acceptance names.
 */
import { afterEach, describe, expect, it } from 'vitest';

import { CrmError } from '../../src/crm/crm-errors.ts';
import { hubSpotBudget } from '../../src/crm/hubspot/hubspot-client.ts';
import { requestsPerWindow, type HubSpotSettings } from '../../src/crm/hubspot/hubspot-limits.ts';
import { exchangeAuthorizationCode } from '../../src/crm/hubspot/hubspot-oauth.ts';
import { nextMidnightIn } from '../../src/lib/next-midnight.ts';
import type { HubSpotFake } from '../fakes/hubspot-fake-server.ts';
import { DELIBERATE_RETIRED_CALL_HEADER, type HubSpotFakeOptions } from '../fakes/hubspot-fake-server.ts';
import { silentLogger } from '../support/loggers.ts';
import {
  clientFor,
  GRID_ID_PROPERTY,
  GRID_OBJECT,
  grids,
  oauthOnly,
  oauthTokensFrom,
  startHubSpotFake,
  TEST_OAUTH,
  testMapping,
  UPSERT_ROUTE,
} from '../support/hubspot-client.ts';

let fake: HubSpotFake;
const start = async (options: HubSpotFakeOptions = {}): Promise<HubSpotFake> =>
  (fake = await startHubSpotFake(options));
afterEach(() => fake.close());

describe('the stand-in refuses the retired paths', () => {
  it('answers a retired path with 410 and records it', async () => {
    await start();
    const answer = await fetch(`${fake.url}/crm/v3/objects/deals/batch/read`, {
      method: 'POST',
      headers: {
        authorization: 'Bearer test-token',
        'content-type': 'application/json',
        [DELIBERATE_RETIRED_CALL_HEADER]: 'probe',
      },
      body: JSON.stringify({ inputs: [] }),
    });
    expect(answer.status).toBe(410);
    expect(fake.retiredRequests.map((r) => r.route)).toEqual(['POST /crm/v3/objects/deals/batch/read']);
  });

  it('sees every call of a grid sync on a 2026-03 path', async () => {
    await start();
    const dealId = fake.addRecord('deals', { dealname: 'Deal', hubspot_owner_id: '77' });
    const companyId = fake.addRecord('companies', { domain: 'acme.example' });
    fake.addRecord('contacts', { email: 'dev@acme.example' });
    fake.addOwner({ id: '77', archived: false, firstName: 'Ada' });
    const client = clientFor(fake);
    const [grid] = await client.upsertGridRecords(grids(1));
    if (!grid?.ok) throw new Error('upsert failed');
    await client.linkGridRecords([{ gridRecordId: grid.id, deal: dealId, company: companyId }]);
    await client.updateRecords('deal', [{ id: dealId, properties: { dealname: 'Deal 2' } }]);
    await client.findCompaniesByDomain(['acme.example'], []);
    await client.findContactsByEmail(['dev@acme.example']);
    await client.getDeals([dealId], []);
    await client.getOwner('77');
    await client.findTasksByMarkers(['gsmarker1']);
    await client.createTasks([
      {
        subject: 's',
        body: 'b',
        dueAt: new Date(),
        priority: 'high',
        ownerId: '77',
        marker: 'gsmarker1',
        links: { deal: dealId },
      },
    ]);

    expect(fake.retiredRequests).toEqual([]);
    expect(fake.requests.every((r) => r.route.includes('/2026-03/'))).toBe(true);
    expect(new Set(fake.requests.map((r) => r.status))).toEqual(new Set([200]));
  });
});

describe('OAuth on /oauth/2026-03/token', () => {
  it('refreshes form-encoded on the 2026-03 endpoint and never calls /oauth/v1/', async () => {
    await start(oauthOnly(1800));
    const tokens = oauthTokensFrom(fake);
    const outcomes = await clientFor(fake, { accessToken: tokens }).upsertGridRecords(grids(3));

    expect(outcomes.every((o) => o.ok)).toBe(true);
    expect(fake.callCount('POST /oauth/2026-03/token')).toBe(1);
    expect(fake.callCount(/\/oauth\/v1\//)).toBe(0);
    expect(
      Object.fromEntries(new URLSearchParams(fake.bodiesOf('POST /oauth/2026-03/token')[0] as string)),
    ).toEqual({
      grant_type: 'refresh_token',
      refresh_token: 'refresh-1',
      client_id: 'client-1',
      client_secret: 'secret-1',
    });
  });

  it('reads the RFC 6749 error answer and pauses the tenant: a revoked grant costs one token call a minute, not a loop', async () => {
    await start(oauthOnly(1800));
    fake.revokeOAuthGrant();
    let clock = 1_000_000;
    const tokens = oauthTokensFrom(fake, { now: () => clock });
    const client = clientFor(fake, { accessToken: tokens });

    const errors: unknown[] = [];
    for (let i = 0; i < 5; i += 1) {
      errors.push(await client.upsertGridRecords(grids(1)).catch((e: unknown) => e));
    }

    expect(errors[0]).toMatchObject({ kind: 'auth_failed', status: 400, correlationId: 'invalid_grant' });
    expect((errors[0] as Error).message).toContain(
      'invalid_grant: refresh token is invalid, expired or revoked',
    );
    expect((errors[0] as Error).message).toContain('reconnect the HubSpot app');
    expect(errors.every((e) => e instanceof CrmError && e.kind === 'auth_failed')).toBe(true);
    expect(fake.callCount('POST /oauth/2026-03/token')).toBe(1);
    expect(fake.callCount(UPSERT_ROUTE)).toBe(0);
    expect(tokens.needsReconnection).toMatchObject({ reason: expect.stringContaining('invalid_grant') });

    // Reconnected (the grant works again): after the cooldown the next request gets a token and goes out.
    fake.restoreOAuthGrant();
    clock += 61_000;
    const [outcome] = await client.upsertGridRecords(grids(1));
    expect(outcome!.ok).toBe(true);
    expect(tokens.needsReconnection).toBeUndefined();
    expect(fake.callCount('POST /oauth/2026-03/token')).toBe(2);
  });

  it('caps token calls when HubSpot keeps refusing fresh tokens', async () => {
    await start(oauthOnly(1800));
    const tokens = oauthTokensFrom(fake);
    const client = clientFor(fake, { accessToken: tokens });
    for (let i = 0; i < 10; i += 1) {
      fake.revokeTokens(); // every issued token is refused at once
      await client.upsertGridRecords(grids(1, i)).catch(() => undefined);
    }
    expect(fake.callCount('POST /oauth/2026-03/token')).toBe(5);
    expect(tokens.needsReconnection?.reason).toContain('5 token calls in the last minute');
  });

  it('exchanges an authorization code for the refresh token a tenant then keeps', async () => {
    await start({
      accessTokens: [],
      oauth: {
        ...TEST_OAUTH,
        expiresInSeconds: 1800,
        authorizationCode: { code: 'code-1', redirectUri: 'https://gridsync.example/oauth/callback' },
      },
    });
    const app = { clientId: TEST_OAUTH.clientId, clientSecret: TEST_OAUTH.clientSecret, baseUrl: fake.url };
    const grant = await exchangeAuthorizationCode(app, 'code-1', 'https://gridsync.example/oauth/callback');
    expect(grant).toMatchObject({ refreshToken: 'refresh-1', expiresIn: 1800 });

    const reused = await exchangeAuthorizationCode(
      app,
      'code-1',
      'https://gridsync.example/oauth/callback',
    ).catch((e: unknown) => e);
    expect(reused).toMatchObject({ kind: 'auth_failed', correlationId: 'invalid_grant' });
    const form = new URLSearchParams(fake.bodiesOf('POST /oauth/2026-03/token')[0] as string);
    expect(form.get('grant_type')).toBe('authorization_code');
    expect(form.get('redirect_uri')).toBe('https://gridsync.example/oauth/callback');
  });
});

describe('the search API’s per-second limit', () => {
  it('retries a 429 without policyName about a second later, not ten', async () => {
    // The stand-in allows 1 search a second, the client's budget 5: the second search gets HubSpot's 429.
    await start({ searchPerSecond: 1 });
    fake.addRecord('companies', { domain: 'a.example' });
    const client = clientFor(fake, { retry: { maxWaitMs: 60_000 } });
    await Promise.all([
      client.findCompaniesByDomain(['a.example'], []),
      client.findCompaniesByDomain(['b.example'], []),
    ]);

    const searches = fake.requests.filter((r) => r.route === 'POST /crm/objects/2026-03/companies/search');
    const refused = searches.findIndex((r) => r.status === 429);
    expect(refused).toBeGreaterThan(0);
    const delay = searches[refused + 1]!.at - searches[refused]!.at;
    console.info(`search 429 without policyName: retry after ${delay} ms`);
    expect(delay).toBeGreaterThanOrEqual(1_000);
    expect(delay).toBeLessThan(2_000);
    expect(searches[refused + 1]!.status).toBe(200);
  });
});

describe('association errors that name no input', () => {
  it('a wrong association type for 1,250 links: at most 2 × ceil(1250/1000) + 12 requests, every link failed naming its role', async () => {
    await start();
    fake.defineAssociationTypes(GRID_OBJECT, 'deals', { 7: 'USER_DEFINED' });
    const mapping = testMapping({
      grid: {
        object: GRID_OBJECT,
        externalIdField: GRID_ID_PROPERTY,
        fields: { gridsync_before_scenario: { from: 'grid.beforeScenario' } },
        associate: { deal: { associationTypeId: 99 } },
      },
    });
    const client = clientFor(fake, { mapping });
    const records = await client.upsertGridRecords(grids(1250));
    const dealId = fake.addRecord('deals', { dealname: 'Deal' });
    const before = fake.requests.length;

    const outcomes = await client.linkGridRecords(
      records.map((r) => ({ gridRecordId: r.ok ? r.id : '', deal: dealId })),
    );

    const associationCalls = fake.requests
      .slice(before)
      .filter((r) => r.route.includes('/associations/')).length;
    console.info(`1,250 links with a wrong association type: ${associationCalls} association requests`);
    expect(associationCalls).toBeLessThanOrEqual(2 * Math.ceil(1250 / 1000) + 12);
    expect(outcomes).toHaveLength(1250);
    expect(outcomes.every((o) => !o.ok && o.error.field === 'deal')).toBe(true);
  });

  it('halves a whole-batch refusal whose cause is one record, and stops halving when both halves fail alike', async () => {
    await start();
    const dealId = fake.addRecord('deals', { dealname: 'Deal' });
    const client = clientFor(fake);
    const records = await client.upsertGridRecords(grids(8));
    const before = fake.requests.length;
    // One link to a deal that does not exist among 8: HubSpot's 207 names no input, one error for one input.
    const outcomes = await client.linkGridRecords(
      records.map((r, i) => ({ gridRecordId: r.ok ? r.id : '', deal: i === 5 ? '999999' : dealId })),
    );
    expect(outcomes.filter((o) => o.ok)).toHaveLength(7);
    expect(outcomes[5]).toMatchObject({ ok: false, error: { field: 'deal' } });
    expect(fake.requests.length - before).toBeLessThanOrEqual(2 * Math.ceil(Math.log2(8)) + 3);
  });
});

describe('the daily limit', () => {
  it('pauses the tenant when the daily count is spent, until midnight in the portal’s time zone, with no call meanwhile', async () => {
    await start({ dailyLimit: 4, timeZone: 'Europe/Berlin' });
    const budget = hubSpotBudget(testMapping().crm as HubSpotSettings, 'acme', silentLogger());
    const client = clientFor(fake, { budget });
    await client.upsertGridRecords(grids(1)); // 1 used; the account-info call follows (2)
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(fake.callCount('GET /account-info/2026-03/details')).toBe(1);
    await client.upsertGridRecords(grids(1, 1)); // 3: one left, the warning is on
    expect(budget.daily).toMatchObject({
      limit: 4,
      remaining: 1,
      warning: expect.stringContaining('1 of 4'),
    });
    await client.upsertGridRecords(grids(1, 2)); // 4: spent
    const sent = fake.requests.length;

    const error = await client.upsertGridRecords(grids(1, 3)).catch((e: unknown) => e);

    const midnight = new Date(nextMidnightIn('Europe/Berlin', Date.now())!).toISOString();
    expect(error).toMatchObject({ kind: 'rate_limited', retryable: true });
    expect((error as CrmError).message).toContain(`resumes calls at ${midnight}`);
    expect((error as CrmError).waitMs).toBeGreaterThan(0);
    expect(fake.requests.length).toBe(sent);
    expect(budget.daily?.pausedUntil).toBe(midnight);
  });
});

describe('small conformance points', () => {
  it('never puts a non-numeric owner id in a path: unknown without a call', async () => {
    await start();
    await expect(clientFor(fake).getOwner('005xx000001Sv6AAAS')).resolves.toBeUndefined();
    await expect(clientFor(fake).getOwner('../deals')).resolves.toBeUndefined();
    expect(fake.requests).toHaveLength(0);
  });

  it('sends an INTEGRATOR_DEFINED association category when the mapping says so', async () => {
    await start();
    const mapping = testMapping({
      grid: {
        object: GRID_OBJECT,
        externalIdField: GRID_ID_PROPERTY,
        fields: {},
        associate: { deal: { associationTypeId: 12, associationCategory: 'INTEGRATOR_DEFINED' } },
      },
    });
    const client = clientFor(fake, { mapping });
    const [record] = await client.upsertGridRecords(grids(1));
    const dealId = fake.addRecord('deals', { dealname: 'Deal' });
    const [link] = await client.linkGridRecords([
      { gridRecordId: record!.ok ? record!.id : '', deal: dealId },
    ]);

    expect(link!.ok).toBe(true);
    const [body] = fake.bodiesOf(`POST /crm/associations/2026-03/${GRID_OBJECT}/deals/batch/create`);
    expect(body).toMatchObject({
      inputs: [{ types: [{ associationCategory: 'INTEGRATOR_DEFINED', associationTypeId: 12 }] }],
    });
  });

  it('gives OAuth tenants the public-app burst limit, service keys their plan’s', () => {
    const oauth = {
      type: 'hubspot',
      plan: 'enterprise',
      auth: { kind: 'oauth', clientId: { env: 'A' }, clientSecret: { env: 'B' }, refreshToken: { env: 'C' } },
    } as HubSpotSettings;
    expect(requestsPerWindow(oauth)).toBe(110);
    expect(requestsPerWindow({ ...oauth, auth: { kind: 'static_token', token: { env: 'T' } } })).toBe(190);
    expect(requestsPerWindow({ ...oauth, requestsPer10Seconds: 50 })).toBe(50);
  });
});
