/**
 * Counts and times every HTTP answer of the intake app, by route pattern (never the URL as sent, which names
 * tenants and grids) and outcome: the problem document's `code` for a refusal, "ok" otherwise.
 */
import type { FastifyInstance, FastifyReply } from 'fastify';

import type { GridsyncMetrics } from './gridsync-metrics.ts';

const PROBLEM_CODE = Symbol('gridsync.problemCode');
type WithCode = FastifyReply & { [PROBLEM_CODE]?: string };

export function instrumentIntake(app: FastifyInstance, metrics: GridsyncMetrics): void {
  // The code is read from the serialized problem document, so the routes need not report it.
  app.addHook('onSend', (_request, reply, payload, done) => {
    const type = reply.getHeader('content-type');
    if (
      typeof type === 'string' &&
      type.startsWith('application/problem+json') &&
      typeof payload === 'string'
    ) {
      try {
        const code = (JSON.parse(payload) as { code?: unknown }).code;
        if (typeof code === 'string') (reply as WithCode)[PROBLEM_CODE] = code;
      } catch {
        // not JSON after all: counted without a code
      }
    }
    done(null, payload);
  });
  app.addHook('onResponse', (request, reply, done) => {
    // Unknown routes share one label, so probing random URLs cannot grow the label set.
    const route = request.routeOptions.url ?? 'unknown';
    const code = (reply as WithCode)[PROBLEM_CODE] ?? (reply.statusCode < 400 ? 'ok' : 'error');
    metrics.intakeRequest(
      { route, method: request.method, status: reply.statusCode, code },
      reply.elapsedTime / 1000,
    );
    done();
  });
}
