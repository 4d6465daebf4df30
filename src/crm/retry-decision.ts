/**
 * Whether to try a CRM request again, and after how long: a pure function of the error and the attempt count,
 * so every rule is tested with synthetic errors and the reason ends up in a log line.
 *
 * Within one request gridsync retries only what is likely to clear within seconds (rate-limit windows, brief
 * outages). Anything longer is the job's business: the request gives up with a retryable CrmError, the job
 * is failed with a retry time, and the worker comes back later without holding a lease meanwhile.
 */
import { backoffMs } from '../lib/backoff.ts';
import type { CrmError } from './crm-errors.ts';

/** How one CRM request is retried: the one policy type of both adapters. */
export interface RetryPolicy {
  /** Tries per request, the first included. */
  maxAttempts: number;
  /** First backoff step; each further try doubles it. */
  baseMs: number;
  /** Backoff never exceeds this. */
  capMs: number;
  /** A rate-limit wait longer than this is not waited out in-process (e.g. HubSpot's DAILY policy). */
  maxWaitMs: number;
  /** Time one try may take, from sending to the whole answer read. */
  attemptTimeoutMs: number;
  /** Time the whole request may take, tries and waits included; no try starts past it. */
  deadlineMs?: number;
}

export interface RetryDecision {
  retry: boolean;
  reason: string;
  /** How long to wait before the next try; when `retry` is false, a hint for when the job may try again. */
  waitMs: number;
}

/**
 * @param attempt tries made so far (1 after the first failure)
 * @param random injectable for tests; the jitter spreads tenants that failed together
 */
export function decideRetry(
  error: CrmError,
  attempt: number,
  policy: RetryPolicy,
  random: () => number = Math.random,
): RetryDecision {
  switch (error.kind) {
    case 'field_missing':
    case 'rejected':
    case 'not_found':
      return {
        retry: false,
        reason: `${error.kind} is permanent: trying again would get the same answer`,
        waitMs: 0,
      };
    case 'auth_failed':
      // The adapter has already refreshed the token once; looping on refused credentials only burns budget.
      return {
        retry: false,
        reason: 'credentials refused: the tenant needs reconnecting',
        waitMs: policy.capMs,
      };
    case 'rate_limited':
      return decideAfterRateLimit(error, attempt, policy, random);
    case 'unavailable':
    case 'timeout': {
      const backoff = Math.max(backoffMs(attempt, policy, random), error.waitMs ?? 0);
      if (attempt >= policy.maxAttempts) {
        return { retry: false, reason: `still ${error.kind} after ${attempt} attempts`, waitMs: backoff };
      }
      return {
        retry: true,
        reason: `${error.kind}: backing off before attempt ${attempt + 1}`,
        waitMs: backoff,
      };
    }
  }
}

function decideAfterRateLimit(
  error: CrmError,
  attempt: number,
  policy: RetryPolicy,
  random: () => number,
): RetryDecision {
  const asked = error.waitMs;
  if (asked !== undefined && asked > policy.maxWaitMs) {
    return {
      retry: false,
      reason: `the CRM asked to wait ${Math.ceil(asked / 1000)} s, longer than a request waits: the job retries later`,
      waitMs: asked,
    };
  }
  // Wait what the CRM asked for, plus a little jitter so queued requests do not all return in the same tick.
  const waitMs =
    asked === undefined
      ? backoffMs(attempt, policy, random)
      : asked + Math.round(random() * Math.min(policy.baseMs, asked / 10));
  if (attempt >= policy.maxAttempts) {
    return { retry: false, reason: `still rate limited after ${attempt} attempts`, waitMs };
  }
  return { retry: true, reason: `rate limited: waiting ${waitMs} ms before attempt ${attempt + 1}`, waitMs };
}
