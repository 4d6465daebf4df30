/**
 * The fake org's state: objects, fields, records, permission sets and the integration user. Writes obey the
 * rules a real org enforces on the fields it describes (visibility, createable/updateable, lengths,
 * restricted picklists, unique and External ID fields, required fields, lookups to the right object), so
 * a mapping that does not fit the org fails here the way it would in Salesforce.
 */
import { deriveFields } from './fake-derived-fields.ts';
import { RecordRefusal, RequestRefusal, noSuchColumn, unsupportedType } from './fake-errors.ts';
import { id15, isIdShaped, recordId } from './fake-ids.ts';
import {
  type Access,
  buildField,
  buildObject,
  type FakeField,
  type FakeObject,
  type FieldSpec,
  type ObjectSpec,
} from './fake-schema.ts';
import { STANDARD_OBJECTS } from './fake-standard-objects.ts';
import { coerceValue, type StoredValue } from './fake-values.ts';

export interface FakeRecord {
  id: string;
  object: string;
  values: Record<string, StoredValue>;
  deleted: boolean;
}

/** What a permission set grants, keyed `Object` and `Object.Field` (as the Metadata API names them). */
export interface FakePermissionSet {
  name: string;
  label: string;
  objects: Map<string, { read: boolean; edit: boolean }>;
  fields: Map<string, { read: boolean; edit: boolean }>;
}

export type FieldView = FakeField & { access: Access };

export type WriteInput = Record<string, unknown>;

const RANK: Record<Access, number> = { none: 0, read: 1, edit: 2 };

function stronger(a: Access, b: Access): Access {
  return RANK[a] >= RANK[b] ? a : b;
}

export class FakeOrg {
  readonly objects = new Map<string, FakeObject>();
  readonly permissionSets = new Map<string, FakePermissionSet>();
  readonly #records = new Map<string, FakeRecord>();
  #serial = 1;
  #clock = 0;
  readonly integrationUserId: string;
  readonly orgId = '00D5g00000000001AAA'.slice(0, 15) + 'AAA';

  constructor() {
    for (const spec of STANDARD_OBJECTS) this.addObject(spec);
    this.integrationUserId = this.insertRecord('User', {
      Name: 'Gridsync Integration',
      Username: 'gridsync@acme.example',
      Email: 'gridsync@acme.example',
      IsActive: true,
    });
  }

  // ── schema ────────────────────────────────────────────────────────────────────────────────────────────

  addObject(spec: ObjectSpec): FakeObject {
    const object = buildObject(spec);
    this.objects.set(spec.name.toLowerCase(), object);
    return object;
  }

  /** The object as stored, visible or not. */
  object(name: string): FakeObject | undefined {
    return this.objects.get(name.toLowerCase());
  }

  addField(objectName: string, spec: FieldSpec): FakeField {
    const object = this.#mustExist(objectName);
    const field = buildField(spec);
    object.fields.set(spec.name.toLowerCase(), field);
    return field;
  }

  /** A field deleted by an admin: gone from describe, queries and writes; stored values are dropped. */
  removeField(objectName: string, fieldName: string): void {
    const object = this.#mustExist(objectName);
    const field = object.fields.get(fieldName.toLowerCase());
    object.fields.delete(fieldName.toLowerCase());
    if (field === undefined) return;
    for (const record of this.#records.values()) {
      if (record.object === object.name) delete record.values[field.name];
    }
  }

  /** Changes a field in place (a type change, a picklist value removed, access revoked). */
  changeField(objectName: string, fieldName: string, change: Partial<FieldSpec>): FakeField {
    const object = this.#mustExist(objectName);
    const current = object.fields.get(fieldName.toLowerCase());
    if (current === undefined) throw new Error(`fake org: no field ${objectName}.${fieldName}`);
    const next = buildField({
      name: current.name,
      type: current.type,
      label: current.label,
      length: current.length,
      picklistValues: current.picklistValues,
      restrictedPicklist: current.restrictedPicklist,
      referenceTo: current.referenceTo,
      externalId: current.externalId,
      unique: current.unique,
      caseSensitive: current.caseSensitive,
      required: current.required,
      system: current.system,
      autoNumber: current.autoNumber,
      access: current.baseAccess,
      ...(current.relationshipName === null ? {} : { relationshipName: current.relationshipName }),
      ...change,
    });
    object.fields.set(fieldName.toLowerCase(), next);
    return next;
  }

