/** `gridsync serve`: intake and worker in one process until SIGTERM/SIGINT. */
import { pino } from 'pino';

import { loadConfig } from '../config/env.ts';
import { createLogger } from '../lib/logger.ts';
import { startGridsync } from '../main.ts';
import { EXIT, parseCommand, runCommand } from './cli-support.ts';

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
  const logger = createLogger({
    level: config.LOG_LEVEL,
    ...(process.stdout.isTTY ? {} : { destination: pino.destination({ dest: 1, sync: false }) }),
  });
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
  return 0;
}
