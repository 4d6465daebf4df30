/** `gridsync serve`: intake and worker in one process until SIGTERM/SIGINT. */
import { pino } from 'pino';

import { loadConfig } from '../config/env.ts';
import { createLogger } from '../lib/logger.ts';
import { startGridsync } from '../main.ts';
import { EXIT, parseCommand, runCommand } from './cli-support.ts';
import { unsetNodeFlags } from './node-flags.ts';

const USAGE = `usage: gridsync serve

  Run the intake (HTTP, on HOST:PORT) and the sync worker on the configured store until SIGTERM or SIGINT,
  then finish or put back the work in flight. Configured by the environment (README, Configuration).

exit codes: 0 stopped by a signal; 2 usage or configuration
`;

export function serveCommand(args: string[]): Promise<number> {
  return runCommand('serve', USAGE, async () => {
    if (!parseCommand(args, {}, USAGE)) return EXIT.ok;
    return serve();
  });
}

async function serve(): Promise<number> {
  const config = loadConfig();
  // JSON lines are written asynchronously (on libuv's thread pool, flushed at exit): on Linux, stdout to a file or
  // a pipe is a synchronous write, so a busy disk or a slow log collector held the event loop, and every request
  // with it. A terminal keeps the logger's own pretty output.
  const destination = process.stdout.isTTY ? undefined : pino.destination({ dest: 1, sync: false });
  const logger = createLogger({
    level: config.LOG_LEVEL,
    ...(destination === undefined ? {} : { destination }),
  });
  const unset = unsetNodeFlags(process.execArgv, process.env['NODE_OPTIONS']);
  if (unset.length > 0) {
    logger.warn(
      { unset },
      'started without gridsync’s Node.js flags, so V8 may size its heap far above what gridsync uses ' +
        '(docs/architecture.md, "Memory"): start it with `npm start`, the `gridsync` command or the image',
    );
  }
  const gridsync = await startGridsync({ config, logger, schemaWatch: {} });
  await new Promise<void>((resolve) => {
    const stop = (signal: NodeJS.Signals): void => {
      logger.info({ signal }, 'shutting down: finishing or releasing in-flight work');
      gridsync.close().then(resolve, (thrown: unknown) => {
        logger.error({ err: thrown }, 'shutdown failed');
        resolve();
      });
    };
    process.once('SIGTERM', stop);
    process.once('SIGINT', stop);
  });
  // Everything is committed and the store is closed. A CRM request cut short at shutdown can still hold the
  // event loop: jsforce keeps its own timer and socket for a request it cannot be told to abandon (up to its
  // timeout, 60 s). Nothing is left to wait for, so the process ends shortly after, whatever still holds it;
  // the timer is unref'd and never delays an exit that happens on its own.
  setTimeout(() => {
    logger.info('stopped; ending requests the CRM never answered');
    try {
      destination?.flushSync();
    } finally {
      process.exit(process.exitCode ?? 0);
    }
  }, EXIT_AFTER_CLOSE_MS).unref();
  return 0;
}

/** How long after a clean shutdown the process may linger on abandoned CRM requests before it exits. */
const EXIT_AFTER_CLOSE_MS = 500;
