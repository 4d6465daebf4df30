/**
 * A Sales Grid custom object as RevOps would create it by hand for the test mappings (`salesforceMapping()`
 * in test/support/salesforce-client.ts): an External ID + Unique key, long text areas for the grid's sections, and lookups to the opportunity, account and contact.
 */
import type { FieldSpec } from './fake-schema.ts';
import type { FakeOrg } from './fake-org.ts';

export interface GridObjectSeed {
  object?: string;
  externalIdField?: string;
  /** More fields (or replacements) beyond the defaults. */
  fields?: FieldSpec[];
}

export function seedGridObject(org: FakeOrg, seed: GridObjectSeed = {}): void {
  const key = seed.externalIdField ?? 'Grid_Id__c';
  const defaults: FieldSpec[] = [
    { name: key, type: 'string', length: 80, externalId: true, unique: true },
    { name: 'Before_Scenario__c', type: 'textarea', length: 32_768 },
    { name: 'Opportunity__c', type: 'reference', referenceTo: ['Opportunity'] },
    { name: 'Account__c', type: 'reference', referenceTo: ['Account'] },
    { name: 'Contact__c', type: 'reference', referenceTo: ['Contact'] },
  ];
  const extra = seed.fields ?? [];
  const fields = [...defaults.filter((d) => !extra.some((e) => e.name === d.name)), ...extra];
  org.addObject({ name: seed.object ?? 'Sales_Grid__c', label: 'Sales Grid', fields });
}
