/**
 * The fake HubSpot account's data: records per object type (with unique-value properties enforced, as
 * HubSpot does for properties created with hasUniqueValue), associations, owners, and properties that
 * "do not exist" on an object type.
 */
export interface FakeRecord {
  id: string;
  properties: Record<string, string>;
  createdAt: string;
  updatedAt: string;
}

export interface FakeAssociation {
  fromType: string;
  fromId: string;
  toType: string;
  toId: string;
  category: string;
  typeId: number;
}

export interface FakeOwner {
  id: string;
  firstName?: string;
  lastName?: string;
  email?: string;
  archived: boolean;
}

export type RejectStyle = '207' | '400';

/** A write the store refused, in HubSpot's error words. */
export class FakeWriteError extends Error {
  readonly category: string;
  readonly code: string | undefined;
  readonly property: string | undefined;

  constructor(category: string, message: string, details: { code?: string; property?: string } = {}) {
    super(message);
    this.category = category;
    this.code = details.code;
    this.property = details.property;
  }
}

export class FakeStore {
  readonly #objects = new Map<string, Map<string, FakeRecord>>();
  readonly #unique = new Map<string, Set<string>>();
  /** type → unique property → lower-cased value → record id: lookups by idProperty stay fast in the bench. */
  readonly #index = new Map<string, Map<string, Map<string, string>>>();
  readonly #rejected = new Map<string, Map<string, RejectStyle>>();
  readonly #invalidValues: { type: string; property: string; value: string }[] = [];
  readonly associations: FakeAssociation[] = [];
  /**
   * Labelled association types by "from→to": type id → category. A pair without an entry takes any type
   * (HubSpot's portal-specific ids are not worth modelling); one with entries refuses the others.
   */
  readonly associationTypes = new Map<string, Map<number, string>>();
  readonly owners = new Map<string, FakeOwner>();
  #nextId = 1001;
  /**
   * How long a write takes to reach the search index (HubSpot's lags seconds behind its writes): a record
   * created is invisible to search until then, and an updated one is found by its previous values. Reads by
   * id or unique property see writes at once, as HubSpot's do. 0 (the default) indexes at once.
   */
  searchLagMs = 0;
  /** type → id → versions written while searchLagMs > 0, oldest first; a record without any is fully indexed. */
  readonly #unindexed = new Map<string, Map<string, { at: number; properties: Record<string, string> }[]>>();

  constructor(uniqueProperties: Record<string, string[]>) {
    for (const [type, names] of Object.entries(uniqueProperties)) this.#unique.set(type, new Set(names));
  }

