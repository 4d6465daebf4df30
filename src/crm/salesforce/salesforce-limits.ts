/**
 * Salesforce's numbers and header names as data, plus the pure functions that turn them into decisions.
 * Sources: crm-facts.md (Salesforce section) and Salesforce's REST API limits documentation.
 */

export const DEFAULT_API_VERSION = '66.0';
export const DEFAULT_LOGIN_URL = 'https://login.salesforce.com';

/** sObject Collections take at most 200 records per call. */
export const COLLECTION_BATCH_SIZE = 200;

/**
 * SOQL statements may be 100,000 characters long, but a query travels in a GET URL, which Salesforce caps
 * far lower (about 16 KB). Values are URL-encoded (up to 3× longer), so an IN list stays under this many
 * characters of SOQL, and under a fixed number of values.
 */
export const SOQL_IN_LIST_MAX_CHARS = 4_000;
export const SOQL_IN_LIST_MAX_VALUES = 200;

/** Task fields: Salesforce refuses longer values instead of truncating them. */
export const TASK_SUBJECT_MAX = 255;
export const TASK_DESCRIPTION_MAX = 32_000;

/** Every REST response carries `Sforce-Limit-Info: api-usage=used/limit` (daily, rolling 24 h, per org). */
export const LIMIT_INFO_HEADER = 'sforce-limit-info';

/**
 * The daily limit answers 403 REQUEST_LIMIT_EXCEEDED without Retry-After. The window is a rolling 24 h,
 * so capacity comes back gradually: wait long enough not to hammer the org, short enough to resume soon.
 */
export const DAILY_LIMIT_WAIT_MS = 10 * 60_000;
/** The same error code also reports the 25 concurrent long-running requests limit; that one clears fast. */
export const CONCURRENT_LIMIT_WAIT_MS = 5_000;

/** From this share of the daily limit on, each request waits a little, so the remaining budget lasts longer. */
export const PACE_FROM_USAGE = 0.9;
export const PACE_MAX_DELAY_MS = 2_000;

export interface ApiUsage {
  used: number;
  limit: number;
}

/** Parses `api-usage=1234/15000` (other entries such as `per-app-api-usage` may follow). */
export function parseLimitInfo(header: string | undefined): ApiUsage | undefined {
  const match = header === undefined ? null : /(?:^|[\s;,])api-usage=(\d+)\/(\d+)/.exec(header);
  if (match === null) return undefined;
  const used = Number(match[1]);
  const limit = Number(match[2]);
  return limit > 0 ? { used, limit } : undefined;
}

/**
 * How long to wait before the next request given the org's usage: nothing below 90 %, then a delay that
 * grows linearly to PACE_MAX_DELAY_MS at 100 %. The hard stop is Salesforce's own 403.
 */
export function paceDelayMs(usage: ApiUsage | undefined): number {
  if (usage === undefined) return 0;
  const share = usage.used / usage.limit;
  if (share < PACE_FROM_USAGE) return 0;
  const progress = Math.min(1, (share - PACE_FROM_USAGE) / (1 - PACE_FROM_USAGE));
  return Math.round(progress * PACE_MAX_DELAY_MS);
}

/** Retry settings for one request (a collection chunk, a query page, a task create). */
export interface RetryPolicy {
  /** Attempts in all, the first included. */
  maxAttempts: number;
  /** First backoff step. */
  baseMs: number;
  /** Largest backoff step. */
  capMs: number;
  /** No attempt starts, and no wait is taken, past this many ms after the request began. */
  deadlineMs: number;
  /** One attempt is abandoned after this long (a hung connection must not eat the whole deadline). */
  attemptTimeoutMs?: number;
}

export const DEFAULT_RETRY_POLICY: Readonly<Required<RetryPolicy>> = Object.freeze({
  maxAttempts: 5,
  baseMs: 500,
  capMs: 30_000,
  deadlineMs: 120_000,
  attemptTimeoutMs: 60_000,
});

/**
 * Token calls allowed per client and minute. jsforce, left alone, refreshes on every 401 and was seen making
 * over a thousand token calls in 3 s; gridsync refreshes at most once per request and this many per minute.
 */
export const TOKEN_CALLS_PER_MINUTE = 5;
/** After the token endpoint refuses the credentials, no new token call for this long. */
export const AUTH_FAILURE_COOLDOWN_MS = 60_000;
