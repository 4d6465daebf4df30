/**
 * The root logger. Secrets never reach a log line, at any level: signature headers, bearer tokens and anything
 * named like a secret are redacted, and the serializers below keep only fields that cannot carry request bytes.
 * Node's HTTP parse errors carry the raw request (`rawPacket`: every header, signatures included), HTTP client
 * errors carry request configs and headers (CRM tokens), so errors are logged from an allow-list of fields; a
 * request is logged as its method, path (no query string) and peer, never its headers or body.
 *
 * In a terminal the lines are pretty-printed for a person (pino-pretty); anywhere else (a container, a pipe, a
 * file) they stay one JSON object per line.
 */
import { pino, type Logger, type LoggerOptions } from 'pino';
import pretty from 'pino-pretty';

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

/** Error fields that describe what went wrong without quoting what was sent. */
const ERROR_FIELDS = ['code', 'statusCode', 'status', 'reason', 'errno', 'syscall'] as const;
const MAX_CAUSE_DEPTH = 3;

export function serializeError(value: unknown, depth = 0): unknown {
  if (!(value instanceof Error)) {
    return typeof value === 'object' && value !== null ? '[non-error object]' : value;
  }
  const error = value as Error & Record<string, unknown>;
  const out: Record<string, unknown> = {
    type: error.constructor.name,
    message: error.message,
    ...(error.stack === undefined ? {} : { stack: error.stack }),
  };
  for (const field of ERROR_FIELDS) {
    const item = error[field];
    if (typeof item === 'string' || typeof item === 'number') out[field] = item;
  }
  if (error.cause !== undefined && depth < MAX_CAUSE_DEPTH) {
    out['cause'] = serializeError(error.cause, depth + 1);
  }
  return out;
}

interface LoggedRequest {
  method?: string;
  url?: string;
  ip?: string;
  socket?: { remoteAddress?: string };
}

function serializeRequest(request: LoggedRequest): Record<string, unknown> {
  return {
    method: request.method,
    // A query string is not part of the API, so anything in one (a token pasted into a URL) is not logged.
    url: request.url?.split('?')[0],
    remoteAddress: request.ip ?? request.socket?.remoteAddress,
  };
}

function serializeResponse(reply: { statusCode?: number }): Record<string, unknown> {
  return { statusCode: reply.statusCode };
}

export type LogFormat = 'json' | 'pretty';

export interface LoggerSettings {
  level?: string;
  destination?: pino.DestinationStream;
  /** Defaults to pretty when stdout is a terminal, JSON otherwise; ignored when a destination is given. */
  format?: LogFormat;
}

export function createLogger(options: LoggerSettings = {}): Logger {
  const config: LoggerOptions = {
    level: options.level ?? 'info',
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    base: { service: 'gridsync' },
    serializers: {
      err: serializeError,
      error: serializeError,
      req: serializeRequest,
      res: serializeResponse,
    },
  };
  if (options.destination) return pino(config, options.destination);
  const format = options.format ?? (process.stdout.isTTY ? 'pretty' : 'json');
  // Synchronous in this thread: a transport's worker thread would be one more moving part for a terminal.
  return format === 'pretty'
    ? pino(config, pretty({ colorize: true, singleLine: true, sync: true, ignore: 'pid,hostname,service' }))
    : pino(config);
}

export type { Logger };
