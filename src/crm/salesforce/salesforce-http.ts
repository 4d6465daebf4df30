/**
 * Every Salesforce call goes through `send`: jsforce's Connection does the HTTP (version path, bearer
 * header, error parsing), gridsync decides about retries. jsforce retries GETs on its own (up to 5 times)
 * and never retries writes, and its timeout ends at the response headers; so each call here turns jsforce's
 * retries off, bounds the attempt with a timeout, and retries transient failures (5xx, network, timeout,
 * UNABLE_TO_LOCK_ROW, REQUEST_LIMIT_EXCEEDED) with capped jittered backoff inside a per-request deadline.
 *
 * The status and headers of each attempt are seen through a wrapping transport passed in conn.request's
 * options (jsforce's HttpApi uses `options.transport` when given): jsforce's errors do not carry the
 * status, and Sforce-Limit-Info paces the next request.
 */
import { setTimeout as sleep } from 'node:timers/promises';

import type { Connection, HttpRequest, HttpRequestOptions, HttpResponse } from 'jsforce';

import type { Logger } from '../../lib/logger.ts';
import { CrmError } from '../crm-errors.ts';
import { decideRetry } from '../retry-decision.ts';
import type { SalesforceSession } from './salesforce-auth.ts';
import { requestErrorToCrmError, tokenErrorToCrmError } from './salesforce-errors.ts';
import type { ApiUsage, RetryPolicy } from './salesforce-limits.ts';
import {
  DEFAULT_RETRY_POLICY,
  LIMIT_INFO_HEADER,
  paceDelayMs,
  parseLimitInfo,
  PACE_FROM_USAGE,
} from './salesforce-limits.ts';
import { withTimeout } from './with-timeout.ts';

export interface SalesforceRequest {
  method: 'GET' | 'POST' | 'PATCH';
  /** Relative to /services/data/vXX.X (e.g. `/composite/sobjects/Account`) or absolute from /services/. */
  path: string;
  body?: unknown;
  /** What the call does, for messages: "upsert Sales_Grid__c records". */
  context: string;
}

export interface SendOptions<T> {
  /**
   * For writes that are not idempotent (creating a task): before a retry, look for the effect of the failed
   * attempt, which may have reached Salesforce before the connection broke. A value found ends the retries.
   */
  beforeRetry?: () => Promise<T | undefined>;
}

type AttemptResult =
  { ok: true; body: unknown } | { ok: false; error: CrmError; tokenUsed?: string | undefined };

/** A 401 that survived (or cannot have) a refresh: say what the operator has to do. */
function explainRefused(error: CrmError, refreshed: boolean): CrmError {
  const why = refreshed ? 'a freshly issued token was refused too' : 'the token cannot be refreshed';
  return new CrmError('auth_failed', `${error.message}; ${why}: reconnect the tenant`, {
    status: 401,
    ...(error.correlationId === undefined ? {} : { correlationId: error.correlationId }),
    cause: error,
  });
}

export class SalesforceHttp {
  readonly #conn: Connection;
  readonly #session: SalesforceSession;
  readonly #policy: Required<RetryPolicy>;
  readonly #logger: Logger;
  #usage: ApiUsage | undefined;

  constructor(conn: Connection, session: SalesforceSession, policy: RetryPolicy, logger: Logger) {
    this.#conn = conn;
    this.#session = session;
    this.#policy = { ...DEFAULT_RETRY_POLICY, ...policy };
    this.#logger = logger;
  }

  /** The org's daily API usage from the last response, when Salesforce reported it. */
  get usage(): ApiUsage | undefined {
    return this.#usage;
  }

