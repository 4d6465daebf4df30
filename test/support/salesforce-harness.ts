/**
 * gridsync with one Salesforce tenant (the globex example mapping) against the stateful Salesforce stand-in
 * (test/fakes/salesforce-fake/): the org is seeded with the Sales Grid object and every custom field globex's
 * mapping writes, as RevOps would set them up, so the real adapter (jsforce) runs end to end. The mapping's
 * crm.baseUrl points at the stand-in and its crm.auth is an `access_token` (instanceUrl: the stand-in, the
 * token in GLOBEX_SF_ACCESS_TOKEN), reached through the production connector.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { SalesforceFake, type SalesforceFakeOptions } from '../fakes/salesforce-fake/salesforce-fake.ts';
import { seedGridObject } from '../fakes/salesforce-fake/seed-grid-object.ts';
import { seedOpportunitySales } from '../fakes/salesforce-fake/seed-opportunity-sales.ts';
import {
  type Harness,
  launchGridsync,
  type LaunchOptions,
  type MappingEdit,
  writeExampleMapping,
} from './gridsync-harness.ts';

export const SF_TENANT = 'globex';
const SF_TOKEN = 'test-token';
/** Where the harnesses' globex crm.auth (accessTokenAuth) reads its session token from. */
export const SF_ACCESS_TOKEN_ENV = 'GLOBEX_SF_ACCESS_TOKEN';

export interface SalesforceHarness extends Omit<Harness, 'fake'> {
  fake: SalesforceFake;
}

export interface SalesforceHarnessOptions extends Pick<LaunchOptions, 'runner' | 'startWorker'> {
  fake?: SalesforceFakeOptions;
  /** Edits the globex example mapping before it is written (YAML document paths). */
  mapping?: MappingEdit[];
}

/** Writes globex.yaml to `dir/mappings`, its crm.baseUrl at the stand-in, then `edits`; returns the file. */
export function writeGlobexMapping(dir: string, fakeUrl: string, edits: MappingEdit[] = []): string {
  return writeExampleMapping(SF_TENANT, dir, [[['crm', 'baseUrl'], fakeUrl], ...edits]);
}

/** globex's crm.auth as an access_token for the stand-in (instanceUrl), the token in SF_ACCESS_TOKEN_ENV. */
export function accessTokenAuth(fakeUrl: string): MappingEdit {
  return [
    ['crm', 'auth'],
    { kind: 'access_token', instanceUrl: fakeUrl, accessToken: { env: SF_ACCESS_TOKEN_ENV } },
  ];
}

/** What RevOps keeps on Account for matching (globex's identity.company.field): it exists and is visible. */
export function addAccountDomainField(org: SalesforceFake['org']): void {
  org.addField('Account', { name: 'Domain__c', type: 'string', length: 255, externalId: true, unique: true });
}

/** The custom fields globex.yaml writes, with the types its comments give. */
function seedGlobexOrg(fake: SalesforceFake): void {
  const { org } = fake;
  const text = (name: string, length = 255) => ({ name, type: 'string' as const, length });
  const long = (name: string) => ({ name, type: 'textarea' as const, length: 32_768 });
  seedGridObject(org, {
    fields: [
      text('Name', 80),
      long('Before_Scenario__c'),
      long('Ideal_Scenario__c'),
      long('Negative_Consequences__c'),
      long('Positive_Outcomes_Business__c'),
      long('Positive_Outcomes_Personal__c'),
      long('Required_Capabilities__c'),
      text('Submitted_By__c'),
      { name: 'Captured_At__c', type: 'datetime' },
      text('Event__c'),
      { name: 'Grid_Complete__c', type: 'boolean' },
      text('Missing_Sections__c'),
      { name: 'Status_URL__c', type: 'url' },
    ],
  });
  addAccountDomainField(org);
  org.addField('Account', { name: 'Intent_Score__c', type: 'double', precision: 6, scale: 1 });
  for (const [name, values] of [
    ['Intent_Level__c', ['High', 'Medium', 'Low', 'None']],
    ['PQA_Status__c', ['Qualified', 'Not yet qualified', 'Not evaluated']],
  ] as const) {
    org.addField('Account', { name, type: 'picklist', picklistValues: [...values] });
  }
  org.addField('Account', long('PQA_Reasons__c'));
  // The ICP criteria read these (qualification.icp in globex.yaml).
  org.addField('Account', { name: 'Tech_Stack__c', type: 'multipicklist', restrictedPicklist: false });
  org.addField('Account', text('Funding_Stage__c'));
  org.addField('Account', text('BillingCountry', 80));
  org.addField('Account', { name: 'Last_Signal_At__c', type: 'datetime' });
  org.addField('Opportunity', long('Grid_Summary__c'));
  org.addField('Opportunity', {
    name: 'Grid_Status__c',
    type: 'picklist',
    picklistValues: ['Complete', 'Draft'],
  });
  org.addField('Opportunity', { name: 'Grid_Link__c', type: 'url' });
  org.addField('Contact', { name: 'Last_DevRel_Conversation__c', type: 'datetime' });
  // globex's deal rule: New_Business opportunities, gridsync's key field for the ones it opens.
  seedOpportunitySales(org);
}

export async function startSalesforceHarness(
  options: SalesforceHarnessOptions = {},
): Promise<SalesforceHarness> {
  const fake = await SalesforceFake.start(options.fake);
  seedGlobexOrg(fake);
  const dir = mkdtempSync(join(tmpdir(), 'gridsync-e2e-sf-'));
  writeGlobexMapping(dir, fake.url, [accessTokenAuth(fake.url), ...(options.mapping ?? [])]);
  const launched = await launchGridsync({
    tenant: SF_TENANT,
    dir,
    crmSecrets: { [SF_ACCESS_TOKEN_ENV]: SF_TOKEN },
    crmRetry: { maxAttempts: 3, baseMs: 20, capMs: 200, deadlineMs: 5_000 },
    ...(options.runner === undefined ? {} : { runner: options.runner }),
    ...(options.startWorker === undefined ? {} : { startWorker: options.startWorker }),
  });
  return {
    ...launched,
    fake,
    async close() {
      await launched.gridsync.close();
      await fake.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
