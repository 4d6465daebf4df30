/**
 * The HubSpot stand-in's schema side, on the 2026-03 paths: custom object schemas (list, read, create,
 * association definitions), properties (list, read, create, PATCH of options), property groups and
 * association labels. Standard objects start with the properties every portal has; a property created with
 * hasUniqueValue becomes an idProperty the records routes accept (FakeStore.addUniqueProperty).
 * Shapes follow HubSpot's API reference (crm-object-schemas and crm/properties, 2026-03).
 */
import { type FakeAnswer, refuse } from './fake-answers.ts';
import type { FakeStore } from './fake-store.ts';

export interface FakeProperty {
  name: string;
  label: string;
  type: string;
  fieldType: string;
  groupName: string;
  options: { label: string; value: string; displayOrder: number; hidden: boolean }[];
  hasUniqueValue: boolean;
  calculated: boolean;
  hubspotDefined: boolean;
  modificationMetadata: {
    archivable: boolean;
    readOnlyDefinition: boolean;
    readOnlyValue: boolean;
    readOnlyOptions: boolean;
  };
}

export interface FakeSchema {
  id: string;
  objectTypeId: string;
  name: string;
  fullyQualifiedName: string;
  labels: { singular: string; plural: string };
  primaryDisplayProperty: string;
  secondaryDisplayProperties: string[];
  searchableProperties: string[];
  requiredProperties: string[];
  associations: { id: string; fromObjectTypeId: string; toObjectTypeId: string; name: string }[];
}

const TYPE_IDS: Record<string, string> = { contacts: '0-1', companies: '0-2', deals: '0-3', tasks: '0-27' };
const TYPES = ['string', 'number', 'bool', 'date', 'datetime', 'enumeration', 'phone_number'];
const FIELD_TYPES: Record<string, string[]> = {
  string: ['text', 'textarea', 'html', 'file'],
  number: ['number', 'calculation_equation'],
  bool: ['booleancheckbox', 'calculation_equation'],
  date: ['date'],
  datetime: ['date'],
  enumeration: ['select', 'radio', 'checkbox', 'booleancheckbox'],
  phone_number: ['phonenumber'],
};
const PORTAL_ID = 4_400_001;

function property(
  spec: Partial<FakeProperty> & { name: string; type: string; fieldType: string },
): FakeProperty {
  return {
    label: spec.name,
    groupName: 'information',
    options: [],
    hasUniqueValue: false,
    calculated: false,
    hubspotDefined: false,
    ...spec,
    modificationMetadata: {
      archivable: true,
      readOnlyDefinition: spec.hubspotDefined ?? false,
      readOnlyValue: false,
      readOnlyOptions: false,
      ...spec.modificationMetadata,
    },
  };
}

const options = (...values: string[]) =>
  values.map((value, displayOrder) => ({ label: value, value, displayOrder, hidden: false }));

function standardProperties(): Map<string, FakeProperty[]> {
  const builtIn = (name: string, type: string, fieldType: string, extra: Partial<FakeProperty> = {}) =>
    property({ name, type, fieldType, hubspotDefined: true, ...extra });
  return new Map([
    [
      'companies',
      [
        builtIn('name', 'string', 'text'),
        builtIn('domain', 'string', 'text'),
        builtIn('industry', 'enumeration', 'select', {
          options: options('COMPUTER_SOFTWARE', 'BANKING', 'FINANCIAL_SERVICES', 'INTERNET', 'INSURANCE'),
        }),
        builtIn('numberofemployees', 'number', 'number'),
        builtIn('country', 'string', 'text'),
        builtIn('hubspot_owner_id', 'enumeration', 'select'),
        builtIn('hs_object_id', 'number', 'number', {
          hasUniqueValue: true,
          modificationMetadata: {
            archivable: false,
            readOnlyDefinition: true,
            readOnlyValue: true,
            readOnlyOptions: true,
          },
        }),
      ],
    ],
    [
      'deals',
      [
        builtIn('dealname', 'string', 'text'),
        builtIn('dealstage', 'enumeration', 'radio', {
          options: options('appointmentscheduled', 'closedwon', 'closedlost'),
        }),
        builtIn('amount', 'number', 'number'),
        builtIn('hubspot_owner_id', 'enumeration', 'select'),
      ],
    ],
    [
      'contacts',
      [
        builtIn('email', 'string', 'text', { hasUniqueValue: true }),
        builtIn('firstname', 'string', 'text'),
        builtIn('lastname', 'string', 'text'),
      ],
    ],
  ]);
}

export class FakeSchemas {
  readonly schemas: FakeSchema[] = [];
  /** objectTypeId (or standard name) → properties. */
  readonly properties = standardProperties();
  readonly groups = new Map<string, Set<string>>();
  readonly #store: FakeStore;
  #nextObject = 1;
  #nextAssociation = 100;

