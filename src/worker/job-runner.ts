/**
 * Claims jobs from the store and runs them: claim → group by tenant and kind → run each group through its
 * batch handler → complete, retry with backoff, or dead-letter. Leases are renewed while work is in flight, so
 * only a crashed worker's jobs are taken over. Shutdown is "abort, then await": in-flight batches finish and
 * anything not started is released.
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
}

export interface JobRunner {
  start(): void;
  /** Look for work now. The intake calls this after a commit, naming what arrived. */
  wake(arrival?: { tenant: string; kind: 'grid' | 'signals' }): void;
  /** Resolves when the queue has no due job and nothing is in flight (tests). */
  drain(): Promise<void>;
  stop(): Promise<void>;
}

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

  async function waitForWork(): Promise<void> {
    if (woken) {
      await afterWake();
      return;
    }
    const next = await queue.nextRunAt();
    const untilNext = next === undefined ? idlePollMs : Math.max(0, next.getTime() - Date.now());
    if (untilNext === 0) return;
    await nap(Math.min(untilNext, idlePollMs));
    if (woken) await afterWake();
  }

  async function runLoop(): Promise<void> {
    while (!abort.signal.aborted) {
      const plan = linger?.plan(Date.now()) ?? { waitMs: 0 };
      if (plan.waitMs > 0) {
        woken = false;
        await nap(plan.waitMs);
        continue;
      }
      const limit = 'limit' in plan && plan.limit !== undefined ? Math.min(plan.limit, batchSize) : undefined;
      let jobs: Job[];
      try {
        jobs = await queue.claim({ workerId, limit: limit ?? batchSize, leaseMs });
        linger?.claimed(jobs, limit, Date.now());
      } catch (thrown) {
        logger.error({ err: toError(thrown) }, 'claiming jobs failed; retrying shortly');
        await sleep(idlePollMs, abort.signal);
        continue;
      }
      if (jobs.length === 0) {
        for (const resolve of idleWaiters) resolve();
        idleWaiters = [];
        await waitForWork();
        continue;
      }
      await runClaimed(jobs);
      linger?.busyUntil(Date.now());
    }
  }

  async function runClaimed(jobs: Job[]): Promise<void> {
    const renew = setInterval(
      () => {
        for (const job of jobs) {
          queue.renewLease(job.id, workerId, leaseMs).catch((thrown: unknown) => {
            logger.warn({ err: toError(thrown), jobId: job.id }, 'lease renewal failed');
          });
        }
      },
      Math.max(1_000, Math.floor(leaseMs / 3)),
    );
    try {
      const groups = [...groupJobs(jobs).values()];
      let next = 0;
      const lanes = Array.from({ length: Math.min(concurrency, groups.length) }, async () => {
        while (next < groups.length) {
          const group = groups[next++];
          if (group) await runGroup(group);
        }
      });
      await Promise.all(lanes);
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