  #mustExist(name: string): FakeObject {
    const object = this.object(name);
    if (object === undefined) throw new Error(`fake org: no object ${name}`);
    return object;
  }

  // ── what the integration user sees ────────────────────────────────────────────────────────────────────

  #assignedSets(): FakePermissionSet[] {
    const assigned: FakePermissionSet[] = [];
    for (const record of this.#records.values()) {
      if (record.object !== 'PermissionSetAssignment' || record.deleted) continue;
      if (id15(String(record.values['AssigneeId'])) !== id15(this.integrationUserId)) continue;
      const set = this.#records.get(id15(String(record.values['PermissionSetId'])));
      const permissions = set && this.permissionSets.get(String(set.values['Name']));
      if (permissions) assigned.push(permissions);
    }
    return assigned;
  }

  objectAccess(object: FakeObject): Access {
    let access = object.baseAccess;
    for (const set of this.#assignedSets()) {
      const grant = set.objects.get(object.name);
      if (grant) access = stronger(access, grant.edit ? 'edit' : grant.read ? 'read' : 'none');
    }
    return access;
  }

  /** The object when the integration user can see it. */
  visibleObject(name: string): FakeObject | undefined {
    const object = this.object(name);
    return object !== undefined && this.objectAccess(object) !== 'none' ? object : undefined;
  }

  fieldAccess(object: FakeObject, field: FakeField): Access {
    if (field.required || field.name === 'Id') return field.system ? 'read' : 'edit';
    let access = field.baseAccess;
    for (const set of this.#assignedSets()) {
      const grant = set.fields.get(`${object.name}.${field.name}`);
      if (grant) access = stronger(access, grant.edit ? 'edit' : grant.read ? 'read' : 'none');
    }
    if (field.system || field.autoNumber) access = access === 'none' ? 'none' : 'read';
    return this.objectAccess(object) === 'read' && access === 'edit' ? 'read' : access;
  }

  visibleFields(object: FakeObject): FieldView[] {
    return [...object.fields.values()]
      .map((field) => ({ ...field, access: this.fieldAccess(object, field) }))
      .filter((field) => field.access !== 'none');
  }

  visibleField(object: FakeObject, name: string): FieldView | undefined {
    const field = object.fields.get(name.toLowerCase());
    if (field === undefined) return undefined;
    const access = this.fieldAccess(object, field);
    return access === 'none' ? undefined : { ...field, access };
  }

  // ── records ───────────────────────────────────────────────────────────────────────────────────────────

  get(id: string): FakeRecord | undefined {
    return isIdShaped(id) ? this.#records.get(id15(id)) : undefined;
  }

  records(objectName: string): FakeRecord[] {
    const object = this.object(objectName);
    return [...this.#records.values()].filter((r) => r.object === object?.name && !r.deleted);
  }

  #now(): string {
    // Strictly increasing, so ORDER BY CreatedDate is the creation order even within one millisecond.
    this.#clock = Math.max(this.#clock + 1, Date.now());
    return new Date(this.#clock).toISOString().replace('Z', '+0000');
  }

  /** Test set-up: stores a record without the integration user's checks. Returns its id. */
  insertRecord(objectName: string, values: Record<string, StoredValue>): string {
    const object = this.#mustExist(objectName);
    const id = recordId(object.keyPrefix, this.#serial++);
    const now = this.#now();
    const stored: Record<string, StoredValue> = {};
    for (const [key, value] of Object.entries(values)) {
      stored[object.fields.get(key.toLowerCase())?.name ?? key] = value;
    }
    deriveFields(object.name, stored);
    const owner = object.fields.has('ownerid') && stored['OwnerId'] === undefined;
    this.#records.set(id15(id), {
      id,
      object: object.name,
      deleted: false,
      values: {
        ...stored,
        Id: id,
        CreatedDate: now,
        LastModifiedDate: now,
        SystemModstamp: now,
        IsDeleted: false,
        ...(owner ? { OwnerId: this.integrationUserId ?? null } : {}),
        ...(object.fields.get('name')?.autoNumber
          ? { Name: `${object.label.slice(0, 2).toUpperCase()}-${String(this.#serial).padStart(5, '0')}` }
          : {}),
      },
    });
    return id;
  }

  delete(id: string): void {
    const record = this.get(id);
    if (record) record.deleted = true;
  }

  /** The object a write names (`attributes.type` or the URL): unknown or invisible ones fail the request. */
  writableObject(name: unknown): FakeObject {
    const object = typeof name === 'string' ? this.visibleObject(name) : undefined;
    if (object === undefined) throw unsupportedType(String(name));
    return object;
  }

  /**
   * Checks a record's fields for a write: every key must be a visible field (else the whole request fails),
   * values are converted, and per-record rules are checked. Returns the values to store.
   */
  prepare(object: FakeObject, input: WriteInput, mode: 'create' | 'update', keep: string[] = []) {
    const values: Record<string, StoredValue> = {};
    const readOnly: string[] = [];
    for (const [key, raw] of Object.entries(input)) {
      if (key === 'attributes' || (mode === 'update' && key.toLowerCase() === 'id')) continue;
      const field = this.visibleField(object, key);
      if (field === undefined) throw noSuchColumn(object.name, key);
      const value = coerceValue(field, raw);
      const writable = field.access === 'edit';
      if (!writable && !keep.includes(field.name)) readOnly.push(field.name);
      if (field.type === 'reference' && value !== null) this.#checkReference(field, String(value));
      values[field.name] = value;
    }
    if (readOnly.length > 0) {
      throw new RecordRefusal(
        'INVALID_FIELD_FOR_INSERT_UPDATE',
        `Unable to create/update fields: ${readOnly.join(', ')}. Please check the security settings of this field and verify that it is read/write for your profile or permission set.`,
        readOnly,
      );
    }
    return values;
  }

  #checkReference(field: FakeField, value: string): void {
    const target = this.get(value);
    const prefixObject = [...this.objects.values()].find((o) => o.keyPrefix === value.slice(0, 3));
    if (!isIdShaped(value) || prefixObject === undefined || !field.referenceTo.includes(prefixObject.name)) {
      throw new RecordRefusal(
        'FIELD_INTEGRITY_EXCEPTION',
        `${field.label}: id value of incorrect type: ${value}`,
        [field.name],
      );
    }
    if (target === undefined || target.deleted) {
      throw new RecordRefusal('INVALID_CROSS_REFERENCE_KEY', 'invalid cross reference id', [field.name]);
    }
  }

  #checkUnique(object: FakeObject, values: Record<string, StoredValue>, selfId: string | undefined): void {
    for (const [name, value] of Object.entries(values)) {
      const field = object.fields.get(name.toLowerCase());
      if (!field?.unique || value === null) continue;
      const holder = this.findByField(object, field, String(value));
      if (holder && holder.id !== selfId) {
        throw new RecordRefusal(
          'DUPLICATE_VALUE',
          `duplicate value found: ${field.name} duplicates value on record with id: ${holder.id}`,
          [field.name],
        );
      }
    }
  }

  findByField(object: FakeObject, field: FakeField, value: string): FakeRecord | undefined {
    const same = (stored: StoredValue | undefined) =>
      stored !== undefined &&
      stored !== null &&
      (field.caseSensitive ? String(stored) === value : String(stored).toLowerCase() === value.toLowerCase());
    return this.records(object.name).find((record) => same(record.values[field.name]));
  }

  #checkRequired(object: FakeObject, values: Record<string, StoredValue>): void {
    const missing = [...object.fields.values()]
      .filter((f) => f.required && (values[f.name] === undefined || values[f.name] === null))
      .map((f) => f.name);
    if (missing.length > 0) {
      throw new RecordRefusal(
        'REQUIRED_FIELD_MISSING',
        `Required fields are missing: [${missing.join(', ')}]`,
        missing,
      );
    }
  }

  /** With `dryRun`, checks everything and writes nothing (allOrNone's first pass); returns no record then. */
  create(object: FakeObject, values: Record<string, StoredValue>, dryRun?: false): FakeRecord;
  create(object: FakeObject, values: Record<string, StoredValue>, dryRun: boolean): FakeRecord | undefined;
  create(object: FakeObject, values: Record<string, StoredValue>, dryRun = false): FakeRecord | undefined {
    this.#checkRequired(object, values);
    this.#checkUnique(object, values, undefined);
    if (dryRun) return undefined;
    const id = this.insertRecord(object.name, values);
    return this.get(id);
  }

  update(object: FakeObject, id: unknown, values: Record<string, StoredValue>, dryRun = false): FakeRecord {
    const record = typeof id === 'string' ? this.get(id) : undefined;
    if (typeof id !== 'string' || !isIdShaped(id) || id.slice(0, 3) !== object.keyPrefix) {
      throw new RecordRefusal(
        'MALFORMED_ID',
        `${object.label} ID: id value of incorrect type: ${String(id)}`,
        ['Id'],
      );
    }
    if (record === undefined) {
      throw new RecordRefusal('INVALID_CROSS_REFERENCE_KEY', 'invalid cross reference id', []);
    }
    if (record.deleted) throw new RecordRefusal('ENTITY_IS_DELETED', 'entity is deleted', []);
    this.#checkUnique(object, values, record.id);
    if (dryRun) return record;
    Object.assign(record.values, values, { LastModifiedDate: this.#now() });
    deriveFields(object.name, record.values);
    record.values['SystemModstamp'] = record.values['LastModifiedDate'] ?? null;
    return record;
  }

  /** The External ID field a collections upsert names; anything else fails the request as Salesforce does. */
  externalIdField(object: FakeObject, name: string): FakeField {
    const field = this.visibleField(object, name);
    if (field === undefined) throw noSuchColumn(object.name, name);
    if (!field.externalId && field.name !== 'Id') {
      throw new RequestRefusal(
        400,
        'INVALID_FIELD',
        `Field ${field.name} is not an External ID or indexed field for ${object.name}`,
      );
    }
    return field;
  }

  /** Upsert by External ID: creates when no record holds the key, updates the one that does. */
  upsert(
    object: FakeObject,
    keyField: FakeField,
    input: WriteInput,
    dryRun = false,
  ): { record: FakeRecord | undefined; created: boolean } {
    const key =
      input[keyField.name] ??
      Object.entries(input).find(([k]) => k.toLowerCase() === keyField.name.toLowerCase())?.[1];
    if (typeof key !== 'string' || key === '') {
      throw new RecordRefusal('MISSING_ARGUMENT', `${keyField.name} not specified`, [keyField.name]);
    }
    const existing = this.findByField(object, keyField, key);
    if (existing === undefined) {
      return { record: this.create(object, this.prepare(object, input, 'create'), dryRun), created: true };
    }
    const values = this.prepare(object, input, 'update', [keyField.name]);
    return { record: this.update(object, existing.id, values, dryRun), created: false };
  }
}
