/**
 * Refusals that happen before a route runs, as problem documents like every other refusal: what Node's HTTP
 * parser cannot read (the server's `clientError`), what the router cannot decode or match (Fastify's
 * `frameworkErrors`, the not-found handler), and Fastify's own errors around body parsing.
 *
 * Nothing here logs the raw request: Node's parse errors carry the bytes received (`rawPacket`, with every header,
 * signatures and bearer tokens included), so only the parser's fixed reason text is kept.
 */
import type { Socket } from 'node:net';

import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

import { HTTP_LIMITS } from './http-limits.ts';
import type { IntakeErrorCode } from './intake-errors.ts';
import { PROBLEM_CONTENT_TYPE, problem, sendProblem } from './problem.ts';

interface ParserRefusal {
  code: IntakeErrorCode;
  hint: string;
}

const FRAMING_HINT =
  'send either one valid Content-Length or Transfer-Encoding: chunked (never both), and exactly that many bytes';

/** llhttp's error codes (HPE_*) and Node's request timeout, as a problem code and what the sender should fix. */
const PARSER_REFUSALS: Readonly<Record<string, ParserRefusal>> = {
  HPE_HEADER_OVERFLOW: {
    code: 'headers_too_large',
    hint: `the request line and headers must fit in ${HTTP_LIMITS.headerBytes.toLocaleString('en')} bytes`,
  },
  ERR_HTTP_REQUEST_TIMEOUT: { code: 'request_timeout', hint: 'the whole request must arrive in time' },
  HPE_INVALID_URL: {
    code: 'url_malformed',
    hint: 'percent-encode every character of the path that is not printable ASCII',
  },
  HPE_INVALID_METHOD: { code: 'http_malformed', hint: 'use GET or POST as the API describes' },
  HPE_INVALID_VERSION: { code: 'http_malformed', hint: 'speak HTTP/1.1' },
  HPE_INVALID_HEADER_TOKEN: {
    code: 'http_malformed',
    hint: 'header names are tokens and values printable text, without control characters',
  },
  HPE_INVALID_CONTENT_LENGTH: { code: 'http_malformed', hint: FRAMING_HINT },
  HPE_UNEXPECTED_CONTENT_LENGTH: { code: 'http_malformed', hint: FRAMING_HINT },
  HPE_INVALID_TRANSFER_ENCODING: { code: 'http_malformed', hint: FRAMING_HINT },
  HPE_INVALID_CHUNK_SIZE: { code: 'http_malformed', hint: FRAMING_HINT },
  HPE_INVALID_EOF_STATE: { code: 'http_malformed', hint: FRAMING_HINT },
};

const DEFAULT_PARSER_REFUSAL: ParserRefusal = {
  code: 'http_malformed',
  hint: 'check the HTTP client: lines end in CRLF, headers are "Name: value"',
};

/** Node's parse errors (llhttp): a code, a fixed reason text, and the raw bytes we must never log. */
interface ClientError extends Error {
  code?: string;
  reason?: string;
}

/** The HTTP response a parser refusal gets, written straight to the socket (there is no request object). */
export function parserRefusalResponse(error: ClientError, requestTimeoutMs: number): string {
  const refusal =
    (error.code === undefined ? undefined : PARSER_REFUSALS[error.code]) ?? DEFAULT_PARSER_REFUSAL;
  // llhttp's reasons are fixed strings ("Duplicate Content-Length"); the timeout has none.
  const reason =
    error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
      ? `the request did not arrive whole within ${requestTimeoutMs / 1000} s`
      : error.reason;
  const detail = reason === undefined ? refusal.hint : `${reason.replace(/\.$/, '')}: ${refusal.hint}`;
  const document = problem(refusal.code, detail);
  const body = JSON.stringify(document);
  const { status } = document;
  return [
    `HTTP/1.1 ${status} ${STATUS_TEXT[status] ?? 'Bad Request'}`,
    `Content-Type: ${PROBLEM_CONTENT_TYPE}`,
    `Content-Length: ${Buffer.byteLength(body)}`,
    'Connection: close',
    '',
    body,
  ].join('\r\n');
}

const STATUS_TEXT: Readonly<Record<number, string>> = {
  400: 'Bad Request',
  408: 'Request Timeout',
  431: 'Request Header Fields Too Large',
};

/** Node's private link from a socket to the response being written on it (what its own handler checks too). */
interface HttpSocket extends Socket {
  _httpMessage?: { headersSent?: boolean } | null;
}

