/**
 * Claims jobs from the store and runs them: claim → group by tenant and kind → run each group through its
 * batch handler → complete, retry with backoff, or dead-letter. Leases are renewed while work is in flight, so
 * only a crashed worker's jobs are taken over. Shutdown is "abort, then await": in-flight batches finish and
 * anything not started is released.
 *
 * Tenants progress together: the store shares each claim among the tenants with due work (fair-shares.ts), and
 * the runner claims again whenever a lane is free instead of waiting for the whole claim, skipping tenants it is
 * already running (one batch per tenant at a time, paced by that tenant's CRM budget) and tenants whose budget
 * is spent until it refills. A batch whose tenant waits for its budget does not count against `concurrency`:
 * it costs no CPU, and the other tenants' work goes on meanwhile.
 */
import type { Logger } from '../lib/logger.ts';
import { sleep, toError } from '../lib/abort.ts';
import type { Job, JobKind, JobOutcome } from '../store/job.ts';
import { retryDelayMs, type RetrySchedule } from '../store/retry-schedule.ts';
import type { JobQueue } from '../store/store.ts';
import { ArrivalLinger, type LingerOptions } from './arrival-linger.ts';
import type { DeadLetterHook, JobHandlers } from './job-handler.ts';

export interface JobRunnerOptions {
  queue: JobQueue;
  handlers: JobHandlers;
  logger: Logger;
  workerId: string;
  /** Jobs claimed per round; a whole claim of one tenant's grids becomes one CRM batch. */
  batchSize?: number;
  leaseMs?: number;
  /** How long to wait for more work after a wake-up that is not a grid arrival (follow-ups, ticks). */
  coalesceMs?: number;
  /** Wait for a burst of arriving grids to fill CRM batches before claiming (see arrival-linger.ts). */
  linger?: LingerOptions;
  /** Longest sleep when nothing is due (the store is also polled, for jobs other replicas enqueue). */
  idlePollMs?: number;
  concurrency?: number;
  retrySchedule?: RetrySchedule;
  onDeadLetter?: DeadLetterHook;
  /** Told how each job attempt ended (metrics). */
  onSettled?: (job: Job, outcome: 'succeeded' | 'retried' | 'dead') => void;
  /**
   * The tenants whose CRM budget has no room now, each with how long until it has: their jobs are not claimed
   * meanwhile, and their running batches do not hold a lane.
   */
  budgetWaits?: (now: number) => ReadonlyMap<string, number>;
  /** Reads budgets shared with other replicas again before a claim, so budgetWaits counts their use too. */
  refreshBudgetWaits?: () => Promise<void>;
}

export interface JobRunner {
  start(): void;
  /** Look for work now. The intake calls this after a commit, naming what arrived. */
  wake(arrival?: { tenant: string; kind: 'grid' | 'signals' }): void;
  /** Resolves when the queue has no due job and nothing is in flight (tests). */
  drain(): Promise<void>;
  stop(): Promise<void>;
}

/** While every lane is busy, how often to look whether a batch now waits for its tenant's budget. */
const LANE_RECHECK_MS = 250;
/** Shortest wait before claiming again for tenants that were skipped. */
const MIN_RECHECK_MS = 10;

