/**
 * Finding the CRM records a grid concerns: companies by their identity field (a search, since `domain` is
 * not unique), contacts by a unique property (a batch read with idProperty), deals and companies by id.
 * Identity values compare case-insensitively; answers are keyed by the caller's spelling, and a value not
 * found has no entry.
 */
import type { FoundRecord } from '../crm-client.ts';
import type { HubSpotHttp } from './hubspot-http.ts';
import { HUBSPOT_OWNER_PROPERTY } from './hubspot-limits.ts';
import { batchRead, type HubSpotRecord, searchIn, toFoundRecord } from './hubspot-reads.ts';

export async function searchByIdentity(
  http: HubSpotHttp,
  objectType: string,
  property: string,
  values: string[],
  fields: string[],
): Promise<Map<string, FoundRecord>> {
  const wanted = keyedByNormalised(values);
  const records = await searchIn(
    http,
    objectType,
    property,
    [...wanted.keys()],
    [...fields, HUBSPOT_OWNER_PROPERTY],
  );
  return pickFirstByValue(records, property, wanted, fields);
}

export async function readByIdentity(
  http: HubSpotHttp,
  objectType: string,
  property: string,
  values: string[],
  fields: string[],
): Promise<Map<string, FoundRecord>> {
  const wanted = keyedByNormalised(values);
  const records = await batchRead(
    http,
    objectType,
    [...wanted.keys()],
    [property, ...fields, HUBSPOT_OWNER_PROPERTY],
    property,
  );
  return pickFirstByValue(records, property, wanted, fields);
}

export async function readByIds(
  http: HubSpotHttp,
  objectType: string,
  ids: string[],
  fields: string[],
): Promise<Map<string, FoundRecord>> {
  // HubSpot record ids are numbers; anything else cannot exist and would make HubSpot refuse the whole batch.
  const valid = ids.filter((id) => /^\d+$/.test(id));
  const records = await batchRead(http, objectType, valid, [...fields, HUBSPOT_OWNER_PROPERTY]);
  return new Map(records.map((record) => [record.id, toFoundRecord(record, fields)]));
}

/** Normalised value → the caller's spellings of it. */
function keyedByNormalised(values: string[]): Map<string, string[]> {
  const wanted = new Map<string, string[]>();
  for (const value of values) {
    const key = value.trim().toLowerCase();
    if (key !== '') wanted.set(key, [...(wanted.get(key) ?? []), value]);
  }
  return wanted;
}

function pickFirstByValue(
  records: HubSpotRecord[],
  property: string,
  wanted: Map<string, string[]>,
  fields: string[],
): Map<string, FoundRecord> {
  const found = new Map<string, FoundRecord>();
  for (const record of records) {
    const value = record.properties[property]?.trim().toLowerCase();
    for (const original of (value && wanted.get(value)) || []) {
      // Records come oldest first: the first match wins when several records share the value.
      if (!found.has(original)) found.set(original, toFoundRecord(record, fields));
    }
  }
  return found;
}
