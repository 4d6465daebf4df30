/**
 * The intake HTTP app, built without listening (the caller listens; tests use inject()). Signed webhook routes
 * live in their own encapsulated scope with the raw-body parser; every refusal is an RFC 9457 problem.
 */
import Fastify, { type FastifyError, type FastifyInstance } from 'fastify';

import type { IntakeDeps, RouteDeps } from './intake-deps.ts';
import { MAX_BODY_BYTES } from './intake-errors.ts';
import { sendProblem } from './problem.ts';
import { registerGetGridStatus } from './routes/get-grid-status.ts';
import { registerHealth } from './routes/health.ts';
import { registerPostGrid } from './routes/post-grid.ts';
import { registerPostSignals } from './routes/post-signals.ts';
import { installSignedBody } from './signed-body-plugin.ts';

export type { AcceptedEvent, IntakeDeps, MappingSource } from './intake-deps.ts';

export function buildIntakeApp(deps: IntakeDeps): FastifyInstance {
  const routeDeps: RouteDeps = { ...deps, now: deps.now ?? (() => new Date()) };
  const app = Fastify({ loggerInstance: deps.logger, bodyLimit: MAX_BODY_BYTES, return503OnClosing: true });

  app.setErrorHandler((error: FastifyError, request, reply) => {
    switch (error.code) {
      case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
        return sendProblem(
          reply,
          'unsupported_media_type',
          `send the body as application/json (got ${request.headers['content-type'] ?? 'no Content-Type'})`,
        );
      case 'FST_ERR_CTP_BODY_TOO_LARGE':
        return sendProblem(
          reply,
          'payload_too_large',
          `the body is over ${MAX_BODY_BYTES.toLocaleString('en')} bytes (1 MiB): send fewer signals per batch or shorter text`,
        );
    }
    const status = error.statusCode ?? 500;
    if (status >= 400 && status < 500) return sendProblem(reply, 'request_invalid', error.message);
    request.log.error({ err: error }, 'unexpected error');
    return sendProblem(
      reply,
      'internal',
      `an unexpected error occurred; it is logged under request id ${request.id}`,
    );
  });

  app.setNotFoundHandler((request, reply) =>
    sendProblem(
      reply,
      'route_unknown',
      `no endpoint ${request.method} ${request.url.split('?')[0] ?? ''}; see the README for the API`,
    ),
  );

  void app.register((scope, _options, done) => {
    installSignedBody(scope, routeDeps);
    registerPostGrid(scope, routeDeps);
    registerPostSignals(scope, routeDeps);
    done();
  });
  registerGetGridStatus(app, routeDeps);
  registerHealth(app, routeDeps);
  return app;
}
