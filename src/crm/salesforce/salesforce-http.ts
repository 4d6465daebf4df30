/**
 * Every Salesforce call goes through `send`, on the shared CRM request pipeline (send-with-retry.ts: budget,
 * attempt timeout, deadline, retry decisions, shutdown). This file supplies only what is Salesforce's: one
 * attempt through jsforce's Connection (version path, bearer header, error parsing), the token refresh after
 * a 401, and what each answer says about the org's daily limit (Sforce-Limit-Info) for the tenant's budget.
 *
 * jsforce retries GETs on its own (up to 5 times) and never retries writes, and its timeout ends at the
 * response headers; so each attempt turns jsforce's retries off and the pipeline bounds it.
 *
 * The status and headers of each attempt are seen through a wrapping transport passed in conn.request's
 * options (jsforce's HttpApi uses `options.transport` when given): jsforce's errors do not carry the
 * status, and Sforce-Limit-Info feeds the budget.
 */
import type { Connection, HttpRequest, HttpRequestOptions, HttpResponse } from 'jsforce';

import type { Logger } from '../../lib/logger.ts';
import { publishCrmAttempt } from '../crm-attempts.ts';
import { CrmError } from '../crm-errors.ts';
import type { RequestBudget } from '../request-budget.ts';
import type { RetryPolicy } from '../retry-decision.ts';
import { sendWithRetry } from '../send-with-retry.ts';
import type { SalesforceSession } from './salesforce-auth.ts';
import { requestErrorToCrmError, tokenErrorToCrmError } from './salesforce-errors.ts';
import {
  type ApiUsage,
  DAILY_LIMIT_WAIT_MS,
  DEFAULT_RETRY_POLICY,
  LIMIT_INFO_HEADER,
  parseLimitInfo,
} from './salesforce-limits.ts';

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
  /** False for creates without a lookup: not resent after a timeout or a 5xx (see sendWithRetry). */
  idempotent?: boolean;
  /**
   * For collections: reads per-record failures out of an answer; an error returned retries the request on the
   * pipeline's schedule (the request, built anew for each try, then carries only the records still open).
   */
  unfinished?: (answer: T) => CrmError | undefined;
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

export interface SalesforceHttpOptions {
  /** Names the tenant in the attempts published for metrics (crm-attempts.ts); none are published without it. */
  tenant?: string;
  policy: Partial<RetryPolicy>;
  logger: Logger;
  /** The tenant's budget, kept across clients rebuilt on a mapping change. */
  budget: RequestBudget;
  /** Shutdown: cuts retry waits short. */
  signal?: AbortSignal;
}

export class SalesforceHttp {
  readonly #conn: Connection;
  readonly #session: SalesforceSession;
  readonly #policy: RetryPolicy;
  readonly #logger: Logger;
  readonly #budget: RequestBudget;
  readonly #signal: AbortSignal | undefined;
  readonly #tenant: string | undefined;
  #usage: ApiUsage | undefined;

  constructor(conn: Connection, session: SalesforceSession, options: SalesforceHttpOptions) {
    this.#conn = conn;
    this.#session = session;
    this.#policy = { ...DEFAULT_RETRY_POLICY, ...options.policy };
    this.#logger = options.logger;
    this.#budget = options.budget;
    this.#signal = options.signal;
    this.#tenant = options.tenant;
  }

  /** The org's daily API usage from the last response, when Salesforce reported it. */
  get usage(): ApiUsage | undefined {
    return this.#usage;
  }

