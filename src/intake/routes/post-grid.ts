/**
 * POST /v1/tenants/:tenant/grids: one Sales Grid (whole or a draft). The 202 already tells the sending form
 * whether the grid is complete and, if not, which sections are missing or thin, so DevRel can fix it at once.
 *
 * Refusals: see signed-body-plugin.ts (415, 404 tenant_unknown, 503 tenant_not_configured, 401, 400 json_malformed),
 * then 400 payload_invalid here, 503 store_unavailable from the store.
 */
import type { FastifyInstance } from 'fastify';

import { type GridCompleteness, judgeCompleteness } from '../../domain/grid-completeness.ts';
import { salesGridSchema } from '../../domain/sales-grid.ts';
import type { GridAcceptance } from '../../store/store.ts';
import { gridStatusUrl, type RouteDeps } from '../intake-deps.ts';
import { sendInvalidPayload } from '../problem.ts';
import { friendlierIssueMessages, sendAcceptance } from '../send-acceptance.ts';
import { signedDelivery } from '../signed-body-plugin.ts';

export const POST_GRID_PATH = '/v1/tenants/:tenant/grids';

/** The 202 body: the public answer to a grid delivery (stored, and replayed for a repeated webhook-id). */
export interface GridAcceptedBody extends GridAcceptance {
  statusUrl: string;
  completeness: GridCompleteness;
}

export function registerPostGrid(scope: FastifyInstance, deps: RouteDeps): void {
  scope.post(POST_GRID_PATH, async (request, reply) => {
    const delivery = signedDelivery(request);
    const parsed = salesGridSchema.safeParse(delivery.json, { error: friendlierIssueMessages });
    if (!parsed.success) return sendInvalidPayload(reply, parsed.error.issues, 'grid');

    const grid = parsed.data;
    // Stored with the rules that produced it: the worker judges again only under other rules (a mapping edit).
    const judged = judgeCompleteness(grid, delivery.loaded.mapping.completeness);
    const completeness = { complete: judged.complete, gaps: judged.gaps };
    const statusUrl = gridStatusUrl(deps.publicUrl, delivery.tenant, grid.gridId);
    return sendAcceptance({
      reply,
      deps,
      event: { tenant: delivery.tenant, kind: 'grid' },
      webhookId: delivery.webhookId,
      accept: () =>
        deps.store.acceptGrid({
          tenant: delivery.tenant,
          webhookId: delivery.webhookId,
          grid,
          completeness: judged,
          receivedAt: delivery.receivedAt,
          // The tenant's own retry budget for the sync job this delivery enqueues.
          maxAttempts: delivery.loaded.mapping.sync.maxAttempts,
          answer: (result) => ({
            status: 202,
            body: { ...result, statusUrl, completeness } satisfies GridAcceptedBody,
          }),
        }),
      summarize: (result) => ({ ...result, complete: completeness.complete }),
    });
  });
}
