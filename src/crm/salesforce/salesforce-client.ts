/**
 * The Salesforce adapter behind the CrmClient port, one per tenant. Roles map to objects: grid → the
 * mapping's custom object (keyed by its External ID field), deal → Opportunity, company → Account,
 * contact → Contact; grids link to the others through the lookup fields the mapping names.
 *
 * jsforce's Connection carries the session and the API version (always the mapping's, never jsforce's
 * 50.0 default); calls, retries and token refreshes are gridsync's (salesforce-http.ts, salesforce-auth.ts).
 */
import { Connection } from 'jsforce';

import type { Logger } from '../../lib/logger.ts';
import type { TenantMapping } from '../../mapping/mapping-schema.ts';
import type {
  CrmClient,
  CrmObjectRole,
  ExternalIdUpsert,
  GridLinks,
  NewAeTask,
  RecordOutcome,
  RecordUpdate,
} from '../crm-client.ts';
import { CrmError } from '../crm-errors.ts';
import { dailyLimitView } from '../daily-limit-view.ts';
import type { SalesforceCredentials } from './salesforce-auth.ts';
import { SalesforceSession } from './salesforce-auth.ts';
import type { CollectionRecord } from './salesforce-collections.ts';
import { writeCollection } from './salesforce-collections.ts';
import { createDeals, findCompanyDeals, findDealsByKey } from './salesforce-deals.ts';
import { SalesforceHttp } from './salesforce-http.ts';
import { RequestBudget } from '../request-budget.ts';
import type { RetryPolicy } from '../retry-decision.ts';
import { DEFAULT_API_VERSION, DEFAULT_LOGIN_URL, DEFAULT_RETRY_POLICY } from './salesforce-limits.ts';
import {
  findAccountsByDomain,
  findContactsByEmail,
  getRecordsById,
  getUser,
  queryAll,
} from './salesforce-lookups.ts';
import { soqlName } from './salesforce-soql.ts';
import { buildTaskRecord, MARKERS_PER_QUERY, markerTag, tasksByMarkersSoql } from './salesforce-task.ts';

export interface SalesforceClientOptions {
  mapping: TenantMapping;
  credentials: SalesforceCredentials;
  logger: Logger;
  /** Token endpoint host; defaults to the mapping's crm.baseUrl, then https://login.salesforce.com. */
  loginUrl?: string;
  retry?: Partial<RetryPolicy>;
  /** Cap on token calls per minute (default 5). */
  tokenCallsPerMinute?: number;
  /** The tenant's request budget (its daily limit), kept across clients rebuilt on a mapping change. */
  budget?: RequestBudget;
  /** Shutdown: cuts retry waits short. */
  signal?: AbortSignal;
}

/** A Salesforce tenant's budget: no burst window (Salesforce documents none), its org's daily count. */
export function salesforceBudget(tenant: string, logger: Logger): RequestBudget {
  return new RequestBudget({ name: tenant, logger });
}

const ROLE_OBJECTS: Record<Exclude<CrmObjectRole, 'grid'>, string> = {
  deal: 'Opportunity',
  company: 'Account',
  contact: 'Contact',
};
const LINK_ROLES = ['deal', 'company', 'contact'] as const;

/**
 * An empty value means "clear the field". Salesforce's REST API clears a field with JSON `null`, whatever its
 * type; an empty string is refused by the JSON reader for date, datetime, number, currency, percent and boolean
 * fields (JSON_PARSER_ERROR, the whole request), and a restricted picklist refuses it as a value. For text
 * fields the two mean the same (Salesforce stores an empty text as null), so every empty value becomes null.
 */
function clearingEmpties(properties: Record<string, string>): Record<string, string | null> {
  return Object.fromEntries(
    Object.entries(properties).map(([name, value]) => [name, value === '' ? null : value]),
  );
}

