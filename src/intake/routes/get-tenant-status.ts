/**
 * GET /v1/tenants/:tenant/status (the tenant's status token): the mapping in force (file, content hash, a
 * broken edit waiting to be fixed), the CRM mode (live or dry-run, and why), the latest schema check of
 * the drift watch with its findings and mapping lines, the tenant's queue (tenant-queue-status.ts), and the
 * CRM's daily request limit, with when a paused tenant resumes (daily-limit-status.ts).
 * Every member is documented in docs/setup-tenant.md ("The tenant's status").
 */
import type { FastifyInstance } from 'fastify';

import { describeDailyLimit } from '../daily-limit-status.ts';
import { findTenant, type RouteDeps } from '../intake-deps.ts';
import { sendProblem } from '../problem.ts';
import { tenantQueueStatus } from '../tenant-queue-status.ts';
import { refuseWithoutStatusToken } from './status-token.ts';

export const GET_TENANT_STATUS_PATH = '/v1/tenants/:tenant/status';

export function registerGetTenantStatus(app: FastifyInstance, deps: RouteDeps): void {
  app.get<{ Params: { tenant: string } }>(GET_TENANT_STATUS_PATH, async (request, reply) => {
    const { tenant } = request.params;
    const loaded = findTenant(deps.mappings, tenant);
    if (!loaded) {
      return sendProblem(reply, 'tenant_unknown', `no tenant "${tenant}" is configured here: check the URL`);
    }
    const refused = refuseWithoutStatusToken(request, reply, deps, loaded, tenant);
    if (refused !== undefined) return refused;
    const runtime = deps.tenantStatus?.(tenant) ?? {};
    let queue;
    try {
      queue = deps.queue === undefined ? undefined : await tenantQueueStatus(deps.queue, tenant, deps.now());
    } catch (error) {
      request.log.error({ err: error, tenant }, 'reading the tenant queue failed');
      return sendProblem(reply, 'store_unavailable', 'the tenant status could not be read; retry later', {
        headers: { 'retry-after': '5' },
      });
    }
    const crm = runtime.crm ?? { mode: 'unknown' as const };
    return reply.header('cache-control', 'no-store').send({
      tenant,
      mapping: {
        file: loaded.file,
        contentHash: loaded.contentHash,
        crm: loaded.mapping.crm.type,
        // The file's current content, when it is broken: the tenant runs on the last good mapping meanwhile.
        lastError: runtime.mappingErrors?.join('\n') ?? null,
      },
      crm,
      schema: runtime.schema ?? { state: 'not_checked', findings: [] },
      queue: queue?.queue ?? null,
      lastSuccessfulSyncAt: queue?.lastSuccessfulSyncAt ?? null,
      dailyLimit: describeDailyLimit(crm.mode, runtime.dailyLimit),
    });
  });
}
