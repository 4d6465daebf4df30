/**
 * A per-tenant circuit breaker for CRM outages. Without it every pending job of a tenant keeps trying on its
 * own schedule, so a long outage sees a steady stream of doomed requests. After a request fails for good
 * (retryable, after the adapter's own tries), the tenant's CRM is left alone for a while that doubles with each
 * failure; jobs that come due meanwhile are put back without a call, and the first batch after the pause probes.
 */
import { type BackoffSchedule, backoffStepMs } from '../lib/backoff.ts';

/** capMs is the longest pause: how late, at worst, gridsync notices that the CRM is back. */
export type BreakerSchedule = BackoffSchedule;

export const DEFAULT_BREAKER_SCHEDULE: BreakerSchedule = { baseMs: 2_000, capMs: 60_000 };

export class CrmBreaker {
  readonly #schedule: BreakerSchedule;
  #failures = 0;
  #openUntil = 0;
  #lastError = '';
  #reconnect = false;

  constructor(schedule: BreakerSchedule = DEFAULT_BREAKER_SCHEDULE) {
    this.#schedule = schedule;
  }

  /** How long the CRM is still to be left alone; 0 when it may be called. */
  waitMs(now: number): number {
    return Math.max(0, this.#openUntil - now);
  }

  /** Why the CRM is being left alone, for the jobs put back. */
  describe(now: number): string {
    const seconds = Math.ceil(this.waitMs(now) / 1000);
    return `the CRM failed ${this.#failures} time(s) in a row (last: ${this.#lastError}); gridsync waits ${seconds} s before trying it again`;
  }

  /**
   * A request failed after the adapter's own retries; `waitMs` is what the CRM asked for, if it said. Returns
   * how long the CRM is now left alone. `reconnect`: the credentials were refused, so the probe after the
   * pause uses a fresh connection (credentials read again), see TenantRuntimes.
   */
  failed(now: number, error: string, waitMs = 0, options: { reconnect?: boolean } = {}): number {
    this.#failures += 1;
    this.#lastError = error;
    if (options.reconnect) this.#reconnect = true;
    // No jitter: one tenant's breaker has one clock, and its jobs are jittered by their own retry schedule.
    const pause = backoffStepMs(this.#failures, this.#schedule);
    this.#openUntil = now + Math.max(pause, waitMs);
    return this.#openUntil - now;
  }

  succeeded(): void {
    this.#failures = 0;
    this.#openUntil = 0;
    this.#reconnect = false;
  }

  /** True once, when the pause after refused credentials is over: the caller reconnects before probing. */
  takeReconnect(now: number): boolean {
    if (!this.#reconnect || this.waitMs(now) > 0) return false;
    this.#reconnect = false;
    return true;
  }
}
