import nock from 'nock';
import { afterEach, describe, expect, it } from 'vitest';

import type { CrmClient } from '../../src/crm/crm-client.ts';
import { CrmError } from '../../src/crm/crm-errors.ts';
import type { SalesforceCredentials } from '../../src/crm/salesforce/salesforce-auth.ts';
import { DAILY_LIMIT_WAIT_MS } from '../../src/crm/salesforce/salesforce-limits.ts';
import type { Logger } from '../../src/lib/logger.ts';
import { LocalServer } from '../support/local-server.ts';
import { capturingLogger } from '../support/loggers.ts';
import {
  apiError,
  collectionRecords,
  FakeSalesforce,
  GRID_KEY,
  GRID_OBJECT,
  INSTANCE_URL,
  LOGIN_URL,
  saved,
  sfId,
  tokenResponse,
} from '../fakes/salesforce-nock.ts';
import { accessTokenAt, salesforceClient, TEST_RETRY } from '../support/salesforce-client.ts';

const UPSERT_PATH = `/composite/sobjects/${GRID_OBJECT}/${GRID_KEY}`;
const STATIC = accessTokenAt(INSTANCE_URL, 'static-token');
const REFRESH: SalesforceCredentials = {
  kind: 'refresh_token',
  clientId: 'cid',
  clientSecret: 'csecret',
  refreshToken: 'rt-1',
};

function client(credentials: SalesforceCredentials = STATIC, extra: { logger?: Logger } = {}): CrmClient {
  return salesforceClient({ credentials, ...extra });
}

const upserted = (body: unknown) =>
  collectionRecords(body, GRID_OBJECT).map((_r, i) => saved(sfId('a0B', i), true));
const oneGrid = [{ externalId: 'g1', properties: { Before_Scenario__c: 'text' } }];

async function failure(promise: Promise<unknown>): Promise<CrmError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(CrmError);
  return error as CrmError;
}

afterEach(() => FakeSalesforce.reset());

describe('Salesforce retries', () => {
  it('waits out a 503 and then delivers (jsforce itself never retries the PATCH)', async () => {
    const fake = new FakeSalesforce().route('PATCH', UPSERT_PATH, (call, nth) =>
      nth === 0
        ? [503, '<html>Service Unavailable</html>', { 'content-type': 'text/html' }]
        : [200, upserted(call.body)],
    );
    const outcomes = await client().upsertGridRecords(oneGrid);
    expect(fake.calls).toHaveLength(2);
    expect(outcomes).toEqual([{ ok: true, id: sfId('a0B', 0), created: true }]);
  });

  it('gives up after maxAttempts on a persistent outage with a retryable error', async () => {
    const fake = new FakeSalesforce().route('PATCH', UPSERT_PATH, () => [
      503,
      apiError('SERVER_UNAVAILABLE', 'down for maintenance'),
    ]);
    const error = await failure(client().upsertGridRecords(oneGrid));
    expect(error).toMatchObject({ kind: 'unavailable', status: 503, retryable: true });
    expect(fake.calls).toHaveLength(TEST_RETRY.maxAttempts);
  });

  it('abandons a hung attempt at its timeout and tries again', async () => {
    // A real socket on 127.0.0.1: the first request is accepted and never answered.
    nock.enableNetConnect('127.0.0.1');
    let requests = 0;
    const server = await new LocalServer((req, res) => {
      requests += 1;
      if (requests === 1) return;
      req.resume();
      req.on('end', () => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify([saved(sfId('a0B', 0), true)]));
      });
    }).listen();
    try {
      const started = Date.now();
      const sf = salesforceClient({
        credentials: accessTokenAt(server.url, 'static-token'),
        retry: { attemptTimeoutMs: 300 },
      });
      const outcomes = await sf.upsertGridRecords(oneGrid);
      expect(Date.now() - started).toBeGreaterThanOrEqual(290);
      expect(requests).toBe(2);
      expect(outcomes[0]!.ok).toBe(true);
    } finally {
      await server.close();
    }
  });

  it('hands the daily limit back to the job with a long wait instead of hammering the org', async () => {
    const fake = new FakeSalesforce().route('PATCH', UPSERT_PATH, () => [
      403,
      apiError('REQUEST_LIMIT_EXCEEDED', 'TotalRequests Limit exceeded.'),
    ]);
    const error = await failure(client().upsertGridRecords(oneGrid));
    expect(error).toMatchObject({ kind: 'rate_limited', waitMs: DAILY_LIMIT_WAIT_MS, status: 403 });
    expect(fake.calls).toHaveLength(1);
  });

  it('logs the API usage from Sforce-Limit-Info and slows down above 90 % of the daily limit', async () => {
    const { logger, lines, text } = capturingLogger('debug');
    const fake = new FakeSalesforce({ apiLimit: 10_000, apiUsed: 9_150 }).route(
      'PATCH',
      UPSERT_PATH,
      (call) => [200, upserted(call.body)],
    );
    const sf = client(STATIC, { logger });
    await sf.upsertGridRecords(oneGrid);
    const started = Date.now();
    await sf.upsertGridRecords(oneGrid);
    expect(Date.now() - started).toBeGreaterThanOrEqual(250); // 91.5 % → 300 ms of pacing
    const usage = lines.filter((l) => l['msg'] === 'salesforce api usage');
    expect(usage[0]).toMatchObject({ apiUsed: 9_151, apiLimit: 10_000, level: 20 });
    expect(text()).not.toContain('static-token');
    expect(fake.calls).toHaveLength(2);
  });
});

