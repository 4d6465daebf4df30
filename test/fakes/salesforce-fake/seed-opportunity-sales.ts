/**
 * What an org's sales setup adds to Opportunity for the deal rule: record types (RecordType, with
 * Opportunity.RecordTypeId), contact roles (OpportunityContactRole), and gridsync's key field, an External ID
 * + Unique text field, as RevOps would create them. IsClosed/IsWon follow the stage (see fake-derived-fields.ts).
 */
import type { FakeOrg } from './fake-org.ts';

export interface OpportunitySalesSeed {
  /** DeveloperNames of Opportunity record types. @default ['New_Business', 'Renewal'] */
  recordTypes?: string[];
  /** The key field gridsync writes on opportunities it opens. @default 'Gridsync_Key__c' */
  keyField?: string;
}

/** Returns the record type ids by DeveloperName. */
export function seedOpportunitySales(org: FakeOrg, seed: OpportunitySalesSeed = {}): Map<string, string> {
  org.addObject({
    name: 'RecordType',
    keyPrefix: '012',
    label: 'Record Type',
    nameField: 'none',
    fields: [
      { name: 'Name', type: 'string', length: 80 },
      { name: 'DeveloperName', type: 'string', length: 80 },
      { name: 'SobjectType', type: 'string', length: 40 },
      { name: 'IsActive', type: 'boolean' },
    ],
  });
  org.addField('Opportunity', {
    name: 'RecordTypeId',
    type: 'reference',
    referenceTo: ['RecordType'],
    relationshipName: 'RecordType',
  });
  org.addField('Opportunity', {
    name: seed.keyField ?? 'Gridsync_Key__c',
    type: 'string',
    length: 80,
    externalId: true,
    unique: true,
  });
  org.addObject({
    name: 'OpportunityContactRole',
    keyPrefix: '00K',
    label: 'Opportunity Contact Role',
    nameField: 'none',
    fields: [
      { name: 'OpportunityId', type: 'reference', referenceTo: ['Opportunity'], required: true },
      { name: 'ContactId', type: 'reference', referenceTo: ['Contact'], required: true },
      { name: 'Role', type: 'string', length: 40 },
    ],
  });
  const ids = new Map<string, string>();
  for (const name of seed.recordTypes ?? ['New_Business', 'Renewal']) {
    ids.set(
      name,
      org.insertRecord('RecordType', {
        Name: name.replace(/_/g, ' '),
        DeveloperName: name,
        SobjectType: 'Opportunity',
        IsActive: true,
      }),
    );
  }
  return ids;
}
