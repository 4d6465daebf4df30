/**
 * Every HubSpot request goes through here: the tenant's request budget, a deadline per try, gridsync's retry
 * policy, one token refresh after a 401, and the rate-limit headers fed back to the budget (the ten-secondly
 * window, and the daily count: a spent daily limit pauses the tenant until midnight in the portal's time zone,
 * read once from the account-info API).
 *
 * A small client of gridsync's own on fetch: `@hubspot/api-client` 14 knows only the retired v3/v4 paths, keeps
 * its retry and limiter settings in a process-wide singleton, and takes no AbortSignal. Here each try is aborted
 * at its deadline or at shutdown, so no socket outlives the request that opened it.
 */
import type { Logger } from '../../lib/logger.ts';
import { nextMidnightIn } from '../../lib/next-midnight.ts';
import { publishCrmAttempt } from '../crm-attempts.ts';
import { CrmError } from '../crm-errors.ts';
import type { BudgetLane, DailyLimitReport, RateLimitReport, RequestBudget } from '../request-budget.ts';
import type { RetryPolicy } from '../retry-decision.ts';
import { sendWithRetry } from '../send-with-retry.ts';
import type { HubSpotTokenProvider } from './hubspot-auth.ts';
import { errorFromNetwork, errorFromResponse, parseErrorBody, rateLimitPolicy } from './hubspot-errors.ts';
import { HUBSPOT_LIMITS, HUBSPOT_RATE_LIMIT_HEADERS } from './hubspot-limits.ts';
import { hubSpotPaths } from './hubspot-paths.ts';

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
  /** Names the tenant in the attempts published for metrics (crm-attempts.ts); none are published without it. */
  tenant?: string;
  tokens: HubSpotTokenProvider;
  budget: RequestBudget;
  retry: RetryPolicy;
  logger: Logger;
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
  /** Stops retry waits at shutdown. */
  signal?: AbortSignal;
}

