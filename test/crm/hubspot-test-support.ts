/**
 * Shared set-up for the HubSpot adapter tests: a valid tenant mapping, a silent logger, and a client pointed
 * at a fake server with retry settings small enough for tests to stay fast.
 */
import { createHubSpotClient, type HubSpotClientOptions } from '../../src/crm/hubspot/hubspot-client.ts';
import type { CrmClient } from '../../src/crm/crm-client.ts';
import { silentLogger } from '../support/loggers.ts';
import {
  type TenantMapping,
  type TenantMappingInput,
  tenantMappingSchema,
} from '../../src/mapping/mapping-schema.ts';
import type { HubSpotFake } from '../fakes/hubspot-fake-server.ts';

export const GRID_OBJECT = 'p_sales_grid';
export const GRID_ID_PROPERTY = 'gridsync_grid_id';

export function testMapping(overrides: Partial<TenantMappingInput> = {}): TenantMapping {
  return tenantMappingSchema.parse({
    tenant: 'acme',
    crm: { type: 'hubspot', plan: 'starter', requestsPer10Seconds: 1000 },
    secrets: {
      webhookSigningSecret: { env: 'ACME_WEBHOOK_SECRET' },
      statusToken: { env: 'ACME_STATUS_TOKEN' },
    },
    grid: {
      object: GRID_OBJECT,
      externalIdField: GRID_ID_PROPERTY,
      fields: { gridsync_before_scenario: { from: 'grid.beforeScenario' } },
      associate: { deal: {}, company: {}, contact: {} },
    },
    scoring: { signals: { 'product.active_day': { intent: 'high' } } },
    qualification: {
      usage: { activeDays: { min: 3 } },
      icp: { required: 1, criteria: { industry: { from: [{ crmField: 'industry' }], in: ['fintech'] } } },
    },
    task: {
      subject: 'Follow up {{grid.account.name}}',
      body: '{{grid.beforeScenario}}',
      owner: { chain: ['deal_owner'] },
    },
    ...overrides,
  });
}

export { silentLogger };

/** Fast retries: tests prove the policy's shape, not its production timings. */
export const TEST_RETRY = {
  maxAttempts: 5,
  baseMs: 10,
  capMs: 200,
  maxWaitMs: 5_000,
  attemptTimeoutMs: 2_000,
};

export function clientFor(fake: HubSpotFake, options: Partial<HubSpotClientOptions> = {}): CrmClient {
  return createHubSpotClient({
    mapping: testMapping(),
    accessToken: () => Promise.resolve('test-token'),
    logger: silentLogger(),
    baseUrl: fake.url,
    ...options,
    retry: { ...TEST_RETRY, ...options.retry },
  });
}

export function grids(count: number, from = 0): { externalId: string; properties: Record<string, string> }[] {
  return Array.from({ length: count }, (_, i) => ({
    externalId: `grid-${String(from + i).padStart(4, '0')}`,
    properties: { gridsync_before_scenario: `Before scenario of grid ${from + i}` },
  }));
}

export const UPSERT_ROUTE = `POST /crm/objects/2026-03/${GRID_OBJECT}/batch/upsert`;