export function createSalesforceClient(options: SalesforceClientOptions): CrmClient {
  const { mapping } = options;
  if (mapping.crm.type !== 'salesforce') {
    throw new Error(`tenant ${mapping.tenant} uses ${mapping.crm.type}, not Salesforce`);
  }
  const policy: RetryPolicy = { ...DEFAULT_RETRY_POLICY, ...options.retry };
  const logger = options.logger.child({ crm: 'salesforce', tenant: mapping.tenant });
  const conn = new Connection({ version: mapping.crm.apiVersion || DEFAULT_API_VERSION });
  const session = new SalesforceSession(conn, {
    credentials: options.credentials,
    loginUrl: options.loginUrl ?? mapping.crm.baseUrl ?? DEFAULT_LOGIN_URL,
    logger,
    tokenTimeoutMs: policy.attemptTimeoutMs,
    ...(options.tokenCallsPerMinute === undefined
      ? {}
      : { tokenCallsPerMinute: options.tokenCallsPerMinute }),
  });
  const budget = options.budget ?? salesforceBudget(mapping.tenant, logger);
  const http = new SalesforceHttp(conn, session, {
    tenant: mapping.tenant,
    policy,
    logger,
    budget,
    ...(options.signal === undefined ? {} : { signal: options.signal }),
  });
  const gridObject = soqlName(mapping.grid.object);
  const externalIdField = soqlName(mapping.grid.externalIdField);
  const dealOptions = { keyField: mapping.deal.create?.keyField };

  async function findTasksByMarkers(markers: string[]): Promise<Map<string, string>> {
    const found = new Map<string, string>();
    const unique = [...new Set(markers)];
    for (let i = 0; i < unique.length; i += MARKERS_PER_QUERY) {
      const group = unique.slice(i, i + MARKERS_PER_QUERY);
      const tasks = await queryAll(http, tasksByMarkersSoql(group), 'find AE tasks by their markers');
      for (const task of tasks) {
        const subject = typeof task['Subject'] === 'string' ? task['Subject'] : '';
        const marker = group.find((m) => subject.includes(markerTag(m)));
        if (marker !== undefined && !found.has(marker)) found.set(marker, String(task['Id']));
      }
    }
    return found;
  }

  return {
    crm: 'salesforce',
    dailyLimit: () => dailyLimitView(budget),

    async upsertGridRecords(records: ExternalIdUpsert[]): Promise<RecordOutcome[]> {
      // Two pending versions of one grid become one record (the later values win): a collection may not
      // name an external ID twice, and the last write would win anyway.
      const merged = new Map<string, CollectionRecord>();
      for (const { externalId, properties } of records) {
        if (externalId === '') continue;
        const previous = merged.get(externalId) ?? { attributes: { type: gridObject } };
        merged.set(externalId, {
          ...previous,
          ...clearingEmpties(properties),
          [externalIdField]: externalId,
        });
      }
      const keys = [...merged.keys()];
      const outcomes = await writeCollection(
        http,
        { object: gridObject, path: `/composite/sobjects/${gridObject}/${externalIdField}`, verb: 'upsert' },
        [...merged.values()],
      );
      const byKey = new Map(keys.map((key, i) => [key, outcomes[i] as RecordOutcome]));
      return records.map(
        ({ externalId }) =>
          byKey.get(externalId) ?? {
            ok: false,
            error: new CrmError('rejected', `a ${gridObject} record needs a value for ${externalIdField}`, {
              field: externalIdField,
            }),
          },
      );
    },

    async linkGridRecords(links: GridLinks[]): Promise<RecordOutcome[]> {
      const lookups = LINK_ROLES.flatMap((role) => {
        const field = mapping.grid.associate[role]?.lookupField;
        return field === undefined ? [] : [{ role, field: soqlName(field) }];
      });
      const records = links.map((link): CollectionRecord => {
        const record: CollectionRecord = { attributes: { type: gridObject }, id: link.gridRecordId };
        for (const { role, field } of lookups) {
          const target = link[role];
          if (target !== undefined) record[field] = target;
        }
        return record;
      });
      return updateByIdSkippingEmpty(gridObject, records, 'link');
    },

    async updateRecords(role, updates: RecordUpdate[]): Promise<RecordOutcome[]> {
      const object = ROLE_OBJECTS[role];
      const records = updates.map((update): CollectionRecord => ({
        attributes: { type: object },
        ...clearingEmpties(update.properties),
        id: update.id,
      }));
      return updateByIdSkippingEmpty(object, records, 'update');
    },

    findCompaniesByDomain: (domains, fields) =>
      findAccountsByDomain(http, mapping.identity.company.field, domains, fields),
    findContactsByEmail: (emails) => findContactsByEmail(http, mapping.identity.contact.field, emails),
    getDeals: (ids, fields) => getRecordsById(http, ROLE_OBJECTS.deal, ids, fields),
    getCompanies: (ids, fields) => getRecordsById(http, ROLE_OBJECTS.company, ids, fields),
    // The grid's Opportunity lookup now holds the new deal: the old link is gone with its value.
    unlinkGridDeals: () => Promise.resolve(),
    findCompanyDeals: (search) => findCompanyDeals(http, search, dealOptions),
    findDealsByKey: (keys) => findDealsByKey(http, keys, dealOptions),
    createDeals: (deals) => createDeals(http, deals, dealOptions),
    getOwner: (ownerId) => getUser(http, ownerId),
    findTasksByMarkers,

    async createTasks(tasks: NewAeTask[]): Promise<RecordOutcome[]> {
      const records = tasks.map((task): CollectionRecord => ({
        attributes: { type: 'Task' },
        ...buildTaskRecord(task),
      }));
      // Results come in the order of the records: the i-th result is the i-th grid's task.
      const outcomes = await writeCollection(
        http,
        { object: 'Task', path: '/composite/sobjects', verb: 'insert', method: 'POST' },
        records,
      );
      const created = outcomes.filter((o) => o.ok).length;
      if (created > 0) {
        logger.info({ created, refused: tasks.length - created }, 'salesforce AE tasks created');
      }
      return outcomes;
    },
  };

  /** Records with nothing to change need no call: they succeed as they are. */
  async function updateByIdSkippingEmpty(
    object: string,
    records: CollectionRecord[],
    verb: string,
  ): Promise<RecordOutcome[]> {
    const hasChanges = records.map((record) =>
      Object.keys(record).some((key) => key !== 'attributes' && key !== 'id'),
    );
    const toSend = records.filter((_record, i) => hasChanges[i]);
    const sent = await writeCollection(http, { object, path: '/composite/sobjects', verb }, toSend);
    let next = 0;
    return records.map((record, i) =>
      hasChanges[i] ? (sent[next++] as RecordOutcome) : { ok: true, id: String(record['id']) },
    );
  }
}
