/**
 * What an outcome costs a job, through the real runner and a real (SQLite) store: `retry` counts an attempt
 * and ends in a dead letter after maxAttempts; `paused` (the tenant's CRM is away) never does, however often.
 */
import { afterEach, describe, expect, it } from 'vitest';

import { gridSyncJob } from '../store/job-lifecycle.ts';
import type { Job, JobOutcome } from '../store/job.ts';
import type { JobQueue } from '../store/store.ts';
import { silentLogger } from '../../test/support/loggers.ts';
import { tempSqliteStore, type TempStore } from '../../test/support/temp-store.ts';
import { createJobRunner, type JobRunner, type JobRunnerOptions } from './job-runner.ts';

let temp: TempStore | undefined;
let runner: JobRunner | undefined;
afterEach(async () => {
  await runner?.stop();
  await temp?.cleanup();
  runner = undefined;
  temp = undefined;
});

/** A runner on `queue` with `handler` for every job kind, silent, polling every 5 ms, no coalescing. */
function runnerFor(
  queue: JobQueue,
  handler: (tenant: string, jobs: Job[]) => Promise<Map<string, JobOutcome>>,
  options: Partial<JobRunnerOptions> = {},
): JobRunner {
  return createJobRunner({
    queue,
    handlers: { 'grid.sync': handler, 'account.refresh': handler, 'tenant.sync': handler },
    logger: silentLogger(),
    workerId: 'w1',
    idlePollMs: 5,
    coalesceMs: 0,
    ...options,
  });
}

async function run(outcome: JobOutcome, rounds: number) {
  temp = await tempSqliteStore();
  const { store } = temp;
  await store.enqueue([gridSyncJob('acme', 'g', { maxAttempts: 3 })]);
  let calls = 0;
  const deadLetters: Job[] = [];
  const answer = (_tenant: string, jobs: Job[]) => {
    calls += 1;
    return Promise.resolve(new Map(jobs.map((job) => [job.id, outcome])));
  };
  runner = runnerFor(store, answer, {
    retrySchedule: { baseMs: 1, capMs: 2 },
    onDeadLetter: (job) => {
      deadLetters.push(job);
      return Promise.resolve();
    },
  });
  runner.start();
  await expect.poll(() => calls, { timeout: 5_000, interval: 5 }).toBeGreaterThanOrEqual(rounds);
  await runner.stop();
  const [job] = await store.getJobs('acme', 'grid.sync:acme:g');
  return { calls, job, deadLetters };
}

describe('the job runner', () => {
  it('counts a retry as an attempt and dead-letters the job after maxAttempts', async () => {
    const { calls, job, deadLetters } = await run({ status: 'retry', error: 'a bug', waitMs: 1 }, 3);
    expect(calls).toBe(3);
    expect(job).toMatchObject({ state: 'dead', attempts: 3, lastError: 'a bug' });
    expect(deadLetters).toHaveLength(1);
  });

  it('never counts an attempt while the CRM is away: the job waits, however many times it comes round', async () => {
    const { job, deadLetters } = await run({ status: 'paused', error: 'HubSpot is away', waitMs: 1 }, 10);
    expect(job).toMatchObject({ state: 'pending', attempts: 0, lastError: 'HubSpot is away' });
    expect(deadLetters).toHaveLength(0);
  });
});

