/**
 * `mapping apply` on Salesforce, through the Metadata API (SOAP, jsforce `conn.metadata`): the custom
 * object, its fields (10 per call, Salesforce's limit), picklist values appended, and a permission set
 * "Gridsync_Integration" that grants the integration user object access and field-level security on every
 * field the mapping writes, assigned to that user. Fields created by the Metadata API are invisible to every
 * user until a permission set or profile grants them, so the grant is part of every apply.
 *
 * Existing fields are read first (readMetadata sees fields the user cannot), so a field that exists but was
 * invisible is granted, never created or changed. Nothing is deleted, narrowed or retyped.
 */
import type { TenantMapping } from '../../mapping/mapping-schema.ts';
import type { SchemaChange } from '../../schema-plan/apply-changes.ts';
import { salesforceField } from '../../schema-plan/desired-field.ts';
import { type FieldRequirement, mappingRequirements } from '../../schema-plan/mapping-requirements.ts';
import { CrmError } from '../crm-errors.ts';
import type { SalesforceSchemaAccess } from './salesforce-schema.ts';
import { soqlString } from './salesforce-soql.ts';

export const PERMISSION_SET = 'Gridsync_Integration';
const METADATA_BATCH = 10;
const ROLE_OBJECTS = { grid: '', deal: 'Opportunity', company: 'Account', contact: 'Contact' } as const;

interface SaveResult {
  fullName?: string;
  success?: boolean | string;
  created?: boolean | string;
  errors?: { statusCode?: string; message?: string } | { statusCode?: string; message?: string }[];
}

type Metadata = Record<string, unknown>;

function label(name: string): string {
  return name.replace(/__c$/, '').replace(/_/g, ' ');
}

/** A requirement as a Metadata API CustomField. */
export function customFieldMetadata(object: string, need: FieldRequirement): Metadata {
  const spec = salesforceField(need);
  const base: Metadata = { fullName: `${object}.${need.field}`, label: label(need.field), type: spec.type };
  switch (spec.type) {
    case 'Text':
      return {
        ...base,
        length: spec.length,
        ...(spec.externalId ? { externalId: true, unique: true, caseSensitive: false } : {}),
      };
    case 'LongTextArea':
      return { ...base, length: spec.length, visibleLines: spec.visibleLines };
    case 'Number':
      return { ...base, precision: spec.precision, scale: spec.scale };
    case 'Checkbox':
      return { ...base, defaultValue: 'false' };
    case 'DateTime':
      return base;
    case 'Picklist':
      return {
        ...base,
        valueSet: {
          restricted: true,
          valueSetDefinition: { sorted: false, value: (spec.picklistValues ?? []).map(picklistValue) },
        },
      };
    case 'Lookup':
      return {
        ...base,
        referenceTo: spec.referenceTo,
        relationshipName: `${label(object).replace(/ /g, '_')}s`,
        relationshipLabel: `${label(object)}s`,
        deleteConstraint: 'SetNull',
      };
  }
}

function picklistValue(value: string): Metadata {
  return { fullName: value, default: false, label: value };
}

function asList<T>(value: T | T[] | undefined | null): T[] {
  if (value === undefined || value === null) return [];
  return Array.isArray(value) ? value : [value];
}

function succeeded(result: SaveResult): boolean {
  return result.success === true || result.success === 'true';
}

function failure(results: SaveResult[], what: string): CrmError | undefined {
  const failed = results.filter((r) => !succeeded(r));
  if (failed.length === 0) return undefined;
  const words = failed
    .map(
      (r) =>
        `${r.fullName ?? '?'}: ${asList(r.errors)
          .map((e) => `${e.message ?? ''} (${e.statusCode ?? '?'})`)
          .join('; ')}`,
    )
    .join(' | ');
  return new CrmError('rejected', `Salesforce Metadata API refused to ${what}: ${words}`);
}

function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

