/**
 * HubSpot's limits as the fake enforces them: a rolling window over every CRM request (TEN_SECONDLY_ROLLING),
 * a per-second window for search (SECONDLY), and an optional daily count (DAILY) that comes back at midnight in
 * the portal's time zone. Only admitted requests count, so a client that waits out a 429 gets its budget back.
 */
import { nextMidnightIn } from '../../../src/lib/next-midnight.ts';

export class RollingWindow {
  readonly limit: number;
  readonly windowMs: number;
  #starts: number[] = [];

  constructor(limit: number, windowMs: number) {
    this.limit = limit;
    this.windowMs = windowMs;
  }

  /** Counts the request if the window has room; `remaining` is what is left after it. */
  admit(now: number): { ok: boolean; remaining: number } {
    // Requests are stamped on arrival but admitted once their body is read, so stamps may come out of order.
    this.#starts = this.#starts.filter((t) => t > now - this.windowMs);
    if (this.#starts.length >= this.limit) return { ok: false, remaining: 0 };
    this.#starts.push(now);
    return { ok: true, remaining: this.limit - this.#starts.length };
  }

  remaining(now: number): number {
    return Math.max(0, this.limit - this.#starts.filter((t) => t > now - this.windowMs).length);
  }
}

export interface FakeLimits {
  requestsPerWindow: number;
  windowMs: number;
  searchPerSecond: number;
  dailyLimit: number | undefined;
  /** The portal's zone: the daily count resets at its midnight. */
  timeZone: string;
}

export type LimitVerdict =
  | { ok: true; headers: Record<string, string> }
  | { ok: false; headers: Record<string, string>; body: Record<string, unknown> };

export class FakeRateLimits {
  readonly #rolling: RollingWindow;
  readonly #search: RollingWindow;
  readonly #limits: FakeLimits;
  #dailyUsed = 0;
  /** When the current day's count ends (midnight in the portal's zone). */
  #dayEndsAt: number | undefined;
  /** Searches of another app to land just before the next search of ours (crowdNextSearch). */
  #crowdingSearches = 0;
  #correlation = 0;

  constructor(limits: FakeLimits) {
    this.#limits = limits;
    this.#rolling = new RollingWindow(limits.requestsPerWindow, limits.windowMs);
    this.#search = new RollingWindow(limits.searchPerSecond, 1_000);
  }

  /** Requests of another app: they take room in the window without being answered here. */
  useBudget(count: number, now: number): void {
    for (let i = 0; i < count; i += 1) this.#rolling.admit(now);
  }

  /** Another app on the account used `count` of today's requests. */
  useDaily(count: number, now: number): void {
    this.#newDay(now);
    this.#dailyUsed += count;
  }

  /** What today's count has left (undefined without a daily limit). */
  dailyRemaining(now: number): number | undefined {
    this.#newDay(now);
    const { dailyLimit } = this.#limits;
    return dailyLimit === undefined ? undefined : Math.max(0, dailyLimit - this.#dailyUsed);
  }

  /**
   * Another app's `count` searches land just before our next search arrives, so it meets a full per-second
   * window (HubSpot's 429 without policyName) and a retry succeeds only once that second is over.
   */
  crowdNextSearch(count: number): void {
    this.#crowdingSearches = count;
  }

  #newDay(now: number): void {
    if (this.#dayEndsAt !== undefined && now < this.#dayEndsAt) return;
    if (this.#dayEndsAt !== undefined) this.#dailyUsed = 0;
    this.#dayEndsAt = nextMidnightIn(this.#limits.timeZone, now) ?? now + 86_400_000;
  }

  /** Decides one CRM request; search requests carry no rate-limit headers, as HubSpot's may not. */
  check(isSearch: boolean, now: number): LimitVerdict {
    const { dailyLimit } = this.#limits;
    this.#newDay(now);
    if (isSearch && this.#crowdingSearches > 0) {
      for (let i = 0; i < this.#crowdingSearches; i += 1) this.#search.admit(now);
      this.#crowdingSearches = 0;
    }
    if (dailyLimit !== undefined && this.#dailyUsed >= dailyLimit) {
      return this.#refuse('DAILY', 'You have reached your daily limit.', this.#headers(0, isSearch));
    }
    if (isSearch && !this.#search.admit(now).ok) {
      // What HubSpot's search sends: no policyName, only the category and this sentence, and no headers.
      return this.#refuse(undefined, 'You have reached your secondly limit.', {});
    }
    const rolling = this.#rolling.admit(now);
    if (!rolling.ok) {
      return this.#refuse(
        'TEN_SECONDLY_ROLLING',
        'You have reached your ten_secondly_rolling limit.',
        this.#headers(0, isSearch),
      );
    }
    this.#dailyUsed += 1;
    return { ok: true, headers: this.#headers(rolling.remaining, isSearch) };
  }

  #headers(remaining: number, isSearch: boolean): Record<string, string> {
    if (isSearch) return {};
    const headers: Record<string, string> = {
      'X-HubSpot-RateLimit-Max': String(this.#limits.requestsPerWindow),
      'X-HubSpot-RateLimit-Remaining': String(remaining),
      'X-HubSpot-RateLimit-Interval-Milliseconds': String(this.#limits.windowMs),
    };
    if (this.#limits.dailyLimit !== undefined) {
      headers['X-HubSpot-RateLimit-Daily'] = String(this.#limits.dailyLimit);
      headers['X-HubSpot-RateLimit-Daily-Remaining'] = String(
        Math.max(0, this.#limits.dailyLimit - this.#dailyUsed),
      );
    }
    return headers;
  }

  #refuse(policyName: string | undefined, message: string, headers: Record<string, string>): LimitVerdict {
    this.#correlation += 1;
    const body: Record<string, unknown> = {
      status: 'error',
      message,
      correlationId: `fake-429-${this.#correlation}`,
      category: 'RATE_LIMITS',
    };
    if (policyName !== undefined) Object.assign(body, { errorType: 'RATE_LIMIT', policyName });
    return { ok: false, headers, body };
  }
}
