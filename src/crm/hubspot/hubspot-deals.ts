/**
 * The deals of a batch of companies, in few calls: one associations batch read (company → deals, 1,000
 * companies a call), one batch read of those deals (100 a call), and, only when the rule picks the deal the
 * grid's contact is on, one associations batch read deal → contacts. Search is not used: its index lags
 * writes by seconds (a deal the AE just opened would be missed) and it has a budget of its own.
 *
 * Deals gridsync creates carry its key in a unique-value property (deal.create.keyField), are created with
 * their company association in the same call, and are found again by a batch read on that property.
 */
import type { DealCandidate, DealSearch, NewDeal, RecordOutcome } from '../crm-client.ts';
import { CrmError } from '../crm-errors.ts';
import type { HubSpotHttp } from './hubspot-http.ts';
import { HUBSPOT_LIMITS, HUBSPOT_OBJECT_TYPES, HUBSPOT_OWNER_PROPERTY } from './hubspot-limits.ts';
import { hubSpotPaths, isHubSpotNumericId } from './hubspot-paths.ts';
import { batchRead, chunks, type HubSpotRecord, recordsOf } from './hubspot-reads.ts';

/** HubSpot-defined association types of a deal (HubSpot's association type reference). */
const DEAL_TO_COMPANY_PRIMARY = 5;
const DEAL_TO_CONTACT = 3;

const DEAL_PROPERTIES = [
  'dealname',
  'pipeline',
  'dealstage',
  'amount',
  'createdate',
  'hs_lastmodifieddate',
  // Calculated by HubSpot from the stage's "closed won/lost" setting, in every pipeline.
  'hs_is_closed',
  HUBSPOT_OWNER_PROPERTY,
];

export interface HubSpotDealOptions {
  /** deal.create.keyField, when the tenant creates deals. */
  keyField: string | undefined;
}

export async function findCompanyDeals(
  http: HubSpotHttp,
  search: DealSearch,
  options: HubSpotDealOptions,
): Promise<Map<string, DealCandidate[]>> {
  const companyIds = [...new Set(search.companyIds.filter(isHubSpotNumericId))];
  const dealsOf = await readAssociations(
    http,
    HUBSPOT_OBJECT_TYPES.company,
    HUBSPOT_OBJECT_TYPES.deal,
    companyIds,
  );
  const dealIds = [...new Set([...dealsOf.values()].flat())];
  const records = dealIds.length
    ? await batchRead(http, HUBSPOT_OBJECT_TYPES.deal, dealIds, propertiesToRead(options))
    : [];
  const byId = new Map(records.map((r) => [r.id, r]));
  const counts = (record: HubSpotRecord) => dealCounts(record, search);

  const contactsOf = search.contactIds?.length
    ? await readAssociations(
        http,
        HUBSPOT_OBJECT_TYPES.deal,
        HUBSPOT_OBJECT_TYPES.contact,
        records.filter(counts).map((r) => r.id),
      )
    : new Map<string, string[]>();
  const wantedContacts = new Set(search.contactIds ?? []);

  const found = new Map<string, DealCandidate[]>();
  for (const companyId of companyIds) {
    const candidates = (dealsOf.get(companyId) ?? []).flatMap((id) => {
      const record = byId.get(id);
      if (!record || !counts(record)) return [];
      const contacts = (contactsOf.get(id) ?? []).filter((c) => wantedContacts.has(c));
      return [toCandidate(record, companyId, contacts, options)];
    });
    if (candidates.length > 0) found.set(companyId, candidates);
  }
  return found;
}

export async function findDealsByKey(
  http: HubSpotHttp,
  keys: string[],
  options: HubSpotDealOptions,
): Promise<Map<string, DealCandidate>> {
  const { keyField } = options;
  if (keyField === undefined || keys.length === 0) return new Map();
  const records = await batchRead(http, HUBSPOT_OBJECT_TYPES.deal, keys, propertiesToRead(options), keyField);
  const found = new Map<string, DealCandidate>();
  for (const record of records) {
    const key = record.properties[keyField];
    // The company is not known from the key alone; callers know which company they asked for.
    if (key) found.set(key, toCandidate(record, '', [], options));
  }
  return found;
}