  /** `request` may be a function: it is called for each try (a collection resends only its open records). */
  send<T>(request: SalesforceRequest | (() => SalesforceRequest), options: SendOptions<T> = {}): Promise<T> {
    const build = typeof request === 'function' ? request : () => request;
    // A 401 earns one token refresh per request, and the retry that follows is part of the same attempt.
    let refreshed = false;
    // What the current try heard, for the attempt published when it ends (metrics).
    const seen: { status?: number; sent?: boolean } = {};
    const attempt = async (): Promise<T> => {
      seen.sent = false;
      delete seen.status;
      const tried = build();
      let result = await this.#authorisedAttempt(tried, seen);
      if (!result.ok && result.error.status === 401 && !refreshed && this.#session.canRefresh) {
        const refresh = await this.#refresh(result.tokenUsed);
        refreshed = refresh.ok;
        result = refresh.ok ? await this.#authorisedAttempt(tried, seen) : refresh;
      }
      if (result.ok) return result.body as T;
      let error = result.error;
      if (error.status === 401) {
        // Salesforce refused a token it just issued, or one that cannot be renewed: pause the tenant.
        error = explainRefused(error, refreshed);
        this.#session.markRefused(error);
      }
      if (error.kind === 'rate_limited' && (error.waitMs ?? 0) >= DAILY_LIMIT_WAIT_MS) {
        // REQUEST_LIMIT_EXCEEDED for the day: nothing of this tenant's goes out for a while.
        this.#budget.closeUntil(
          Date.now() + DAILY_LIMIT_WAIT_MS,
          "Salesforce's daily API request limit is spent",
        );
      }
      throw error;
    };
    return sendWithRetry(attempt, {
      retry: this.#policy,
      logger: this.#logger,
      label: `salesforce ${build().context}`,
      budget: this.#budget,
      ...(options.beforeRetry === undefined ? {} : { beforeRetry: options.beforeRetry }),
      ...(options.idempotent === undefined ? {} : { idempotent: options.idempotent }),
      ...(options.unfinished === undefined ? {} : { unfinished: options.unfinished }),
      ...(this.#signal === undefined ? {} : { signal: this.#signal }),
      ...(this.#tenant === undefined ? {} : { onAttempt: this.#publishTry(this.#tenant, seen) }),
    });
  }

  /** Publishes each try that reached the network (a budget that refuses to send is not a CRM call). */
  #publishTry(
    tenant: string,
    seen: { status?: number; sent?: boolean },
  ): (attempt: { error: CrmError | undefined; willRetry: boolean }) => void {
    return ({ error, willRetry }) => {
      if (seen.sent !== true) return;
      const usage = this.#usage;
      publishCrmAttempt({
        tenant,
        crm: 'salesforce',
        status: seen.status,
        outcome: error === undefined ? 'ok' : error.kind,
        willRetry,
        ...(usage === undefined ? {} : { budgetRemaining: Math.max(0, usage.limit - usage.used) }),
      });
    };
  }

  async #authorisedAttempt(
    request: SalesforceRequest,
    seen: { status?: number; sent?: boolean },
  ): Promise<AttemptResult> {
    try {
      await this.#session.ensureToken();
    } catch (error) {
      return { ok: false, error: tokenErrorToCrmError(error) };
    }
    return this.#attempt(request, seen);
  }

  async #refresh(tokenUsed: string | undefined): Promise<{ ok: true } | { ok: false; error: CrmError }> {
    try {
      await this.#session.refreshAfter401(tokenUsed);
      return { ok: true };
    } catch (error) {
      return { ok: false, error: tokenErrorToCrmError(error) };
    }
  }

  async #attempt(
    request: SalesforceRequest,
    seen: { status?: number; sent?: boolean },
  ): Promise<AttemptResult> {
    const tokenUsed = this.#conn.accessToken ?? undefined;
    let status: number | undefined;
    const inner = this.#conn._transport;
    const observingTransport = {
      httpRequest: (req: HttpRequest, options: HttpRequestOptions = {}) => {
        // The pipeline bounds the attempt; jsforce's own timeout only covers the headers, as a backstop.
        seen.sent = true;
        const pending = inner.httpRequest(req, {
          ...options,
          retry: { maxRetries: 0 },
          timeout: this.#policy.attemptTimeoutMs,
        });
        pending.then(
          (response: HttpResponse) => {
            status = response.statusCode;
            seen.status = response.statusCode;
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
      const body: unknown = await this.#conn.request(httpRequest, { transport: observingTransport });
      return { ok: true, body };
    } catch (error) {
      return { ok: false, error: requestErrorToCrmError(error, status, request.context), tokenUsed };
    }
  }

  #noteUsage(header: string | undefined): void {
    const usage = parseLimitInfo(header);
    if (usage === undefined) return;
    this.#usage = usage;
    this.#logger.debug({ apiUsed: usage.used, apiLimit: usage.limit }, 'salesforce api usage');
    // The org's count is over a rolling 24 h: a spent limit comes back gradually, so probe again soon.
    this.#budget.observeDaily(
      { limit: usage.limit, remaining: Math.max(0, usage.limit - usage.used) },
      (now) => now + DAILY_LIMIT_WAIT_MS,
    );
  }
}
