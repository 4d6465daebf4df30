/**
 * HubSpot's numbers, header names and fixed ids as data (see shared/reference/crm-facts.md). Code reads them
 * from here, so a change on HubSpot's side is one edit, and the limiter and the retry policy never hard-code a
 * vendor figure.
 */
import type { CrmSettings, HUBSPOT_PLANS } from '../../mapping/mapping-schema.ts';

export type HubSpotSettings = Extract<CrmSettings, { type: 'hubspot' }>;
export type HubSpotPlan = (typeof HUBSPOT_PLANS)[number];

export const HUBSPOT_DEFAULT_BASE_URL = 'https://api.hubapi.com';

/** Requests per rolling 10 s window for private apps and service keys, by plan. */
export const HUBSPOT_REQUESTS_PER_WINDOW: Readonly<Record<HubSpotPlan, number>> = {
  free: 100,
  starter: 100,
  professional: 190,
  enterprise: 190,
  api_addon: 250,
};

export const HUBSPOT_LIMITS = {
  /** The TEN_SECONDLY_ROLLING window. */
  windowMs: 10_000,
  /** CRM search has its own budget per account. */
  searchPerSecond: 5,
  /** Inputs per object batch call (create, read, update, upsert). */
  objectBatchSize: 100,
  /**
   * Inputs per associations v4 batch call. Batch create takes 2,000 and batch read 1,000; 1,000 stays under
   * every documented v4 batch limit, and a sync rarely links more grids than that at once.
   */
  associationBatchSize: 1_000,
  /** Values in one IN filter of a search, and results per search page. */
  searchInValues: 100,
  searchPageSize: 200,
  /** 423 Locked: HubSpot asks for at least this much. */
  lockedMinWaitMs: 2_000,
  /** A 429 without Retry-After or interval header on the ten-secondly policy. */
  rollingLimitDefaultWaitMs: 10_000,
  /** The search policy's window. */
  secondlyLimitWaitMs: 1_000,
  /**
   * A DAILY 429 resets at midnight in the account's time zone, which gridsync does not know. An hour is long
   * enough not to hammer and short enough to resume the same day.
   */
  dailyLimitWaitMs: 60 * 60_000,
} as const;

/** Response headers HubSpot reports its limits in (lower-case: fetch Headers are case-insensitive anyway). */
export const HUBSPOT_RATE_LIMIT_HEADERS = {
  max: 'x-hubspot-ratelimit-max',
  remaining: 'x-hubspot-ratelimit-remaining',
  intervalMs: 'x-hubspot-ratelimit-interval-milliseconds',
  daily: 'x-hubspot-ratelimit-daily',
  dailyRemaining: 'x-hubspot-ratelimit-daily-remaining',
  retryAfter: 'retry-after',
} as const;

/** `policyName` values of a 429 body. */
export const HUBSPOT_RATE_LIMIT_POLICIES = {
  rolling: 'TEN_SECONDLY_ROLLING',
  secondly: 'SECONDLY',
  daily: 'DAILY',
} as const;

/** HUBSPOT_DEFINED association type ids from a task to the records it concerns. */
export const TASK_ASSOCIATION_TYPE_IDS = { contact: 204, company: 192, deal: 216 } as const;

export const HUBSPOT_OBJECT_TYPES = {
  deal: 'deals',
  company: 'companies',
  contact: 'contacts',
  task: 'tasks',
} as const;

export const HUBSPOT_OWNER_PROPERTY = 'hubspot_owner_id';

/** Validation codes HubSpot puts in `errors[].code` or in the JSON inside `message`. */
export const PROPERTY_DOESNT_EXIST = 'PROPERTY_DOESNT_EXIST';

/** The tenant's request budget: an explicit `requestsPer10Seconds` wins over what the plan implies. */
export function requestsPerWindow(crm: HubSpotSettings): number {
  return crm.requestsPer10Seconds ?? HUBSPOT_REQUESTS_PER_WINDOW[crm.plan];
}
