/**
 * The fake org's schema: objects and their fields as describe reports them, plus what the integration user
 * may do with each (field-level security). A field the user cannot see is absent from describe and "no such
 * column" to queries and writes, as in a real org; the Metadata API creates fields that nobody can see until
 * a permission set grants them.
 */

/** Salesforce's describe `type` values the fake knows. */
export type FieldType =
  | 'id'
  | 'string'
  | 'textarea'
  | 'email'
  | 'url'
  | 'phone'
  | 'picklist'
  | 'multipicklist'
  | 'boolean'
  | 'double'
  | 'int'
  | 'currency'
  | 'percent'
  | 'date'
  | 'datetime'
  | 'reference';

/** What the integration user may do with a field or object. */
export type Access = 'edit' | 'read' | 'none';

export interface FieldSpec {
  name: string;
  type: FieldType;
  label?: string;
  /** Characters for text types (Text 255 by default, a Long Text Area 32,768). */
  length?: number;
  precision?: number;
  scale?: number;
  picklistValues?: string[];
  /** A restricted picklist refuses values outside its list. @default true */
  restrictedPicklist?: boolean;
  referenceTo?: string[];
  relationshipName?: string;
  externalId?: boolean;
  unique?: boolean;
  caseSensitive?: boolean;
  /** Required on create (nillable false, not defaulted). @default false */
  required?: boolean;
  /** Set by Salesforce (Id, CreatedDate, formula fields): never createable or updateable. */
  system?: boolean;
  autoNumber?: boolean;
  /** The integration user's field-level security. @default 'edit' ('read' for system fields) */
  access?: Access;
}

export interface FakeField {
  name: string;
  label: string;
  type: FieldType;
  length: number;
  precision: number;
  scale: number;
  custom: boolean;
  picklistValues: string[];
  restrictedPicklist: boolean;
  referenceTo: string[];
  relationshipName: string | null;
  externalId: boolean;
  unique: boolean;
  caseSensitive: boolean;
  required: boolean;
  system: boolean;
  autoNumber: boolean;
  /** Access granted without any permission set (the user's profile). */
  baseAccess: Access;
}

export interface ObjectSpec {
  name: string;
  label?: string;
  labelPlural?: string;
  keyPrefix?: string;
  /** The Name field's kind: custom objects made for gridsync number their records. @default 'autoNumber' */
  nameField?: 'text' | 'autoNumber' | 'none';
  fields?: FieldSpec[];
  /** Whether the integration user may read and edit the object without a permission set. @default 'edit' */
  access?: Access;
}

export interface FakeObject {
  name: string;
  label: string;
  labelPlural: string;
  custom: boolean;
  keyPrefix: string;
  baseAccess: Access;
  /** Lower-cased name → field: Salesforce names are case-insensitive. */
  fields: Map<string, FakeField>;
}

const TEXT_TYPES = new Set<FieldType>(['string', 'textarea', 'email', 'url', 'phone', 'picklist']);

function defaultLength(type: FieldType): number {
  switch (type) {
    case 'id':
    case 'reference':
      return 18;
    case 'textarea':
      return 32_768;
    case 'email':
    case 'picklist':
    case 'url':
    case 'string':
      return 255;
    case 'phone':
      return 40;
    case 'multipicklist':
      return 4_099;
    default:
      return 0;
  }
}

export function buildField(spec: FieldSpec): FakeField {
  const system = spec.system ?? false;
  return {
    name: spec.name,
    label: spec.label ?? spec.name.replace(/__c$/, '').replace(/_/g, ' '),
    type: spec.type,
    length: spec.length ?? defaultLength(spec.type),
    precision: spec.precision ?? (spec.type === 'double' || spec.type === 'currency' ? 18 : 0),
    scale: spec.scale ?? 0,
    custom: spec.name.endsWith('__c'),
    picklistValues: spec.picklistValues ?? [],
    restrictedPicklist: spec.restrictedPicklist ?? true,
    referenceTo: spec.referenceTo ?? [],
    relationshipName:
      spec.relationshipName ??
      (spec.type === 'reference'
        ? spec.name.endsWith('__c')
          ? spec.name.replace(/__c$/, '__r')
          : spec.name.replace(/Id$/, '')
        : null),
    externalId: spec.externalId ?? false,
    unique: spec.unique ?? false,
    caseSensitive: spec.caseSensitive ?? false,
    required: spec.required ?? false,
    system,
    autoNumber: spec.autoNumber ?? false,
    baseAccess: spec.access ?? (system ? 'read' : 'edit'),
  };
}

export function isTextType(type: FieldType): boolean {
  return TEXT_TYPES.has(type);
}

/** Fields every object has, set by Salesforce. */
function systemFields(nameField: ObjectSpec['nameField']): FieldSpec[] {
  const fields: FieldSpec[] = [
    { name: 'Id', type: 'id', system: true, label: 'Record ID' },
    { name: 'IsDeleted', type: 'boolean', system: true },
    { name: 'CreatedDate', type: 'datetime', system: true },
    { name: 'CreatedById', type: 'reference', referenceTo: ['User'], system: true },
    { name: 'LastModifiedDate', type: 'datetime', system: true },
    { name: 'SystemModstamp', type: 'datetime', system: true },
  ];
  if (nameField === 'autoNumber') {
    fields.push({ name: 'Name', type: 'string', length: 80, autoNumber: true, system: true });
  }
  if (nameField === 'text') fields.push({ name: 'Name', type: 'string', length: 80, required: true });
  return fields;
}

let prefixSerial = 0;

export function buildObject(spec: ObjectSpec): FakeObject {
  const custom = spec.name.endsWith('__c');
  const nameField = spec.nameField ?? (custom ? 'autoNumber' : 'text');
  const object: FakeObject = {
    name: spec.name,
    label: spec.label ?? spec.name.replace(/__c$/, '').replace(/_/g, ' '),
    labelPlural: spec.labelPlural ?? `${spec.label ?? spec.name.replace(/__c$/, '').replace(/_/g, ' ')}s`,
    custom,
    keyPrefix: spec.keyPrefix ?? `a0${String.fromCharCode(65 + (prefixSerial++ % 26))}`,
    baseAccess: spec.access ?? 'edit',
    fields: new Map(),
  };
  // Custom objects are owned by a user (sharing model other than Controlled by Parent), like Accounts.
  const owner: FieldSpec[] = custom
    ? [{ name: 'OwnerId', type: 'reference', referenceTo: ['User'], relationshipName: 'Owner' }]
    : [];
  for (const field of [...systemFields(nameField), ...owner, ...(spec.fields ?? [])]) {
    object.fields.set(field.name.toLowerCase(), buildField(field));
  }
  return object;
}
