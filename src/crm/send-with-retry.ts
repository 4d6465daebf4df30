/**
 * One CRM request, tried until it succeeds, fails for good, or uses up its retry budget. Each try gets its own
 * deadline (AbortSignal.timeout), which starts when the try leaves the rate-limit queue, not while it waits
 * there. Waits between tries come from decideRetry (rate-limit windows, capped jittered backoff).
 *
 * The `send` function throws CrmError for every failure it understands; anything else is a bug and is thrown
 * on at once, untouched.
 */
import { sleep as abortableSleep } from '../lib/abort.ts';
import type { Logger } from '../lib/logger.ts';
import { CrmError } from './crm-errors.ts';
import { decideRetry, type RetryPolicy } from './retry-decision.ts';

export interface RequestRetryOptions extends RetryPolicy {
  /** Time one try may take, from sending to the whole answer read. */
  deadlineMs: number;
}

export const DEFAULT_REQUEST_RETRY: RequestRetryOptions = {
  maxAttempts: 5,
  baseMs: 500,
  capMs: 30_000,
  maxWaitMs: 60_000,
  deadlineMs: 30_000,
};

export interface SendWithRetryOptions {
  retry: RequestRetryOptions;
  logger: Logger;
  /** Names the request in log lines, e.g. "POST batch/upsert p_sales_grid". */
  label: string;
  /** Wraps each try, e.g. to wait for a rate-limit slot. */
  throttle?: <T>(task: () => Promise<T>) => Promise<T>;
  /**
   * False for creates: after a timeout or a 5xx the CRM may have done the work, and a second try would do it
   * twice. Such requests are retried only when the CRM certainly did nothing (429, 423).
   * @default true
   */
  idempotent?: boolean;
  /** Stops waiting between tries (shutdown): the last error is thrown. */
  signal?: AbortSignal;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  random?: () => number;
}

export async function sendWithRetry<T>(
  send: (signal: AbortSignal) => Promise<T>,
  options: SendWithRetryOptions,
): Promise<T> {
  const { retry, logger, label } = options;
  const throttle = options.throttle ?? (<U>(task: () => Promise<U>) => task());
  const sleep = options.sleep ?? abortableSleep;
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await throttle(() => withDeadline(send, retry.deadlineMs, label));
    } catch (thrown) {
      if (!(thrown instanceof CrmError)) throw thrown;
      const decision =
        options.idempotent === false && (thrown.kind === 'timeout' || thrown.kind === 'unavailable')
          ? { retry: false, reason: 'not retried in-process: the CRM may have done it already', waitMs: 0 }
          : decideRetry(thrown, attempt, retry, options.random);
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
    }
  }
}

/**
 * Runs `send` with a fresh deadline signal and rejects with a timeout CrmError when it passes, even if `send`
 * ignores the signal (the HubSpot SDK's transport takes none, see hubspot-http.ts).
 */
async function withDeadline<T>(
  send: (signal: AbortSignal) => Promise<T>,
  deadlineMs: number,
  label: string,
): Promise<T> {
  const signal = AbortSignal.timeout(deadlineMs);
  const timedOut = new Promise<never>((_, reject) => {
    const onAbort = (): void =>
      reject(
        new CrmError('timeout', `${label}: no complete answer within ${deadlineMs} ms`, {
          cause: signal.reason,
        }),
      );
    if (signal.aborted) onAbort();
    else signal.addEventListener('abort', onAbort, { once: true });
  });
  const sent = send(signal);
  // The losing promise must not become an unhandled rejection.
  sent.catch(() => undefined);
  timedOut.catch(() => undefined);
  return Promise.race([sent, timedOut]);
}
