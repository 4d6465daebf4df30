/**
 * Opportunities of a batch of accounts: one SOQL query per IN list of account ids (200 ids fit in one or two
 * lists), with the rule's filters (IsClosed, StageName, RecordType.DeveloperName) in the WHERE clause, so only
 * the opportunities that count come back. When the rule picks the opportunity the grid's contact is on, one
 * more query reads the contact roles of those opportunities.
 *
 * Opportunities gridsync creates carry its key in an External ID + Unique field (deal.create.keyField) and are
 * written by an upsert on that field: a request resent after a timeout, or a job retried after a crash,
 * lands on the same record instead of opening a second one.
 */
import type { DealCandidate, DealSearch, NewDeal, RecordOutcome } from '../crm-client.ts';
import { CrmError } from '../crm-errors.ts';
import { type CollectionRecord, writeCollection } from './salesforce-collections.ts';
import type { SalesforceHttp } from './salesforce-http.ts';
import { queryAll } from './salesforce-lookups.ts';
import { isSalesforceId, shortId, soqlInLists, soqlName, soqlString } from './salesforce-soql.ts';

type SoqlRecord = Record<string, unknown>;

export interface SalesforceDealOptions {
  /** deal.create.keyField, when the tenant creates opportunities. */
  keyField: string | undefined;
}

const SELECT = [
  'Id',
  'AccountId',
  'Name',
  'StageName',
  'IsClosed',
  'Amount',
  'CreatedDate',
  'LastModifiedDate',
  'OwnerId',
  'RecordType.DeveloperName',
];

function selectOpportunities(options: SalesforceDealOptions): string {
  const fields = options.keyField === undefined ? SELECT : [...SELECT, soqlName(options.keyField)];
  return `SELECT ${fields.join(', ')} FROM Opportunity`;
}

/** The WHERE conditions the rule adds to `AccountId IN (…)`. */
export function dealRuleConditions(search: DealSearch): string[] {
  const conditions: string[] = [];
  if (search.stages === 'open') conditions.push('IsClosed = false');
  else conditions.push(`StageName IN (${search.stages.map(soqlString).join(', ')})`);
  if (search.recordTypes) {
    conditions.push(
      `RecordType.DeveloperName IN (${search.recordTypes.map((r) => soqlString(soqlName(r))).join(', ')})`,
    );
  }
  return conditions;
}

export async function findCompanyDeals(
  http: SalesforceHttp,
  search: DealSearch,
  options: SalesforceDealOptions,
): Promise<Map<string, DealCandidate[]>> {
  // Callers may spell an account id in 15 or 18 characters: answer in their spelling.
  const callerIds = new Map<string, string>();
  for (const id of search.companyIds.filter(isSalesforceId)) callerIds.set(shortId(id), id);
  const rows: SoqlRecord[] = [];
  const conditions = dealRuleConditions(search).join(' AND ');
  for (const inList of soqlInLists([...callerIds.values()])) {
    const soql = `${selectOpportunities(options)} WHERE AccountId IN ${inList} AND ${conditions} ORDER BY CreatedDate DESC, Id DESC`;
    rows.push(...(await queryAll(http, soql, 'find the opportunities of accounts')));
  }
  const contactsOf = search.contactIds?.length
    ? await contactRoles(
        http,
        rows.map((r) => String(r['Id'])),
        search.contactIds,
      )
    : new Map<string, string[]>();

  const found = new Map<string, DealCandidate[]>();
  for (const row of rows) {
    const companyId = callerIds.get(shortId(String(row['AccountId'])));
    if (companyId === undefined) continue;
    const candidate = toCandidate(row, companyId, contactsOf.get(shortId(String(row['Id']))) ?? [], options);
    found.set(companyId, [...(found.get(companyId) ?? []), candidate]);
  }
  return found;
}

export async function findDealsByKey(
  http: SalesforceHttp,
  keys: string[],
  options: SalesforceDealOptions,
): Promise<Map<string, DealCandidate>> {
  const { keyField } = options;
  const found = new Map<string, DealCandidate>();
  if (keyField === undefined || keys.length === 0) return found;
  for (const inList of soqlInLists(keys)) {
    const soql = `${selectOpportunities(options)} WHERE ${soqlName(keyField)} IN ${inList} ORDER BY CreatedDate ASC, Id ASC`;
    for (const row of await queryAll(http, soql, `find opportunities by ${keyField}`)) {
      const candidate = toCandidate(
        row,
        typeof row['AccountId'] === 'string' ? row['AccountId'] : '',
        [],
        options,
      );
      if (candidate.key !== undefined && !found.has(candidate.key)) found.set(candidate.key, candidate);
    }
  }
  return found;
}

