/**
 * Issue 8, item 5: a paused tenant does not use up its grids' attempts. The tenant's HubSpot grant is revoked
 * (every token refresh answers invalid_grant) while grids keep arriving; the worker keeps probing on the
 * circuit breaker's schedule (shortened here: a 100 ms cap instead of a minute, so 3 s stand for 30 minutes of
 * probes) through the real runner. No grid becomes a dead letter; after reconnection (a new refresh token where
 * the mapping points, read again without a restart) every grid is delivered.
 */
import { describe, expect, it } from 'vitest';

import { HubSpotFake } from '../fakes/hubspot-fake-server.ts';
import { startHarness } from '../support/gridsync-harness.ts';
import { ledgerlineGrid } from '../support/fixtures.ts';
import { closedAfterEach } from '../support/harness-per-test.ts';

/** The fake reads the app's refresh token at each request, so the test can rotate it (a re-installed app). */
const OAUTH_APP = {
  clientId: 'acme-app',
  clientSecret: 'acme-app-secret',
  refreshToken: 'rt-1',
  expiresInSeconds: 1800,
};

const startHarnessPerTest = closedAfterEach(startHarness);

describe('a tenant whose grant is revoked', () => {
  it('keeps every grid pending, without using attempts, and delivers them after reconnection', async () => {
    const oauth = { ...OAUTH_APP };
    const fake = await HubSpotFake.start({
      uniqueProperties: { p_sales_grid: ['gridsync_grid_id'] },
      oauth,
      requestsPerWindow: 1_000,
    });
    const secrets: Record<string, string> = {
      ACME_HUBSPOT_CLIENT_ID: oauth.clientId,
      ACME_HUBSPOT_CLIENT_SECRET: oauth.clientSecret,
      ACME_HUBSPOT_REFRESH_TOKEN: oauth.refreshToken,
    };
    const h = await startHarnessPerTest({
      fakeInstance: fake,
      mapping: [
        [['sync', 'maxAttempts'], 3],
        [
          ['crm', 'auth'],
          {
            kind: 'oauth',
            clientId: { env: 'ACME_HUBSPOT_CLIENT_ID' },
            clientSecret: { env: 'ACME_HUBSPOT_CLIENT_SECRET' },
            refreshToken: { env: 'ACME_HUBSPOT_REFRESH_TOKEN' },
          },
        ],
      ],
      // Read at each lookup: the operator's new refresh token below reaches the production connector.
      secrets,
      runner: { breaker: { baseMs: 50, capMs: 100 } },
    });
    const first = ledgerlineGrid({ gridId: 'grid-before-revocation' });
    await h.postGrid(first);
    await h.settle();
    expect(await h.status(first.gridId)).toMatchObject({ sync: { state: 'synced' } });

    fake.revokeOAuthGrant();
    const waiting = [1, 2, 3, 4, 5].map((n) => ledgerlineGrid({ gridId: `grid-while-revoked-${n}` }));
    for (const grid of waiting) expect((await h.postGrid(grid)).status).toBe(202);
    const tokenCallsAtRevocation = fake.callCount('POST /oauth/2026-03/token');
    await new Promise((resolve) => setTimeout(resolve, 3_000));

    // Probed many times (far more than maxAttempts), yet nothing was dead-lettered or spent.
    expect(fake.callCount('POST /oauth/2026-03/token') - tokenCallsAtRevocation).toBeGreaterThan(5);
    for (const grid of waiting) {
      const status = await h.status(grid.gridId);
      expect(status).toMatchObject({ sync: { state: 'pending' } });
      expect((status['sync'] as Record<string, unknown>)['deadLetter']).toBeUndefined();
      const [job] = await h.gridsync.store.getJobs('acme', `grid.sync:acme:${grid.gridId}`);
      expect(job?.state === 'pending' || job?.state === 'running').toBe(true);
      expect(job?.attempts).toBeLessThan(3);
    }
    expect(fake.store.records('p_sales_grid')).toHaveLength(1);

    // Reconnection: the app is installed again, which gives a new refresh token; until the operator puts it
    // where the mapping points, nothing changes. Then the next probe reads it and delivers.
    oauth.refreshToken = 'rt-2';
    fake.restoreOAuthGrant();
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(fake.store.records('p_sales_grid')).toHaveLength(1);
    secrets['ACME_HUBSPOT_REFRESH_TOKEN'] = 'rt-2';
    await expect
      .poll(() => fake.store.records('p_sales_grid').length, { timeout: 10_000, interval: 50 })
      .toBe(6);
    await h.settle();
    for (const grid of waiting) {
      expect(await h.status(grid.gridId)).toMatchObject({ sync: { state: 'synced' } });
    }
  }, 30_000);
});