export function createJobRunner(options: JobRunnerOptions): JobRunner {
  const { queue, handlers, logger, workerId } = options;
  const batchSize = options.batchSize ?? 500;
  const leaseMs = options.leaseMs ?? 60_000;
  const coalesceMs = options.coalesceMs ?? 100;
  const idlePollMs = options.idlePollMs ?? 2_000;
  const concurrency = options.concurrency ?? 4;
  const abort = new AbortController();
  let wakeUp: (() => void) | undefined;
  let woken = false;
  /** A batch ended since the loop last looked (a nap then returns at once instead of missing it). */
  let kicked = false;
  let loop: Promise<void> | undefined;
  let idleWaiters: (() => void)[] = [];
  const linger = options.linger && new ArrivalLinger(options.linger);

  function wake(arrival?: { tenant: string; kind: 'grid' | 'signals' }): void {
    if (arrival?.kind === 'grid') linger?.arrived(arrival.tenant, Date.now());
    woken = true;
    wakeUp?.();
  }

  /** Sleeps up to ms; a wake-up (or stop) ends it early. */
  async function nap(ms: number): Promise<void> {
    if (kicked) return;
    const wait = new AbortController();
    wakeUp = () => wait.abort();
    const onStop = (): void => wait.abort();
    abort.signal.addEventListener('abort', onStop, { once: true });
    await sleep(ms, wait.signal);
    abort.signal.removeEventListener('abort', onStop);
    wakeUp = undefined;
  }

  /** After a wake-up: arriving grids are timed by the linger; anything else waits coalesceMs for company. */
  async function afterWake(): Promise<void> {
    woken = false;
    if (linger?.plan(Date.now()).waitMs) return;
    await sleep(coalesceMs, abort.signal);
  }

  /**
   * Nothing was claimed. `blockedMs`: due work may belong to tenants this claim skipped (running here, or
   * waiting for their budget); then look again after that long, or as soon as a batch ends.
   */
  async function waitForWork(blockedMs: number | undefined): Promise<void> {
    if (woken) {
      await afterWake();
      return;
    }
    const next = await queue.nextRunAt();
    let untilNext = next === undefined ? idlePollMs : Math.max(0, next.getTime() - Date.now());
    if (untilNext === 0) {
      if (blockedMs === undefined) return;
      untilNext = blockedMs;
    }
    await nap(Math.min(untilNext, idlePollMs));
    if (woken) await afterWake();
  }

  /** Ends a nap without counting as an arrival: a batch ended, so a lane or a tenant is free. */
  function laneFreed(): void {
    kicked = true;
    wakeUp?.();
  }

  const running = new Set<{ tenant: string; done: Promise<void> }>();
  const queued: Job[][] = [];
  /** Groups claimed and not yet settled, per tenant (queued or running). */
  const inFlight = new Map<string, number>();

  function budgetWaits(): ReadonlyMap<string, number> {
    return options.budgetWaits?.(Date.now()) ?? new Map<string, number>();
  }

  /** Running batches that hold a lane: those whose tenant is not waiting for its CRM budget. */
  function busyLanes(waits: ReadonlyMap<string, number>): number {
    let busy = 0;
    for (const group of running) if (!waits.has(group.tenant)) busy += 1;
    return busy;
  }

  function startQueued(): void {
    const waits = budgetWaits();
    while (queued.length > 0 && busyLanes(waits) < concurrency) {
      const group = queued.shift()!;
      const entry = { tenant: group[0]!.tenant, done: Promise.resolve() };
      entry.done = runLeased(group).finally(() => {
        running.delete(entry);
        const left = (inFlight.get(entry.tenant) ?? 1) - 1;
        if (left > 0) inFlight.set(entry.tenant, left);
        else inFlight.delete(entry.tenant);
        linger?.busyUntil(Date.now());
        if (!abort.signal.aborted) startQueued();
        laneFreed();
      });
      running.add(entry);
    }
  }

  async function runLoop(): Promise<void> {
    while (!abort.signal.aborted) {
      kicked = false;
      const plan = linger?.plan(Date.now()) ?? { waitMs: 0 };
      if (plan.waitMs > 0) {
        woken = false;
        await nap(plan.waitMs);
        continue;
      }
      startQueued();
      let waits = budgetWaits();
      if (queued.length > 0 || busyLanes(waits) >= concurrency) {
        // Every lane is busy: look again when a batch ends, or when a tenant's budget runs out meanwhile.
        await nap(LANE_RECHECK_MS);
        continue;
      }
      if (options.refreshBudgetWaits) {
        try {
          await options.refreshBudgetWaits();
        } catch (thrown) {
          // The claim goes ahead on what this process knows; the shared window still bounds every request.
          logger.warn({ err: toError(thrown) }, 'reading the shared CRM budgets failed');
        }
        waits = budgetWaits();
      }
      const skipTenants = [...new Set([...inFlight.keys(), ...waits.keys()])];
      const limit = 'limit' in plan && plan.limit !== undefined ? Math.min(plan.limit, batchSize) : undefined;
      let jobs: Job[];
      try {
        jobs = await queue.claim({ workerId, limit: limit ?? batchSize, leaseMs, skipTenants });
        linger?.claimed(jobs, limit, Date.now(), skipTenants);
      } catch (thrown) {
        logger.error({ err: toError(thrown) }, 'claiming jobs failed; retrying shortly');
        await sleep(idlePollMs, abort.signal);
        continue;
      }
      if (jobs.length === 0) {
        if (running.size === 0 && queued.length === 0 && !(await dueForSkipped(skipTenants))) {
          for (const resolve of idleWaiters) resolve();
          idleWaiters = [];
        }
        const budgetMs = [...waits.entries()].filter(([tenant]) => !inFlight.has(tenant)).map(([, ms]) => ms);
        await waitForWork(
          skipTenants.length === 0 ? undefined : Math.max(MIN_RECHECK_MS, Math.min(idlePollMs, ...budgetMs)),
        );
        continue;
      }
      for (const group of groupJobs(jobs).values()) {
        queued.push(group);
        const tenant = group[0]!.tenant;
        inFlight.set(tenant, (inFlight.get(tenant) ?? 0) + 1);
      }
      startQueued();
    }
    // Shutdown: batches not started go back at once; running ones finish (their handlers see the abort).
    await Promise.all(queued.splice(0).map((group) => runLeased(group)));
    await Promise.all([...running].map((group) => group.done));
  }

  /** Whether jobs are due that the claim skipped (then the queue is not idle, only busy elsewhere). */
  async function dueForSkipped(skipped: readonly string[]): Promise<boolean> {
    if (skipped.length === 0) return false;
    const next = await queue.nextRunAt();
    return next !== undefined && next.getTime() <= Date.now();
  }

  /** Runs one group with its leases renewed until its outcomes are stored. */
  async function runLeased(group: Job[]): Promise<void> {
    const renew = setInterval(
      () => {
        for (const job of group) {
          queue.renewLease(job.id, workerId, leaseMs).catch((thrown: unknown) => {
            logger.warn({ err: toError(thrown), jobId: job.id }, 'lease renewal failed');
          });
        }
      },
      Math.max(1_000, Math.floor(leaseMs / 3)),
    );
    try {
      await runGroup(group);
    } catch (thrown) {
      logger.error({ err: toError(thrown), tenant: group[0]?.tenant }, 'settling a batch failed');
    } finally {
      clearInterval(renew);
    }
  }

  async function runGroup(group: Job[]): Promise<void> {
    const first = group[0];
    if (!first) return;
    const log = logger.child({ tenant: first.tenant, kind: first.kind, jobs: group.length });
    if (abort.signal.aborted) {
      await Promise.all(group.map((job) => queue.release(job.id, workerId)));
      return;
    }
    let outcomes: Map<string, JobOutcome>;
    try {
      const handler = handlers[first.kind] as (
        tenant: string,
        jobs: Job[],
        signal: AbortSignal,
      ) => Promise<Map<string, JobOutcome>>;
      outcomes = await handler(first.tenant, group, abort.signal);
    } catch (thrown) {
      const error = toError(thrown);
      log.error({ err: error }, 'job handler failed');
      outcomes = new Map(group.map((job) => [job.id, { status: 'retry', error: error.message }]));
    }
    // Together, not one after another: the store may then commit the whole group's outcomes at once (one fsync
    // on SQLite instead of one per job).
    await Promise.all(
      group.map((job) =>
        settle(
          job,
          outcomes.get(job.id) ?? { status: 'retry', error: 'the handler returned no outcome for this job' },
          log,
        ),
      ),
    );
  }

  async function settle(job: Job, outcome: JobOutcome, log: Logger): Promise<void> {
    if (outcome.status === 'done') {
      await queue.complete(job.id, workerId);
      options.onSettled?.(job, 'succeeded');
      return;
    }
    if (outcome.status === 'paused') {
      log.info(
        { jobId: job.id, key: job.key, waitMs: outcome.waitMs, reason: outcome.error },
        'job waits for the CRM',
      );
      await queue.release(job.id, workerId, {
        runAt: new Date(Date.now() + outcome.waitMs),
        reason: outcome.error,
      });
      options.onSettled?.(job, 'retried');
      return;
    }
    if (outcome.status === 'dead' || job.attempts >= job.maxAttempts) {
      log.error(
        {
          jobId: job.id,
          key: job.key,
          attempts: job.attempts,
          error: outcome.error,
          permanent: outcome.status === 'dead',
        },
        'job dead-lettered',
      );
      await queue.fail(job.id, workerId, outcome.error, null);
      options.onSettled?.(job, 'dead');
      await options.onDeadLetter?.(job, outcome.error).catch((thrown: unknown) => {
        log.error({ err: toError(thrown) }, 'recording a dead letter failed');
      });
      return;
    }
    const waitMs = Math.max(outcome.waitMs ?? 0, retryDelayMs(job.attempts, options.retrySchedule));
    log.warn(
      { jobId: job.id, key: job.key, attempt: job.attempts, waitMs, error: outcome.error },
      'job will be retried',
    );
    await queue.fail(job.id, workerId, outcome.error, new Date(Date.now() + waitMs));
    options.onSettled?.(job, 'retried');
  }

  return {
    start() {
      loop ??= runLoop().catch((thrown: unknown) => {
        logger.fatal({ err: toError(thrown) }, 'job runner stopped unexpectedly');
      });
    },
    wake,
    drain() {
      return new Promise((resolve) => {
        idleWaiters.push(resolve);
        wake();
      });
    },
    async stop() {
      abort.abort();
      for (const resolve of idleWaiters) resolve();
      idleWaiters = [];
      await loop;
    },
  };
}

/** One group per (tenant, kind): each group is one handler call. */
function groupJobs(jobs: Job[]): Map<string, Job[]> {
  const groups = new Map<string, Job[]>();
  for (const job of jobs) {
    const key = `${job.tenant}\u0000${job.kind satisfies JobKind}`;
    const list = groups.get(key);
    if (list) list.push(job);
    else groups.set(key, [job]);
  }
  return groups;
}
