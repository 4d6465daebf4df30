/**
 * SIGTERM while Salesforce hangs: `gridsync serve` cuts the hung calls short after GRIDSYNC_SHUTDOWN_GRACE_SECONDS
 * and exits, as it does on HubSpot (crash-recovery.test.ts), although jsforce keeps a timer of its own for a
 * request it was told to abandon. The job waits for the next worker.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';

import { SalesforceFake } from '../fakes/salesforce-fake/salesforce-fake.ts';
import { seedGridObject } from '../fakes/salesforce-fake/seed-grid-object.ts';
import { seedOpportunitySales } from '../fakes/salesforce-fake/seed-opportunity-sales.ts';
import {
  type ChildGridsync,
  gridJobStates,
  startChildGridsync,
  stopTimed,
} from '../support/child-gridsync.ts';
import type { MappingEdit } from '../support/gridsync-harness.ts';
import {
  accessTokenAuth,
  addAccountDomainField,
  SF_ACCESS_TOKEN_ENV,
  writeGlobexMapping,
} from '../support/salesforce-harness.ts';
import { randomWebhookSecret, signRequest } from '../support/sign-request.ts';
import { ledgerlineGrid } from '../support/fixtures.ts';
import { waitFor } from '../support/wait-for.ts';

const secret = randomWebhookSecret();
let dir: string | undefined;
let fake: SalesforceFake | undefined;
let child: ChildGridsync | undefined;

afterEach(async () => {
  await child?.kill('SIGKILL');
  await fake?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
  child = undefined;
  fake = undefined;
  dir = undefined;
});

describe('gridsync serve on Salesforce, stopped while the CRM hangs', () => {
  it('exits soon after the grace period and leaves the job for the next worker', async () => {
    dir = mkdtempSync(join(tmpdir(), 'gridsync-sf-shutdown-'));
    fake = await SalesforceFake.start();
    seedGridObject(fake.org);
    seedOpportunitySales(fake.org);
    addAccountDomainField(fake.org);
    fake.org.insertRecord('Account', { Name: 'Ledgerline', Domain__c: 'ledgerline.example' });
    writeGlobexMapping(dir, fake.url, [
      accessTokenAuth(fake.url),
      [['grid', 'fields'], { Before_Scenario__c: { from: 'grid.beforeScenario' } }],
      ...['deal', 'company', 'contact'].map((role): MappingEdit => [[role, 'fields'], {}]),
    ]);
    child = await startChildGridsync({
      GRIDSYNC_DATABASE_URL: join(dir, 'gridsync.db'),
      GRIDSYNC_MAPPINGS_DIR: join(dir, 'mappings'),
      GRIDSYNC_SHUTDOWN_GRACE_SECONDS: '1',
      GLOBEX_WEBHOOK_SECRET: secret,
      GLOBEX_STATUS_TOKEN: 'sf-shutdown-status-token',
      [SF_ACCESS_TOKEN_ENV]: 'test-token',
    });
    const grid = ledgerlineGrid();
    const signed = signRequest({ secret, body: grid });
    // Salesforce stops answering: only the grace period can end the batch's calls.
    fake.setLatency(60_000);
    const seen = fake.requests.length;
    const answer = await fetch(`${child.url}/v1/tenants/globex/grids`, {
      method: 'POST',
      headers: { ...signed.headers, 'content-type': 'application/json' },
      body: signed.payload,
    });
    expect(answer.status).toBe(202);
    // The batch's identity queries are out (the stand-in records a request when it arrives).
    await waitFor(() => fake!.requests.slice(seen).some((r) => r.route === 'GET /query'), 20_000);

    const { exitCode, seconds } = await stopTimed(child);
    expect(exitCode).toBe(0);
    expect(seconds).toBeGreaterThanOrEqual(0.9);
    expect(seconds).toBeLessThan(8);

    expect(await gridJobStates(join(dir, 'gridsync.db'), 'globex', grid.gridId)).toEqual(['pending']);
  }, 90_000);
});
