import { afterEach, describe, expect, it } from 'vitest';

import { CrmError } from '../../src/crm/crm-errors.ts';
import { RequestBudget } from '../../src/crm/request-budget.ts';
import { HubSpotFake, type HubSpotFakeOptions } from '../fakes/hubspot-fake-server.ts';
import { silentLogger } from '../support/loggers.ts';
import { clientFor, GRID_OBJECT, grids, startHubSpotFake, UPSERT_ROUTE } from '../support/hubspot-client.ts';

let fake: HubSpotFake;
const start = async (options: HubSpotFakeOptions = {}): Promise<HubSpotFake> =>
  (fake = await startHubSpotFake(options));
afterEach(() => fake.close());

const realSleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Records each wait between tries; `wait` false skips the actual sleeping. */
function recordingSleep(wait = true): { waits: number[]; sleep: (ms: number) => Promise<void> } {
  const waits: number[] = [];
  return { waits, sleep: async (ms) => (waits.push(ms), wait ? realSleep(ms) : undefined) };
}

describe('HubSpot rate limits', () => {
  it('waits out a 429 for the window HubSpot reports, then the write succeeds', async () => {
    // A window long enough that a loaded machine's first request still lands inside it.
    await start({ requestsPerWindow: 3, windowMs: 1_500 });
    fake.useBudget(3); // another app on the account used the whole window
    const outcomes = await clientFor(fake).upsertGridRecords(grids(150));

    expect(outcomes.every((o) => o.ok)).toBe(true);
    const upserts = fake.requests.filter((r) => r.route === UPSERT_ROUTE);
    expect(upserts.map((r) => r.status)).toEqual([429, 200, 200]);
    expect(upserts[1]!.at - upserts[0]!.at).toBeGreaterThanOrEqual(1_400);
    expect(fake.store.records(GRID_OBJECT)).toHaveLength(150);
  });

  it('holds its budget when HubSpot reports less room than its own use explains (another app shares it)', async () => {
    await start({ requestsPerWindow: 4, windowMs: 400 });
    fake.useBudget(2);
    const budget = new RequestBudget({
      name: 'acme',
      requestsPerWindow: 1000,
      windowMs: 10_000,
      logger: silentLogger(),
    });
    const outcomes = await clientFor(fake, { budget }).upsertGridRecords(grids(200));

    expect(outcomes.every((o) => o.ok)).toBe(true);
    expect(budget.stats.holds).toBeGreaterThan(0);
  });

  it('paces requests to the tenant’s budget, so HubSpot never has to answer 429', async () => {
    await start({ requestsPerWindow: 3, windowMs: 300 });
    // The safety margin covers the first request's connection set-up, which delays its arrival at HubSpot.
    const budget = new RequestBudget({
      name: 'acme',
      requestsPerWindow: 3,
      windowMs: 300,
      safetyMs: 60,
      logger: silentLogger(),
    });
    const began = Date.now();
    const outcomes = await clientFor(fake, { budget }).upsertGridRecords(grids(800));

    expect(outcomes.every((o) => o.ok)).toBe(true);
    expect(fake.requests.map((r) => r.status)).toEqual(Array(8).fill(200));
    expect(Date.now() - began).toBeGreaterThanOrEqual(600);
  });

  it('keeps searches within 5 per second on their own budget', async () => {
    await start({ searchPerSecond: 5 });
    const domains = Array.from({ length: 700 }, (_, i) => `d${i}.example`);
    const found = await clientFor(fake).findCompaniesByDomain(domains, []);

    expect(found.size).toBe(0);
    expect(fake.requests.map((r) => r.status)).toEqual(Array(7).fill(200));
  });

  it('does not hammer after a DAILY 429: it fails at once, retryable, with a long wait for the job', async () => {
    await start({ dailyLimit: 0 });
    const error = await clientFor(fake)
      .upsertGridRecords(grids(1))
      .catch((e: unknown) => e);

    expect(error).toBeInstanceOf(CrmError);
    // The portal's time zone is not known yet (no daily count was ever reported): probe again in an hour.
    expect(error).toMatchObject({ kind: 'rate_limited', retryable: true, status: 429 });
    expect((error as CrmError).waitMs).toBeGreaterThan(3_590_000);
    expect((error as CrmError).waitMs).toBeLessThanOrEqual(3_600_000);
    expect((error as CrmError).message).toMatch(/resumes calls at \d{4}-\d\d-\d\dT/);
    expect((error as CrmError).correlationId).toMatch(/^fake-429/);
    expect(fake.requests).toHaveLength(1);
  });

  it('waits at least 2 s after a 423 Locked', async () => {
    await start();
    fake.failNext(1, 423);
    const { waits, sleep } = recordingSleep(false);
    const [outcome] = await clientFor(fake, { sleep }).upsertGridRecords(grids(1));

    expect(outcome!.ok).toBe(true);
    expect(waits[0]).toBeGreaterThanOrEqual(2_000);
  });
});

