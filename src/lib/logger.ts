/**
 * The root logger. Secrets never reach a log line: signature headers, bearer tokens and anything named like a
 * secret are redacted here, once, for every child logger.
 */
import { pino, type Logger, type LoggerOptions } from 'pino';

export const REDACT_PATHS = [
  'req.headers.authorization',
  'req.headers["webhook-signature"]',
  'headers.authorization',
  'headers["webhook-signature"]',
  '*.token',
  '*.accessToken',
  '*.refreshToken',
  '*.clientSecret',
  '*.secret',
  '*.password',
  '*.privateKey',
  'secret',
  'token',
];

export function createLogger(options: { level?: string; destination?: pino.DestinationStream } = {}): Logger {
  const config: LoggerOptions = {
    level: options.level ?? 'info',
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    base: { service: 'gridsync' },
  };
  return options.destination ? pino(config, options.destination) : pino(config);
}

export type { Logger };