export function createHubSpotHttp(options: HubSpotHttpOptions): HubSpotHttp {
  const { budget, tokens, logger } = options;
  // What the last try of a call sent and heard, for the attempt published when the try ends (metrics).
  const tries = new WeakMap<HubSpotCall, { status: number | undefined; remaining: number | undefined }>();
  const baseUrl = options.baseUrl.replace(/\/+$/, '');
  const portal = portalClock();

  const once = async (
    call: HubSpotCall,
    token: string,
    signal: AbortSignal,
  ): Promise<{ response: Response; body: unknown }> => {
    const query = call.query === undefined ? '' : `?${new URLSearchParams(call.query).toString()}`;
    tries.set(call, { status: undefined, remaining: undefined });
    let response: Response;
    let text: string;
    try {
      response = await fetch(`${baseUrl}${call.path}${query}`, {
        method: call.method,
        headers: {
          authorization: `Bearer ${token}`,
          accept: 'application/json',
          ...(call.body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        ...(call.body === undefined ? {} : { body: JSON.stringify(call.body) }),
        signal,
      });
      text = await response.text();
    } catch (thrown) {
      throw errorFromNetwork(thrown, call.what);
    }
    const report = rateLimitReport(response.headers);
    budget.observe(report);
    tries.set(call, { status: response.status, remaining: report.remaining });
    const daily = dailyReport(response.headers);
    if (daily !== undefined) {
      // Only tenants whose answers carry a daily count (service keys, private apps) need the portal's zone.
      if (portal.timeZone === undefined) portal.learn(() => readTimeZone(send));
      budget.observeDaily(daily, portal.resetAfter);
    }
    return { response, body: parseJson(text) };
  };

  const attempt = async (call: HubSpotCall, signal: AbortSignal): Promise<HubSpotAnswer> => {
    const token = await tokens.getToken();
    let { response, body } = await once(call, token, signal);
    // The second try rides on the first one's budget slot: a 401 is rare and this keeps the retry immediate.
    if (response.status === 401 && (await tokens.refreshAfterRejection(token))) {
      logger.info({ request: call.what }, 'HubSpot refused the access token; retrying once with a fresh one');
      ({ response, body } = await once(call, await tokens.getToken(), signal));
    }
    if (response.ok || call.answerStatuses?.includes(response.status)) {
      return { status: response.status, body };
    }
    const search = call.lane === 'search';
    const refusal = parseErrorBody(body);
    if (response.status === 429 && rateLimitPolicy(refusal, search) === 'daily') {
      budget.closeUntil(portal.resetAfter(Date.now()), "HubSpot's daily request limit is spent");
      throw dailyLimitSpent(budget, call, refusal.correlationId);
    }
    const error = errorFromResponse(response.status, response.headers, body, call.what, search);
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

  const send: HubSpotHttp = (call) =>
    sendWithRetry((signal) => attempt(call, signal), {
      retry: options.retry,
      logger,
      label: `${call.method} ${call.path}`,
      budget,
      lane: call.lane ?? 'standard',
      idempotent: call.idempotent ?? true,
      ...(options.signal === undefined ? {} : { signal: options.signal }),
      ...(options.sleep === undefined ? {} : { sleep: options.sleep }),
      ...(options.random === undefined ? {} : { random: options.random }),
      ...(options.tenant === undefined ? {} : { onAttempt: publishTry(options.tenant, call) }),
    });

  /** Publishes each try that reached the network (a budget that refuses to send is not a CRM call). */
  const publishTry =
    (tenant: string, call: HubSpotCall) =>
    ({ error, willRetry }: { error: CrmError | undefined; willRetry: boolean }): void => {
      const tried = tries.get(call);
      tries.delete(call);
      if (tried === undefined) return;
      publishCrmAttempt({
        tenant,
        crm: 'hubspot',
        status: tried.status,
        outcome: error === undefined ? 'ok' : error.kind,
        willRetry,
        ...(tried.remaining === undefined ? {} : { budgetRemaining: tried.remaining }),
      });
    };
  return send;
}

/**
 * The portal's time zone, once known, and the moment its daily count comes back. Until the zone is known (or
 * when the account-info call fails) a spent limit is probed again after an hour.
 */
function portalClock(): {
  timeZone: string | undefined;
  learn: (read: () => Promise<string | undefined>) => void;
  resetAfter: (now: number) => number;
} {
  let asked = false;
  const clock = {
    timeZone: undefined as string | undefined,
    learn(read: () => Promise<string | undefined>): void {
      if (asked) return;
      asked = true;
      read().then(
        (zone) => {
          clock.timeZone = zone;
        },
        () => {
          asked = false;
        },
      );
    },
    resetAfter(now: number): number {
      const midnight = clock.timeZone === undefined ? undefined : nextMidnightIn(clock.timeZone, now);
      return midnight ?? now + HUBSPOT_LIMITS.dailyLimitUnknownResetWaitMs;
    },
  };
  return clock;
}

/** `GET /account-info/2026-03/details` → `timeZone` (e.g. "US/Eastern"). */
async function readTimeZone(send: HubSpotHttp): Promise<string | undefined> {
  const answer = await send({ method: 'GET', path: hubSpotPaths.accountDetails(), what: 'account details' });
  const zone = (answer.body as { timeZone?: unknown } | undefined)?.timeZone;
  return typeof zone === 'string' && zone !== '' ? zone : undefined;
}

/** A DAILY 429: the budget's own error (saying when calls resume), with HubSpot's correlation id. */
function dailyLimitSpent(
  budget: RequestBudget,
  call: HubSpotCall,
  correlationId: string | undefined,
): CrmError {
  const closed = budget.closedError();
  return new CrmError(
    'rate_limited',
    closed?.message ?? `HubSpot's daily request limit is spent (${call.what})`,
    {
      status: 429,
      waitMs: closed?.waitMs ?? HUBSPOT_LIMITS.dailyLimitUnknownResetWaitMs,
      ...(correlationId === undefined ? {} : { correlationId }),
    },
  );
}

function dailyReport(headers: Headers): DailyLimitReport | undefined {
  const limit = numberHeader(headers, HUBSPOT_RATE_LIMIT_HEADERS.daily);
  const remaining = numberHeader(headers, HUBSPOT_RATE_LIMIT_HEADERS.dailyRemaining);
  return limit === undefined || remaining === undefined || limit <= 0 ? undefined : { limit, remaining };
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