/**
 * `POST …/deals/batch/create`, each deal with its company (and contact) association in the same input, so a
 * crash can never leave a deal gridsync cannot find by its company. Creates are never resent by the request
 * pipeline after an unclear failure; the caller's retry looks the key up first. A key HubSpot already holds
 * (a create that went through before a crash or timeout) makes HubSpot refuse the input: it is read back.
 */
export async function createDeals(
  http: HubSpotHttp,
  deals: NewDeal[],
  options: HubSpotDealOptions,
): Promise<RecordOutcome[]> {
  const { keyField } = options;
  if (keyField === undefined) {
    throw new CrmError('rejected', 'deals are created only with deal.create.keyField in the mapping');
  }
  const created = new Map<string, string>();
  for (const chunk of chunks(deals, HUBSPOT_LIMITS.objectBatchSize)) {
    const answer = await http({
      method: 'POST',
      path: hubSpotPaths.objectsBatch(HUBSPOT_OBJECT_TYPES.deal, 'create'),
      body: { inputs: chunk.map((deal) => createInput(deal, keyField)) },
      idempotent: false,
      // A refused input (its key exists) must not stop the others of the batch: read them back below.
      answerStatuses: [400, 409],
      what: 'batch create of deals',
    });
    for (const record of recordsOf(answer.body)) {
      const key = record.properties[keyField];
      if (key) created.set(key, record.id);
    }
  }
  const missing = deals.filter((d) => !created.has(d.key)).map((d) => d.key);
  if (missing.length > 0) {
    for (const [key, deal] of await findDealsByKey(http, missing, options)) created.set(key, deal.id);
  }
  return deals.map((deal) => {
    const id = created.get(deal.key);
    return id !== undefined
      ? { ok: true, id, created: true }
      : {
          ok: false,
          error: new CrmError('rejected', `HubSpot did not create the deal "${deal.name}" (key ${deal.key})`),
        };
  });
}

function createInput(deal: NewDeal, keyField: string): Record<string, unknown> {
  const properties: Record<string, string> = {
    dealname: deal.name,
    dealstage: deal.stage,
    closedate: `${deal.closeDate}T00:00:00.000Z`,
    [keyField]: deal.key,
  };
  if (deal.pipeline !== undefined) properties.pipeline = deal.pipeline;
  if (deal.ownerId !== undefined) properties[HUBSPOT_OWNER_PROPERTY] = deal.ownerId;
  const associations = [
    { to: { id: deal.companyId }, typeId: DEAL_TO_COMPANY_PRIMARY },
    ...(deal.contactId === undefined ? [] : [{ to: { id: deal.contactId }, typeId: DEAL_TO_CONTACT }]),
  ].map(({ to, typeId }) => ({
    to,
    types: [{ associationCategory: 'HUBSPOT_DEFINED', associationTypeId: typeId }],
  }));
  return { properties, associations };
}

function propertiesToRead(options: HubSpotDealOptions): string[] {
  return options.keyField === undefined ? DEAL_PROPERTIES : [...DEAL_PROPERTIES, options.keyField];
}

function dealCounts(record: HubSpotRecord, search: DealSearch): boolean {
  const { pipeline, dealstage } = record.properties;
  if (search.pipelines && !(pipeline && search.pipelines.includes(pipeline))) return false;
  if (search.stages === 'open') return record.properties.hs_is_closed !== 'true';
  return dealstage !== null && dealstage !== undefined && search.stages.includes(dealstage);
}

