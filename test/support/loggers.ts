/** The loggers tests hand to gridsync's parts: a silent one, and one that keeps its lines for a test to read. */
import { createLogger, type Logger } from '../../src/lib/logger.ts';

/** For when the log lines are not what a test checks. */
export function silentLogger(): Logger {
  return createLogger({ level: 'silent' });
}

export interface CapturedLog<Line = Record<string, unknown>> {
  logger: Logger;
  /** Each line written so far, parsed from its JSON, in order. */
  lines: Line[];
  /** Everything written so far, as written. */
  text: () => string;
}

/** gridsync's own logger (createLogger) at `level`, writing its JSON lines to memory instead of stdout. */
export function capturingLogger<Line = Record<string, unknown>>(level = 'trace'): CapturedLog<Line> {
  const lines: Line[] = [];
  const written: string[] = [];
  const destination = {
    write(chunk: string): void {
      written.push(chunk);
      for (const line of chunk.split('\n')) if (line !== '') lines.push(JSON.parse(line) as Line);
    },
  };
  return { logger: createLogger({ level, destination }), lines, text: () => written.join('') };
}
