/**
 * The CRM port. HubSpot and Salesforce adapters implement it; the worker speaks only these words.
 * An adapter is built per tenant from its mapping, so it knows the grid object's CRM name, the
 * association settings and the identity fields; callers name objects by their role.
 *
 * Batch methods take any number of items and split them into the CRM's batch size themselves, and return one
 * outcome per item, in order. A request that still fails after the adapter's own retries throws a CrmError
 * (retryable or not); a record the CRM refuses is an outcome, so its batch-mates still go through.
 */
import type { CrmError } from './crm-errors.ts';
import type { DailyLimitView } from './daily-limit-view.ts';

/** Roles, not CRM names: HubSpot deals/companies/contacts, Salesforce Opportunity/Account/Contact. */
export type CrmObjectRole = 'grid' | 'deal' | 'company' | 'contact';

export type RecordOutcome = { ok: true; id: string; created?: boolean } | { ok: false; error: CrmError };

export interface ExternalIdUpsert {
  /** Value of the mapping's grid.externalIdField. */
  externalId: string;
  properties: Record<string, string>;
}

export interface RecordUpdate {
  id: string;
  properties: Record<string, string>;
}

export interface GridLinks {
  /** The grid record's CRM id. */
  gridRecordId: string;
  deal?: string;
  company?: string;
  contact?: string;
}

export interface FoundRecord {
  id: string;
  /** The record's owner (HubSpot hubspot_owner_id, Salesforce OwnerId), when it has one. */
  ownerId?: string;
  /** Requested extra fields (ICP values), as strings; absent when empty. */
  fields: Record<string, string>;
}

export interface CrmOwner {
  id: string;
  active: boolean;
  name?: string;
}

export interface NewAeTask {
  subject: string;
  body: string;
  dueAt: Date;
  priority: 'high' | 'medium' | 'low';
  ownerId: string;
  /** A string unique to the grid, written into the task so a lookup can find it after a crash. */
  marker: string;
  links: { deal?: string; company?: string; contact?: string };
}

/** Which of some companies' deals count (the mapping's deal.find): the adapter filters, sync picks the winner. */
export interface DealSearch {
  companyIds: string[];
  /** HubSpot pipeline ids; absent: every pipeline. */
  pipelines?: string[];
  /** `open`: not closed won or lost. A list: HubSpot dealstage ids, Salesforce StageName values. */
  stages: 'open' | string[];
  /** Salesforce record types (DeveloperName); absent: every record type. */
  recordTypes?: string[];
  /** Report which of these contacts are on each deal (pick: associated_with_contact). */
  contactIds?: string[];
}

/** A deal as the deal rule judges it. Dates are ISO 8601. */
export interface DealCandidate {
  id: string;
  /** The company it was found for. */
  companyId: string;
  ownerId?: string;
  name?: string;
  /** HubSpot pipeline id; Salesforce record type DeveloperName. */
  pipeline?: string;
  stage?: string;
  closed: boolean;
  amount?: number;
  createdAt: string;
  modifiedAt: string;
  /** The searched contacts that are on the deal (only when DealSearch.contactIds was given). */
  contactIds: string[];
  /** gridsync's key (deal.create.keyField), on deals gridsync created. */
  key?: string;
}

/** A deal gridsync creates for a company that has none (deal.whenNone: create). */
export interface NewDeal {
  /** Written to deal.create.keyField: the same key is never created twice. */
  key: string;
  companyId: string;
  contactId?: string;
  name: string;
  /** HubSpot pipeline id. */
  pipeline?: string;
  stage: string;
  /** Salesforce record type DeveloperName. */
  recordType?: string;
  /** YYYY-MM-DD */
  closeDate: string;
  ownerId?: string;
}

export interface CrmClient {
  readonly crm: 'hubspot' | 'salesforce';
  /** Upserts grid records keyed by the external-ID field, coalesced into as few calls as the CRM allows. */
  upsertGridRecords(records: ExternalIdUpsert[]): Promise<RecordOutcome[]>;
  /** Links grid records to their deal, company and contact (HubSpot associations v4, Salesforce lookup fields). */
  linkGridRecords(links: GridLinks[]): Promise<RecordOutcome[]>;
  /**
   * Removes the grid records' links to these deals, once the deal rule moved them to another deal (HubSpot
   * association archive; Salesforce needs nothing: the new lookup value replaced the old one).
   */
  unlinkGridDeals(links: { gridRecordId: string; deal: string }[]): Promise<void>;
  /** Updates deal, company or contact fields by record id. */
  updateRecords(role: Exclude<CrmObjectRole, 'grid'>, updates: RecordUpdate[]): Promise<RecordOutcome[]>;
  /** Companies by domain (the mapping's identity field); the map has no entry for a domain not found. */
  findCompaniesByDomain(domains: string[], fields: string[]): Promise<Map<string, FoundRecord>>;
  findContactsByEmail(emails: string[]): Promise<Map<string, FoundRecord>>;
  /** Deals/opportunities by id; missing ids have no entry. */
  getDeals(ids: string[], fields: string[]): Promise<Map<string, FoundRecord>>;
  getCompanies(ids: string[], fields: string[]): Promise<Map<string, FoundRecord>>;
  /** The deals of each company that the search lets count, in few calls for many companies; none: no entry. */
  findCompanyDeals(search: DealSearch): Promise<Map<string, DealCandidate[]>>;
  /** Deals carrying these keys in deal.create.keyField, whatever their stage; keys not found have no entry. */
  findDealsByKey(keys: string[]): Promise<Map<string, DealCandidate>>;
  /**
   * Creates the deals, linked to their company (and contact). The CRM refuses a second deal with the same key
   * (a unique field): such an input is answered with the deal that already holds the key.
   */
  createDeals(deals: NewDeal[]): Promise<RecordOutcome[]>;
  getOwner(ownerId: string): Promise<CrmOwner | undefined>;
  /**
   * The ids of tasks carrying these markers (created before a crash, or before a lost answer), in few calls;
   * a marker not found has no entry. The CRM's search may lag behind its writes (see ensure-ae-task.ts).
   */
  findTasksByMarkers(markers: string[]): Promise<Map<string, string>>;
  /**
   * Creates the tasks in as few calls as the CRM allows (HubSpot 100, Salesforce 200 per call), each linked
   * to its deal, company and contact; one outcome per task, in order. Not idempotent and never resent after
   * an unclear failure (a timeout, a 5xx): that throws, and the caller's ledger decides after a marker lookup.
   */
  createTasks(tasks: NewAeTask[]): Promise<RecordOutcome[]>;
  /** The CRM's daily request limit as the tenant's budget last heard it, for the tenant's status (no call). */
  dailyLimit?(): DailyLimitView | undefined;
}
