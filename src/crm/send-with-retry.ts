/**
 * The CRM request pipeline: every request of both adapters goes through here. One request is tried until it
 * succeeds, fails for good, runs out of attempts or passes its deadline. Each try waits for a slot of the
 * tenant's request budget, then gets its own timeout (which starts when the try leaves the budget's queue, not
 * while it waits there); waits between tries come from decideRetry (rate-limit windows, capped jittered
 * backoff). An adapter supplies only `send` (one attempt), the CrmErrors it throws, and what it tells the budget.
 *
 * The `send` function throws CrmError for every failure it understands; anything else is a bug and is thrown
 * on at once, untouched. An answer can be a failure too, for some of its items (`unfinished`: records of a
 * Salesforce collection refused with UNABLE_TO_LOCK_ROW): it is retried on the same schedule, and `send` then
 * sends only the items still open.
 *
 * Shutdown (`signal`, the job runner's) reaches every wait of a request: the wait for a budget slot, the try in
 * flight (its fetch is aborted, and the try is abandoned even if the transport ignores the signal) and the
 * wait between tries. The request then fails at once with a retryable CrmError, so the job is put back and
 * run again by the next worker; what an abandoned try may have written is written again by an idempotent
 * request (external-ID upserts), and a create is looked for before it is repeated (`beforeRetry`, the AE
 * task's marker).
 */
import { sleep as abortableSleep } from '../lib/abort.ts';
import type { Logger } from '../lib/logger.ts';
import { withTimeout } from '../lib/with-timeout.ts';
import { CrmError } from './crm-errors.ts';
import type { BudgetLane, RequestBudget } from './request-budget.ts';
import { decideRetry, type RetryDecision, type RetryPolicy } from './retry-decision.ts';

export const DEFAULT_REQUEST_RETRY: RetryPolicy = {
  maxAttempts: 5,
  baseMs: 500,
  capMs: 30_000,
  maxWaitMs: 60_000,
  attemptTimeoutMs: 30_000,
};

export interface SendWithRetryOptions<T> {
  retry: RetryPolicy;
  logger: Logger;
  /** Names the request in log lines, e.g. "POST batch/upsert p_sales_grid". */
  label: string;
  /** The tenant's budget: each try waits for a slot of `lane`. */
  budget?: RequestBudget;
  /** @default 'standard' */
  lane?: BudgetLane;
  /**
   * False for creates: after a timeout or a 5xx the CRM may have done the work, and a second try would do it
   * twice. Such requests are retried only when the CRM certainly did nothing (429, 423), or when
   * `beforeRetry` can look for the effect first.
   * @default true
   */
  idempotent?: boolean;
  /**
   * Before each retry: look for the effect of the failed try (a task created before the connection broke).
   * A value found ends the request with it.
   */
  beforeRetry?: () => Promise<T | undefined>;
  /**
   * Reads an answer for items that failed on their own (per-record errors of a batch): an error returned makes
   * the try a failed one, retried like a failed request. When the pipeline stops retrying, the last answer is
   * returned as it is (those items keep their own errors): only a failure of the whole request is thrown.
   */
  unfinished?: (answer: T) => CrmError | undefined;
  /**
   * Shutdown: ends a wait for the budget, aborts the try in flight and ends a wait between tries. Between tries
   * the last error is thrown; otherwise an `unavailable` CrmError saying the request was cut short.
   */
  signal?: AbortSignal;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  random?: () => number;
  /** Told of every try as it ends (metrics): its error, if it failed, and whether it is sent again. */
  onAttempt?: (attempt: { error: CrmError | undefined; willRetry: boolean }) => void;
}

export async function sendWithRetry<T>(
  send: (signal: AbortSignal) => Promise<T>,
  options: SendWithRetryOptions<T>,
): Promise<T> {
  const { retry, logger, label, budget, signal } = options;
  const sleep = options.sleep ?? abortableSleep;
  const deadline = retry.deadlineMs === undefined ? Infinity : Date.now() + retry.deadlineMs;
  const safeToRepeat = options.idempotent !== false || options.beforeRetry !== undefined;
  const cutShort = (cause?: unknown): CrmError =>
    new CrmError('unavailable', `${label}: cut short because gridsync is shutting down`, { cause });
  const once = (): Promise<T> => {
    const timeoutMs = Math.max(1, Math.min(retry.attemptTimeoutMs, deadline - Date.now()));
    return withTimeout(
      send,
      timeoutMs,
      () => new CrmError('timeout', `${label}: no complete answer within ${timeoutMs} ms`),
      signal === undefined ? undefined : { signal, onAbort: () => cutShort() },
    );
  };
  let lastAnswer: { value: T } | undefined;
  for (let attempt = 1; ; attempt += 1) {
    let failure: CrmError;
    try {
      const answer = await (budget === undefined
        ? once()
        : budget.run(options.lane ?? 'standard', once, signal));
      const unfinished = options.unfinished?.(answer);
      if (unfinished === undefined) {
        options.onAttempt?.({ error: undefined, willRetry: false });
        return answer;
      }
      lastAnswer = { value: answer };
      failure = unfinished;
    } catch (thrown) {
      if (signal?.aborted) {
        // Shutdown: no further try. The budget rejects with the signal's reason when it ends the wait there.
        const error = thrown instanceof CrmError ? thrown : cutShort(thrown);
        options.onAttempt?.({ error, willRetry: false });
        if (lastAnswer !== undefined) return lastAnswer.value;
        throw error;
      }
      if (!(thrown instanceof CrmError)) throw thrown;
      failure = thrown;
    }
    const decision = decide(failure, attempt, retry, deadline, safeToRepeat, options.random);
    options.onAttempt?.({ error: failure, willRetry: decision.retry });
    const context = {
      request: label,
      attempt,
      kind: failure.kind,
      status: failure.status,
      correlationId: failure.correlationId,
    };
    if (!decision.retry) {
      if (failure.retryable) {
        logger.warn({ ...context, reason: decision.reason }, 'CRM request failed; giving up for now');
      }
      if (lastAnswer !== undefined) return lastAnswer.value;
      throw failure;
    }
    const log = failure.kind === 'rate_limited' ? logger.debug.bind(logger) : logger.warn.bind(logger);
    log({ ...context, waitMs: decision.waitMs, reason: decision.reason }, 'CRM request failed; retrying');
    await sleep(decision.waitMs, signal);
    if (signal?.aborted) {
      if (lastAnswer !== undefined) return lastAnswer.value;
      throw failure;
    }
    if (options.beforeRetry !== undefined) {
      const found = await options.beforeRetry();
      if (found !== undefined) return found;
    }
  }
}

function decide(
  error: CrmError,
  attempt: number,
  retry: RetryPolicy,
  deadline: number,
  safeToRepeat: boolean,
  random: (() => number) | undefined,
): RetryDecision {
  if (!safeToRepeat && (error.kind === 'timeout' || error.kind === 'unavailable')) {
    return { retry: false, reason: 'not retried in-process: the CRM may have done it already', waitMs: 0 };
  }
  const left = deadline - Date.now();
  // Waits that do not fit in what is left of the deadline are the job's to wait, not this request's.
  const decision = decideRetry(
    error,
    attempt,
    { ...retry, maxWaitMs: Math.min(retry.maxWaitMs, left) },
    random,
  );
  if (decision.retry && decision.waitMs >= left) {
    return {
      retry: false,
      reason: `the request's deadline passes before the next try`,
      waitMs: decision.waitMs,
    };
  }
  return decision;
}
