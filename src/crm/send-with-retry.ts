/**
 * The CRM request pipeline: every request of both adapters goes through here. One request is tried until it
 * succeeds, fails for good, runs out of attempts or passes its deadline. Each try waits for a slot of the
 * tenant's request budget, then gets its own timeout (which starts when the try leaves the budget's queue, not
 * while it waits there); waits between tries come from decideRetry (rate-limit windows, capped jittered
 * backoff). An adapter supplies only `send` (one attempt), the CrmErrors it throws, and what it tells the budget.
 *
 * The `send` function throws CrmError for every failure it understands; anything else is a bug and is thrown
 * on at once, untouched. Shutdown (`signal`) cuts a wait between tries short: the last error is thrown, so
 * the job is put back and retried by the next worker.
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
  /** Stops waiting between tries (shutdown): the last error is thrown. */
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
  const { retry, logger, label, budget } = options;
  const sleep = options.sleep ?? abortableSleep;
  const deadline = retry.deadlineMs === undefined ? Infinity : Date.now() + retry.deadlineMs;
  const safeToRepeat = options.idempotent !== false || options.beforeRetry !== undefined;
  const once = (): Promise<T> => {
    const timeoutMs = Math.max(1, Math.min(retry.attemptTimeoutMs, deadline - Date.now()));
    return withTimeout(
      send,
      timeoutMs,
      () => new CrmError('timeout', `${label}: no complete answer within ${timeoutMs} ms`),
    );
  };
  for (let attempt = 1; ; attempt += 1) {
    try {
      const answer = await (budget === undefined ? once() : budget.run(options.lane ?? 'standard', once));
      options.onAttempt?.({ error: undefined, willRetry: false });
      return answer;
    } catch (thrown) {
      if (!(thrown instanceof CrmError)) throw thrown;
      const decision = decide(thrown, attempt, retry, deadline, safeToRepeat, options.random);
      options.onAttempt?.({ error: thrown, willRetry: decision.retry });
      const context = {
        request: label,
        attempt,
        kind: thrown.kind,
        status: thrown.status,
        correlationId: thrown.correlationId,
      };
      if (!decision.retry) {
        if (thrown.retryable) {
          logger.warn({ ...context, reason: decision.reason }, 'CRM request failed; giving up for now');
        }
        throw thrown;
      }
      const log = thrown.kind === 'rate_limited' ? logger.debug.bind(logger) : logger.warn.bind(logger);
      log({ ...context, waitMs: decision.waitMs, reason: decision.reason }, 'CRM request failed; retrying');
      await sleep(decision.waitMs, options.signal);
      if (options.signal?.aborted) throw thrown;
      if (options.beforeRetry !== undefined) {
        const found = await options.beforeRetry();
        if (found !== undefined) return found;
      }
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