describe('Salesforce sessions', () => {
  it('reports a refused static token as auth_failed without any token call', async () => {
    const fake = new FakeSalesforce()
      .route('PATCH', UPSERT_PATH, () => [401, apiError('INVALID_SESSION_ID', 'Session expired or invalid')])
      .tokenEndpoint(LOGIN_URL, () => [200, tokenResponse('never')]);
    const error = await failure(client().upsertGridRecords(oneGrid));
    expect(error).toMatchObject({ kind: 'auth_failed', status: 401 });
    expect(error.message).toMatch(/reconnect the tenant/);
    expect(fake.calls).toHaveLength(1);
    expect(fake.tokenCalls).toHaveLength(0);
  });

  it('refreshes once after a 401 and resends with the new token', async () => {
    let issued = 0;
    const fake = new FakeSalesforce()
      .tokenEndpoint(LOGIN_URL, () => [200, tokenResponse(`token-${++issued}`)])
      .route('PATCH', UPSERT_PATH, (call) =>
        call.authorization === 'Bearer token-1'
          ? [401, apiError('INVALID_SESSION_ID', 'Session expired or invalid')]
          : [200, upserted(call.body)],
      );
    const outcomes = await client(REFRESH).upsertGridRecords(oneGrid);
    expect(outcomes[0]!.ok).toBe(true);
    expect(fake.calls.map((c) => c.authorization)).toEqual(['Bearer token-1', 'Bearer token-2']);
    // Postman "Refresh Token": form-encoded grant_type, client_id, client_secret, refresh_token.
    expect(fake.tokenCalls[1]!.body).toEqual({
      grant_type: 'refresh_token',
      refresh_token: 'rt-1',
      client_id: 'cid',
      client_secret: 'csecret',
    });
  });

  it('ends a persistent 401 as auth_failed after one refresh, and caps token calls across requests', async () => {
    let issued = 0;
    const fake = new FakeSalesforce()
      .tokenEndpoint(LOGIN_URL, () => [200, tokenResponse(`token-${++issued}`)])
      .route('PATCH', UPSERT_PATH, () => [401, apiError('INVALID_SESSION_ID', 'Session expired or invalid')]);
    const sf = client(REFRESH);
    const first = await failure(sf.upsertGridRecords(oneGrid));
    expect(first).toMatchObject({ kind: 'auth_failed', status: 401 });
    expect(fake.tokenCalls).toHaveLength(2); // the first token, then one refresh
    expect(fake.calls).toHaveLength(2);

    for (let i = 0; i < 10; i += 1) {
      expect((await failure(sf.upsertGridRecords(oneGrid))).kind).toBe('auth_failed');
    }
    expect(fake.tokenCalls).toHaveLength(2);
    expect(fake.calls).toHaveLength(2); // the tenant is paused: no more API calls until the cooldown passes
  });

  it('stops calling the token endpoint for a while once it refuses the credentials', async () => {
    const fake = new FakeSalesforce()
      .tokenEndpoint(LOGIN_URL, () => [
        400,
        { error: 'invalid_grant', error_description: 'expired access/refresh token' },
      ])
      .route('PATCH', UPSERT_PATH, (call) => [200, upserted(call.body)]);
    const sf = client(REFRESH);
    const error = await failure(sf.upsertGridRecords(oneGrid));
    expect(error).toMatchObject({ kind: 'auth_failed', correlationId: 'invalid_grant' });
    await failure(sf.upsertGridRecords(oneGrid));
    expect(fake.tokenCalls).toHaveLength(1);
    expect(fake.calls).toHaveLength(0);
  });

  it('logs in with client credentials at the My Domain URL and uses the instance URL it returns', async () => {
    const myDomain = 'https://globex.my.salesforce.com';
    const fake = new FakeSalesforce()
      .tokenEndpoint(myDomain, () => [200, tokenResponse('cc-token', INSTANCE_URL)])
      .route('PATCH', UPSERT_PATH, (call) => [200, upserted(call.body)]);
    const sf = salesforceClient({
      credentials: { kind: 'client_credentials', clientId: 'cid', clientSecret: 'csecret' },
      loginUrl: myDomain,
    });
    await sf.upsertGridRecords(oneGrid);
    expect(fake.tokenCalls[0]!.body).toEqual({
      grant_type: 'client_credentials',
      client_id: 'cid',
      client_secret: 'csecret',
    });
    expect(fake.calls[0]!.authorization).toBe('Bearer cc-token');
  });
});
