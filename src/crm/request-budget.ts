/**
 * A tenant's request budget for one CRM: every HTTP request an adapter sends waits here for a slot, so a
 * tenant never exceeds what its CRM plan allows however many jobs run at once, and one tenant's traffic
 * never slows another's (one budget per tenant and CRM).
 *
 * The budget sits at the request level, not around CrmClient methods, because one method call can make
 * several requests (250 grids are 3 upserts) and because the adapter learns from each response's headers.
 *
 * Two gates, both needed:
 * - a p-queue with a strict (sliding) window queues requests, paces their starts and can be held;
 * - an arrival guard then lets a request out only if the CRM cannot see more than the limit in its own window.
 *   The CRM counts a request when it receives or processes it, which can be well after we started it (the
 *   first request of a process opens the connection; a busy event loop delays sends; a busy CRM queues). So
 *   the guard counts each finished request at the latest moment the CRM can have counted it, the end of its
 *   answer, and every request still in flight.
 *
 * Searches also need a slot of a smaller per-second window (HubSpot limits search on its own and does not say
 * whether it also counts against the ten-secondly limit, so we assume it does); both slots are taken together.
 *
 * With several replicas (PostgreSQL) each window is also shared (`shared`, src/lib/shared-window.ts): a request
 * leaves only with a slot of the deployment-wide window too, counted the same way, so the replicas together
 * stay within the tenant's limit instead of each spending a full budget and learning from 429s.
 */
import PQueue from 'p-queue';

import { settledOrAborted, sleep } from '../lib/abort.ts';
import type { Logger } from '../lib/logger.ts';
import type { SharedSlot, SharedWindows } from '../lib/shared-window.ts';
import { CrmError } from './crm-errors.ts';

export type BudgetLane = 'standard' | 'search';

/** What a CRM reported about its limit in a response (HubSpot: X-HubSpot-RateLimit-*). */
export interface RateLimitReport {
  limit?: number;
  remaining?: number;
  windowMs?: number;
}

/** A CRM's daily request count (HubSpot X-HubSpot-RateLimit-Daily(-Remaining), Salesforce Sforce-Limit-Info). */
export interface DailyLimitReport {
  limit: number;
  remaining: number;
}

/** The budget's daily state, for the tenant's status. */
export interface DailyBudgetStatus {
  limit: number;
  remaining: number;
  /** Set once the remaining count fell to the warning level. */
  warning?: string;
  /** Set while the daily limit is spent: no request goes out before this moment. */
  pausedUntil?: string;
}

/**
 * A shared slot free this long has nobody waiting for it (a waiting request takes a freed slot within
 * milliseconds): only then does another replica start work of the tenant (refreshShared).
 */
export const SHARED_IDLE_MS = 250;

/** Warn when this share of the daily limit is left (and at least this many requests). */
const DAILY_WARN_SHARE = 0.05;

/** From this share of the daily limit on, each request waits a little, so the remaining budget lasts longer. */
export const PACE_FROM_USAGE = 0.9;
export const PACE_MAX_DELAY_MS = 2_000;

/**
 * How long a request waits given the day's usage: nothing below 90 %, then a delay that grows linearly to
 * PACE_MAX_DELAY_MS at 100 %. The hard stop is the CRM's own refusal (or the budget closing at 0).
 */
export function paceDelayMs(usage: { used: number; limit: number } | undefined): number {
  if (usage === undefined || usage.limit <= 0) return 0;
  const share = usage.used / usage.limit;
  if (share < PACE_FROM_USAGE) return 0;
  const progress = Math.min(1, (share - PACE_FROM_USAGE) / (1 - PACE_FROM_USAGE));
  return Math.round(progress * PACE_MAX_DELAY_MS);
}

export interface RequestBudgetOptions {
  /** Shown in log lines, e.g. the tenant id. */
  name: string;
  /**
   * The CRM's burst limit (HubSpot: per 10 s). Without it requests are not paced by a window, only by the
   * daily count and holds (Salesforce documents no burst limit, only a daily one).
   */
  requestsPerWindow?: number;
  windowMs?: number;
  /** A separate per-second budget for searches; without it searches only take a standard slot. */
  searchPerSecond?: number;
  /**
   * Added to the windows, for clock granularity and the CRM's own timing.
   * @default 50 ms
   */
  safetyMs?: number;
  /** Windows shared with the other replicas; `key` names this budget among them (the CRM and the tenant). */
  shared?: { windows: SharedWindows; key: string };
  logger: Logger;
}

