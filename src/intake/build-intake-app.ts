/**
 * The intake HTTP app, built without listening (the caller listens; tests use inject()). Signed webhook routes
 * live in their own encapsulated scope with the raw-body parser; every refusal is an RFC 9457 problem, including
 * those of Node's HTTP parser and Fastify's router (http-refusals.ts).
 */
import Fastify, { type FastifyInstance } from 'fastify';

import { AccessLog } from './access-log.ts';
import { HTTP_LIMITS } from './http-limits.ts';
import {
  refuseClientError,
  refuseFrameworkError,
  refuseBadHost,
  refuseRouteError,
  refuseUnrouted,
} from './http-refusals.ts';
import type { IntakeDeps, RouteDeps } from './intake-deps.ts';
import { registerGetGridStatus } from './routes/get-grid-status.ts';
import { registerGetTenantStatus } from './routes/get-tenant-status.ts';
import { registerHealth } from './routes/health.ts';
import { registerPostGrid } from './routes/post-grid.ts';
import { registerPostSignals } from './routes/post-signals.ts';
import { installSignedBody } from './signed-body-plugin.ts';

export type { AcceptedEvent, IntakeDeps, MappingSource } from './intake-deps.ts';

export function buildIntakeApp(deps: IntakeDeps): FastifyInstance {
  const routeDeps: RouteDeps = { ...deps, now: deps.now ?? (() => new Date()) };
  const requestTimeoutMs = deps.requestTimeoutMs ?? HTTP_LIMITS.requestTimeoutMs;
  const app = Fastify({
    loggerInstance: deps.logger,
    logController: new AccessLog(),
    bodyLimit: HTTP_LIMITS.bodyBytes,
    return503OnClosing: true,
    routerOptions: { maxParamLength: HTTP_LIMITS.pathParamLength },
    requestTimeout: requestTimeoutMs,
    http: {
      maxHeaderSize: HTTP_LIMITS.headerBytes,
      // A missing Host is refused by refuseBadHost, with a problem body (Node's own 400 has none).
      requireHostHeader: false,
      requestTimeout: requestTimeoutMs,
      // How often Node looks for requests past their timeout.
      connectionsCheckingInterval: Math.min(5_000, Math.max(100, requestTimeoutMs / 4)),
    },
    frameworkErrors: refuseFrameworkError,
    clientErrorHandler: refuseClientError,
  });

  app.addHook('onRequest', refuseBadHost);
  app.setErrorHandler(refuseRouteError);
  app.setNotFoundHandler(refuseUnrouted(app));

  void app.register((scope, _options, done) => {
    installSignedBody(scope, routeDeps);
    registerPostGrid(scope, routeDeps);
    registerPostSignals(scope, routeDeps);
    done();
  });
  registerGetGridStatus(app, routeDeps);
  registerGetTenantStatus(app, routeDeps);
  registerHealth(app, routeDeps);
  return app;
}
