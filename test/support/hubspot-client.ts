/**
 * Shared set-up for the HubSpot adapter tests: a valid tenant mapping, the stand-in (test/fakes/
 * hubspot-fake-server.ts) started for it, and a client pointed at the stand-in with retry settings small enough
 * for tests to stay fast, holding a static token or OAuth tokens from the stand-in's test app.
 */
import { oauthTokenProvider, type HubSpotTokenProvider } from '../../src/crm/hubspot/hubspot-auth.ts';
import { createHubSpotClient, type HubSpotClientOptions } from '../../src/crm/hubspot/hubspot-client.ts';
import type { CrmClient } from '../../src/crm/crm-client.ts';
import {
  type TenantMapping,
  type TenantMappingInput,
  tenantMappingSchema,
} from '../../src/mapping/mapping-schema.ts';
import { HubSpotFake, type HubSpotFakeOptions } from '../fakes/hubspot-fake-server.ts';
import { silentLogger } from './loggers.ts';
import { tenantBasics } from './tenant-basics.ts';

export const GRID_OBJECT = 'p_sales_grid';
export const GRID_ID_PROPERTY = 'gridsync_grid_id';

export function testMapping(overrides: Partial<TenantMappingInput> = {}): TenantMapping {
  return tenantMappingSchema.parse({
    ...tenantBasics('acme', 'industry'),
    crm: { type: 'hubspot', plan: 'starter', requestsPer10Seconds: 1000 },
    grid: {
      object: GRID_OBJECT,
      externalIdField: GRID_ID_PROPERTY,
      fields: { gridsync_before_scenario: { from: 'grid.beforeScenario' } },
      associate: { deal: {}, company: {}, contact: {} },
    },
    ...overrides,
  });
}

/** Fast retries: tests prove the policy's shape, not its production timings. */
export const TEST_RETRY = {
  maxAttempts: 5,
  baseMs: 10,
  capMs: 200,
  maxWaitMs: 5_000,
  attemptTimeoutMs: 2_000,
};

/** The stand-in, with the grid object's external id property unique as the test mapping needs; `options` add to it. */
export function startHubSpotFake(options: HubSpotFakeOptions = {}): Promise<HubSpotFake> {
  return HubSpotFake.start({ uniqueProperties: { [GRID_OBJECT]: [GRID_ID_PROPERTY] }, ...options });
}

/** The OAuth app the tests register with the stand-in and connect with. */
export const TEST_OAUTH = { clientId: 'client-1', clientSecret: 'secret-1', refreshToken: 'refresh-1' };

/** Stand-in options: no static tokens, only TEST_OAUTH's, each living `expiresInSeconds`. */
export function oauthOnly(expiresInSeconds: number): HubSpotFakeOptions {
  return { accessTokens: [], oauth: { ...TEST_OAUTH, expiresInSeconds } };
}

/** Tokens for TEST_OAUTH from the stand-in's token endpoint; `options` may set the clock or another grant. */
export function oauthTokensFrom(
  fake: HubSpotFake,
  options: { now?: () => number; refreshToken?: string } = {},
): HubSpotTokenProvider {
  return oauthTokenProvider({ ...TEST_OAUTH, baseUrl: fake.url, logger: silentLogger(), ...options });
}

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
