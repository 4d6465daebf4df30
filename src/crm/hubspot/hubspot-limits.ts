/**
 * HubSpot's numbers, header names and fixed ids as data (HubSpot's published limits). Code reads them
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

/**
 * Public (OAuth) apps get their own burst limit per installing account, whatever the account's plan: 110
 * requests per 10 s (HubSpot's usage guidelines). The plan figures above are for private apps and service keys.
 */
export const HUBSPOT_PUBLIC_APP_REQUESTS_PER_WINDOW = 110;

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
  /** filterGroups in one search (ORed; since August 2024, with 10 filters per group and 25 in all). */
  searchFilterGroups: 5,
  /** 423 Locked: HubSpot asks for at least this much. */
  lockedMinWaitMs: 2_000,
  /** A 429 without Retry-After or interval header on the ten-secondly policy. */
  rollingLimitDefaultWaitMs: 10_000,
  /** The search policy's window. */
  secondlyLimitWaitMs: 1_000,
  /**
   * The daily limit resets at midnight in the account's time zone (read from the account-info API). Until that
   * zone is known, a spent limit is probed again after this long: one request an hour costs nothing.
   */
  dailyLimitUnknownResetWaitMs: 60 * 60_000,
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

/**
 * A 429's message when it has no policyName: the search API's per-second 429 carries only
 * `category: RATE_LIMITS` and this sentence (HubSpot's own SDK recognises it the same way).
 */
export const HUBSPOT_RATE_LIMIT_MESSAGES = {
  secondly: /secondly limit/i,
  daily: /daily limit/i,
  rolling: /ten_?secondly/i,
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

/**
 * The tenant's request budget: an explicit `requestsPer10Seconds` wins; OAuth tenants are a public app's
 * installation and get its burst limit; service keys and private-app tokens get their plan's figure.
 */
export function requestsPerWindow(crm: HubSpotSettings): number {
  if (crm.requestsPer10Seconds !== undefined) return crm.requestsPer10Seconds;
  return crm.auth?.kind === 'oauth'
    ? HUBSPOT_PUBLIC_APP_REQUESTS_PER_WINDOW
    : HUBSPOT_REQUESTS_PER_WINDOW[crm.plan];
}
