import { afterEach, describe, expect, it } from 'vitest';

import type { Store } from '../../src/store/store.ts';
import { type IntakeHarness, startIntake, storePort } from './intake-harness.ts';

let intake: IntakeHarness | undefined;
afterEach(async () => {
  await intake?.close();
  intake = undefined;
});

describe('health endpoints', () => {
  it('reports alive and ready when the store answers and mappings are loaded', async () => {
    intake = await startIntake();
    expect((await intake.app.inject({ url: '/healthz' })).statusCode).toBe(200);
    const ready = await intake.app.inject({ url: '/readyz' });
    expect(ready.statusCode).toBe(200);
    expect(ready.json()).toEqual({ status: 'ready', tenants: 2 });
  });

  it('is not ready while the store does not answer, yet still alive', async () => {
    intake = await startIntake({
      wrapStore: (store: Store) => ({
        ...storePort(store),
        ping: () => Promise.reject(new Error('disk I/O error')),
      }),
    });
    const ready = await intake.app.inject({ url: '/readyz' });
    expect(ready.statusCode).toBe(503);
    expect(ready.json()).toMatchObject({ code: 'store_unavailable' });
    expect((await intake.app.inject({ url: '/healthz' })).statusCode).toBe(200);
  });

  it('is not ready without any tenant mapping', async () => {
    intake = await startIntake({ mappings: [] });
    const ready = await intake.app.inject({ url: '/readyz' });
    expect(ready.statusCode).toBe(503);
    expect(ready.json()).toMatchObject({ code: 'mappings_not_loaded' });
  });
});
