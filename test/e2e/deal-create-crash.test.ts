/**
 * whenNone: create with a real crash: `gridsync serve` in a child process is killed with SIGKILL the moment
 * the CRM has created the deal, before gridsync can read the answer and record it. After the restart there
 * is still exactly one deal for the company, and the grid is on it. On HubSpot and on Salesforce.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';

import { HubSpotFake } from '../fakes/hubspot-fake-server.ts';
import { SalesforceFake } from '../fakes/salesforce-fake/salesforce-fake.ts';
import { seedOpportunitySales } from '../fakes/salesforce-fake/seed-opportunity-sales.ts';
import { seedGridObject } from '../fakes/salesforce-fake/seed-grid-object.ts';
import { type ChildGridsync, startChildGridsync } from '../support/child-gridsync.ts';
import { FAKE_TOKEN, type MappingEdit, writeTenantMapping } from '../support/gridsync-harness.ts';
import {
  accessTokenAuth,
  addAccountDomainField,
  SF_ACCESS_TOKEN_ENV,
  writeGlobexMapping,
} from '../support/salesforce-harness.ts';
import { randomWebhookSecret, signRequest } from '../support/sign-request.ts';
import { ledgerlineGrid, seedLedgerline } from '../support/fixtures.ts';

const secret = randomWebhookSecret();
const statusToken = 'deal-crash-status-token';
let dir: string | undefined;
let children: ChildGridsync[] = [];
let closeFake: (() => Promise<void>) | undefined;

afterEach(async () => {
  for (const child of children) await child.kill();
  children = [];
  await closeFake?.();
  closeFake = undefined;
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});

async function start(tenant: string, env: Record<string, string>): Promise<ChildGridsync> {
  const child = await startChildGridsync({
    GRIDSYNC_DATABASE_URL: join(dir!, 'gridsync.db'),
    GRIDSYNC_MAPPINGS_DIR: join(dir!, 'mappings'),
    GRIDSYNC_LEASE_SECONDS: '5',
    [`${tenant.toUpperCase()}_WEBHOOK_SECRET`]: secret,
    [`${tenant.toUpperCase()}_STATUS_TOKEN`]: statusToken,
    ...env,
  });
  children.push(child);
  return child;
}

async function postGrid(child: ChildGridsync, tenant: string, body: unknown): Promise<number> {
  const signed = signRequest({ secret, body });
  const response = await fetch(`${child.url}/v1/tenants/${tenant}/grids`, {
    method: 'POST',
    headers: { ...signed.headers, 'content-type': 'application/json' },
    body: signed.payload,
  });
  return response.status;
}

async function dealStateOf(child: ChildGridsync, tenant: string, gridId: string): Promise<unknown> {
  const response = await fetch(`${child.url}/v1/tenants/${tenant}/grids/${gridId}`, {
    headers: { authorization: `Bearer ${statusToken}` },
  });
  const body = (await response.json()) as { sync?: { deal?: unknown } };
  return body.sync?.deal;
}

/** Kills `target()` with SIGKILL when the fake records a request on `route`: the CRM has done it by then. */
function killOn<R extends { route: string }>(
  requests: R[],
  route: RegExp,
  target: () => ChildGridsync | undefined,
  slowDown: () => void,
): void {
  const push = requests.push.bind(requests);
  requests.push = (...items: R[]) => {
    const child = target();
    if (child && items.some((r) => route.test(r.route))) {
      slowDown(); // the answer must not reach gridsync before the kill lands
      child.process.kill('SIGKILL');
    }
    return push(...items);
  };
}

const grid = ledgerlineGrid({ deal: undefined });