function toCandidate(
  record: HubSpotRecord,
  companyId: string,
  contactIds: string[],
  options: HubSpotDealOptions,
): DealCandidate {
  const p = record.properties;
  const text = (value: string | null | undefined) => (value ? value : undefined);
  const amount = p.amount ? Number(p.amount) : Number.NaN;
  const candidate: DealCandidate = {
    id: record.id,
    companyId,
    closed: p.hs_is_closed === 'true',
    createdAt: text(p.createdate) ?? '',
    modifiedAt: text(p.hs_lastmodifieddate) ?? text(p.createdate) ?? '',
    contactIds,
  };
  const optional = {
    ownerId: text(p[HUBSPOT_OWNER_PROPERTY]),
    name: text(p.dealname),
    pipeline: text(p.pipeline),
    stage: text(p.dealstage),
    amount: Number.isFinite(amount) ? amount : undefined,
    key: options.keyField === undefined ? undefined : text(p[options.keyField]),
  };
  for (const [name, value] of Object.entries(optional)) {
    if (value !== undefined) Object.assign(candidate, { [name]: value });
  }
  return candidate;
}

/** `POST …/{grid}/deals/batch/archive`, 1,000 pairs a call: removing a link that is gone already is fine. */
export async function unlinkGridDeals(
  http: HubSpotHttp,
  gridType: string,
  links: { gridRecordId: string; deal: string }[],
): Promise<void> {
  const inputs = links.map((l) => ({ from: { id: l.gridRecordId }, to: [{ id: l.deal }] }));
  for (const chunk of chunks(inputs, HUBSPOT_LIMITS.associationBatchSize)) {
    await http({
      method: 'POST',
      path: hubSpotPaths.associationsBatch(gridType, HUBSPOT_OBJECT_TYPES.deal, 'archive'),
      body: { inputs: chunk },
      what: `${gridType}→deals association removal`,
    });
  }
}

/**
 * `POST /crm/associations/2026-03/{from}/{to}/batch/read`, 1,000 ids a call; a record with more associations
 * than one page is asked again with its `after` cursor. Ids HubSpot does not know are simply absent.
 */
async function readAssociations(
  http: HubSpotHttp,
  fromType: string,
  toType: string,
  ids: string[],
): Promise<Map<string, string[]>> {
  const found = new Map<string, string[]>();
  let pending: { id: string; after?: string }[] = [...new Set(ids)].map((id) => ({ id }));
  while (pending.length > 0) {
    const next: { id: string; after: string }[] = [];
    for (const chunk of chunks(pending, HUBSPOT_LIMITS.associationBatchSize)) {
      const answer = await http({
        method: 'POST',
        path: hubSpotPaths.associationsBatch(fromType, toType, 'read'),
        body: { inputs: chunk },
        what: `associations of ${fromType} to ${toType}`,
      });
      for (const result of associationResultsOf(answer.body)) {
        found.set(result.from, [...(found.get(result.from) ?? []), ...result.to]);
        if (result.after !== undefined) next.push({ id: result.from, after: result.after });
      }
    }
    pending = next;
  }
  return found;
}

function associationResultsOf(body: unknown): { from: string; to: string[]; after?: string }[] {
  const results = (body as { results?: unknown } | undefined)?.results;
  if (!Array.isArray(results)) return [];
  return results.flatMap((raw: unknown) => {
    const result = raw as {
      from?: { id?: unknown };
      to?: { toObjectId?: unknown }[];
      paging?: { next?: { after?: unknown } };
    };
    const from = idOf(result.from?.id);
    if (from === undefined) return [];
    const to = (Array.isArray(result.to) ? result.to : []).flatMap((t) => {
      const id = idOf(t.toObjectId);
      return id === undefined ? [] : [id];
    });
    const after = result.paging?.next?.after;
    return [{ from, to, ...(typeof after === 'string' && after !== '' ? { after } : {}) }];
  });
}

function idOf(value: unknown): string | undefined {
  if (typeof value === 'number') return String(value);
  return typeof value === 'string' && value !== '' ? value : undefined;
}
