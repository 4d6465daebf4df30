/** The one logger tests hand to gridsync's parts when the log lines are not what they check. */
import { createLogger, type Logger } from '../../src/lib/logger.ts';

export function silentLogger(): Logger {
  return createLogger({ level: 'silent' });
}
