/**
 * GET /v1/tenants/:tenant/grids/:gridId: where a grid stands (completeness, account qualification, CRM sync,
 * AE task). Reading needs the tenant's status token as a bearer token; a token never opens another tenant.
 */
import type { FastifyInstance } from 'fastify';

import { gridIdSchema } from '../../domain/sales-grid.ts';
import { gridSyncJob } from '../../store/job-lifecycle.ts';
import type { Job } from '../../store/job.ts';
import type { GridSyncState } from '../../domain/sync-state.ts';
import { describeGridStatus } from '../grid-status.ts';
import { findTenant, gridStatusUrl, type RouteDeps } from '../intake-deps.ts';
import { sendProblem } from '../problem.ts';
import { refuseWithoutStatusToken } from './status-token.ts';

export const GET_GRID_STATUS_PATH = '/v1/tenants/:tenant/grids/:gridId';

export function registerGetGridStatus(app: FastifyInstance, deps: RouteDeps): void {
  app.get<{ Params: { tenant: string; gridId: string } }>(GET_GRID_STATUS_PATH, async (request, reply) => {
    const { tenant, gridId } = request.params;
    const loaded = findTenant(deps.mappings, tenant);
    if (!loaded) {
      return sendProblem(reply, 'tenant_unknown', `no tenant "${tenant}" is configured here: check the URL`);
    }

    const refused = refuseWithoutStatusToken(request, reply, deps, loaded, tenant);
    if (refused !== undefined) return refused;

    // An id the contract could never accept names no grid; it never reaches the store (PostgreSQL refuses NUL).
    if (!gridIdSchema.safeParse(gridId).success) {
      return sendProblem(reply, 'grid_unknown', `tenant "${tenant}" has no grid "${gridId}"`);
    }
    try {
      const stored = await deps.store.getGrid(tenant, gridId);
      if (!stored) return sendProblem(reply, 'grid_unknown', `tenant "${tenant}" has no grid "${gridId}"`);
      const domain = stored.grid.account.domain;
      const [syncState, accountState, taskEntry, jobs] = await Promise.all([
        deps.store.getGridSyncState(tenant, gridId),
        domain === undefined ? Promise.resolve(undefined) : deps.store.getAccountState(tenant, domain),
        deps.store.getTaskEntry(tenant, gridId),
        deps.store.getJobs(tenant, gridSyncJob(tenant, gridId).key),
      ]);
      const body = describeGridStatus({
        stored,
        statusUrl: gridStatusUrl(deps.publicUrl, tenant, gridId),
        syncState: withDeadJob(syncState, jobs.at(-1), stored, loaded.mapping.crm.type),
        accountState,
        taskEntry,
      });
      return reply.header('cache-control', 'no-store').send(body);
    } catch (error) {
      request.log.error({ err: error, tenant }, 'reading the grid status failed');
      return sendProblem(reply, 'store_unavailable', 'the grid status could not be read; retry later', {
        headers: { 'retry-after': '5' },
      });
    }
  });
}

/**
 * A grid whose latest sync job is dead is a dead letter even when the worker never wrote one on its state
 * (it stopped on the job's last attempt and the lease ran out, before any state was written): say so instead of
 * "pending" for ever.
 */
function withDeadJob(
  syncState: GridSyncState | undefined,
  latest: Job | undefined,
  stored: { version: number },
  crm: GridSyncState['crm'],
): GridSyncState | undefined {
  if (latest?.state !== 'dead' || syncState?.deadLetter !== undefined) return syncState;
  const at = latest.updatedAt.toISOString();
  const base: GridSyncState = syncState ?? {
    crm,
    mode: 'live',
    version: stored.version,
    targets: { gridRecord: { state: 'pending', updatedAt: at } },
    unresolved: [],
    updatedAt: at,
  };
  return {
    ...base,
    deadLetter: {
      attempts: latest.attempts,
      lastError: latest.lastError ?? 'the sync job died without an error',
      at,
    },
  };
}
