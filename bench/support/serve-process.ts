/**
 * What the benches share to run gridsync the way an operator does: `gridsync serve` as a child process (its log,
 * at the level asked, goes to a file as it would to a collector), with the event-loop probe preloaded so the
 * bench can ask the server how late its timers fired; plus the small waiting and percentile helpers.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { openSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Worker } from 'node:worker_threads';

import { NODE_FLAGS } from '../../src/cli/node-flags.ts';

export interface ServeProcess {
  url: string;
  child: ChildProcess;
  /** SIGTERM, then waits for the process to exit (the worker drains and the store closes, as in production). */
  stop(): Promise<void>;
}

export interface LoopDelay {
  p50: number;
  p99: number;
  max: number;
}

/**
 * Starts `gridsync serve` in `dir` (mappings in `dir/mappings`, the SQLite file `dir/gridsync.db`) with exactly
 * the environment given (plus PATH), so nothing of the bench's own environment leaks in. BENCH_PROFILE=folder
 * adds `--cpu-prof` (a profile written on exit); node flags are gridsync's own (src/cli/node-flags.ts) unless
 * `options.nodeFlags` or BENCH_SERVER_FLAGS replace them (empty: V8's defaults).
 */
export async function startServe(
  dir: string,
  env: Record<string, string>,
  options: { nodeFlags?: readonly string[] } = {},
): Promise<ServeProcess> {
  const logFile = join(dir, 'gridsync.log');
  const log = openSync(logFile, 'w');
  const child = spawn(
    process.execPath,
    [
      ...(options.nodeFlags ?? process.env['BENCH_SERVER_FLAGS']?.split(' ').filter(Boolean) ?? NODE_FLAGS),
      ...(process.env['BENCH_PROFILE']
        ? ['--cpu-prof', `--cpu-prof-dir=${process.env['BENCH_PROFILE']}`]
        : []),
      '--import',
      new URL('./event-loop-probe.ts', import.meta.url).pathname,
      'src/cli.ts',
      'serve',
    ],
    {
      env: {
        PATH: process.env['PATH'] ?? '',
        HOST: '127.0.0.1',
        PORT: '0',
        LOG_LEVEL: 'info',
        GRIDSYNC_DATABASE_URL: join(dir, 'gridsync.db'),
        GRIDSYNC_MAPPINGS_DIR: join(dir, 'mappings'),
        ...env,
      },
      stdio: ['ignore', log, log, 'ipc'],
    },
  );
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = await until(
    () => {
      const line = readFileSync(logFile, 'utf8')
        .split('\n')
        .find((l) => l.includes('"gridsync is running"'));
      return Promise.resolve(line ? String((JSON.parse(line) as { url: string }).url) : undefined);
    },
    'gridsync serve to start',
    20_000,
  );
  return {
    url,
    child,
    async stop() {
      child.kill('SIGTERM');
      await exited;
    },
  };
}

/** The server's event-loop delay since the last `resetLoopDelay` (bench/support/event-loop-probe.ts). */
export function loopDelay(server: ServeProcess): Promise<LoopDelay> {
  server.child.send('report');
  return new Promise((resolve) =>
    server.child.once('message', (m) => resolve((m as { eventLoopDelay: LoopDelay }).eventLoopDelay)),
  );
}

export function resetLoopDelay(server: ServeProcess): void {
  server.child.send('reset');
}

/** Polls `check` every 100 ms until it returns something truthy; throws after `timeoutMs`. */
export async function until<T>(
  check: () => Promise<T>,
  what: string,
  timeoutMs: number,
): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check().catch(() => undefined);
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`gave up waiting for ${what} after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

export function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? 0;
}

export function median(values: readonly number[]): number {
  return percentile(values, 50);
}

/** The next message a worker thread posts (or its error). */
export function nextMessage<T>(worker: Worker): Promise<T> {
  return new Promise((resolve, reject) => {
    const onMessage = (message: T): void => {
      worker.off('error', reject);
      resolve(message);
    };
    worker.once('message', onMessage);
    worker.once('error', reject);
  });
}
