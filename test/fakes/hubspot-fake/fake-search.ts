/**
 * The fake's search endpoint: EQ, IN and CONTAINS_TOKEN filters, oldest first, paged with `after`, over the
 * search index (which lags writes by the store's searchLagMs, as HubSpot's does).
 */
import { type FakeAnswer, isString, refuse } from './fake-answers.ts';
import { recordView } from './fake-objects.ts';
import type { FakeRecord, FakeStore } from './fake-store.ts';

interface Filter {
  propertyName?: unknown;
  operator?: unknown;
  value?: unknown;
  values?: unknown;
}

/** EQ, IN and CONTAINS_TOKEN over string properties; groups are ORed, filters in a group ANDed. */
export function search(store: FakeStore, type: string, body: unknown): FakeAnswer {
  const request = body as {
    filterGroups?: { filters?: Filter[] }[];
    properties?: unknown;
    limit?: unknown;
    after?: unknown;
  };
  const limit = typeof request.limit === 'number' ? request.limit : 10;
  if (limit > 200) return refuse(400, 'VALIDATION_ERROR', 'limit may not exceed 200');
  const groups = request.filterGroups ?? [];
  // HubSpot's limits since August 2024: 5 filter groups, 10 filters in a group, 25 in all.
  const counts = groups.map((g) => (g.filters ?? []).length);
  if (groups.length > 5 || counts.some((n) => n > 10) || counts.reduce((a, n) => a + n, 0) > 25) {
    return refuse(
      400,
      'VALIDATION_ERROR',
      'Too many filters: at most 5 filterGroups, 10 per group, 25 in all',
    );
  }
  for (const filter of groups.flatMap((g) => g.filters ?? [])) {
    if (filter.operator === 'IN' && (!Array.isArray(filter.values) || filter.values.length > 100)) {
      return refuse(400, 'VALIDATION_ERROR', 'IN takes "values", at most 100');
    }
  }
  // What the index holds by now: writes younger than the store's searchLagMs are not found yet.
  const matches = store
    .searchable(type, Date.now())
    .filter(
      (record) => groups.length === 0 || groups.some((g) => (g.filters ?? []).every((f) => holds(record, f))),
    )
    .sort((a, b) => Number(a.id) - Number(b.id));
  const offset = typeof request.after === 'string' ? Number(request.after) : 0;
  const page = matches.slice(offset, offset + limit);
  const properties = Array.isArray(request.properties) ? request.properties.filter(isString) : [];
  const next = offset + limit < matches.length ? { paging: { next: { after: String(offset + limit) } } } : {};
  return {
    status: 200,
    body: { total: matches.length, results: page.map((r) => recordView(r, properties)), ...next },
  };
}

function holds(record: FakeRecord, filter: Filter): boolean {
  const actual = isString(filter.propertyName)
    ? record.properties[filter.propertyName]?.toLowerCase()
    : undefined;
  if (actual === undefined) return false;
  switch (filter.operator) {
    case 'EQ':
      return typeof filter.value === 'string' && actual === filter.value.toLowerCase();
    case 'IN':
      return (
        Array.isArray(filter.values) &&
        filter.values.some((v) => typeof v === 'string' && v.toLowerCase() === actual)
      );
    case 'CONTAINS_TOKEN':
      return (
        typeof filter.value === 'string' && actual.split(/[^a-z0-9]+/).includes(filter.value.toLowerCase())
      );
    default:
      return false;
  }
}