describe('HubSpot outages and deadlines', () => {
  it('rides out a stretch of 503s with growing waits between tries, then delivers', async () => {
    await start();
    fake.failNext(4, 503);
    const { waits, sleep } = recordingSleep();
    const outcomes = await clientFor(fake, { sleep }).upsertGridRecords(grids(10));

    expect(outcomes.every((o) => o.ok)).toBe(true);
    expect(fake.requests.map((r) => r.status)).toEqual([503, 503, 503, 503, 200]);
    expect(waits).toHaveLength(4);
    for (let i = 1; i < waits.length; i += 1) expect(waits[i]).toBeGreaterThanOrEqual(waits[i - 1]!);
    expect(waits[3]).toBeGreaterThan(waits[0]!);
  });

  it('gives up after its retry budget with a retryable error, so the job is retried later', async () => {
    await start();
    fake.failFor(60_000, 503);
    const error = await clientFor(fake)
      .upsertGridRecords(grids(3))
      .catch((e: unknown) => e);

    expect(error).toMatchObject({ kind: 'unavailable', retryable: true, status: 503 });
    expect(fake.callCount(UPSERT_ROUTE)).toBe(5);
  });

  it('abandons a request slower than its deadline and tries again', async () => {
    await start({ latencyMs: 3_000 });
    const sleep = async (): Promise<void> => {
      fake.setLatency(0);
      await realSleep(1);
    };
    const began = Date.now();
    const outcomes = await clientFor(fake, { sleep, retry: { attemptTimeoutMs: 100 } }).upsertGridRecords(
      grids(2),
    );

    expect(outcomes.every((o) => o.ok)).toBe(true);
    expect(fake.callCount(UPSERT_ROUTE)).toBe(2);
    // The first answer would have taken 3 s; the adapter gave up on it at its 100 ms deadline.
    expect(Date.now() - began).toBeLessThan(2_000);
  });

  it('reports a network failure as unavailable', async () => {
    await start();
    const url = fake.url;
    await fake.close();
    fake = await HubSpotFake.start();
    const error = await clientFor(fake, { baseUrl: url, retry: { maxAttempts: 2 } })
      .upsertGridRecords(grids(1))
      .catch((e: unknown) => e);

    expect(error).toMatchObject({ kind: 'unavailable', retryable: true });
    expect((error as Error).message).toContain('could not be reached');
  });

  it('does not resend a task creation after a 5xx (HubSpot may have created it), but does after a 429', async () => {
    await start();
    const owner = '501';
    const task = {
      subject: 's',
      body: 'b gridsync0123456789abcdef0123',
      marker: 'gridsync0123456789abcdef0123',
      dueAt: new Date(),
      priority: 'high' as const,
      ownerId: owner,
      links: {},
    };
    fake.failNext(1, 503);
    await expect(clientFor(fake).createTasks([task])).rejects.toMatchObject({ kind: 'unavailable' });
    expect(fake.callCount('POST /crm/objects/2026-03/tasks/batch/create')).toBe(1);

    fake.failNext(1, 429);
    const { sleep } = recordingSleep(false);
    const patient = clientFor(fake, { sleep, retry: { maxWaitMs: 60_000 } });
    const [created] = await patient.createTasks([task]);
    expect(created?.ok && created.id).toMatch(/^\d+$/);
    expect(fake.callCount('POST /crm/objects/2026-03/tasks/batch/create')).toBe(3);
  });
});
