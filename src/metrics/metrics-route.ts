/**
 * GET /metrics in the Prometheus text format. With GRIDSYNC_METRICS_TOKEN set, a scrape must send
 * `Authorization: Bearer <token>` (compared in constant time); without it the endpoint is open, for a
 * Prometheus on the same private network.
 */
import { timingSafeEqual } from 'node:crypto';

import type { FastifyInstance } from 'fastify';

import { sendProblem } from '../intake/problem.ts';
import type { GridsyncMetrics } from './gridsync-metrics.ts';

export const METRICS_PATH = '/metrics';

export function registerMetricsRoute(
  app: FastifyInstance,
  metrics: GridsyncMetrics,
  token: string | undefined,
): void {
  app.get(METRICS_PATH, async (request, reply) => {
    if (token !== undefined && !bearerMatches(request.headers.authorization, token)) {
      return sendProblem(
        reply,
        'metrics_token_invalid',
        'send Authorization: Bearer <token>, the value of GRIDSYNC_METRICS_TOKEN on the server',
        { headers: { 'www-authenticate': 'Bearer realm="gridsync metrics"' } },
      );
    }
    const body = await metrics.render();
    return reply.type(metrics.contentType).send(body);
  });
}

function bearerMatches(header: string | undefined, token: string): boolean {
  const match = /^Bearer\s+(.+)$/i.exec(header ?? '');
  if (!match?.[1]) return false;
  const given = Buffer.from(match[1].trim());
  const expected = Buffer.from(token);
  return given.length === expected.length && timingSafeEqual(given, expected);
}