  async send<T>(request: SalesforceRequest, options: SendOptions<T> = {}): Promise<T> {
    const deadline = Date.now() + this.#policy.deadlineMs;
    let attempts = 0;
    let refreshed = false;
    for (;;) {
      await this.#pace();
      attempts += 1;
      let result = await this.#authorisedAttempt(request, deadline);
      // A 401 earns one token refresh per request, and the retry that follows is part of the same attempt.
      if (!result.ok && result.error.status === 401 && !refreshed && this.#session.canRefresh) {
        const refresh = await this.#refresh(result.tokenUsed);
        refreshed = refresh.ok;
        result = refresh.ok ? await this.#authorisedAttempt(request, deadline) : refresh;
      }
      if (result.ok) return result.body as T;
      let error = result.error;
      if (error.status === 401) {
        // Salesforce refused a token it just issued, or one that cannot be renewed: pause the tenant.
        error = explainRefused(error, refreshed);
        this.#session.markRefused(error);
      }
      // Waits that do not fit in what is left of the deadline are the job's to wait, not this request's.
      const decision = decideRetry(error, attempts, { ...this.#policy, maxWaitMs: deadline - Date.now() });
      if (!decision.retry || Date.now() + decision.waitMs >= deadline) throw error;
      this.#logger.warn(
        {
          context: request.context,
          kind: error.kind,
          status: error.status,
          code: error.correlationId,
          attempt: attempts,
          waitMs: decision.waitMs,
          reason: decision.reason,
        },
        'salesforce call failed, retrying',
      );
      await sleep(decision.waitMs);
      if (options.beforeRetry !== undefined) {
        const found = await options.beforeRetry();
        if (found !== undefined) return found;
      }
    }
  }

  async #authorisedAttempt(request: SalesforceRequest, deadline: number): Promise<AttemptResult> {
    try {
      await this.#session.ensureToken();
    } catch (error) {
      return { ok: false, error: tokenErrorToCrmError(error) };
    }
    return this.#attempt(request, deadline);
  }

  async #refresh(tokenUsed: string | undefined): Promise<{ ok: true } | { ok: false; error: CrmError }> {
    try {
      await this.#session.refreshAfter401(tokenUsed);
      return { ok: true };
    } catch (error) {
      return { ok: false, error: tokenErrorToCrmError(error) };
    }
  }

  async #attempt(request: SalesforceRequest, deadline: number): Promise<AttemptResult> {
    const timeoutMs = Math.max(1, Math.min(this.#policy.attemptTimeoutMs, deadline - Date.now()));
    const tokenUsed = this.#conn.accessToken ?? undefined;
    let status: number | undefined;
    const inner = this.#conn._transport;
    const observingTransport = {
      httpRequest: (req: HttpRequest, options: HttpRequestOptions = {}) => {
        const pending = inner.httpRequest(req, { ...options, retry: { maxRetries: 0 }, timeout: timeoutMs });
        pending.then(
          (response: HttpResponse) => {
            status = response.statusCode;
            this.#noteUsage(response.headers[LIMIT_INFO_HEADER]);
          },
          () => undefined,
        );
        return pending;
      },
    };
    const httpRequest: HttpRequest =
      request.body === undefined
        ? { method: request.method, url: request.path }
        : {
            method: request.method,
            url: request.path,
            body: JSON.stringify(request.body),
            headers: { 'content-type': 'application/json' },
          };
    try {
      const body = await withTimeout(
        this.#conn.request(httpRequest, { transport: observingTransport }),
        timeoutMs,
        () => new CrmError('timeout', `Salesforce ${request.context}: no answer within ${timeoutMs} ms`),
      );
      return { ok: true, body };
    } catch (error) {
      return { ok: false, error: requestErrorToCrmError(error, status, request.context), tokenUsed };
    }
  }

  #noteUsage(header: string | undefined): void {
    const usage = parseLimitInfo(header);
    if (usage === undefined) return;
    const crossedPaceLine =
      (this.#usage === undefined || this.#usage.used / this.#usage.limit < PACE_FROM_USAGE) &&
      usage.used / usage.limit >= PACE_FROM_USAGE;
    this.#usage = usage;
    this.#logger.debug({ apiUsed: usage.used, apiLimit: usage.limit }, 'salesforce api usage');
    if (crossedPaceLine) {
      this.#logger.warn(
        { apiUsed: usage.used, apiLimit: usage.limit },
        'salesforce daily API usage above 90 %: slowing down',
      );
    }
  }

  async #pace(): Promise<void> {
    const delay = paceDelayMs(this.#usage);
    if (delay > 0) await sleep(delay);
  }
}
