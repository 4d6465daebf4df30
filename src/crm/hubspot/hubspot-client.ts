/**
 * The HubSpot adapter: CrmClient on HubSpot's date-versioned REST API, one instance per tenant. Roles map to
 * HubSpot objects (grid → the mapping's custom object, deal → deals, company → companies, contact → contacts);
 * every HubSpot path comes from hubspot-paths.ts, so the next API version is one line there.
 */
import type { Logger } from '../../lib/logger.ts';
import type { SharedWindows } from '../../lib/shared-window.ts';
import type { TenantMapping } from '../../mapping/mapping-schema.ts';
import type { CrmClient, CrmObjectRole, GridLinks, RecordOutcome, RecordUpdate } from '../crm-client.ts';
import { CrmError } from '../crm-errors.ts';
import { dailyLimitView } from '../daily-limit-view.ts';
import { RequestBudget } from '../request-budget.ts';
import type { RetryPolicy } from '../retry-decision.ts';
import { DEFAULT_REQUEST_RETRY } from '../send-with-retry.ts';
import { type HubSpotTokenProvider, tokenProviderFrom } from './hubspot-auth.ts';
import { BATCH_REFUSALS, type BatchEntry, writeInBatches } from './hubspot-batch-write.ts';
import { createDeals, findCompanyDeals, findDealsByKey, unlinkGridDeals } from './hubspot-deals.ts';
import { createHubSpotHttp, type HubSpotHttp } from './hubspot-http.ts';
import {
  HUBSPOT_DEFAULT_BASE_URL,
  HUBSPOT_LIMITS,
  HUBSPOT_OBJECT_TYPES,
  type HubSpotSettings,
  requestsPerWindow,
} from './hubspot-limits.ts';
import { readByIdentity, readByIds, searchByIdentity } from './hubspot-identity.ts';
import { hubSpotPaths } from './hubspot-paths.ts';
import { readOwner } from './hubspot-reads.ts';
import { createTasks, findTaskIdsByMarkers } from './hubspot-tasks.ts';
import { linkRecords } from './hubspot-writes.ts';

export interface HubSpotClientOptions {
  mapping: TenantMapping;
  accessToken: HubSpotTokenProvider | (() => Promise<string>);
  logger: Logger;
  /** Defaults to the mapping's crm.baseUrl, then https://api.hubapi.com. */
  baseUrl?: string;
  retry?: Partial<RetryPolicy>;
  /** The tenant's budget, to keep it across clients rebuilt on a mapping change; built from the plan if absent. */
  budget?: RequestBudget;
  /** Stops retry waits at shutdown. */
  signal?: AbortSignal;
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
}

/**
 * The budget a tenant's plan allows: a strict 10 s window, and 5 searches per second on top; with `shared`, the
 * windows are the whole deployment's (every replica's requests count).
 */
export function hubSpotBudget(
  crm: HubSpotSettings,
  name: string,
  logger: Logger,
  shared?: SharedWindows,
): RequestBudget {
  return new RequestBudget({
    name,
    requestsPerWindow: requestsPerWindow(crm),
    windowMs: HUBSPOT_LIMITS.windowMs,
    searchPerSecond: HUBSPOT_LIMITS.searchPerSecond,
    ...(shared === undefined ? {} : { shared: { windows: shared, key: `hubspot:${name}` } }),
    logger,
  });
}

