/**
 * The Metadata API subset `mapping apply` uses, at `POST /services/Soap/m/{version}` (SOAP, as jsforce's
 * `conn.metadata` sends it and Salesforce's Postman "SOAP DescribeMetadata" shows): createMetadata,
 * updateMetadata, upsertMetadata and readMetadata for CustomObject, CustomField and PermissionSet, 10
 * components per call. What it creates changes the org: a new object or field exists but nobody may see it
 * (describe leaves it out, queries and writes call it "no such column") until a permission set grants it and
 * is assigned to the integration user, as in a real org.
 */
import type { FakeAnswer } from './fake-errors.ts';
import type { FakeOrg } from './fake-org.ts';
import type { FieldSpec, FieldType } from './fake-schema.ts';
import { child, childrenNamed, localName, parseXml, toPlain, toXml, type XmlElement } from './fake-xml.ts';

type Plain = Record<string, unknown>;
type SaveResult = {
  fullName: string;
  success: boolean;
  created?: boolean;
  errors?: { statusCode: string; message: string; fields?: string };
};

export const METADATA_BATCH_LIMIT = 10;

export interface MetadataCall {
  operation: string;
  type: string;
  fullNames: string[];
}

class MetadataRefusal extends Error {
  readonly statusCode: string;
  constructor(statusCode: string, message: string) {
    super(message);
    this.statusCode = statusCode;
  }
}

function envelope(body: string): string {
  return `<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns="http://soap.sforce.com/2006/04/metadata" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><soapenv:Body>${body}</soapenv:Body></soapenv:Envelope>`;
}

function fault(status: number, code: string, message: string): FakeAnswer {
  return {
    status,
    text: envelope(
      `<soapenv:Fault><faultcode>sf:${code}</faultcode><faultstring>${code}: ${message}</faultstring></soapenv:Fault>`,
    ),
  };
}

const asList = <T>(v: T | T[] | undefined): T[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);
const truthy = (v: unknown) => v === 'true' || v === true;
/** A leaf's text (the XML reader gives strings for leaves). */
const text = (v: unknown, fallback = ''): string => (typeof v === 'string' ? v : fallback);

/** Metadata API CustomField types → what describe reports. */
const FIELD_TYPES: Record<string, FieldType> = {
  Text: 'string',
  LongTextArea: 'textarea',
  Number: 'double',
  Checkbox: 'boolean',
  DateTime: 'datetime',
  Date: 'date',
  Picklist: 'picklist',
  MultiselectPicklist: 'multipicklist',
  Lookup: 'reference',
  Email: 'email',
  Url: 'url',
  Phone: 'phone',
};

function picklistValuesOf(field: Plain): string[] {
  const valueSet = field['valueSet'] as Plain | undefined;
  const definition = valueSet?.['valueSetDefinition'] as Plain | undefined;
  return asList(definition?.['value'] as Plain | Plain[] | undefined).map((v) => String(v['fullName']));
}

export class FakeMetadata {
  readonly calls: MetadataCall[] = [];
  readonly #org: FakeOrg;
  /** What was saved, by type and fullName, for readMetadata. */
  readonly #saved = new Map<string, Plain>();

  constructor(org: FakeOrg) {
    this.#org = org;
  }

