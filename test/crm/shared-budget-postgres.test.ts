/**
 * One CRM budget per tenant for the whole deployment: two replicas' budgets on one PostgreSQL store share the
 * tenant's window (src/store/postgres/postgres-request-slots.ts), so together they never draw a 429 from a
 * stand-in enforcing the limit; without the shared window each spends a full budget and the stand-in refuses.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { RequestBudget, SHARED_IDLE_MS } from '../../src/crm/request-budget.ts';
import { openStore } from '../../src/store/open-store.ts';
import type { Store } from '../../src/store/store.ts';
import { HubSpotFake } from '../fakes/hubspot-fake-server.ts';
import { silentLogger } from '../support/loggers.ts';
import { tempPostgresStore, type TempStore, testDatabaseUrl } from '../support/temp-store.ts';

const LIMIT = 10;
const WINDOW_MS = 500;

describe.skipIf(testDatabaseUrl() === undefined)('a tenant budget shared by replicas', () => {
  let temp: TempStore;
  let second: Store;

  beforeAll(async () => {
    temp = await tempPostgresStore('shared_budget');
    second = await openStore(temp.url, { schema: temp.schema! });
  });
  afterAll(async () => {
    await second?.close();
    await temp?.cleanup();
  });

  /** Two replicas send `each` requests apiece as fast as their budgets allow; returns the stand-in's answers. */
  async function twoReplicas(shared: boolean, each: number) {
    const fake = await HubSpotFake.start({
      requestsPerWindow: LIMIT,
      windowMs: WINDOW_MS,
      recordBodies: false,
    });
    try {
      const budgets = [temp.store, second].map(
        (store) =>
          new RequestBudget({
            name: 'acme',
            requestsPerWindow: LIMIT,
            windowMs: WINDOW_MS,
            logger: silentLogger(),
            ...(shared ? { shared: { windows: store.requestWindows!, key: `hubspot:acme:${each}` } } : {}),
          }),
      );
      const started = Date.now();
      await Promise.all(
        budgets.flatMap((budget) =>
          Array.from({ length: each }, () =>
            budget.run('standard', async () => {
              const answer = await fetch(`${fake.url}/account-info/2026-03/details`, {
                headers: { authorization: 'Bearer test-token' },
              });
              await answer.arrayBuffer();
            }),
          ),
        ),
      );
      return { statuses: fake.requests.map((r) => r.status), ms: Date.now() - started };
    } finally {
      await fake.close();
    }
  }

  it('keeps the replicas together within the limit: no 429, and the limit used', async () => {
    const { statuses, ms } = await twoReplicas(true, 15);
    expect(statuses.filter((s) => s === 429)).toEqual([]);
    expect(statuses).toHaveLength(30);
    // 30 requests at 10 per 500 ms need at least two more windows after the first ten.
    expect(ms).toBeGreaterThanOrEqual(2 * WINDOW_MS);
    expect(ms).toBeLessThan(8 * WINDOW_MS);
  });

  it('without the shared window, each replica spends a full budget and the CRM refuses some', async () => {
    const { statuses } = await twoReplicas(false, 15);
    expect(statuses.filter((s) => s === 429).length).toBeGreaterThan(0);
  });
  it('tells a replica with no requests of its own that another replica spends the window, until it goes idle', async () => {
    const budgetOn = (store: Store) =>
      new RequestBudget({
        name: 'acme',
        requestsPerWindow: LIMIT,
        windowMs: WINDOW_MS,
        logger: silentLogger(),
        shared: { windows: store.requestWindows!, key: 'hubspot:acme:idle' },
      });
    const [busy, joining] = [budgetOn(temp.store), budgetOn(second)];
    await joining.refreshShared();
    expect(joining.readyInMs()).toBe(0);

    // The busy replica has three windows' worth queued: while they wait, every freed slot is taken at once.
    const sending = Promise.all(
      Array.from({ length: 3 * LIMIT }, () => busy.run('standard', () => Promise.resolve())),
    );
    await new Promise((resolve) => setTimeout(resolve, WINDOW_MS / 2));
    await joining.refreshShared();
    expect(joining.readyInMs()).toBeGreaterThan(0);
    await new Promise((resolve) => setTimeout(resolve, WINDOW_MS));
    await joining.refreshShared();
    expect(joining.readyInMs()).toBeGreaterThan(0);

    // Done: once a slot has stayed free for SHARED_IDLE_MS, the joining replica may start the tenant's work.
    await sending;
    await new Promise((resolve) => setTimeout(resolve, WINDOW_MS + SHARED_IDLE_MS + 100));
    await joining.refreshShared();
    expect(joining.readyInMs()).toBe(0);
  });
  it('answers questions about several windows asked at once, each about its own window', async () => {
    const windows = temp.store.requestWindows!;
    // busy: every slot just taken and settled; fresh: never used; small: one of two slots taken.
    for (let i = 0; i < 3; i++) {
      const slot = await windows.take('hubspot:busy:at-once', 3, 10_000);
      if ('waitMs' in slot) throw new Error('the busy window should have had room');
      await slot.settle();
    }
    const taken = await windows.take('hubspot:small:at-once', 2, 10_000);
    if ('waitMs' in taken) throw new Error('the small window should have had room');
    await taken.settle();
    const [busy, fresh, small] = await Promise.all([
      windows.idleInMs('hubspot:busy:at-once', 3, SHARED_IDLE_MS),
      windows.idleInMs('hubspot:fresh:at-once', 3, SHARED_IDLE_MS),
      windows.idleInMs('hubspot:small:at-once', 2, SHARED_IDLE_MS),
    ]);
    expect(busy).toBeGreaterThan(9_000);
    expect(fresh).toBe(0);
    // Its free slot was never taken: free since long ago, so nobody waits for it.
    expect(small).toBe(0);
  });
});