describe('tenants progress together', () => {
  const allDone = (jobs: Job[]): Map<string, JobOutcome> =>
    new Map(jobs.map((job) => [job.id, { status: 'done' }]));

  async function backlog(tenants: string[], perTenant: number): Promise<TempStore> {
    temp = await tempSqliteStore();
    const start = Date.now() - 60_000;
    // Ordered by tenant: all of the first tenant's jobs are older than any of the second's.
    await temp.store.enqueue(
      tenants.flatMap((tenant, t) =>
        Array.from({ length: perTenant }, (_, i) =>
          gridSyncJob(tenant, `g-${i}`, { runAt: new Date(start + t * 10_000 + i) }),
        ),
      ),
    );
    return temp;
  }

  it('runs every tenant of a backlog ordered by tenant from the start, not one tenant after another', async () => {
    const { store } = await backlog(['acme', 'globex', 'initech'], 20);
    const calls: { tenant: string; at: number }[] = [];
    const handler = async (tenant: string, jobs: Job[]) => {
      calls.push({ tenant, at: Date.now() });
      await new Promise((resolve) => setTimeout(resolve, 20));
      return allDone(jobs);
    };
    runner = runnerFor(store, handler, { batchSize: 6 });
    runner.start();
    await runner.drain();
    const tenants = calls.map((c) => c.tenant);
    expect(new Set(tenants.slice(0, 3))).toEqual(new Set(['acme', 'globex', 'initech']));
    // Each tenant's batches are spread over the whole run: none ends before another begins.
    const first = (t: string) => tenants.indexOf(t);
    const last = (t: string) => tenants.lastIndexOf(t);
    for (const a of ['acme', 'globex', 'initech']) {
      for (const b of ['acme', 'globex', 'initech']) expect(last(a)).toBeGreaterThan(first(b));
    }
  });

  it('lets other tenants use the lanes while one waits for its CRM budget', async () => {
    const { store } = await backlog(['acme', 'globex'], 10);
    let releaseAcme: () => void = () => undefined;
    const acmeWaits = new Promise<void>((resolve) => (releaseAcme = resolve));
    let acmeWaiting = false;
    const globexDone: string[] = [];
    const handler = async (tenant: string, jobs: Job[]) => {
      if (tenant === 'acme') {
        acmeWaiting = true;
        await acmeWaits;
        acmeWaiting = false;
      } else {
        globexDone.push(...jobs.map((j) => j.id));
      }
      return allDone(jobs);
    };
    runner = runnerFor(store, handler, {
      batchSize: 4,
      concurrency: 1,
      budgetWaits: () => new Map(acmeWaiting ? [['acme', 1_000]] : []),
    });
    runner.start();
    // One lane, taken first by acme (its jobs are older), which then waits on its budget: globex still runs.
    await expect.poll(() => globexDone.length, { timeout: 5_000, interval: 5 }).toBe(10);
    expect(acmeWaiting).toBe(true);
    releaseAcme();
    await runner.drain();
    expect((await store.jobStats(new Date())).filter((s) => s.state === 'pending')).toEqual([]);
  });

  it('does not claim a tenant whose budget is spent until it refills', async () => {
    const { store } = await backlog(['acme', 'globex'], 3);
    const calls: { tenant: string; at: number }[] = [];
    const refillAt = Date.now() + 300;
    const handler = (tenant: string, jobs: Job[]) => {
      calls.push({ tenant, at: Date.now() });
      return Promise.resolve(allDone(jobs));
    };
    runner = runnerFor(store, handler, {
      idlePollMs: 1_000,
      budgetWaits: (now) => new Map(now < refillAt ? [['acme', refillAt - now]] : []),
    });
    runner.start();
    await runner.drain();
    const acme = calls.filter((c) => c.tenant === 'acme');
    expect(calls[0]?.tenant).toBe('globex');
    expect(acme.length).toBeGreaterThan(0);
    for (const call of acme) expect(call.at).toBeGreaterThanOrEqual(refillAt);
    // Claimed once the budget refilled, not at the next idle poll a second later.
    expect(acme[0]!.at).toBeLessThan(refillAt + 500);
  });
  it('reads budgets other replicas share before each claim, and leaves the tenant they spend alone', async () => {
    const { store } = await backlog(['acme', 'globex'], 3);
    const calls: { tenant: string; at: number }[] = [];
    // Another replica spends acme's shared window until then; this process has sent nothing for acme.
    const busyElsewhereUntil = Date.now() + 300;
    let sharedWaits = new Map<string, number>();
    let refreshes = 0;
    const handler = (tenant: string, jobs: Job[]) => {
      calls.push({ tenant, at: Date.now() });
      return Promise.resolve(allDone(jobs));
    };
    runner = runnerFor(store, handler, {
      idlePollMs: 1_000,
      budgetWaits: () => sharedWaits,
      refreshBudgetWaits: () => {
        refreshes += 1;
        const now = Date.now();
        sharedWaits = new Map(now < busyElsewhereUntil ? [['acme', busyElsewhereUntil - now]] : []);
        return Promise.resolve();
      },
    });
    runner.start();
    await runner.drain();
    const acme = calls.filter((c) => c.tenant === 'acme');
    expect(calls[0]?.tenant).toBe('globex');
    expect(acme.length).toBeGreaterThan(0);
    for (const call of acme) expect(call.at).toBeGreaterThanOrEqual(busyElsewhereUntil);
    expect(acme[0]!.at).toBeLessThan(busyElsewhereUntil + 500);
    expect(refreshes).toBeGreaterThan(1);
  });
});