/** Upserts on the key field, 200 per call; the record type's id is read once per call (by DeveloperName). */
export async function createDeals(
  http: SalesforceHttp,
  deals: NewDeal[],
  options: SalesforceDealOptions,
): Promise<RecordOutcome[]> {
  const { keyField } = options;
  if (keyField === undefined) {
    throw new CrmError('rejected', 'opportunities are created only with deal.create.keyField in the mapping');
  }
  const recordTypeIds = await readRecordTypeIds(
    http,
    deals.flatMap((d) => (d.recordType === undefined ? [] : [d.recordType])),
  );
  const records = deals.map((deal): CollectionRecord => {
    const record: CollectionRecord = {
      attributes: { type: 'Opportunity' },
      [soqlName(keyField)]: deal.key,
      Name: deal.name,
      StageName: deal.stage,
      CloseDate: deal.closeDate,
      AccountId: deal.companyId,
    };
    if (deal.ownerId !== undefined) record['OwnerId'] = deal.ownerId;
    if (deal.recordType !== undefined) {
      const id = recordTypeIds.get(deal.recordType.toLowerCase());
      if (id === undefined) {
        throw new CrmError(
          'rejected',
          `Salesforce has no Opportunity record type "${deal.recordType}" (deal.create.recordType)`,
        );
      }
      record['RecordTypeId'] = id;
    }
    return record;
  });
  return writeCollection(
    http,
    { object: 'Opportunity', path: `/composite/sobjects/Opportunity/${soqlName(keyField)}`, verb: 'upsert' },
    records,
  );
}

async function readRecordTypeIds(http: SalesforceHttp, names: string[]): Promise<Map<string, string>> {
  const ids = new Map<string, string>();
  const unique = [...new Set(names.map(soqlName))];
  if (unique.length === 0) return ids;
  const soql = `SELECT Id, DeveloperName FROM RecordType WHERE SobjectType = 'Opportunity' AND DeveloperName IN (${unique.map(soqlString).join(', ')})`;
  for (const row of await queryAll(http, soql, 'read Opportunity record types')) {
    ids.set(String(row['DeveloperName']).toLowerCase(), String(row['Id']));
  }
  return ids;
}

/** Opportunity (short id) → the wanted contacts with a contact role on it. */
async function contactRoles(
  http: SalesforceHttp,
  opportunityIds: string[],
  contactIds: string[],
): Promise<Map<string, string[]>> {
  const roles = new Map<string, string[]>();
  const contacts = contactIds.filter(isSalesforceId);
  if (opportunityIds.length === 0 || contacts.length === 0) return roles;
  const [contactList] = soqlInLists(contacts);
  for (const inList of soqlInLists(opportunityIds)) {
    const soql = `SELECT OpportunityId, ContactId FROM OpportunityContactRole WHERE OpportunityId IN ${inList} AND ContactId IN ${contactList ?? "('')"}`;
    for (const row of await queryAll(http, soql, 'read the contact roles of opportunities')) {
      const key = shortId(String(row['OpportunityId']));
      roles.set(key, [...(roles.get(key) ?? []), String(row['ContactId'])]);
    }
  }
  return roles;
}

function toCandidate(
  row: SoqlRecord,
  companyId: string,
  contactIds: string[],
  options: SalesforceDealOptions,
): DealCandidate {
  const text = (value: unknown) => (typeof value === 'string' && value !== '' ? value : undefined);
  const recordType = (row['RecordType'] as { DeveloperName?: unknown } | null | undefined)?.DeveloperName;
  const candidate: DealCandidate = {
    id: String(row['Id']),
    companyId,
    closed: row['IsClosed'] === true,
    createdAt: text(row['CreatedDate']) ?? '',
    modifiedAt: text(row['LastModifiedDate']) ?? text(row['CreatedDate']) ?? '',
    contactIds,
  };
  const optional = {
    ownerId: text(row['OwnerId']),
    name: text(row['Name']),
    pipeline: text(recordType),
    stage: text(row['StageName']),
    amount: typeof row['Amount'] === 'number' ? row['Amount'] : undefined,
    key: options.keyField === undefined ? undefined : text(fieldOf(row, options.keyField)),
  };
  for (const [name, value] of Object.entries(optional)) {
    if (value !== undefined) Object.assign(candidate, { [name]: value });
  }
  return candidate;
}

/** A field by API name, whatever case the org answers it in. */
function fieldOf(row: SoqlRecord, field: string): unknown {
  const key = Object.keys(row).find((k) => k.toLowerCase() === field.toLowerCase());
  return key === undefined ? undefined : row[key];
}
