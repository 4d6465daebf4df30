/**
 * Every HubSpot request goes through here: the tenant's request budget, a deadline per try, gridsync's retry
 * policy, one token refresh after a 401, and the rate-limit headers fed back to the budget.
 *
 * Calls go through the SDK's `client.apiRequest`, which hands back the raw fetch Response (status and headers
 * included, no throw on 4xx) and goes through the SDK's decorators, which we keep empty: its retries and
 * limiter are off because their settings are a process-wide singleton and would mix tenants.
 *
 * Limitation: the SDK's transport takes no AbortSignal, so at the deadline gridsync stops waiting and moves
 * on (retry or failure) while the abandoned socket is closed later by undici's own timeouts. Every request we
 * retry after a timeout is idempotent (upserts by idProperty, updates, reads, associations); creates are not
 * retried after a timeout.
 */
import { Client } from '@hubspot/api-client';

import type { Logger } from '../../lib/logger.ts';
import type { BudgetLane, RateLimitReport, RequestBudget } from '../request-budget.ts';
import { type RequestRetryOptions, sendWithRetry } from '../send-with-retry.ts';
import type { HubSpotTokenProvider } from './hubspot-auth.ts';
import { errorFromNetwork, errorFromResponse } from './hubspot-errors.ts';
import { HUBSPOT_RATE_LIMIT_HEADERS } from './hubspot-limits.ts';

export interface HubSpotCall {
  method: 'GET' | 'POST' | 'PATCH';
  path: string;
  body?: unknown;
  query?: Record<string, string>;
  /** Search endpoints take a slot of the search budget too. @default 'standard' */
  lane?: BudgetLane;
  /** False for creates: not resent after an unclear failure. @default true */
  idempotent?: boolean;
  /** What the call is about, for messages: "batch upsert of p_sales_grid". */
  what: string;
  /**
   * Refusals returned as answers rather than thrown, so a batch writer can read which inputs they name.
   * Only permanent statuses belong here (400, 404, 409, 422): they are never retried anyway.
   */
  answerStatuses?: readonly number[];
}

/** A 2xx answer (207 Multi-Status included) or a status listed in answerStatuses; the rest throw CrmError. */
export interface HubSpotAnswer {
  status: number;
  body: unknown;
}

export type HubSpotHttp = (call: HubSpotCall) => Promise<HubSpotAnswer>;

export interface HubSpotHttpOptions {
  baseUrl: string;
  tokens: HubSpotTokenProvider;
  budget: RequestBudget;
  retry: RequestRetryOptions;
  logger: Logger;
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
  /** Stops retry waits at shutdown. */
  signal?: AbortSignal;
}

export function createHubSpotHttp(options: HubSpotHttpOptions): HubSpotHttp {
  const { budget, tokens, logger } = options;
  // No token in the SDK config: each request carries the current one, so a refresh never rebuilds the client.
  const sdk = new Client({ basePath: options.baseUrl.replace(/\/+$/, ''), numberOfApiCallRetries: 0 });

  const once = async (call: HubSpotCall, token: string): Promise<{ response: Response; body: unknown }> => {
    let response: Response;
    try {
      response = await sdk.apiRequest({
        method: call.method,
        path: call.path,
        ...(call.query === undefined ? {} : { qs: call.query }),
        ...(call.body === undefined ? {} : { body: call.body }),
        headers: { Authorization: `Bearer ${token}` },
      });
    } catch (thrown) {
      throw errorFromNetwork(thrown, call.what);
    }
    const text = await response.text().catch((thrown: unknown) => {
      throw errorFromNetwork(thrown, call.what);
    });
    budget.observe(rateLimitReport(response.headers));
    return { response, body: parseJson(text) };
  };

  const attempt = async (call: HubSpotCall): Promise<HubSpotAnswer> => {
    const token = await tokens.getToken();
    let { response, body } = await once(call, token);
    // The second try rides on the first one's budget slot: a 401 is rare and this keeps the retry immediate.
    if (response.status === 401 && (await tokens.refreshAfterRejection(token))) {
      logger.info({ request: call.what }, 'HubSpot refused the access token; retrying once with a fresh one');
      ({ response, body } = await once(call, await tokens.getToken()));
    }
    if (response.ok || call.answerStatuses?.includes(response.status)) {
      return { status: response.status, body };
    }
    const error = errorFromResponse(response.status, response.headers, body, call.what);
    if (
      response.status === 429 &&
      error.waitMs !== undefined &&
      response.headers.has(HUBSPOT_RATE_LIMIT_HEADERS.retryAfter)
    ) {
      // HubSpot named a time to come back: nothing of this tenant's should go out before it.
      budget.holdFor(error.waitMs, 'HubSpot sent Retry-After');
    }
    throw error;
  };

  return (call) =>
    sendWithRetry(() => attempt(call), {
      retry: options.retry,
      logger,
      label: `${call.method} ${call.path}`,
      throttle: (task) => budget.run(call.lane ?? 'standard', task),
      idempotent: call.idempotent ?? true,
      ...(options.signal === undefined ? {} : { signal: options.signal }),
      ...(options.sleep === undefined ? {} : { sleep: options.sleep }),
      ...(options.random === undefined ? {} : { random: options.random }),
    });
}

function rateLimitReport(headers: Headers): RateLimitReport {
  const report: RateLimitReport = {};
  const limit = numberHeader(headers, HUBSPOT_RATE_LIMIT_HEADERS.max);
  const remaining = numberHeader(headers, HUBSPOT_RATE_LIMIT_HEADERS.remaining);
  const windowMs = numberHeader(headers, HUBSPOT_RATE_LIMIT_HEADERS.intervalMs);
  if (limit !== undefined) report.limit = limit;
  if (remaining !== undefined) report.remaining = remaining;
  if (windowMs !== undefined) report.windowMs = windowMs;
  return report;
}

function numberHeader(headers: Headers, name: string): number | undefined {
  const value = headers.get(name);
  if (value === null || value.trim() === '') return undefined;
  const parsed = Number(value);
  return Number.isFinite(parsed) ? parsed : undefined;
}

function parseJson(text: string): unknown {
  if (text === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    // A proxy's HTML error page: keep a short excerpt as the message.
    return { message: text.slice(0, 200) };
  }
}
