/** `gridsync serve`: intake and worker in one process until SIGTERM/SIGINT. */
import { loadConfig } from '../config/env.ts';
import { createLogger } from '../lib/logger.ts';
import { startGridsync } from '../main.ts';

export async function serveCommand(_args: string[]): Promise<number> {
  const config = loadConfig();
  const logger = createLogger({ level: config.LOG_LEVEL });
  const gridsync = await startGridsync({ config, logger });
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