/** Fastify's `clientErrorHandler`: called with the Fastify instance as `this`. */
export function refuseClientError(this: FastifyInstance, error: ClientError, socket: Socket): void {
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  this.log.debug({ code: error.code, reason: error.reason }, 'HTTP request refused by the parser');
  // A response already under way (a route answered before the body went bad) must not be interleaved with ours.
  const inFlight = (socket as HttpSocket)._httpMessage;
  if (socket.writable && !inFlight?.headersSent) {
    socket.write(parserRefusalResponse(error, this.server.requestTimeout));
  }
  socket.destroy();
}

/** Fastify's `frameworkErrors`: the router could not decode the path, or a path segment is too long. */
export function refuseFrameworkError(
  error: FastifyError,
  _request: FastifyRequest,
  reply: FastifyReply,
): void {
  if (error.code === 'FST_ERR_MAX_PARAM_LENGTH') {
    void sendProblem(
      reply,
      'uri_too_long',
      `a path segment is over ${HTTP_LIMITS.pathParamLength} characters: no tenant or grid id is that long`,
    );
  } else if (error.code === 'FST_ERR_BAD_URL') {
    void sendProblem(
      reply,
      'url_malformed',
      'the path holds a malformed percent-encoding: encode each byte as %XX of valid UTF-8',
    );
  } else {
    void sendProblem(reply, 'request_invalid', 'the request cannot be routed');
  }
}

/** Fastify's errors around a route (body parsing mostly), as problems; anything else is a bug, logged. */
export function refuseRouteError(
  error: FastifyError,
  request: FastifyRequest,
  reply: FastifyReply,
): FastifyReply {
  switch (error.code) {
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
    case 'FST_ERR_CTP_INVALID_TYPE':
      return sendProblem(
        reply,
        'unsupported_media_type',
        `send the body as application/json (got ${request.headers['content-type'] ?? 'no Content-Type'})`,
      );
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return sendProblem(
        reply,
        'payload_too_large',
        `the body is over ${HTTP_LIMITS.bodyBytes.toLocaleString('en')} bytes: send fewer signals per batch or shorter text`,
      );
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return sendProblem(
        reply,
        'http_malformed',
        `the body's length differs from Content-Length: ${FRAMING_HINT}`,
      );
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return sendProblem(reply, 'json_malformed', 'the body is not valid JSON');
  }
  const status = error.statusCode ?? 500;
  if (status >= 400 && status < 500) {
    // Fastify's 4xx messages describe the request, never echo its headers or body.
    return sendProblem(reply, 'request_invalid', error.message);
  }
  request.log.error({ err: error }, 'unexpected error');
  return sendProblem(
    reply,
    'internal',
    `an unexpected error occurred; it is logged under request id ${request.id}`,
  );
}

const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'] as const;

/** No route for this method and path: 405 with `Allow` when the path exists under other methods, else 404. */
export function refuseUnrouted(app: FastifyInstance) {
  return (request: FastifyRequest, reply: FastifyReply): FastifyReply => {
    const path = request.url.split('?')[0] ?? '';
    const allowed = METHODS.filter(
      (method) => method !== request.method && app.findRoute({ method, url: path }) !== null,
    );
    if (allowed.length > 0) {
      return sendProblem(
        reply,
        'method_not_allowed',
        `${path} answers ${allowed.join(', ')}, not ${request.method}`,
        { headers: { allow: allowed.join(', ') } },
      );
    }
    return sendProblem(
      reply,
      'route_unknown',
      `no endpoint ${request.method} ${path}; see the README for the API`,
    );
  };
}

/**
 * HTTP/1.1 requires exactly one Host (RFC 9112 §3.2). Node's own refusal of a missing one has no body, and it
 * keeps the first of several, so both checks are done here (on the raw header list: no per-request object).
 */
export function refuseBadHost(request: FastifyRequest, reply: FastifyReply, done: () => void): void {
  const { raw } = request;
  let hosts = 0;
  const names = raw.rawHeaders;
  for (let i = 0; i < names.length; i += 2) {
    const name = names[i];
    if (name !== undefined && name.length === 4 && name.toLowerCase() === 'host') hosts += 1;
  }
  if (hosts > 1) {
    void sendProblem(reply, 'host_invalid', 'send exactly one Host header (this request has several)');
    return;
  }
  if (hosts === 0 && (raw.httpVersionMajor > 1 || raw.httpVersionMinor >= 1)) {
    void sendProblem(reply, 'host_invalid', 'HTTP/1.1 requests must carry a Host header');
    return;
  }
  done();
}
