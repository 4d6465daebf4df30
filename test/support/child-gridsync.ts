/**
 * `gridsync serve` in a child process, as an operator runs it, so tests can kill it for real (SIGKILL) and
 * start it again on the same store.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';

import { NODE_FLAGS } from '../../src/cli/node-flags.ts';
import { openStore } from '../../src/store/open-store.ts';
import { signRequest } from './sign-request.ts';

export interface ChildGridsync {
  url: string;
  process: ChildProcess;
  /** Log lines (parsed JSON) seen so far. */
  logs: Record<string, unknown>[];
  kill(signal?: NodeJS.Signals): Promise<number | null>;
}

/** How production starts it: this Node with gridsync's node flags (src/cli/node-flags.ts). */
const SERVE: readonly string[] = [process.execPath, ...NODE_FLAGS, 'src/cli.ts', 'serve'];

export async function startChildGridsync(
  env: Record<string, string>,
  timeoutMs = 15_000,
  command: readonly string[] = SERVE,
): Promise<ChildGridsync> {
  const [executable = process.execPath, ...args] = command;
  const child = spawn(executable, args, {
    env: { PATH: process.env['PATH'] ?? '', HOST: '127.0.0.1', PORT: '0', LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const logs: Record<string, unknown>[] = [];
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`gridsync did not start in ${timeoutMs} ms\n${stderr}`)),
      timeoutMs,
    );
    void exited.then((code) => reject(new Error(`gridsync exited with ${code}\n${stderr}`)));
    createInterface({ input: child.stdout }).on('line', (line) => {
      try {
        const entry = JSON.parse(line) as Record<string, unknown>;
        logs.push(entry);
        if (entry['msg'] === 'gridsync is running') {
          clearTimeout(timer);
          resolve(String(entry['url']));
        }
      } catch {
        // not a log line
      }
    });
  });
  return {
    url,
    process: child,
    logs,
    async kill(signal = 'SIGKILL') {
      if (child.exitCode === null) child.kill(signal);
      return exited;
    },
  };
}

/** POSTs a body signed with `secret` to one of the tenant's intake routes on the child (`grids`, `signals`). */
export function postSigned(
  child: { url: string },
  secret: string,
  path: string,
  body: unknown,
  tenant = 'acme',
): Promise<Response> {
  const signed = signRequest({ secret, body });
  return fetch(`${child.url}/v1/tenants/${tenant}/${path}`, {
    method: 'POST',
    headers: { ...signed.headers, 'content-type': 'application/json' },
    body: signed.payload,
  });
}

/** Sends SIGTERM and waits for the exit: its code, and how long the process took to stop. */
export async function stopTimed(child: ChildGridsync): Promise<{ exitCode: number | null; seconds: number }> {
  const started = Date.now();
  const exitCode = await child.kill('SIGTERM');
  return { exitCode, seconds: (Date.now() - started) / 1000 };
}

/** The states of a grid's sync jobs in a stopped gridsync's SQLite store, oldest first. */
export async function gridJobStates(dbFile: string, tenant: string, gridId: string): Promise<string[]> {
  const store = await openStore(dbFile);
  try {
    return (await store.getJobs(tenant, `grid.sync:${tenant}:${gridId}`)).map((j) => j.state);
  } finally {
    await store.close();
  }
}
