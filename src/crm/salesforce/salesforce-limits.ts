/**
 * Salesforce's numbers and header names as data, plus the pure functions that turn them into decisions.
 * Sources: Salesforce's REST API limits documentation.
 */
import type { RetryPolicy } from '../retry-decision.ts';

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

/** Salesforce's retry settings for one request (a collection chunk, a query page, a task create). */
export const DEFAULT_RETRY_POLICY: Readonly<RetryPolicy> = Object.freeze({
  maxAttempts: 5,
  baseMs: 500,
  capMs: 30_000,
  maxWaitMs: 120_000,
  deadlineMs: 120_000,
  /** A hung connection must not eat the whole deadline. */
  attemptTimeoutMs: 60_000,
});

export { AUTH_FAILURE_COOLDOWN_MS, TOKEN_CALLS_PER_MINUTE } from '../token-refresh-guard.ts';
