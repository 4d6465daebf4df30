/**
 * Runs a parsed SOQL statement against the fake org with Salesforce's semantics where gridsync depends on
 * them: names are case-insensitive and must be visible fields (else INVALID_FIELD, as a real org says it),
 * text comparisons and LIKE ignore case, ids match in their 15- and 18-character forms, long text areas
 * cannot be filtered, ORDER BY puts nulls first when ascending, and relationship fields (`Owner.IsActive`)
 * follow lookups.
 */
import { RequestRefusal, unsupportedType } from './fake-errors.ts';
import { id15 } from './fake-ids.ts';
import type { FakeOrg, FakeRecord, FieldView } from './fake-org.ts';
import type { FakeObject } from './fake-schema.ts';
import { type Condition, type Literal, parseSoql, type SoqlQuery } from './fake-soql-parse.ts';
import type { StoredValue } from './fake-values.ts';

export interface SoqlResult {
  object: FakeObject;
  records: Record<string, unknown>[];
  totalSize: number;
}

function invalidField(soql: string, object: string, name: string): RequestRefusal {
  return new RequestRefusal(
    400,
    'INVALID_FIELD',
    `\n${soql}\n^\nERROR at Row:1:Column:1\nNo such column '${name}' on entity '${object}'. If you are attempting to use a custom field, be sure to append the '__c' after the custom field name. Please reference your WSDL or the describe call for the appropriate names.`,
  );
}

interface ResolvedPath {
  /** Relationship hops: each a lookup field and the object it points at. */
  hops: { field: FieldView; relationship: string; target: FakeObject }[];
  field: FieldView;
}

class Resolver {
  readonly #org: FakeOrg;
  readonly #soql: string;

  constructor(org: FakeOrg, soql: string) {
    this.#org = org;
    this.#soql = soql;
  }

