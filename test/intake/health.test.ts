import { describe, expect, it } from 'vitest';

import type { Store } from '../../src/store/store.ts';
import { closedAfterEach } from '../support/harness-per-test.ts';
import { startIntake, storePort } from './intake-harness.ts';

const startIntakePerTest = closedAfterEach(startIntake);

describe('health endpoints', () => {
  it('reports alive and ready when the store answers and mappings are loaded', async () => {
    const intake = await startIntakePerTest();
    expect((await intake.app.inject({ url: '/healthz' })).statusCode).toBe(200);
    const ready = await intake.app.inject({ url: '/readyz' });
    expect(ready.statusCode).toBe(200);
    expect(ready.json()).toEqual({ status: 'ready', tenants: 2 });
  });

  it('is not ready while the store does not answer, yet still alive', async () => {
    const intake = await startIntakePerTest({
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
    const intake = await startIntakePerTest({ mappings: [] });
    const ready = await intake.app.inject({ url: '/readyz' });
    expect(ready.statusCode).toBe(503);
    expect(ready.json()).toMatchObject({ code: 'mappings_not_loaded' });
  });
});
