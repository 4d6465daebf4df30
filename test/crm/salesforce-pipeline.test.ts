/**
 * Issue 12 item 2 on Salesforce: the adapter sends through the shared request pipeline, with a per-tenant
 * budget fed by Sforce-Limit-Info, against the stateful stand-in.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { CrmError } from '../../src/crm/crm-errors.ts';
import { salesforceBudget } from '../../src/crm/salesforce/salesforce-client.ts';
import type { RequestBudget } from '../../src/crm/request-budget.ts';
import { SalesforceFake } from '../fakes/salesforce-fake/salesforce-fake.ts';
import { seedGridObject } from '../fakes/salesforce-fake/seed-grid-object.ts';
import { GRID_KEY, GRID_OBJECT } from '../fakes/salesforce-nock.ts';
import { silentLogger } from '../support/loggers.ts';
import { accessTokenAt, gridUpsert, salesforceClient } from '../support/salesforce-client.ts';

let fake: SalesforceFake;
afterEach(() => fake.close());

function client(budget: RequestBudget, signal?: AbortSignal) {
  return salesforceClient({
    credentials: accessTokenAt(fake.url),
    budget,
    ...(signal === undefined ? {} : { signal }),
  });
}

const UPSERT = `PATCH /composite/sobjects/${GRID_OBJECT}/${GRID_KEY}`;

describe('the Salesforce request budget', () => {
  beforeEach(async () => {
    fake = await SalesforceFake.start({ apiLimit: 100, apiUsed: 97 });
    seedGridObject(fake.org);
  });

  it('learns the org’s daily count from Sforce-Limit-Info and stops calling when it is spent', async () => {
    const budget = salesforceBudget('globex', silentLogger());
    const sf = client(budget);
    await sf.upsertGridRecords([gridUpsert(1)]); // 98 of 100
    expect(budget.daily).toMatchObject({
      limit: 100,
      remaining: 2,
      warning: expect.stringContaining('2 of 100'),
    });
    await sf.upsertGridRecords([gridUpsert(2)]); // 99
    await sf.upsertGridRecords([gridUpsert(3)]); // 100: spent
    const sent = fake.requests.length;

    const error = await sf.upsertGridRecords([gridUpsert(4)]).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(CrmError);
    expect(error).toMatchObject({ kind: 'rate_limited', retryable: true });
    expect((error as CrmError).message).toMatch(/resumes calls at \d{4}-/);
    expect(fake.requests.length).toBe(sent);
    expect(budget.daily?.pausedUntil).toBeDefined();
  });

  it('keeps the budget of a tenant whose client is rebuilt (a mapping edit)', async () => {
    const budget = salesforceBudget('globex', silentLogger());
    await client(budget).upsertGridRecords([gridUpsert(1)]);
    await client(budget).upsertGridRecords([gridUpsert(2)]);
    await client(budget).upsertGridRecords([gridUpsert(3)]);
    await expect(client(budget).upsertGridRecords([gridUpsert(4)])).rejects.toMatchObject({
      kind: 'rate_limited',
    });
    expect(fake.callCount(UPSERT)).toBe(3);
  });
});

describe('shutdown', () => {
  it('cuts a retry wait short: the request gives up at once with the last error', async () => {
    fake = await SalesforceFake.start();
    seedGridObject(fake.org);
    fake.intercept(() => ({ status: 503, body: [{ errorCode: 'SERVER_UNAVAILABLE', message: 'down' }] }));
    const shutdown = new AbortController();
    const sf = salesforceClient({
      credentials: accessTokenAt(fake.url),
      retry: { baseMs: 5_000, capMs: 5_000, maxWaitMs: 60_000, deadlineMs: 60_000 },
      budget: salesforceBudget('globex', silentLogger()),
      signal: shutdown.signal,
    });
    const started = Date.now();
    const pending = sf.upsertGridRecords([gridUpsert(1)]).catch((e: unknown) => e);
    setTimeout(() => shutdown.abort(), 200);

    const error = await pending;

    expect(error).toMatchObject({ kind: 'unavailable' });
    expect(Date.now() - started).toBeLessThan(2_000);
  });
});
