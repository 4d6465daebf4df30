/**
 * Shared set-up for the Salesforce adapter tests: a valid tenant mapping, retry settings small enough for tests
 * to stay fast, and a client on an org (the stateful stand-in, a nock-faked org, or a local socket).
 */
import type { CrmClient, ExternalIdUpsert } from '../../src/crm/crm-client.ts';
import type { SalesforceCredentials } from '../../src/crm/salesforce/salesforce-auth.ts';
import {
  createSalesforceClient,
  type SalesforceClientOptions,
} from '../../src/crm/salesforce/salesforce-client.ts';
import {
  type TenantMapping,
  type TenantMappingInput,
  tenantMappingSchema,
} from '../../src/mapping/mapping-schema.ts';
import { API_VERSION, GRID_KEY, GRID_OBJECT, INSTANCE_URL } from '../fakes/salesforce-nock.ts';
import { silentLogger } from './loggers.ts';
import { tenantBasics } from './tenant-basics.ts';

/** Fast retries: the tests prove the policy's shape, not production timings. */
export const TEST_RETRY = {
  maxAttempts: 4,
  baseMs: 5,
  capMs: 40,
  deadlineMs: 3_000,
  attemptTimeoutMs: 1_000,
};

export function salesforceMapping(overrides: Partial<TenantMappingInput> = {}): TenantMapping {
  return tenantMappingSchema.parse({
    ...tenantBasics('globex', 'Industry'),
    crm: {
      type: 'salesforce',
      apiVersion: API_VERSION,
      auth: { kind: 'access_token', instanceUrl: INSTANCE_URL, accessToken: { env: 'GLOBEX_SF_TOKEN' } },
    },
    grid: {
      object: GRID_OBJECT,
      externalIdField: GRID_KEY,
      fields: { Before_Scenario__c: { from: 'grid.beforeScenario' } },
      associate: {
        deal: { lookupField: 'Opportunity__c' },
        company: { lookupField: 'Account__c' },
        contact: { lookupField: 'Contact__c' },
      },
    },
    identity: { company: { field: 'Website' }, contact: { field: 'Email' } },
    ...overrides,
  });
}

/** A static access token on `instanceUrl`; 'test-token' is the one the stateful stand-in accepts by default. */
export function accessTokenAt(instanceUrl: string, accessToken = 'test-token'): SalesforceCredentials {
  return { kind: 'access_token', instanceUrl, accessToken };
}

/**
 * The adapter with the test mapping, a silent logger and TEST_RETRY; `options` replace any of them
 * (`retry` is laid over TEST_RETRY).
 */
export function salesforceClient(
  options: Partial<SalesforceClientOptions> & Pick<SalesforceClientOptions, 'credentials'>,
): CrmClient {
  return createSalesforceClient({
    mapping: salesforceMapping(),
    logger: silentLogger(),
    ...options,
    retry: { ...TEST_RETRY, ...options.retry },
  });
}

/** Grid record `i` to upsert (its external id is the same for the same `i`). */
export function gridUpsert(i: number, properties: Record<string, string> = {}): ExternalIdUpsert {
  return { externalId: `0f3a${String(i).padStart(4, '0')}`, properties };
}

/** `count` grid records to upsert, each with its before scenario. */
export function gridUpserts(count: number): ExternalIdUpsert[] {
  return Array.from({ length: count }, (_, i) =>
    gridUpsert(i, { Before_Scenario__c: `Exports by hand, grid ${i}` }),
  );
}