  answer(text: string, acceptsSession: (token: string | undefined) => boolean): FakeAnswer {
    let root: XmlElement;
    try {
      root = parseXml(text);
    } catch (error) {
      return fault(500, 'INVALID_XML', String(error));
    }
    const env = root.children[0];
    const session = child(child(child(env, 'Header'), 'SessionHeader'), 'sessionId')?.text;
    if (!acceptsSession(session)) {
      return fault(500, 'INVALID_SESSION_ID', 'Invalid Session ID found in SessionHeader: Illegal Session');
    }
    const call = child(env, 'Body')?.children[0];
    if (call === undefined) return fault(500, 'INVALID_XML', 'no operation in the Body');
    const operation = localName(call);
    try {
      switch (operation) {
        case 'createMetadata':
        case 'updateMetadata':
        case 'upsertMetadata': {
          const items = childrenNamed(call, 'metadata');
          if (items.length > METADATA_BATCH_LIMIT) {
            return fault(
              500,
              'LIMIT_EXCEEDED',
              `Maximum size of request reached. Maximum size of request is ${METADATA_BATCH_LIMIT}.`,
            );
          }
          const results = items.map((item) => this.#save(operation, item));
          return { status: 200, text: envelope(toXml(`${operation}Response`, { result: results })) };
        }
        case 'readMetadata': {
          const type = child(call, 'type')?.text ?? '';
          const fullNames = childrenNamed(call, 'fullNames').map((f) => f.text);
          this.calls.push({ operation, type, fullNames });
          const records = fullNames
            .map((name) => {
              const saved = this.#saved.get(`${type}:${name.toLowerCase()}`) ?? this.#described(type, name);
              return saved === undefined
                ? `<records xsi:type="${type}"/>`
                : toXml('records', saved, ` xsi:type="${type}"`);
            })
            .join('');
          return {
            status: 200,
            text: envelope(`<readMetadataResponse><result>${records}</result></readMetadataResponse>`),
          };
        }
        default:
          return fault(500, 'UNKNOWN_EXCEPTION', `the stand-in does not serve ${operation}`);
      }
    } catch (error) {
      if (error instanceof MetadataRefusal) return fault(500, error.statusCode, error.message);
      throw error;
    }
  }

  #save(operation: string, item: XmlElement): SaveResult {
    const type = item.attributes['xsi:type'] ?? '';
    const data = toPlain(item) as Plain;
    const fullName = text(data['fullName']);
    this.calls.push({ operation, type, fullNames: [fullName] });
    const key = `${type}:${fullName.toLowerCase()}`;
    const exists = this.#exists(type, fullName);
    const refuse = (statusCode: string, message: string): SaveResult => ({
      fullName,
      success: false,
      errors: { statusCode, message },
    });
    if (operation === 'createMetadata' && exists) {
      return refuse(
        'DUPLICATE_DEVELOPER_NAME',
        `This ${type} already exists or has been previously used. Please choose a different name.`,
      );
    }
    if (operation === 'updateMetadata' && !exists) {
      return refuse('INVALID_CROSS_REFERENCE_KEY', `no ${type} named ${fullName} found`);
    }
    try {
      switch (type) {
        case 'CustomObject':
          this.#saveObject(data, exists);
          break;
        case 'CustomField':
          this.#saveField(data, exists);
          break;
        case 'PermissionSet':
          this.#savePermissionSet(data);
          break;
        default:
          return refuse('UNKNOWN_EXCEPTION', `the stand-in does not serve ${type}`);
      }
    } catch (error) {
      if (error instanceof MetadataRefusal) return refuse(error.statusCode, error.message);
      throw error;
    }
    this.#saved.set(key, { ...(this.#saved.get(key) ?? {}), ...data });
    return operation === 'upsertMetadata'
      ? { created: !exists, fullName, success: true }
      : { fullName, success: true };
  }

