/**
 * HubSpot reads: batch read by id or by a unique property, search with an IN filter (paged), owners, and the
 * task search by marker. Records not found are simply absent from the answer; only request failures throw.
 */
import type { CrmOwner, FoundRecord } from '../crm-client.ts';
import { CrmError } from '../crm-errors.ts';
import type { HubSpotHttp } from './hubspot-http.ts';
import { HUBSPOT_LIMITS, HUBSPOT_OWNER_PROPERTY } from './hubspot-limits.ts';
import { hubSpotPaths, isHubSpotNumericId } from './hubspot-paths.ts';

/** Record ids grow with creation time: sorting by them ascending is oldest first. */
const SORT_OLDEST_FIRST = 'hs_object_id';

export interface HubSpotRecord {
  id: string;
  properties: Record<string, string | null | undefined>;
}

/** `POST /crm/objects/2026-03/{type}/batch/read`, 100 inputs per call; by record id unless `idProperty` is given. */
export async function batchRead(
  http: HubSpotHttp,
  objectType: string,
  ids: string[],
  properties: string[],
  idProperty?: string,
): Promise<HubSpotRecord[]> {
  const records: HubSpotRecord[] = [];
  for (const chunk of chunks(unique(ids), HUBSPOT_LIMITS.objectBatchSize)) {
    const answer = await http({
      method: 'POST',
      path: hubSpotPaths.objectsBatch(objectType, 'read'),
      body: {
        inputs: chunk.map((id) => ({ id })),
        properties: unique(properties),
        propertiesWithHistory: [],
        ...(idProperty === undefined ? {} : { idProperty }),
      },
      what: `batch read of ${objectType}`,
    });
    // A 207 lists the inputs HubSpot did not find in errors[]: for a lookup that just means "no entry".
    records.push(...recordsOf(answer.body));
  }
  return records;
}

/**
 * `POST /crm/objects/2026-03/{type}/search` with `property IN values`, 100 values per query, every page read.
 * Search has its own, smaller budget (5 per second).
 */
export async function searchIn(
  http: HubSpotHttp,
  objectType: string,
  property: string,
  values: string[],
  properties: string[],
): Promise<HubSpotRecord[]> {
  const records: HubSpotRecord[] = [];
  for (const chunk of chunks(unique(values), HUBSPOT_LIMITS.searchInValues)) {
    let after: string | undefined;
    do {
      const answer = await http({
        method: 'POST',
        path: hubSpotPaths.objectsSearch(objectType),
        body: {
          filterGroups: [{ filters: [{ propertyName: property, operator: 'IN', values: chunk }] }],
          properties: unique([property, ...properties]),
          // Oldest first, so when two records share a value the one found is always the same. HubSpot's
          // reference types `sorts` as strings: a bare property name sorts ascending.
          sorts: [SORT_OLDEST_FIRST],
          limit: HUBSPOT_LIMITS.searchPageSize,
          ...(after === undefined ? {} : { after }),
        },
        lane: 'search',
        what: `search of ${objectType} by ${property}`,
      });
      records.push(...recordsOf(answer.body));
      after = nextPage(answer.body);
    } while (after !== undefined);
  }
  return records;
}

/** A HubSpot record as the port's FoundRecord: the owner apart, requested fields with a value only. */
export function toFoundRecord(record: HubSpotRecord, fields: string[]): FoundRecord {
  const owner = record.properties[HUBSPOT_OWNER_PROPERTY];
  const found: FoundRecord = { id: record.id, fields: {} };
  if (owner) found.ownerId = owner;
  for (const field of fields) {
    const value = record.properties[field];
    if (value !== null && value !== undefined && value !== '') found.fields[field] = value;
  }
  return found;
}

/**
 * `GET /crm/owners/2026-03/{id}`. Archived owners are only returned when asked for, so a 404 is followed by an
 * `archived=true` read: found there means inactive (the AE left), absent there too means no such owner.
 * Owner ids are numbers: anything else (a Salesforce user id in a mapping, a typo) is unknown without a call.
 */
export async function readOwner(http: HubSpotHttp, ownerId: string): Promise<CrmOwner | undefined> {
  if (!isHubSpotNumericId(ownerId)) return undefined;
  for (const archived of ['false', 'true']) {
    try {
      const answer = await http({
        method: 'GET',
        path: hubSpotPaths.owner(ownerId),
        query: { idProperty: 'id', archived },
        what: `owner ${ownerId}`,
      });
      const owner = answer.body as {
        id?: unknown;
        archived?: unknown;
        firstName?: unknown;
        lastName?: unknown;
        email?: unknown;
      };
      const name = [owner.firstName, owner.lastName]
        .filter((p) => typeof p === 'string' && p !== '')
        .join(' ');
      const email = typeof owner.email === 'string' ? owner.email : undefined;
      const label = name || email;
      return {
        id: typeof owner.id === 'string' ? owner.id : ownerId,
        active: archived === 'false' && owner.archived !== true,
        ...(label ? { name: label } : {}),
      };
    } catch (thrown) {
      if (thrown instanceof CrmError && thrown.kind === 'not_found') continue;
      throw thrown;
    }
  }
  return undefined;
}

export function recordsOf(body: unknown): HubSpotRecord[] {
  const results = (body as { results?: unknown } | undefined)?.results;
  if (!Array.isArray(results)) return [];
  return results.flatMap((raw: unknown) => {
    const record = raw as { id?: unknown; properties?: unknown };
    if (typeof record.id !== 'string') return [];
    const properties =
      typeof record.properties === 'object' && record.properties !== null ? record.properties : {};
    return [{ id: record.id, properties: properties as HubSpotRecord['properties'] }];
  });
}

function nextPage(body: unknown): string | undefined {
  const after = (body as { paging?: { next?: { after?: unknown } } } | undefined)?.paging?.next?.after;
  return typeof after === 'string' && after !== '' ? after : undefined;
}

export function chunks<T>(items: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

function unique(values: string[]): string[] {
  return [...new Set(values)];
}