  path(object: FakeObject, dotted: string): ResolvedPath {
    const parts = dotted.split('.');
    const hops: ResolvedPath['hops'] = [];
    let current = object;
    for (const part of parts.slice(0, -1)) {
      const lookup = this.#org
        .visibleFields(current)
        .find((f) => f.type === 'reference' && f.relationshipName?.toLowerCase() === part.toLowerCase());
      const target = lookup === undefined ? undefined : this.#org.visibleObject(lookup.referenceTo[0] ?? '');
      if (lookup === undefined || target === undefined) {
        throw new RequestRefusal(
          400,
          'INVALID_FIELD',
          `\n${this.#soql}\n^\nERROR at Row:1:Column:1\nDidn't understand relationship '${part}' in field path. If you are attempting to use a custom relationship, be sure to append the '__r' after the custom relationship name.`,
        );
      }
      hops.push({ field: lookup, relationship: lookup.relationshipName ?? part, target });
      current = target;
    }
    const last = parts[parts.length - 1] ?? '';
    const field = this.#org.visibleField(current, last);
    if (field === undefined) throw invalidField(this.#soql, current.name, last);
    return { hops, field };
  }

  value(record: FakeRecord, path: ResolvedPath): StoredValue {
    let current: FakeRecord | undefined = record;
    for (const hop of path.hops) {
      const id: StoredValue | undefined = current?.values[hop.field.name];
      current = typeof id === 'string' ? this.#org.get(id) : undefined;
    }
    return current?.values[path.field.name] ?? null;
  }
}

function likeMatches(value: string, pattern: string): boolean {
  let regex = '';
  for (let i = 0; i < pattern.length; i += 1) {
    const ch = pattern.charAt(i);
    if (ch === '\\' && (pattern.charAt(i + 1) === '_' || pattern.charAt(i + 1) === '%')) {
      regex += `\\${pattern.charAt(i + 1)}`;
      i += 1;
    } else if (ch === '%') regex += '.*';
    else if (ch === '_') regex += '.';
    else regex += ch.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${regex}$`, 'is').test(value);
}

/** -1, 0, 1; nulls compare below everything. Text ignores case, ids compare in their 15-character form. */
function compareValues(field: FieldView, a: StoredValue, b: Literal): number {
  if (a === null || b === null) return a === b ? 0 : a === null ? -1 : 1;
  if (typeof a === 'number' && typeof b === 'number') return Math.sign(a - b);
  if (typeof a === 'boolean' || typeof b === 'boolean') return String(a) === String(b) ? 0 : 1;
  let left = String(a);
  let right = String(b);
  if (field.type === 'id' || field.type === 'reference') {
    left = id15(left);
    right = id15(right);
  } else {
    left = left.toLowerCase();
    right = right.toLowerCase();
  }
  return left < right ? -1 : left > right ? 1 : 0;
}

/** `apiPath` is `/services/data/vXX.X`, for the records' attributes.url. */
export function runSoql(org: FakeOrg, soql: string, apiPath: string): SoqlResult {
  const query: SoqlQuery = parseSoql(soql);
  const object = org.visibleObject(query.object);
  if (object === undefined) throw unsupportedType(query.object);
  const resolver = new Resolver(org, soql);
  const selected = query.fields.map((name) => ({ name, path: resolver.path(object, name) }));

  const test = (record: FakeRecord, condition: Condition): boolean => {
    switch (condition.kind) {
      case 'and':
        return test(record, condition.left) && test(record, condition.right);
      case 'or':
        return test(record, condition.left) || test(record, condition.right);
      case 'not':
        return !test(record, condition.inner);
      case 'in': {
        const path = resolver.path(object, condition.field);
        const value = resolver.value(record, path);
        const found = condition.values.some((v) => compareValues(path.field, value, v) === 0);
        return condition.negated ? !found : found;
      }
      case 'compare': {
        const path = resolver.path(object, condition.field);
        const value = resolver.value(record, path);
        if (condition.op === 'like') {
          return value !== null && likeMatches(String(value), String(condition.value));
        }
        const order = compareValues(path.field, value, condition.value);
        if (value === null && condition.value !== null && condition.op !== '!=') return false;
        switch (condition.op) {
          case '=':
            return order === 0;
          case '!=':
            return order !== 0;
          case '<':
            return order < 0;
          case '<=':
            return order <= 0;
          case '>':
            return order > 0;
          case '>=':
            return order >= 0;
        }
      }
    }
  };

  const filterable = (condition: Condition | undefined): void => {
    if (condition === undefined) return;
    switch (condition.kind) {
      case 'and':
      case 'or':
        filterable(condition.left);
        filterable(condition.right);
        return;
      case 'not':
        filterable(condition.inner);
        return;
      default: {
        const { field } = resolver.path(object, condition.field);
        if (field.type === 'textarea') {
          throw new RequestRefusal(
            400,
            'INVALID_FIELD',
            `\n${soql}\n^\nERROR at Row:1:Column:1\nfield '${field.name}' can not be filtered in a query call`,
          );
        }
      }
    }
  };
  filterable(query.where);

  let rows = org.records(object.name).filter((r) => query.where === undefined || test(r, query.where));
  const sorts = query.orderBy.map((o) => ({ ...o, path: resolver.path(object, o.field) }));
  rows = [...rows].sort((a, b) => {
    for (const sort of sorts) {
      const va = resolver.value(a, sort.path);
      const vb = resolver.value(b, sort.path);
      if (va === null || vb === null) {
        if (va === vb) continue;
        return (va === null) === sort.nullsLast ? 1 : -1;
      }
      const order = compareValues(sort.path.field, va, vb);
      if (order !== 0) return sort.descending ? -order : order;
    }
    return 0;
  });
  const totalSize = rows.length;
  rows = rows.slice(
    query.offset ?? 0,
    query.limit === undefined ? undefined : (query.offset ?? 0) + query.limit,
  );
  if (query.count) return { object, records: [], totalSize };

  const records = rows.map((row) => {
    const url = (type: string, id: string) => `${apiPath}/sobjects/${type}/${id}`;
    const out: Record<string, unknown> = { attributes: { type: object.name, url: url(object.name, row.id) } };
    for (const { path } of selected) {
      let target: Record<string, unknown> = out;
      let current: FakeRecord | undefined = row;
      for (const hop of path.hops) {
        const id: StoredValue | undefined = current?.values[hop.field.name];
        current = typeof id === 'string' ? org.get(id) : undefined;
        if (current === undefined) {
          target[hop.relationship] = null;
          break;
        }
        const existing = target[hop.relationship];
        const nested: Record<string, unknown> =
          typeof existing === 'object' && existing !== null
            ? (existing as Record<string, unknown>)
            : { attributes: { type: current.object, url: url(current.object, current.id) } };
        target[hop.relationship] = nested;
        target = nested;
      }
      if (current !== undefined) target[path.field.name] = current.values[path.field.name] ?? null;
    }
    return out;
  });
  return { object, records, totalSize };
}
