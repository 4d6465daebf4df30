/** Per-test lifecycle of what e2e tests start: harnesses closed after each test, scheduled runs a minute apart. */
import { afterEach } from 'vitest';

import type { LaunchedGridsync } from './gridsync-harness.ts';

interface Closable {
  close(): Promise<void>;
}

/**
 * `start`, with what it starts closed after each test (by an afterEach registered now, the last started first),
 * so that a failing test still frees its ports, stand-ins and folders.
 */
export function closedAfterEach<A extends unknown[], T extends Closable>(
  start: (...args: A) => Promise<T>,
): (...args: A) => Promise<T> {
  const started: Closable[] = [];
  afterEach(async () => {
    for (const item of started.splice(0).reverse()) await item.close();
  });
  return async (...args) => {
    const item = await start(...args);
    started.push(item);
    return item;
  };
}

/**
 * A function running `tenant`'s next scheduled pass and settling what it enqueued. Each call ticks a minute
 * after the last, across the file's tests: the scheduler runs a tenant at most once a minute.
 */
export function scheduledRuns(
  tenant: string,
): (h: Pick<LaunchedGridsync, 'gridsync' | 'settle'>) => Promise<void> {
  let minutes = 0;
  return async (h) => {
    minutes += 1;
    await h.gridsync.scheduler.tick(tenant, new Date(Date.now() + minutes * 60_000));
    await h.settle();
  };
}