export function createHubSpotClient(options: HubSpotClientOptions): CrmClient {
  const { mapping, logger } = options;
  const crm = mapping.crm;
  if (crm.type !== 'hubspot') {
    throw new Error(`createHubSpotClient: tenant ${mapping.tenant} maps to ${crm.type}, not hubspot`);
  }
  const budget = options.budget ?? hubSpotBudget(crm, mapping.tenant, logger);
  const http = createHubSpotHttp({
    tenant: mapping.tenant,
    baseUrl: options.baseUrl ?? crm.baseUrl ?? HUBSPOT_DEFAULT_BASE_URL,
    tokens: tokenProviderFrom(options.accessToken),
    budget,
    retry: { ...DEFAULT_REQUEST_RETRY, ...options.retry },
    logger,
    ...(options.signal === undefined ? {} : { signal: options.signal }),
    ...(options.sleep === undefined ? {} : { sleep: options.sleep }),
    ...(options.random === undefined ? {} : { random: options.random }),
  });
  const gridType = mapping.grid.object;
  const companyField = mapping.identity.company.field;
  const contactField = mapping.identity.contact.field;
  const dealOptions = { keyField: mapping.deal.create?.keyField };

  return {
    crm: 'hubspot',

    async upsertGridRecords(records) {
      const idProperty = mapping.grid.externalIdField;
      const entries = coalesce(records, (r) => r.externalId).map(([externalId, properties]) => ({
        key: externalId,
        properties,
        input: { id: externalId, idProperty, objectWriteTraceId: externalId, properties },
      }));
      const outcomes = await writeObjects(http, gridType, 'upsert', entries, (result) => {
        const props = result.properties as Record<string, unknown> | undefined;
        return stringOf(result.objectWriteTraceId) ?? stringOf(props?.[idProperty]);
      });
      return records.map((record) => outcomeOf(outcomes, record.externalId));
    },

    linkGridRecords(links: GridLinks[]) {
      return linkRecords(http, gridType, mapping.grid.associate, links);
    },

    async updateRecords(role: Exclude<CrmObjectRole, 'grid'>, updates: RecordUpdate[]) {
      const objectType = HUBSPOT_OBJECT_TYPES[role];
      // Nothing to write is not a call: a re-sync of unchanged data must make none.
      const entries = coalesce(updates, (u) => u.id)
        .filter(([, properties]) => Object.keys(properties).length > 0)
        .map(([id, properties]) => ({
          key: id,
          properties,
          input: { id, objectWriteTraceId: id, properties },
        }));
      const outcomes = await writeObjects(
        http,
        objectType,
        'update',
        entries,
        (result) => stringOf(result.objectWriteTraceId) ?? stringOf(result.id),
      );
      return updates.map((update) =>
        Object.keys(update.properties).length === 0 && !outcomes.has(update.id)
          ? { ok: true, id: update.id }
          : outcomeOf(outcomes, update.id),
      );
    },

    findCompaniesByDomain: (domains, fields) =>
      searchByIdentity(http, HUBSPOT_OBJECT_TYPES.company, companyField, domains, fields),
    findContactsByEmail: (emails) =>
      readByIdentity(http, HUBSPOT_OBJECT_TYPES.contact, contactField, emails, []),
    getDeals: (ids, fields) => readByIds(http, HUBSPOT_OBJECT_TYPES.deal, ids, fields),
    getCompanies: (ids, fields) => readByIds(http, HUBSPOT_OBJECT_TYPES.company, ids, fields),
    unlinkGridDeals: (links) => unlinkGridDeals(http, gridType, links),
    findCompanyDeals: (search) => findCompanyDeals(http, search, dealOptions),
    findDealsByKey: (keys) => findDealsByKey(http, keys, dealOptions),
    createDeals: (deals) => createDeals(http, deals, dealOptions),
    getOwner: (ownerId) => readOwner(http, ownerId),
    findTasksByMarkers: (markers) => findTaskIdsByMarkers(http, markers),
    createTasks: (tasks) => createTasks(http, tasks),
    dailyLimit: () => dailyLimitView(budget),
  };
}

type ResultKey = (result: Record<string, unknown>) => string | undefined;

function writeObjects<I>(
  http: HubSpotHttp,
  objectType: string,
  action: 'upsert' | 'update',
  entries: BatchEntry<I>[],
  keyOf: ResultKey,
) {
  return writeInBatches(entries, {
    size: HUBSPOT_LIMITS.objectBatchSize,
    what: `${objectType} records`,
    send: (inputs) =>
      http({
        method: 'POST',
        path: hubSpotPaths.objectsBatch(objectType, action),
        body: { inputs },
        answerStatuses: BATCH_REFUSALS,
        what: `batch ${action} of ${objectType}`,
      }),
    readResult: (result) => {
      const key = keyOf(result);
      const id = stringOf(result.id);
      if (key === undefined || id === undefined) return undefined;
      return {
        key,
        outcome: action === 'upsert' ? { ok: true, id, created: result.new === true } : { ok: true, id },
      };
    },
  });
}

/** Same key twice in one call: one input, later properties winning, and both callers get its outcome. */
function coalesce<T extends { properties: Record<string, string> }>(
  items: T[],
  keyOf: (item: T) => string,
): [string, Record<string, string>][] {
  const merged = new Map<string, Record<string, string>>();
  for (const item of items) merged.set(keyOf(item), { ...merged.get(keyOf(item)), ...item.properties });
  return [...merged];
}

function outcomeOf(outcomes: Map<string, RecordOutcome>, key: string): RecordOutcome {
  return (
    outcomes.get(key) ?? {
      ok: false,
      error: new CrmError('rejected', `HubSpot gave no outcome for record ${key}`),
    }
  );
}

function stringOf(value: unknown): string | undefined {
  if (typeof value === 'string' && value !== '') return value;
  return typeof value === 'number' ? String(value) : undefined;
}
