/**
 * HubSpot's limits as the fake enforces them: a rolling window over every CRM request (TEN_SECONDLY_ROLLING),
 * a per-second window for search (SECONDLY), and an optional daily count (DAILY). Only admitted requests
 * count, so a client that waits out a 429 gets its budget back.
 */
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
}

export type LimitVerdict =
  | { ok: true; headers: Record<string, string> }
  | { ok: false; headers: Record<string, string>; body: Record<string, unknown> };

export class FakeRateLimits {
  readonly #rolling: RollingWindow;
  readonly #search: RollingWindow;
  readonly #limits: FakeLimits;
  #dailyUsed = 0;
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

  /** Decides one CRM request; search requests carry no rate-limit headers, as HubSpot's may not. */
  check(isSearch: boolean, now: number): LimitVerdict {
    const { dailyLimit } = this.#limits;
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
