/**
 * gridsync with one Salesforce tenant (the globex example mapping) against the stateful Salesforce stand-in
 * (test/fakes/salesforce-fake/): the org is seeded with the Sales Grid object and every custom field globex's
 * mapping writes, as RevOps would set them up, so the real adapter (jsforce) runs end to end. The mapping's
 * crm.baseUrl points at the stand-in and its crm.auth is an `access_token` (instanceUrl: the stand-in, the
 * token in GLOBEX_SF_ACCESS_TOKEN), reached through the production connector.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseDocument } from 'yaml';

import { SalesforceFake, type SalesforceFakeOptions } from '../fakes/salesforce-fake/salesforce-fake.ts';
import { seedGridObject } from '../fakes/salesforce-fake/seed-grid-object.ts';
import { seedOpportunitySales } from '../fakes/salesforce-fake/seed-opportunity-sales.ts';
import { type Harness, type HarnessOptions, launchGridsync } from './gridsync-harness.ts';

export const SF_TENANT = 'globex';
const SF_TOKEN = 'test-token';

export interface SalesforceHarness extends Omit<Harness, 'fake'> {
  fake: SalesforceFake;
}

export interface SalesforceHarnessOptions {
  fake?: SalesforceFakeOptions;
  /** Edits the globex example mapping before it is written (YAML document paths). */
  mapping?: [path: (string | number)[], value: unknown][];
  runner?: HarnessOptions['runner'] & { coalesceMs?: number };
  startWorker?: boolean;
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
  org.addField('Account', { name: 'Domain__c', type: 'string', length: 255, externalId: true, unique: true });
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
  const doc = parseDocument(readFileSync('mappings/globex.yaml', 'utf8'));
  doc.setIn(['crm', 'baseUrl'], fake.url);
  doc.setIn(['crm', 'auth'], {
    kind: 'access_token',
    instanceUrl: fake.url,
    accessToken: { env: 'GLOBEX_SF_ACCESS_TOKEN' },
  });
  for (const [path, value] of options.mapping ?? []) doc.setIn(path, value);
  mkdirSync(join(dir, 'mappings'), { recursive: true });
  writeFileSync(join(dir, 'mappings', `${SF_TENANT}.yaml`), doc.toString());
  const launched = await launchGridsync({
    tenant: SF_TENANT,
    dir,
    crmSecrets: { GLOBEX_SF_ACCESS_TOKEN: SF_TOKEN },
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