  /** A field an admin made by hand (not through this API) still reads back, from the org's schema. */
  #described(type: string, fullName: string): Plain | undefined {
    if (type !== 'CustomField') return undefined;
    const [objectName = '', fieldName = ''] = fullName.split('.');
    const field = this.#org.object(objectName)?.fields.get(fieldName.toLowerCase());
    if (field === undefined || !field.custom) return undefined;
    const metadataType = Object.entries(FIELD_TYPES).find(([, t]) => t === field.type)?.[0] ?? 'Text';
    return {
      fullName: `${objectName}.${field.name}`,
      label: field.label,
      type: metadataType,
      ...(field.type === 'string' || field.type === 'textarea' ? { length: field.length } : {}),
      ...(field.type === 'picklist' || field.type === 'multipicklist'
        ? {
            valueSet: {
              restricted: field.restrictedPicklist,
              valueSetDefinition: {
                sorted: false,
                value: field.picklistValues.map((v) => ({ fullName: v, default: false, label: v })),
              },
            },
          }
        : {}),
    };
  }

  #exists(type: string, fullName: string): boolean {
    if (type === 'CustomObject') return this.#org.object(fullName) !== undefined;
    if (type === 'CustomField') {
      const [objectName, fieldName] = fullName.split('.');
      return this.#org.object(objectName ?? '')?.fields.has((fieldName ?? '').toLowerCase()) ?? false;
    }
    if (type === 'PermissionSet') return this.#org.permissionSets.has(fullName);
    return false;
  }

  #saveObject(data: Plain, exists: boolean): void {
    const name = String(data['fullName']);
    if (exists) return; // label and sharing changes are not modelled
    if (!name.endsWith('__c')) {
      throw new MetadataRefusal('INVALID_NAME', `${name}: a custom object's name ends in __c`);
    }
    for (const key of ['label', 'pluralLabel', 'deploymentStatus', 'sharingModel', 'nameField']) {
      if (data[key] === undefined) {
        throw new MetadataRefusal('FIELD_INTEGRITY_EXCEPTION', `${key} is required`);
      }
    }
    const nameField = data['nameField'] as Plain;
    this.#org.addObject({
      name,
      label: text(data['label']),
      labelPlural: String(data['pluralLabel']),
      nameField: nameField['type'] === 'AutoNumber' ? 'autoNumber' : 'text',
      access: 'none',
    });
    for (const field of asList(data['fields'] as Plain | Plain[] | undefined)) {
      this.#saveField({ ...field, fullName: `${name}.${String(field['fullName'])}` }, false);
    }
  }

  #saveField(data: Plain, exists: boolean): void {
    const [objectName = '', fieldName = ''] = String(data['fullName']).split('.');
    const object = this.#org.object(objectName);
    if (object === undefined) {
      throw new MetadataRefusal('INVALID_CROSS_REFERENCE_KEY', `no CustomObject named ${objectName} found`);
    }
    const type = FIELD_TYPES[String(data['type'])];
    if (type === undefined) {
      throw new MetadataRefusal(
        'FIELD_INTEGRITY_EXCEPTION',
        `type ${String(data['type'])} is not one the stand-in knows`,
      );
    }
    if (exists) {
      const current = object.fields.get(fieldName.toLowerCase())!;
      if (current.type !== type) {
        throw new MetadataRefusal(
          'FIELD_INTEGRITY_EXCEPTION',
          `the stand-in does not change a field's type (${current.type} → ${type})`,
        );
      }
      const change: Partial<FieldSpec> = {};
      if (type === 'picklist' || type === 'multipicklist') change.picklistValues = picklistValuesOf(data);
      if (data['label'] !== undefined) change.label = text(data['label']);
      this.#org.changeField(objectName, fieldName, change);
      return;
    }
    if (!fieldName.endsWith('__c')) {
      throw new MetadataRefusal('INVALID_NAME', `${fieldName}: a custom field's name ends in __c`);
    }
    if (data['label'] === undefined) {
      throw new MetadataRefusal('FIELD_INTEGRITY_EXCEPTION', 'label is required');
    }
    const length = data['length'] === undefined ? undefined : Number(data['length']);
    if (type === 'string' && (length === undefined || length < 1 || length > 255)) {
      throw new MetadataRefusal('FIELD_INTEGRITY_EXCEPTION', 'Text fields need a length from 1 to 255');
    }
    if (
      type === 'textarea' &&
      (length === undefined || length < 256 || length > 131_072 || data['visibleLines'] === undefined)
    ) {
      throw new MetadataRefusal(
        'FIELD_INTEGRITY_EXCEPTION',
        'Long Text Area fields need a length from 256 to 131,072 and visibleLines',
      );
    }
    if (type === 'boolean' && data['defaultValue'] === undefined) {
      throw new MetadataRefusal('FIELD_INTEGRITY_EXCEPTION', 'Checkbox fields need a defaultValue');
    }
    if (
      type === 'reference' &&
      (typeof data['referenceTo'] !== 'string' || this.#org.object(data['referenceTo']) === undefined)
    ) {
      throw new MetadataRefusal(
        'FIELD_INTEGRITY_EXCEPTION',
        'Lookup fields need referenceTo naming an existing object',
      );
    }
    this.#org.addField(objectName, {
      name: fieldName,
      type,
      label: text(data['label']),
      ...(length === undefined ? {} : { length }),
      ...(type === 'picklist' || type === 'multipicklist'
        ? {
            picklistValues: picklistValuesOf(data),
            restrictedPicklist: truthy((data['valueSet'] as Plain | undefined)?.['restricted']),
          }
        : {}),
      ...(type === 'reference' ? { referenceTo: [String(data['referenceTo'])] } : {}),
      externalId: truthy(data['externalId']),
      unique: truthy(data['unique']),
      caseSensitive: truthy(data['caseSensitive']),
      // The Metadata API grants no field-level security: a permission set must.
      access: 'none',
    });
  }

  #savePermissionSet(data: Plain): void {
    const name = String(data['fullName']);
    let set = this.#org.permissionSets.get(name);
    if (set === undefined) {
      set = { name, label: text(data['label'], name), objects: new Map(), fields: new Map() };
      this.#org.permissionSets.set(name, set);
      this.#org.insertRecord('PermissionSet', { Name: name, Label: set.label });
    }
    // Entries named replace what the set had for them; entries not named stay (Metadata API semantics).
    for (const grant of asList(data['objectPermissions'] as Plain | Plain[] | undefined)) {
      const object = String(grant['object']);
      if (this.#org.object(object) === undefined) {
        throw new MetadataRefusal(
          'INVALID_CROSS_REFERENCE_KEY',
          `In field: object - no CustomObject named ${object} found`,
        );
      }
      set.objects.set(this.#org.object(object)!.name, {
        read: truthy(grant['allowRead']),
        edit: truthy(grant['allowEdit']),
      });
    }
    for (const grant of asList(data['fieldPermissions'] as Plain | Plain[] | undefined)) {
      const [objectName = '', fieldName = ''] = String(grant['field']).split('.');
      const object = this.#org.object(objectName);
      const field = object?.fields.get(fieldName.toLowerCase());
      if (object === undefined || field === undefined) {
        throw new MetadataRefusal(
          'INVALID_CROSS_REFERENCE_KEY',
          `In field: field - no CustomField named ${String(grant['field'])} found`,
        );
      }
      set.fields.set(`${object.name}.${field.name}`, {
        read: truthy(grant['readable']),
        edit: truthy(grant['editable']),
      });
    }
  }
}
