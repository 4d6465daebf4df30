import { describe, expect, it } from 'vitest';

import { silentLogger } from '../../test/support/loggers.ts';
import { CrmError } from './crm-errors.ts';
import { RequestBudget } from './request-budget.ts';
import type { RetryPolicy } from './retry-decision.ts';
import { sendWithRetry } from './send-with-retry.ts';

const retry: RetryPolicy = {
  maxAttempts: 3,
  baseMs: 10,
  capMs: 100,
  maxWaitMs: 1_000,
  attemptTimeoutMs: 50,
};
const logger = silentLogger();
const options = (extra: Partial<Parameters<typeof sendWithRetry>[1]> = {}) => ({
  retry,
  logger,
  label: 'POST /test',
  sleep: () => Promise.resolve(),
  ...extra,
});

/** A send that fails with the given errors in turn, then answers 'done'. */
function failing(...errors: Error[]) {
  let calls = 0;
  const send = (): Promise<string> => {
    calls += 1;
    const error = errors.shift();
    return error ? Promise.reject(error) : Promise.resolve('done');
  };
  return { send, calls: () => calls };
}

describe('sendWithRetry', () => {
  it('retries a retryable error and returns the answer', async () => {
    const { send, calls } = failing(new CrmError('unavailable', '503'));
    expect(await sendWithRetry(send, options())).toBe('done');
    expect(calls()).toBe(2);
  });

  it('throws a permanent error at once', async () => {
    const { send, calls } = failing(new CrmError('rejected', 'bad'));
    await expect(sendWithRetry(send, options())).rejects.toMatchObject({ kind: 'rejected' });
    expect(calls()).toBe(1);
  });

  it('throws the last retryable error after maxAttempts', async () => {
    const { send, calls } = failing(...[1, 2, 3].map(() => new CrmError('unavailable', '503')));
    await expect(sendWithRetry(send, options())).rejects.toMatchObject({
      kind: 'unavailable',
      retryable: true,
    });
    expect(calls()).toBe(3);
  });

  it('turns a try that outlives its deadline into a timeout, even when the send ignores the signal', async () => {
    let calls = 0;
    const send = (): Promise<string> => {
      calls += 1;
      return calls === 1
        ? new Promise((resolve) => setTimeout(() => resolve('late'), 200))
        : Promise.resolve('fast');
    };
    const waits: number[] = [];
    const answer = await sendWithRetry(
      send,
      options({ sleep: (ms: number) => (waits.push(ms), Promise.resolve()) }),
    );

    expect(answer).toBe('fast');
    expect(waits).toHaveLength(1);
  });

  it('hands each try a signal that aborts at the deadline', async () => {
    let seen: AbortSignal | undefined;
    const send = (signal: AbortSignal): Promise<string> => {
      seen = signal;
      return new Promise((_, reject) =>
        signal.addEventListener('abort', () => reject(new CrmError('timeout', 'aborted'))),
      );
    };
    await expect(sendWithRetry(send, options({ retry: { ...retry, maxAttempts: 1 } }))).rejects.toMatchObject(
      { kind: 'timeout' },
    );
    expect(seen?.aborted).toBe(true);
  });

  it('does not resend a non-idempotent request after an unclear failure, but does after a rate limit', async () => {
    const unclear = failing(new CrmError('timeout', 'slow'));
    await expect(sendWithRetry(unclear.send, options({ idempotent: false }))).rejects.toMatchObject({
      kind: 'timeout',
    });
    expect(unclear.calls()).toBe(1);

    const limited = failing(new CrmError('rate_limited', '429', { waitMs: 5 }));
    expect(await sendWithRetry(limited.send, options({ idempotent: false }))).toBe('done');
  });

  it('passes anything but a CrmError through untouched: that is a bug, not an outage', async () => {
    const bug = new TypeError('undefined is not a function');
    const { send, calls } = failing(bug);
    await expect(sendWithRetry(send, options())).rejects.toBe(bug);
    expect(calls()).toBe(1);
  });

  it('stops retrying when the shutdown signal aborts during a wait', async () => {
    const controller = new AbortController();
    const { send, calls } = failing(new CrmError('unavailable', '503'), new CrmError('unavailable', '503'));
    const sleep = (): Promise<void> => (controller.abort(), Promise.resolve());
    await expect(sendWithRetry(send, options({ sleep, signal: controller.signal }))).rejects.toMatchObject({
      kind: 'unavailable',
    });
    expect(calls()).toBe(1);
  });

  it('abandons a try in flight at shutdown, aborting its signal, even when the send ignores it', async () => {
    const controller = new AbortController();
    let seen: AbortSignal | undefined;
    const send = (signal: AbortSignal): Promise<string> => {
      seen = signal;
      return new Promise(() => undefined); // hangs, and never listens
    };
    const started = Date.now();
    setTimeout(() => controller.abort(), 20);
    const error = await sendWithRetry(
      send,
      options({ retry: { ...retry, attemptTimeoutMs: 60_000 }, signal: controller.signal }),
    ).catch((e: unknown) => e);

    expect(error).toMatchObject({ kind: 'unavailable', retryable: true });
    expect((error as Error).message).toMatch(/shutting down/);
    expect(seen?.aborted).toBe(true);
    expect(Date.now() - started).toBeLessThan(1_000);
  });

  it('ends a wait for a budget slot at shutdown: the request is never sent', async () => {
    const controller = new AbortController();
    const budget = new RequestBudget({ name: 'test', logger });
    budget.holdFor(60_000, 'a long Retry-After');
    const { send, calls } = failing();
    setTimeout(() => controller.abort(), 20);
    const started = Date.now();
    await expect(sendWithRetry(send, options({ budget, signal: controller.signal }))).rejects.toMatchObject({
      kind: 'unavailable',
      message: expect.stringMatching(/shutting down/),
    });
    expect(calls()).toBe(0);
    expect(Date.now() - started).toBeLessThan(1_000);
  });

  it('sends nothing once shutdown has begun', async () => {
    const controller = new AbortController();
    controller.abort();
    const { send, calls } = failing();
    await expect(sendWithRetry(send, options({ signal: controller.signal }))).rejects.toMatchObject({
      kind: 'unavailable',
    });
    expect(calls()).toBe(0);
  });

  it('retries the items an answer leaves unfinished, and returns the last answer when it gives up', async () => {
    const locked = new CrmError('unavailable', 'UNABLE_TO_LOCK_ROW');
    const answers = [['ok', 'locked', 'locked'], ['ok', 'locked'], ['locked']];
    const sent: number[] = [];
    let open = 3;
    const send = (): Promise<string[]> => {
      sent.push(open);
      const answer = answers.shift() ?? [];
      open = answer.filter((a) => a === 'locked').length;
      return Promise.resolve(answer);
    };
    const waits: number[] = [];
    const answer = await sendWithRetry(
      send,
      options({
        sleep: (ms: number) => (waits.push(ms), Promise.resolve()),
        unfinished: (a: unknown) => ((a as string[]).includes('locked') ? locked : undefined),
      }),
    );

    expect(sent).toEqual([3, 2, 1]); // maxAttempts 3, each try with only what was still open
    expect(waits).toHaveLength(2);
    expect(answer).toEqual(['locked']);
  });

  it('waits for a budget slot before each try', async () => {
    const order: string[] = [];
    const budget = new RequestBudget({ name: 'test', requestsPerWindow: 10, windowMs: 1_000, logger });
    const run = budget.run.bind(budget);
    budget.run = (lane, task) => (order.push(`slot:${lane}`), run(lane, task));
    const { send } = failing(new CrmError('unavailable', '503'));
    await sendWithRetry(() => (order.push('send'), send()), options({ budget, lane: 'search' }));
    expect(order).toEqual(['slot:search', 'send', 'slot:search', 'send']);
  });

  it('runs the beforeRetry lookup before each retry and ends with what it finds', async () => {
    const { send, calls } = failing(new CrmError('timeout', 'slow'), new CrmError('timeout', 'slow'));
    let lookups = 0;
    const found = await sendWithRetry(send, {
      ...options(),
      idempotent: false,
      beforeRetry: () => Promise.resolve(++lookups === 1 ? undefined : 'found it'),
    });
    expect(found).toBe('found it');
    expect(calls()).toBe(2);
    expect(lookups).toBe(2);
  });

  it('gives up when the next wait would pass the request deadline', async () => {
    const { send, calls } = failing(new CrmError('unavailable', '503'), new CrmError('unavailable', '503'));
    const retryWithDeadline = { ...retry, baseMs: 1_000, capMs: 1_000, deadlineMs: 200 };
    await expect(sendWithRetry(send, { ...options(), retry: retryWithDeadline })).rejects.toMatchObject({
      kind: 'unavailable',
    });
    expect(calls()).toBe(1);
  });
});