  constructor(store: FakeStore) {
    this.#store = store;
  }

  /** The key properties are stored under: a standard name, or a custom object's objectTypeId. */
  resolve(objectType: string): string | undefined {
    const lower = objectType.toLowerCase();
    if (this.properties.has(lower) && !lower.startsWith('2-')) return lower;
    const byId = Object.entries(TYPE_IDS).find(([, id]) => id === objectType)?.[0];
    if (byId !== undefined) return byId;
    const schema = this.schemas.find((s) =>
      [s.objectTypeId, s.fullyQualifiedName.toLowerCase(), `p_${s.name}`].includes(lower),
    );
    return schema?.objectTypeId;
  }

  /** Every name records of this type are written under (so a unique property works whichever is used). */
  #aliases(key: string): string[] {
    const schema = this.schemas.find((s) => s.objectTypeId === key);
    return schema ? [schema.objectTypeId, schema.fullyQualifiedName, `p_${schema.name}`] : [key];
  }

  #addProperty(key: string, prop: FakeProperty): void {
    this.properties.set(key, [...(this.properties.get(key) ?? []), prop]);
    if (prop.hasUniqueValue) {
      for (const alias of this.#aliases(key)) this.#store.addUniqueProperty(alias, prop.name);
    }
  }

  /** Test set-up: a property as an admin would create it. */
  addProperty(
    objectType: string,
    spec: Partial<FakeProperty> & { name: string; type: string; fieldType: string },
  ): void {
    const key = this.resolve(objectType);
    if (key === undefined) throw new Error(`fake HubSpot: no object ${objectType}`);
    this.#addProperty(key, property(spec));
  }

  /** An admin deleted (archived) a property. */
  archiveProperty(objectType: string, name: string): void {
    const key = this.resolve(objectType);
    if (key === undefined) return;
    this.properties.set(
      key,
      (this.properties.get(key) ?? []).filter((p) => p.name !== name),
    );
  }

  #validate(body: Record<string, unknown>, requireGroup: boolean): FakeAnswer | FakeProperty {
    const { name, label, type, fieldType, groupName } = body;
    if (typeof name !== 'string' || !/^[a-z][a-z0-9_]*$/.test(name) || typeof label !== 'string') {
      return refuse(400, 'VALIDATION_ERROR', 'A property needs a lower-case name and a label');
    }
    if (
      typeof type !== 'string' ||
      !TYPES.includes(type) ||
      typeof fieldType !== 'string' ||
      !FIELD_TYPES[type]?.includes(fieldType)
    ) {
      return refuse(
        400,
        'VALIDATION_ERROR',
        `Invalid type/fieldType ${String(type)}/${String(fieldType)} for property ${name}`,
      );
    }
    if (requireGroup && typeof groupName !== 'string') {
      return refuse(400, 'VALIDATION_ERROR', 'groupName is required');
    }
    const opts = Array.isArray(body['options']) ? (body['options'] as FakeProperty['options']) : [];
    if (type === 'enumeration' && opts.length === 0) {
      return refuse(400, 'VALIDATION_ERROR', `Enumeration property ${name} needs options`);
    }
    return property({
      name,
      label,
      type,
      fieldType,
      groupName: typeof groupName === 'string' ? groupName : 'information',
      options: opts,
      hasUniqueValue: body['hasUniqueValue'] === true,
    });
  }

  listSchemas(): FakeAnswer {
    return { status: 200, body: { results: this.schemas.map((s) => this.#schemaBody(s)) } };
  }

  getSchema(objectType: string): FakeAnswer {
    const key = this.resolve(objectType);
    const schema = this.schemas.find((s) => s.objectTypeId === key);
    return schema
      ? { status: 200, body: this.#schemaBody(schema) }
      : refuse(404, 'OBJECT_NOT_FOUND', `Unable to find object type ${objectType}`);
  }

  #schemaBody(schema: FakeSchema) {
    return { ...schema, properties: this.properties.get(schema.objectTypeId) ?? [] };
  }

  createSchema(body: unknown): FakeAnswer {
    const b = (body ?? {}) as Record<string, unknown>;
    const name = b['name'];
    const labels = b['labels'] as { singular?: unknown; plural?: unknown } | undefined;
    if (
      typeof name !== 'string' ||
      !/^[A-Za-z][A-Za-z0-9_]*$/.test(name) ||
      typeof labels?.singular !== 'string' ||
      typeof labels.plural !== 'string'
    ) {
      return refuse(400, 'VALIDATION_ERROR', 'A schema needs a name and labels.singular / labels.plural');
    }
    if (this.schemas.some((s) => s.name === name)) {
      return refuse(409, 'OBJECT_ALREADY_EXISTS', `An object with name ${name} already exists`);
    }
    const props: FakeProperty[] = [];
    for (const raw of Array.isArray(b['properties']) ? (b['properties'] as Record<string, unknown>[]) : []) {
      const checked = this.#validate({ groupName: `${name}_information`, ...raw }, false);
      if ('status' in checked) return checked;
      props.push(checked);
    }
    const names = new Set(props.map((p) => p.name));
    const required = Array.isArray(b['requiredProperties']) ? (b['requiredProperties'] as string[]) : [];
    const searchable = Array.isArray(b['searchableProperties'])
      ? (b['searchableProperties'] as string[])
      : [];
    const primary = typeof b['primaryDisplayProperty'] === 'string' ? b['primaryDisplayProperty'] : undefined;
    for (const ref of [...required, ...searchable, ...(primary ? [primary] : [])]) {
      if (!names.has(ref)) {
        return refuse(400, 'VALIDATION_ERROR', `Property ${ref} is not defined in properties`);
      }
    }
    const serial = this.#nextObject++;
    const objectTypeId = `2-${1000 + serial}`;
    const schema: FakeSchema = {
      id: String(1000 + serial),
      objectTypeId,
      name,
      fullyQualifiedName: `p${PORTAL_ID}_${name}`,
      labels: { singular: labels.singular, plural: labels.plural },
      primaryDisplayProperty: primary ?? props[0]?.name ?? 'hs_object_id',
      secondaryDisplayProperties: Array.isArray(b['secondaryDisplayProperties'])
        ? (b['secondaryDisplayProperties'] as string[])
        : [],
      searchableProperties: searchable,
      requiredProperties: required,
      associations: [],
    };
    this.schemas.push(schema);
    this.properties.set(objectTypeId, []);
    for (const prop of props) this.#addProperty(objectTypeId, prop);
    for (const target of Array.isArray(b['associatedObjects']) ? (b['associatedObjects'] as string[]) : []) {
      const to = TYPE_IDS[`${target.toLowerCase()}s`] ?? TYPE_IDS[target.toLowerCase().replace(/y$/, 'ies')];
      if (to !== undefined) this.#associate(schema, to, `${name}_to_${target.toLowerCase()}`);
    }
    return { status: 201, body: this.#schemaBody(schema) };
  }

  #associate(schema: FakeSchema, to: string, name: string) {
    const association = {
      id: String(this.#nextAssociation++),
      fromObjectTypeId: schema.objectTypeId,
      toObjectTypeId: to,
      name,
    };
    schema.associations.push(association);
    return association;
  }

  createAssociation(objectType: string, body: unknown): FakeAnswer {
    const schema = this.schemas.find((s) => s.objectTypeId === this.resolve(objectType));
    if (schema === undefined) {
      return refuse(404, 'OBJECT_NOT_FOUND', `Unable to find object type ${objectType}`);
    }
    const b = (body ?? {}) as { fromObjectTypeId?: unknown; toObjectTypeId?: unknown; name?: unknown };
    const to =
      typeof b.toObjectTypeId === 'string' ? (TYPE_IDS[b.toObjectTypeId] ?? b.toObjectTypeId) : undefined;
    if (b.fromObjectTypeId !== schema.objectTypeId || to === undefined || typeof b.name !== 'string') {
      return refuse(
        400,
        'VALIDATION_ERROR',
        'fromObjectTypeId (the schema), toObjectTypeId and name are required',
      );
    }
    if (schema.associations.some((a) => a.toObjectTypeId === to && a.name === b.name)) {
      return refuse(409, 'OBJECT_ALREADY_EXISTS', `Association ${b.name} already exists`);
    }
    return { status: 201, body: this.#associate(schema, to, b.name) };
  }

  associationLabels(from: string, to: string): FakeAnswer {
    const schema = this.schemas.find((s) => s.objectTypeId === this.resolve(from));
    const toId = TYPE_IDS[to] ?? to;
    const results = (schema?.associations ?? [])
      .filter((a) => a.toObjectTypeId === toId)
      .map((a) => ({ category: 'USER_DEFINED', typeId: Number(a.id), label: null }));
    return { status: 200, body: { results } };
  }

  listProperties(objectType: string): FakeAnswer {
    const key = this.resolve(objectType);
    if (key === undefined) {
      return refuse(400, 'VALIDATION_ERROR', `Unable to infer object type from: ${objectType}`);
    }
    return { status: 200, body: { results: this.properties.get(key) ?? [] } };
  }

  getProperty(objectType: string, name: string): FakeAnswer {
    const prop = this.#find(objectType, name);
    return prop
      ? { status: 200, body: prop }
      : refuse(404, 'OBJECT_NOT_FOUND', `Property ${name} does not exist`);
  }

  #find(objectType: string, name: string): FakeProperty | undefined {
    const key = this.resolve(objectType);
    return key === undefined ? undefined : this.properties.get(key)?.find((p) => p.name === name);
  }

  createProperty(objectType: string, body: unknown): FakeAnswer {
    const key = this.resolve(objectType);
    if (key === undefined) {
      return refuse(400, 'VALIDATION_ERROR', `Unable to infer object type from: ${objectType}`);
    }
    const checked = this.#validate((body ?? {}) as Record<string, unknown>, true);
    if ('status' in checked) return checked;
    if (this.#find(key, checked.name)) {
      return refuse(409, 'OBJECT_ALREADY_EXISTS', `A property named '${checked.name}' already exists.`);
    }
    if (!this.groups.get(key)?.has(checked.groupName) && !checked.groupName.endsWith('information')) {
      return refuse(400, 'VALIDATION_ERROR', `Property group ${checked.groupName} does not exist`);
    }
    this.#addProperty(key, checked);
    return { status: 201, body: checked };
  }

  /** PATCH replaces what it names; `options` is replaced as a whole, as HubSpot does. */
  updateProperty(objectType: string, name: string, body: unknown): FakeAnswer {
    const prop = this.#find(objectType, name);
    if (prop === undefined) return refuse(404, 'OBJECT_NOT_FOUND', `Property ${name} does not exist`);
    const b = (body ?? {}) as Partial<FakeProperty>;
    if (b.type !== undefined && b.type !== prop.type) {
      return refuse(400, 'VALIDATION_ERROR', 'type changes are not part of this stand-in');
    }
    if (Array.isArray(b.options)) prop.options = b.options;
    if (typeof b.label === 'string') prop.label = b.label;
    return { status: 200, body: prop };
  }

  createGroup(objectType: string, body: unknown): FakeAnswer {
    const key = this.resolve(objectType);
    const name = (body as { name?: unknown } | undefined)?.name;
    if (key === undefined || typeof name !== 'string') {
      return refuse(400, 'VALIDATION_ERROR', 'A group needs a name');
    }
    const groups = this.groups.get(key) ?? new Set<string>();
    if (groups.has(name)) {
      return refuse(409, 'OBJECT_ALREADY_EXISTS', `A group named '${name}' already exists.`);
    }
    groups.add(name);
    this.groups.set(key, groups);
    return {
      status: 201,
      body: { name, label: (body as { label?: string }).label ?? name, displayOrder: -1, archived: false },
    };
  }
}

/** Route table entries for the server, on the date-versioned paths. */
export function schemaRoutes(
  schemas: FakeSchemas,
): [string, RegExp, (m: RegExpMatchArray, body: unknown) => FakeAnswer][] {
  const d = (s: string) => decodeURIComponent(s);
  return [
    ['GET', /^\/crm-object-schemas\/2026-03\/schemas$/, () => schemas.listSchemas()],
    ['POST', /^\/crm-object-schemas\/2026-03\/schemas$/, (_m, b) => schemas.createSchema(b)],
    ['GET', /^\/crm-object-schemas\/2026-03\/schemas\/([^/]+)$/, (m) => schemas.getSchema(d(m[1]!))],
    [
      'POST',
      /^\/crm-object-schemas\/2026-03\/schemas\/([^/]+)\/associations$/,
      (m, b) => schemas.createAssociation(d(m[1]!), b),
    ],
    [
      'GET',
      /^\/crm\/associations\/2026-03\/([^/]+)\/([^/]+)\/labels$/,
      (m) => schemas.associationLabels(d(m[1]!), d(m[2]!)),
    ],
    ['POST', /^\/crm\/properties\/2026-03\/([^/]+)\/groups$/, (m, b) => schemas.createGroup(d(m[1]!), b)],
    ['GET', /^\/crm\/properties\/2026-03\/([^/]+)$/, (m) => schemas.listProperties(d(m[1]!))],
    ['POST', /^\/crm\/properties\/2026-03\/([^/]+)$/, (m, b) => schemas.createProperty(d(m[1]!), b)],
    ['GET', /^\/crm\/properties\/2026-03\/([^/]+)\/([^/]+)$/, (m) => schemas.getProperty(d(m[1]!), d(m[2]!))],
    [
      'PATCH',
      /^\/crm\/properties\/2026-03\/([^/]+)\/([^/]+)$/,
      (m, b) => schemas.updateProperty(d(m[1]!), d(m[2]!), b),
    ],
  ];
}
