/**
 * Reads by SOQL: companies by domain, contacts by email, records by id, owners. Values from payloads are
 * escaped as literals and batched into IN lists (salesforce-soql.ts). Queries go through `/query?q=` with
 * gridsync's retry policy (SalesforceHttp) rather than `conn.query`, whose requests carry jsforce's own
 * GET retries and 30-minute timeout; pages beyond the first are followed through `nextRecordsUrl`.
 */
import type { CrmOwner, FoundRecord } from '../crm-client.ts';
import type { SalesforceHttp } from './salesforce-http.ts';
import {
  domainFieldVariants,
  isSalesforceId,
  normaliseDomain,
  selectClause,
  shortId,
  soqlInLists,
  soqlName,
  soqlString,
} from './salesforce-soql.ts';

type SoqlRecord = Record<string, unknown>;

interface QueryPage {
  done?: boolean;
  nextRecordsUrl?: string;
  records?: SoqlRecord[];
}

export async function queryAll(http: SalesforceHttp, soql: string, context: string): Promise<SoqlRecord[]> {
  const records: SoqlRecord[] = [];
  let path: string | undefined = `/query?q=${encodeURIComponent(soql)}`;
  while (path !== undefined) {
    const page: QueryPage = await http.send<QueryPage>({ method: 'GET', path, context });
    records.push(...(page.records ?? []));
    path = page.done === false && typeof page.nextRecordsUrl === 'string' ? page.nextRecordsUrl : undefined;
  }
  return records;
}

/** A field's value by API name, whatever case the org spells it in; absent when empty. */
function fieldValue(record: SoqlRecord, field: string): string | undefined {
  const wanted = field.toLowerCase();
  const key = Object.keys(record).find((k) => k.toLowerCase() === wanted);
  const value = key === undefined ? undefined : record[key];
  if (typeof value === 'string') return value === '' ? undefined : value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  // Compound fields (addresses) and relationship objects: kept readable rather than dropped.
  return value === null || value === undefined ? undefined : JSON.stringify(value);
}

function toFoundRecord(record: SoqlRecord, fields: readonly string[]): FoundRecord {
  const found: FoundRecord = { id: String(record['Id']), fields: {} };
  const ownerId = fieldValue(record, 'OwnerId');
  if (ownerId !== undefined) found.ownerId = ownerId;
  for (const field of fields) {
    const value = fieldValue(record, field);
    if (value !== undefined) found.fields[field] = value;
  }
  return found;
}

/**
 * Records whose `matchField` holds one of `keys`, keyed by the caller's own spelling of the key. `variants`
 * turns a key into the values to match; `normalise` brings a key and a field value to one form. Rows come
 * oldest first, and the first row for a key wins, so a duplicate account always resolves the same way.
 */
async function findByField(
  http: SalesforceHttp,
  query: { object: string; matchField: string; fields: readonly string[]; context: string },
  keys: readonly string[],
  variants: (key: string) => string[],
  normalise: (value: string) => string,
): Promise<Map<string, FoundRecord>> {
  const callerKeys = new Map<string, string[]>();
  for (const key of keys) {
    const normal = normalise(key);
    if (normal !== '') callerKeys.set(normal, [...(callerKeys.get(normal) ?? []), key]);
  }
  const found = new Map<string, FoundRecord>();
  const select = selectClause(['Id', 'OwnerId', query.matchField, ...query.fields], query.object);
  for (const inList of soqlInLists([...callerKeys.keys()].flatMap(variants))) {
    const soql = `${select} WHERE ${soqlName(query.matchField)} IN ${inList} ORDER BY CreatedDate ASC, Id ASC`;
    for (const record of await queryAll(http, soql, query.context)) {
      const value = fieldValue(record, query.matchField);
      for (const key of value === undefined ? [] : (callerKeys.get(normalise(value)) ?? [])) {
        if (!found.has(key)) found.set(key, toFoundRecord(record, query.fields));
      }
    }
  }
  return found;
}

export function findAccountsByDomain(
  http: SalesforceHttp,
  domainField: string,
  domains: readonly string[],
  fields: readonly string[],
) {
  return findByField(
    http,
    { object: 'Account', matchField: domainField, fields, context: `find Account by ${domainField}` },
    domains,
    domainFieldVariants,
    normaliseDomain,
  );
}

export function findContactsByEmail(http: SalesforceHttp, emailField: string, emails: readonly string[]) {
  const normalise = (email: string) => email.trim().toLowerCase();
  return findByField(
    http,
    { object: 'Contact', matchField: emailField, fields: [], context: `find Contact by ${emailField}` },
    emails,
    (email) => [email],
    normalise,
  );
}

/** Records by id; ids that cannot be Salesforce ids are never sent (they would fail the whole query). */
export async function getRecordsById(
  http: SalesforceHttp,
  object: string,
  ids: readonly string[],
  fields: readonly string[],
): Promise<Map<string, FoundRecord>> {
  const wanted = ids.filter(isSalesforceId);
  const byShortId = new Map<string, FoundRecord>();
  const select = selectClause(['Id', 'OwnerId', ...fields], object);
  for (const inList of soqlInLists(wanted)) {
    for (const record of await queryAll(http, `${select} WHERE Id IN ${inList}`, `read ${object} by id`)) {
      byShortId.set(shortId(String(record['Id'])), toFoundRecord(record, fields));
    }
  }
  // A 15-character id and its 18-character form name the same record: answer in the caller's spelling.
  const found = new Map<string, FoundRecord>();
  for (const id of wanted) {
    const record = byShortId.get(shortId(id));
    if (record !== undefined) found.set(id, record);
  }
  return found;
}

export async function getUser(http: SalesforceHttp, userId: string): Promise<CrmOwner | undefined> {
  if (!isSalesforceId(userId)) return undefined;
  const [user] = await queryAll(
    http,
    `SELECT Id, IsActive, Name FROM User WHERE Id = ${soqlString(userId)}`,
    'read the task owner',
  );
  if (user === undefined) return undefined;
  const owner: CrmOwner = { id: String(user['Id']), active: user['IsActive'] === true };
  if (typeof user['Name'] === 'string') owner.name = user['Name'];
  return owner;
}