describe('a crash while gridsync creates a deal', () => {
  it('HubSpot: still exactly one deal for the company, and the grid on it', async () => {
    dir = mkdtempSync(join(tmpdir(), 'gridsync-deal-crash-'));
    const fake = await HubSpotFake.start({
      uniqueProperties: { p_sales_grid: ['gridsync_grid_id'], deals: ['gridsync_deal_key'] },
    });
    closeFake = () => fake.close();
    const { companyId } = seedLedgerline(fake);
    writeTenantMapping(dir, fake.url, [
      [['deal', 'whenNone'], 'create'],
      [
        ['deal', 'create'],
        { pipeline: 'default', stage: 'appointmentscheduled', keyField: 'gridsync_deal_key' },
      ],
    ]);
    let first: ChildGridsync | undefined;
    killOn(
      fake.requests,
      /deals\/batch\/create$/,
      () => first,
      () => fake.setLatency(1_000),
    );
    const env = { ACME_HUBSPOT_TOKEN: FAKE_TOKEN };
    first = await start('acme', env);
    const running = first;
    expect(await postGrid(running, 'acme', grid)).toBe(202);
    await expect.poll(() => running.process.signalCode, { timeout: 20_000 }).toBe('SIGKILL');
    const created = () => fake.store.records('deals').filter((d) => d.properties['gridsync_deal_key']);
    expect(created()).toHaveLength(1);

    fake.setLatency(0);
    first = undefined;
    const second = await start('acme', env);
    await expect
      .poll(() => dealStateOf(second, 'acme', grid.gridId), { timeout: 30_000 })
      .toMatchObject({ state: 'created', crmId: created()[0]?.id });
    expect(created()).toHaveLength(1);
    expect(created()[0]?.properties['gridsync_deal_key']).toBe(`gridsync-${companyId}`);
    expect(fake.callCount(/deals\/batch\/create$/)).toBe(1);
  }, 60_000);

  it('Salesforce: still exactly one opportunity for the Account, and the grid on it', async () => {
    dir = mkdtempSync(join(tmpdir(), 'gridsync-deal-crash-sf-'));
    const fake = await SalesforceFake.start();
    closeFake = () => fake.close();
    seedGridObject(fake.org);
    seedOpportunitySales(fake.org);
    addAccountDomainField(fake.org);
    const accountId = fake.org.insertRecord('Account', {
      Name: 'Ledgerline',
      Domain__c: 'ledgerline.example',
    });
    // globex's mapping, reduced to what the Sales Grid object above holds, with a test session token.
    writeGlobexMapping(dir, fake.url, [
      accessTokenAuth(fake.url),
      [['grid', 'fields'], { Before_Scenario__c: { from: 'grid.beforeScenario' } }],
      ...['deal', 'company', 'contact'].map((role): MappingEdit => [[role, 'fields'], {}]),
      [
        ['qualification', 'icp'],
        { required: 1, criteria: { industry: { from: [{ crmField: 'Industry' }], in: ['Banking'] } } },
      ],
    ]);

    let first: ChildGridsync | undefined;
    killOn(
      fake.requests,
      /^PATCH \/composite\/sobjects\/Opportunity\//,
      () => first,
      () => fake.setLatency(1_000),
    );
    const env = { [SF_ACCESS_TOKEN_ENV]: 'test-token' };
    first = await start('globex', env);
    const running = first;
    expect(await postGrid(running, 'globex', grid)).toBe(202);
    await expect.poll(() => running.process.signalCode, { timeout: 20_000 }).toBe('SIGKILL');
    expect(fake.org.records('Opportunity')).toHaveLength(1);

    fake.setLatency(0);
    first = undefined;
    const second = await start('globex', env);
    const [opportunity] = fake.org.records('Opportunity');
    await expect
      .poll(() => dealStateOf(second, 'globex', grid.gridId), { timeout: 30_000 })
      .toMatchObject({ state: 'created', crmId: opportunity?.id });
    expect(fake.org.records('Opportunity')).toHaveLength(1);
    expect(opportunity?.values).toMatchObject({
      AccountId: accountId,
      Gridsync_Key__c: `gridsync-${accountId}`,
    });
    expect(fake.org.records('Sales_Grid__c')[0]?.values['Opportunity__c']).toBe(opportunity?.id);
  }, 60_000);
});
