/**
 * GET /healthz: the process is alive (always 200 while it serves). GET /readyz: it can do useful work, i.e. the
 * store answers and at least one tenant mapping is loaded; a load balancer sends traffic only then.
 */
import type { FastifyInstance } from 'fastify';

import { withTimeout } from '../../lib/with-timeout.ts';

import type { RouteDeps } from '../intake-deps.ts';
import { sendProblem } from '../problem.ts';

/** A store that does not answer within this time counts as unavailable, so the probe itself never hangs. */
export const READINESS_PING_TIMEOUT_MS = 2_000;

export function registerHealth(app: FastifyInstance, deps: RouteDeps): void {
  app.get('/healthz', (_request, reply) => reply.send({ status: 'alive' }));

  app.get('/readyz', async (request, reply) => {
    try {
      await withTimeout(
        () => deps.store.ping(),
        READINESS_PING_TIMEOUT_MS,
        () => new Error(`no answer within ${READINESS_PING_TIMEOUT_MS} ms`),
      );
    } catch (error) {
      request.log.warn({ err: error }, 'readiness: store unavailable');
      return sendProblem(
        reply,
        'store_unavailable',
        `the store does not answer: ${(error as Error).message}`,
      );
    }
    const tenants = deps.mappings.tenants().length;
    if (tenants === 0) {
      return sendProblem(
        reply,
        'mappings_not_loaded',
        'no tenant mapping is loaded: add a valid mappings/<tenant>.yaml',
      );
    }
    // Schema drift does not make the process unready (it still takes grids); it is shown so it gets noticed.
    const status = deps.tenantStatus;
    if (status === undefined) return { status: 'ready', tenants };
    const schema = Object.fromEntries(
      deps.mappings.tenants().map((tenant) => {
        const check = status(tenant).schema;
        return [
          tenant,
          check === undefined
            ? { state: 'not_checked' }
            : {
                state: check.state,
                checkedAt: check.checkedAt,
                ...(check.reason === undefined ? {} : { reason: check.reason }),
                drift: check.findings.filter((f) => f.severity === 'error'),
              },
        ];
      }),
    );
    return { status: 'ready', tenants, schema };
  });
}
