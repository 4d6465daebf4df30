/**
 * What an outcome costs a job, through the real runner and a real (SQLite) store: `retry` counts an attempt
 * and ends in a dead letter after maxAttempts; `paused` (the tenant's CRM is away) never does, however often.
 */
import { afterEach, describe, expect, it } from 'vitest';

import { createLogger } from '../lib/logger.ts';
import { gridSyncJob } from '../store/job-lifecycle.ts';
import type { Job, JobOutcome } from '../store/job.ts';
import { tempSqliteStore, type TempStore } from '../../test/support/temp-store.ts';
import { createJobRunner, type JobRunner } from './job-runner.ts';

let temp: TempStore | undefined;
let runner: JobRunner | undefined;
afterEach(async () => {
  await runner?.stop();
  await temp?.cleanup();
  runner = undefined;
  temp = undefined;
});

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
  runner = createJobRunner({
    queue: store,
    handlers: { 'grid.sync': answer, 'account.refresh': answer, 'tenant.sync': answer },
    logger: createLogger({ level: 'silent' }),
    workerId: 'w1',
    idlePollMs: 5,
    coalesceMs: 0,
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