export async function applySalesforceChanges(
  access: SalesforceSchemaAccess,
  mapping: TenantMapping,
  changes: readonly SchemaChange[],
): Promise<{ steps: { done: string }[]; humanSteps: string[] }> {
  const { conn, session, http } = access;
  await session.ensureToken();
  const metadata = conn.metadata;
  const steps: { done: string }[] = [];
  const gridObject = mapping.grid.object;
  const objectOf = (role: keyof typeof ROLE_OBJECTS) => (role === 'grid' ? gridObject : ROLE_OBJECTS[role]);

  const create = async (
    type: 'CustomObject' | 'CustomField',
    items: Metadata[],
    what: string,
  ): Promise<void> => {
    for (const batch of chunks(items, METADATA_BATCH)) {
      const results = asList((await metadata.create(type, batch as never[])) as SaveResult | SaveResult[]);
      const error = failure(results, what);
      if (error) throw error;
    }
  };
  const existingFields = async (fullNames: string[]): Promise<Set<string>> => {
    const found = new Set<string>();
    for (const batch of chunks(fullNames, METADATA_BATCH)) {
      const records = asList((await metadata.read('CustomField', batch)) as Metadata | Metadata[]);
      for (const record of records) if (typeof record['fullName'] === 'string') found.add(record['fullName']);
    }
    return found;
  };

  // 1. The object, then the fields: created, or found invisible (then only granted).
  const objectChange = changes.find((c) => c.kind === 'create_object');
  const writesName = Object.keys(mapping.grid.fields).some((f) => f.toLowerCase() === 'name');
  if (objectChange) {
    await create(
      'CustomObject',
      [
        {
          fullName: gridObject,
          label: label(gridObject),
          pluralLabel: `${label(gridObject)}s`,
          nameField: writesName
            ? { type: 'Text', label: `${label(gridObject)} Name` }
            : {
                type: 'AutoNumber',
                label: `${label(gridObject)} Number`,
                displayFormat: 'SG-{000000}',
                startingNumber: 1,
              },
          deploymentStatus: 'Deployed',
          sharingModel: 'ReadWrite',
        },
      ],
      `create ${gridObject}`,
    );
    steps.push({
      done: `created the custom object ${gridObject} (Name: ${writesName ? 'Text' : 'Auto Number'})`,
    });
  }
  const wanted: { object: string; need: FieldRequirement }[] = [];
  if (objectChange?.kind === 'create_object') {
    for (const need of objectChange.fields) {
      if (need.field.toLowerCase() !== 'name') wanted.push({ object: gridObject, need });
    }
  }
  for (const change of changes) {
    if (change.kind === 'create_field') wanted.push({ object: objectOf(change.role), need: change.need });
  }
  const customOnly = wanted.filter(({ need }) => need.field.endsWith('__c'));
  const present = await existingFields(customOnly.map(({ object, need }) => `${object}.${need.field}`));
  const toCreate = customOnly.filter(({ object, need }) => !present.has(`${object}.${need.field}`));
  if (toCreate.length > 0) {
    await create(
      'CustomField',
      toCreate.map(({ object, need }) => customFieldMetadata(object, need)),
      'create fields',
    );
    steps.push({
      done: `created ${toCreate.length} field(s): ${toCreate.map(({ object, need }) => `${object}.${need.field}`).join(', ')}`,
    });
  }
  for (const { object, need } of customOnly) {
    if (present.has(`${object}.${need.field}`)) {
      steps.push({ done: `${object}.${need.field} already existed; granting access to it` });
    }
  }

  // 2. Picklist values appended (the current list is kept as it is).
  for (const change of changes) {
    if (change.kind !== 'add_options') continue;
    const fullName = `${objectOf(change.role)}.${change.field}`;
    const current = (await metadata.read('CustomField', fullName)) as Metadata;
    // Without the current list, an update would replace it: never send one then.
    if (typeof current['fullName'] !== 'string') {
      throw new CrmError(
        'rejected',
        `Salesforce did not return ${fullName} from readMetadata: its values were left as they are`,
      );
    }
    const valueSet = (current['valueSet'] ?? {}) as { valueSetDefinition?: { value?: unknown } };
    const values = asList(valueSet.valueSetDefinition?.value as Metadata | Metadata[] | undefined);
    const have = new Set(values.map((v) => String(v['fullName'])));
    const added = change.options.filter((o) => !have.has(o));
    if (added.length === 0) continue;
    const updated = {
      ...current,
      valueSet: {
        ...valueSet,
        valueSetDefinition: {
          ...valueSet.valueSetDefinition,
          value: [...values, ...added.map(picklistValue)],
        },
      },
    };
    const error = failure(
      asList((await metadata.update('CustomField', updated)) as SaveResult | SaveResult[]),
      `add values to ${fullName}`,
    );
    if (error) throw error;
    steps.push({ done: `added picklist value(s) ${added.join(', ')} to ${fullName}` });
  }

  // 3. Access: every custom field the mapping writes, and the grid object, through one permission set.
  const grantFields = mappingRequirements(mapping)
    .filter(
      (n) =>
        (n.purpose === 'write' || n.purpose === 'key' || n.purpose === 'lookup' || n.purpose === 'icp') &&
        n.field.endsWith('__c'),
    )
    .map((n) => `${objectOf(n.role)}.${n.field}`);
  const readOnly = new Set(
    mappingRequirements(mapping)
      .filter((n) => n.purpose === 'icp')
      .map((n) => `${objectOf(n.role)}.${n.field}`),
  );
  const current = (await metadata.read('PermissionSet', PERMISSION_SET)) as Metadata;
  const exists = typeof current['fullName'] === 'string';
  const fieldPermissions = new Map<string, Metadata>(
    asList(current['fieldPermissions'] as Metadata | Metadata[] | undefined).map((p) => [
      String(p['field']),
      p,
    ]),
  );
  for (const field of new Set(grantFields)) {
    const editable = !readOnly.has(field) || grantFields.filter((f) => f === field).length > 1;
    const had = fieldPermissions.get(field);
    // Never narrow: an existing edit grant stays an edit grant.
    const keepEdit = had !== undefined && (had['editable'] === true || had['editable'] === 'true');
    fieldPermissions.set(field, { field, readable: true, editable: editable || keepEdit });
  }
  const objectPermissions = new Map<string, Metadata>(
    asList(current['objectPermissions'] as Metadata | Metadata[] | undefined).map((p) => [
      String(p['object']),
      p,
    ]),
  );
  objectPermissions.set(gridObject, {
    object: gridObject,
    allowCreate: true,
    allowRead: true,
    allowEdit: true,
    allowDelete: false,
    viewAllRecords: false,
    modifyAllRecords: false,
  });
  const permissionSet = {
    fullName: PERMISSION_SET,
    label: 'gridsync integration',
    description: 'Created by gridsync mapping apply: what the integration user needs to sync Sales Grids.',
    objectPermissions: [...objectPermissions.values()],
    fieldPermissions: [...fieldPermissions.values()],
  };
  const saved = asList((await metadata.upsert('PermissionSet', permissionSet)) as SaveResult | SaveResult[]);
  const refused = failure(saved, `save the permission set ${PERMISSION_SET}`);
  if (refused) throw refused;
  steps.push({
    done: `${exists ? 'updated' : 'created'} the permission set ${PERMISSION_SET}: edit access to ${gridObject} and ${fieldPermissions.size} field(s)`,
  });

  // 4. Assigned to the integration user (the one whose token this is), once.
  const humanSteps: string[] = [];
  const identity = await http.send<{ user_id?: string }>({
    method: 'GET',
    path: '/services/oauth2/userinfo',
    context: 'read the integration user',
  });
  const [set] = await queryIds(
    access,
    `SELECT Id FROM PermissionSet WHERE Name = ${soqlString(PERMISSION_SET)}`,
  );
  if (identity.user_id && set) {
    const assigned = await queryIds(
      access,
      `SELECT Id FROM PermissionSetAssignment WHERE AssigneeId = ${soqlString(identity.user_id)} AND PermissionSetId = ${soqlString(set)}`,
    );
    if (assigned.length === 0) {
      try {
        await http.send({
          method: 'POST',
          path: '/sobjects/PermissionSetAssignment',
          body: { AssigneeId: identity.user_id, PermissionSetId: set },
          context: 'assign the permission set',
        });
        steps.push({ done: `assigned ${PERMISSION_SET} to the integration user ${identity.user_id}` });
      } catch (error) {
        if (!(error instanceof CrmError)) throw error;
        humanSteps.push(
          `assign the permission set "${PERMISSION_SET}" to the integration user in Setup → Users → Permission Set Assignments (Salesforce refused: ${error.message})`,
        );
      }
    }
  }
  humanSteps.push(
    `add the new fields to the page layouts of ${[...new Set(wanted.map((w) => w.object))].join(', ') || gridObject} (Setup → Object Manager → Page Layouts): the Metadata API creates fields but does not place them, so people do not see them until then`,
    `assign "${PERMISSION_SET}" (or a permission set of your own) to the AEs and RevOps users who should read grids, and add a ${label(gridObject)} related list to the Opportunity layout`,
  );
  if (objectChange) {
    humanSteps.push(
      `create a tab for ${gridObject} (Setup → Tabs) if people should browse grids; gridsync does not need one`,
    );
  }
  return { steps, humanSteps };
}

async function queryIds(access: SalesforceSchemaAccess, soql: string): Promise<string[]> {
  const page = await access.http.send<{ records?: { Id?: string }[] }>({
    method: 'GET',
    path: `/query?q=${encodeURIComponent(soql)}`,
    context: 'read the gridsync permission set',
  });
  return (page.records ?? []).flatMap((r) => (typeof r.Id === 'string' ? [r.Id] : []));
}