export class RequestBudget {
  readonly requestsPerWindow: number | undefined;
  readonly windowMs: number;
  readonly #queue: PQueue;
  readonly #arrivals: ArrivalWindow;
  readonly #searchArrivals: ArrivalWindow | undefined;
  readonly #logger: Logger;
  readonly #name: string;
  #daily: DailyBudgetStatus | undefined;
  /** The daily limit is spent: requests fail at once with this error until `until`. */
  #closed: { until: number; reason: string } | undefined;
  #holdUntil = 0;
  #resumeTimer: NodeJS.Timeout | undefined;
  #warnedAboutLimit = false;
  #holds = 0;
  readonly #shared: { windows: SharedWindows; key: string } | undefined;
  readonly #safetyMs: number;
  readonly #searchPerSecond: number | undefined;
  /** The shared window had no room: nothing leaves before this moment (for readyInMs). */
  #sharedBlockedUntil = 0;
  /** Slots of the shared window in use deployment-wide at our last take. */
  #sharedUsed = 0;
  /** Settles when the request ahead of the next one has its shared slots. */
  #sharedTurn: Promise<void> = Promise.resolve();

  constructor(options: RequestBudgetOptions) {
    this.requestsPerWindow = options.requestsPerWindow;
    this.windowMs = options.windowMs ?? 10_000;
    this.#name = options.name;
    this.#logger = options.logger;
    const safetyMs = options.safetyMs ?? 50;
    this.#safetyMs = safetyMs;
    this.#shared = options.requestsPerWindow === undefined ? undefined : options.shared;
    this.#searchPerSecond = options.searchPerSecond;
    this.#queue =
      options.requestsPerWindow === undefined
        ? new PQueue()
        : new PQueue({
            intervalCap: options.requestsPerWindow,
            interval: this.windowMs + safetyMs,
            strict: true,
          });
    this.#arrivals = new ArrivalWindow(options.requestsPerWindow ?? Infinity, this.windowMs + safetyMs);
    this.#searchArrivals =
      options.searchPerSecond === undefined
        ? undefined
        : new ArrivalWindow(options.searchPerSecond, 1_000 + safetyMs);
    this.#queue.addEventListener('rateLimit', () => {
      this.#logger.debug(
        { budget: this.#name, waiting: this.#queue.size },
        'request budget used up: requests wait for the window',
      );
    });
  }

  /**
   * Runs `task` once its lane has room; searches go first when a slot frees, as they also need a search slot.
   * `signal` (shutdown) ends the wait: the returned promise rejects with its reason and the task never starts.
   */
  run<T>(lane: BudgetLane, task: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    const closed = this.closedError();
    if (closed !== undefined) return Promise.reject(closed);
    const windows =
      lane === 'search' && this.#searchArrivals ? [this.#arrivals, this.#searchArrivals] : [this.#arrivals];
    return this.#queue.add(
      async () => {
        const paceMs = this.#daily === undefined ? 0 : paceDelayMs(usageOf(this.#daily));
        if (paceMs > 0) await sleep(paceMs, signal);
        const settle = await this.#admit(windows, lane, signal);
        try {
          return await task();
        } finally {
          settle();
        }
      },
      { priority: lane === 'search' ? 1 : 0, ...(signal === undefined ? {} : { signal }) },
    );
  }

  /** Waits until every window has room, then takes a slot in each at once. */
  async #admit(windows: ArrivalWindow[], lane: BudgetLane, signal?: AbortSignal): Promise<() => void> {
    if (this.#shared !== undefined) return this.#admitShared(this.#shared, windows, lane, signal);
    let logged = false;
    for (;;) {
      // p-queue has already rejected the caller; this only keeps the task from sending anything.
      signal?.throwIfAborted();
      const now = Date.now();
      // A hold pauses the queue; requests it had already started wait here too.
      const waitMs = Math.max(this.#holdUntil - now, ...windows.map((w) => w.waitMs(now)));
      if (waitMs <= 0) {
        const tickets = windows.map((w) => w.begin());
        return () => {
          for (const settle of tickets) settle(Date.now());
        };
      }
      if (!logged) {
        logged = true;
        this.#logger.debug(
          { budget: this.#name, lane, waitMs },
          'request waits until the CRM can have counted earlier ones out',
        );
      }
      await sleep(waitMs, signal);
    }
  }

  /**
   * The deployment-wide windows decide; our own windows only count (for `used` and readyInMs). Slots of
   * several windows (a search) are taken one after another and given back when a later one has no room.
   */
  async #admitShared(
    shared: { windows: SharedWindows; key: string },
    windows: ArrivalWindow[],
    lane: BudgetLane,
    signal: AbortSignal | undefined,
  ): Promise<() => void> {
    const specs: [string, number, number][] = [
      [`${shared.key}:standard`, this.requestsPerWindow ?? Infinity, this.windowMs + this.#safetyMs],
    ];
    if (lane === 'search' && this.#searchPerSecond !== undefined) {
      specs.push([`${shared.key}:search`, this.#searchPerSecond, 1_000 + this.#safetyMs]);
    }
    // One request of this process asks the database at a time, in order: waiting requests do not all poll it.
    const turn = this.#sharedTurn;
    let endTurn: () => void = () => undefined;
    this.#sharedTurn = new Promise((resolve) => (endTurn = resolve));
    // Shutdown ends the wait for our turn too (the request ahead may wait on a signal of its own); the turn
    // then passes on only when the request ahead is done, so the order holds for those behind us.
    await settledOrAborted(turn, signal);
    if (signal?.aborted) {
      void turn.then(endTurn);
      signal.throwIfAborted();
    }
    try {
      return await this.#takeShared(shared, specs, windows, lane, signal);
    } finally {
      endTurn();
    }
  }

  async #takeShared(
    shared: { windows: SharedWindows; key: string },
    specs: [string, number, number][],
    windows: ArrivalWindow[],
    lane: BudgetLane,
    signal: AbortSignal | undefined,
  ): Promise<() => void> {
    for (;;) {
      // p-queue has already rejected the caller; this only keeps the task from sending anything.
      signal?.throwIfAborted();
      const holdMs = this.#holdUntil - Date.now();
      if (holdMs > 0) {
        await sleep(holdMs, signal);
        continue;
      }
      const taken: SharedSlot[] = [];
      let waitMs = 0;
      try {
        for (const [key, limit, windowMs] of specs) {
          const slot = await shared.windows.take(key, limit, windowMs);
          if ('waitMs' in slot) {
            waitMs = slot.waitMs;
            break;
          }
          taken.push(slot);
        }
      } catch (thrown) {
        await Promise.allSettled(taken.map((slot) => slot.cancel()));
        throw new CrmError('unavailable', `the shared request budget is unreachable: ${String(thrown)}`, {
          cause: thrown,
        });
      }
      if (taken.length === specs.length) {
        this.#sharedUsed = taken[0]!.used;
        const tickets = windows.map((w) => w.begin());
        return () => {
          for (const settle of tickets) settle(Date.now());
          for (const slot of taken) {
            slot.settle().catch((thrown: unknown) => {
              // The slot frees on its own once its in-flight hold runs out.
              this.#logger.warn(
                { budget: this.#name, err: thrown },
                'releasing a shared request slot failed',
              );
            });
          }
        };
      }
      await Promise.allSettled(taken.map((slot) => slot.cancel()));
      this.#sharedBlockedUntil = Date.now() + waitMs;
      this.#logger.debug({ budget: this.#name, lane, waitMs }, 'request waits for the shared window');
      await sleep(waitMs, signal);
    }
  }

  /**
   * How long until a standard request could leave (0: now), for the worker, which does not hand a tenant new
   * work while its budget is spent. A closed budget (daily limit) is not counted: its requests fail at once.
   */
  readyInMs(now = Date.now()): number {
    return Math.max(0, this.#holdUntil - now, this.#sharedBlockedUntil - now, this.#arrivals.waitMs(now));
  }

  /**
   * Reads the shared window: while other replicas spend it (no slot has stayed free for SHARED_IDLE_MS),
   * readyInMs says how long until one may, so this process leaves the tenant to them instead of claiming a
   * second batch that would only wait for the same slots and repeat the batch's reads.
   */
  async refreshShared(): Promise<void> {
    const shared = this.#shared;
    if (shared === undefined || this.requestsPerWindow === undefined) return;
    const waitMs = await shared.windows.idleInMs(
      `${shared.key}:standard`,
      this.requestsPerWindow,
      SHARED_IDLE_MS,
    );
    this.#sharedBlockedUntil = Date.now() + waitMs;
  }

  /**
   * Starts nothing new for `ms` (a 429's Retry-After, or a low remaining count). Requests already sent carry
   * on; overlapping holds extend to the latest end.
   */
  holdFor(ms: number, reason: string): void {
    if (ms <= 0) return;
    const until = Date.now() + ms;
    if (until <= this.#holdUntil) return;
    this.#holdUntil = until;
    this.#holds += 1;
    this.#queue.pause();
    clearTimeout(this.#resumeTimer);
    this.#resumeTimer = setTimeout(() => this.#queue.start(), ms);
    this.#logger.debug({ budget: this.#name, holdMs: ms, reason }, 'request budget on hold');
  }

  /**
   * Learns from what the CRM says is left. Near the limit a low count is expected, and our own windows already
   * pace us; but a count lower than our own use explains means someone else shares the budget (another app on
   * the account) or the configured plan is too high, so we pause long enough for that many slots to free up
   * at the CRM's pace.
   */
  observe(report: RateLimitReport): void {
    const { remaining } = report;
    const configured = this.requestsPerWindow;
    if (remaining === undefined || configured === undefined) return;
    const limit = report.limit ?? configured;
    const windowMs = report.windowMs ?? this.windowMs;
    if (report.limit !== undefined && report.limit < configured && !this.#warnedAboutLimit) {
      this.#warnedAboutLimit = true;
      this.#logger.warn(
        { budget: this.#name, reportedLimit: report.limit, configuredLimit: configured },
        'the CRM reports a lower request limit than configured: check the plan in the mapping',
      );
    }
    const reserve = Math.max(1, Math.ceil(limit * 0.02));
    // We count our requests generously (until they certainly left the CRM's window), so our estimate of what
    // is left is at most the truth when we are alone; a little tolerance absorbs answers arriving out of order.
    // With a shared window, "we" are all replicas: the deployment-wide count of our last take.
    const leftByOurCount = configured - Math.max(this.#arrivals.used(Date.now()), this.#sharedUsed);
    if (remaining >= reserve || remaining >= leftByOurCount - reserve || limit <= 0) return;
    const perSlotMs = Math.ceil(windowMs / limit);
    // Wait for a few slots at the CRM's pace; the next answer tells whether that was enough.
    this.holdFor(
      perSlotMs * (reserve - remaining),
      `the CRM reports ${remaining} requests left in its window, our own use leaves ${leftByOurCount}`,
    );
  }

  /**
   * Learns the CRM's daily count. Near the end it warns once (log and status); at 0 it closes the budget until
   * `resetAt` (the CRM's reset), so the tenant's jobs wait without calls instead of collecting 429s.
   */
  observeDaily(report: DailyLimitReport, resetAt: (now: number) => number): void {
    const now = Date.now();
    const warnAt = Math.max(1, Math.ceil(report.limit * DAILY_WARN_SHARE));
    const before = this.#daily;
    this.#daily = { limit: report.limit, remaining: report.remaining };
    if (report.remaining <= warnAt && report.remaining < report.limit) {
      // A new day (more left than before) starts without the old warning.
      const warning =
        before?.warning !== undefined && report.remaining <= before.remaining
          ? before.warning
          : `only ${report.remaining} of ${report.limit} daily CRM requests left`;
      this.#daily.warning = warning;
      if (before?.warning === undefined) {
        this.#logger.warn(
          { budget: this.#name, dailyLimit: report.limit, dailyRemaining: report.remaining },
          'the CRM daily request limit is nearly spent: syncing pauses when it is',
        );
      }
    }
    if (report.remaining <= 0) this.closeUntil(resetAt(now), 'the CRM daily request limit is spent');
  }

  /** Sends nothing until `until`: each request fails at once with a rate_limited error saying when it resumes. */
  closeUntil(until: number, reason: string): void {
    if (this.#closed !== undefined && this.#closed.until >= until) return;
    this.#closed = { until, reason };
    if (this.#daily !== undefined) this.#daily.pausedUntil = new Date(until).toISOString();
    this.#logger.warn(
      { budget: this.#name, resumesAt: new Date(until).toISOString(), reason },
      'CRM calls paused for this tenant',
    );
  }

  /** The daily state (undefined until the CRM reported one), for the tenant's status. */
  get daily(): DailyBudgetStatus | undefined {
    this.#closedNow(Date.now());
    return this.#daily === undefined ? undefined : { ...this.#daily };
  }

  /** While the budget is closed: the error each request gets, saying when calls resume. */
  closedError(now = Date.now()): CrmError | undefined {
    return this.#closedNow(now);
  }

  /** When a closed budget opens again, for the tenant's status. */
  get pausedUntil(): string | undefined {
    const closed = this.#closed;
    return closed === undefined || Date.now() >= closed.until
      ? undefined
      : new Date(closed.until).toISOString();
  }

  #closedNow(now: number): CrmError | undefined {
    const closed = this.#closed;
    if (closed === undefined) return undefined;
    if (now >= closed.until) {
      this.#closed = undefined;
      if (this.#daily !== undefined) delete this.#daily.pausedUntil;
      return undefined;
    }
    const resumesAt = new Date(closed.until).toISOString();
    return new CrmError('rate_limited', `${closed.reason}; gridsync resumes calls at ${resumesAt}`, {
      waitMs: closed.until - now,
    });
  }

  /** The deployment-wide windows this budget also takes slots of, if any. */
  get sharedWith(): SharedWindows | undefined {
    return this.#shared?.windows;
  }

  /** Figures for benches and tests. */
  get stats(): { waiting: number; running: number; holds: number } {
    return { waiting: this.#queue.size, running: this.#queue.pending, holds: this.#holds };
  }
}

function usageOf(daily: DailyBudgetStatus): { used: number; limit: number } {
  return { used: daily.limit - daily.remaining, limit: daily.limit };
}

/**
 * A sliding window over the moments a CRM can have counted our requests: somewhere between our start and the
 * end of the answer, so we take the end, and count requests still in flight as if they had just been counted.
 * A new request may leave when fewer than `limit` of those moments fall within the last window: then the CRM
 * cannot count more, wherever in between it counted. The price is the answer time: a slot comes back one
 * window after the answer, not after the start.
 */
class ArrivalWindow {
  readonly #limit: number;
  readonly #windowMs: number;
  /** Counted moments, oldest first. */
  #counted: number[] = [];
  #inFlight = 0;

  constructor(limit: number, windowMs: number) {
    this.#limit = limit;
    this.#windowMs = windowMs;
  }

  /** 0 when a request may leave now, else how long to wait before asking again. */
  waitMs(now: number): number {
    this.#forget(now);
    if (this.#counted.length + this.#inFlight < this.#limit) return 0;
    const oldest = this.#counted[0];
    // All slots are held by requests in flight: ask again shortly, one of them will end.
    if (oldest === undefined || this.#inFlight >= this.#limit) return 10;
    return oldest + this.#windowMs - now + 1;
  }

  /** Slots held now: requests the CRM may still count, and those in flight. */
  used(now: number): number {
    this.#forget(now);
    return this.#counted.length + this.#inFlight;
  }

  /** Takes a slot for a request leaving now; call the result when its answer is in (or abandoned). */
  begin(): (end: number) => void {
    this.#inFlight += 1;
    let settled = false;
    return (end) => {
      if (settled) return;
      settled = true;
      this.#inFlight -= 1;
      this.#insert(end);
    };
  }

  #forget(now: number): void {
    let drop = 0;
    while (drop < this.#counted.length && this.#counted[drop]! <= now - this.#windowMs) drop += 1;
    if (drop > 0) this.#counted = this.#counted.slice(drop);
  }

  /** Keeps the list sorted; answers mostly come back in order, so this is nearly always an append. */
  #insert(moment: number): void {
    let at = this.#counted.length;
    while (at > 0 && this.#counted[at - 1]! > moment) at -= 1;
    this.#counted.splice(at, 0, moment);
  }
}