  records(type: string): FakeRecord[] {
    return [...(this.#objects.get(type)?.values() ?? [])];
  }

  /**
   * The records as search sees them at `now`: each at its latest version older than searchLagMs, records
   * created more recently left out.
   */
  searchable(type: string, now: number): FakeRecord[] {
    const pending = this.#unindexed.get(type);
    if (pending === undefined || pending.size === 0) return this.records(type);
    return this.records(type).flatMap((record) => {
      const versions = pending.get(record.id);
      if (versions === undefined) return [record];
      const visible = versions.filter((v) => v.at <= now);
      const latest = visible.at(-1);
      if (latest !== undefined && visible.length === versions.length) pending.delete(record.id);
      else if (visible.length > 1) versions.splice(0, visible.length - 1);
      return latest === undefined ? [] : [{ ...record, properties: { ...latest.properties } }];
    });
  }

  /** The record is in the search index now (test set-up: data that existed before the test began). */
  indexNow(type: string, id: string): void {
    this.#unindexed.get(type)?.delete(id);
  }

  #written(type: string, record: FakeRecord, before: Record<string, string> | undefined): void {
    if (this.searchLagMs <= 0) return;
    const byType =
      this.#unindexed.get(type) ?? new Map<string, { at: number; properties: Record<string, string> }[]>();
    this.#unindexed.set(type, byType);
    const versions = byType.get(record.id) ?? (before === undefined ? [] : [{ at: 0, properties: before }]);
    versions.push({ at: Date.now() + this.searchLagMs, properties: { ...record.properties } });
    byType.set(record.id, versions);
  }

  get(type: string, id: string): FakeRecord | undefined {
    return this.#objects.get(type)?.get(id);
  }

  /** A property created with hasUniqueValue (fake-schemas.ts): usable as an upsert's idProperty from now on. */
  addUniqueProperty(type: string, property: string): void {
    this.#unique.set(type, new Set([...(this.#unique.get(type) ?? []), property]));
  }

  isUnique(type: string, property: string): boolean {
    return this.#unique.get(type)?.has(property) ?? false;
  }

  /** Values compare case-insensitively, as HubSpot compares emails and domains. */
  findBy(type: string, property: string, value: string): FakeRecord | undefined {
    const wanted = value.toLowerCase();
    const index = this.#index.get(type)?.get(property);
    if (index) {
      const id = index.get(wanted);
      return id === undefined ? undefined : this.get(type, id);
    }
    for (const record of this.#objects.get(type)?.values() ?? []) {
      if (record.properties[property]?.toLowerCase() === wanted) return record;
    }
    return undefined;
  }

  rejectProperty(type: string, property: string, style: RejectStyle): void {
    const byType = this.#rejected.get(type) ?? new Map<string, RejectStyle>();
    byType.set(property, style);
    this.#rejected.set(type, byType);
  }

  /** The first property of `properties` that "does not exist" on the type, with how to report it. */
  rejectedProperty(
    type: string,
    properties: Record<string, string>,
  ): { property: string; style: RejectStyle } | undefined {
    const byType = this.#rejected.get(type);
    if (!byType) return undefined;
    for (const property of Object.keys(properties)) {
      const style = byType.get(property);
      if (style) return { property, style };
    }
    return undefined;
  }

  /** Writing `value` to the property is refused (INVALID_OPTION), by refusing the whole batch. */
  rejectValue(type: string, property: string, value: string): void {
    this.#invalidValues.push({ type, property, value });
  }

  invalidValue(
    type: string,
    properties: Record<string, string>,
  ): { property: string; value: string } | undefined {
    return this.#invalidValues.find((v) => v.type === type && properties[v.property] === v.value);
  }

  create(type: string, properties: Record<string, string>): FakeRecord {
    this.#checkUnique(type, undefined, properties);
    const now = new Date().toISOString();
    const id = String(this.#nextId++);
    const record: FakeRecord = {
      id,
      properties: { ...properties, hs_object_id: id },
      createdAt: now,
      updatedAt: now,
    };
    const byId = this.#objects.get(type) ?? new Map<string, FakeRecord>();
    byId.set(id, record);
    this.#objects.set(type, byId);
    this.#reindex(type, record);
    this.#written(type, record, undefined);
    return record;
  }

  update(type: string, id: string, properties: Record<string, string>): FakeRecord {
    const record = this.get(type, id);
    if (!record) throw new FakeWriteError('OBJECT_NOT_FOUND', `No ${type} record with id ${id}`);
    this.#checkUnique(type, id, properties);
    this.#unindex(type, record);
    const before = { ...record.properties };
    Object.assign(record.properties, properties);
    this.#reindex(type, record);
    record.updatedAt = new Date().toISOString();
    this.#written(type, record, before);
    return record;
  }

  associate(association: FakeAssociation): void {
    const same = this.associations.some(
      (a) =>
        a.fromType === association.fromType &&
        a.fromId === association.fromId &&
        a.toId === association.toId &&
        a.typeId === association.typeId,
    );
    if (!same) this.associations.push(association);
  }

  #reindex(type: string, record: FakeRecord): void {
    for (const property of this.#unique.get(type) ?? []) {
      const value = record.properties[property];
      if (value === undefined) continue;
      const byType = this.#index.get(type) ?? new Map<string, Map<string, string>>();
      const byValue = byType.get(property) ?? new Map<string, string>();
      byValue.set(value.toLowerCase(), record.id);
      byType.set(property, byValue);
      this.#index.set(type, byType);
    }
  }

  #unindex(type: string, record: FakeRecord): void {
    for (const property of this.#unique.get(type) ?? []) {
      const value = record.properties[property];
      if (value !== undefined) this.#index.get(type)?.get(property)?.delete(value.toLowerCase());
    }
  }

  #checkUnique(type: string, selfId: string | undefined, properties: Record<string, string>): void {
    for (const property of this.#unique.get(type) ?? []) {
      const value = properties[property];
      if (value === undefined) continue;
      const holder = this.findBy(type, property, value);
      if (holder && holder.id !== selfId) {
        throw new FakeWriteError(
          'VALIDATION_ERROR',
          `A ${type} record with ${property}=${value} already exists (${holder.id})`,
          {
            code: 'CONFLICTING_UNIQUE_VALUE',
            property,
          },
        );
      }
    }
  }
}
