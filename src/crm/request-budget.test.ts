import { describe, expect, it } from 'vitest';

import { silentLogger } from '../../test/support/loggers.ts';
import type { SharedWindows } from '../lib/shared-window.ts';
import { RequestBudget } from './request-budget.ts';

const logger = silentLogger();

/** Runs `count` instant tasks and returns when each started, relative to the first. */
async function startTimes(
  budget: RequestBudget,
  count: number,
  lane: 'standard' | 'search' = 'standard',
): Promise<number[]> {
  const began = Date.now();
  const starts = await Promise.all(
    Array.from({ length: count }, () => budget.run(lane, () => Promise.resolve(Date.now() - began))),
  );
  return starts.sort((a, b) => a - b);
}

describe('RequestBudget', () => {
  it('starts no more than the limit in any window (strict sliding window plus the safety margin)', async () => {
    const budget = new RequestBudget({
      name: 't',
      requestsPerWindow: 3,
      windowMs: 100,
      safetyMs: 20,
      logger,
    });
    const starts = await startTimes(budget, 7);

    expect(starts.slice(0, 3).every((t) => t < 100)).toBe(true);
    expect(starts[3]).toBeGreaterThanOrEqual(115);
    expect(starts[6]).toBeGreaterThanOrEqual(235);
    for (let i = 3; i < starts.length; i += 1) {
      expect(starts[i]! - starts[i - 3]!).toBeGreaterThanOrEqual(115);
    }
  });

  it('gives searches their own per-second budget on top of the standard one', async () => {
    const budget = new RequestBudget({
      name: 't',
      requestsPerWindow: 100,
      windowMs: 10_000,
      searchPerSecond: 2,
      safetyMs: 0,
      logger,
    });
    const starts = await startTimes(budget, 3, 'search');

    expect(starts[1]).toBeLessThan(500);
    expect(starts[2]).toBeGreaterThanOrEqual(995);
  });

  it('starts nothing during a hold, and resumes after it', async () => {
    const budget = new RequestBudget({ name: 't', requestsPerWindow: 100, windowMs: 10_000, logger });
    budget.holdFor(150, 'test');
    budget.holdFor(50, 'a shorter hold does not shorten it');
    const [start] = await startTimes(budget, 1);

    expect(start).toBeGreaterThanOrEqual(140);
    expect(budget.stats.holds).toBe(1);
  });

  it('holds when the CRM reports less room than its own use explains (someone else uses the budget)', async () => {
    const budget = new RequestBudget({ name: 't', requestsPerWindow: 100, windowMs: 10_000, logger });
    budget.observe({ limit: 100, remaining: 50, windowMs: 10_000 });
    expect(budget.stats.holds).toBe(0);
    budget.observe({ limit: 100, remaining: 0, windowMs: 10_000 });
    expect(budget.stats.holds).toBe(1);
    const [start] = await startTimes(budget, 1);
    // Two slots' worth at HubSpot's pace of 100 per 10 s.
    expect(start).toBeGreaterThanOrEqual(190);
  });

  it('does not hold when a low count is what its own requests used', async () => {
    const budget = new RequestBudget({ name: 't', requestsPerWindow: 5, windowMs: 10_000, logger });
    await startTimes(budget, 5);
    budget.observe({ limit: 5, remaining: 0, windowMs: 10_000 });
    expect(budget.stats.holds).toBe(0);
  });

  it('counts a request from when it can have reached the CRM, so a slow first request cannot overfill the window', async () => {
    const budget = new RequestBudget({ name: 't', requestsPerWindow: 2, windowMs: 100, safetyMs: 0, logger });
    const began = Date.now();
    // The first request takes 80 ms (opening a connection, say); the CRM may have counted it at its end.
    await Promise.all([
      budget.run('standard', () => new Promise((resolve) => setTimeout(resolve, 80))),
      budget.run('standard', () => Promise.resolve()),
    ]);
    const third = await budget.run('standard', () => Promise.resolve(Date.now() - began));
    const fourth = await budget.run('standard', () => Promise.resolve(Date.now() - began));
    expect(third).toBeGreaterThanOrEqual(100);
    expect(fourth).toBeGreaterThanOrEqual(180);
  });

  it('ignores responses that carry no rate-limit headers', () => {
    const budget = new RequestBudget({ name: 't', requestsPerWindow: 100, windowMs: 10_000, logger });
    budget.observe({});
    expect(budget.stats.holds).toBe(0);
  });
  it('ends a wait for a full shared window at shutdown, so the request behind it is not held up', async () => {
    let room = false;
    const windows: SharedWindows = {
      take: () =>
        Promise.resolve(
          room
            ? { used: 1, settle: () => Promise.resolve(), cancel: () => Promise.resolve() }
            : { waitMs: 60_000 },
        ),
      idleInMs: () => Promise.resolve(0),
    };
    const budget = new RequestBudget({
      name: 't',
      requestsPerWindow: 100,
      windowMs: 10_000,
      shared: { windows, key: 'hubspot:t' },
      logger,
    });
    const shutdown = new AbortController();
    const stopped = budget.run('standard', () => Promise.resolve('sent'), shutdown.signal);
    const outcome = stopped.then(
      () => 'sent',
      () => 'aborted',
    );
    await new Promise((resolve) => setTimeout(resolve, 50));
    shutdown.abort(new Error('shutting down'));
    expect(await outcome).toBe('aborted');

    room = true;
    const began = Date.now();
    expect(await budget.run('standard', () => Promise.resolve('next'))).toBe('next');
    expect(Date.now() - began).toBeLessThan(2_000);
  });
});
