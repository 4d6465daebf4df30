/**
 * POST /v1/tenants/:tenant/signals: a batch of up to 1,000 intent signals. Signals already stored (same id) are
 * counted as duplicates, not stored twice; the worker re-scores each account named in the batch.
 *
 * Refusals: as for grids (signed-body-plugin.ts), then 400 payload_invalid, 503 store_unavailable.
 */
import type { FastifyInstance } from 'fastify';

import { signalBatchSchema } from '../../domain/signal.ts';
import type { SignalsAcceptance } from '../../store/store.ts';
import type { RouteDeps } from '../intake-deps.ts';
import { sendInvalidPayload } from '../problem.ts';
import { friendlierIssueMessages, sendAcceptance } from '../send-acceptance.ts';
import { signedDelivery } from '../signed-body-plugin.ts';

export const POST_SIGNALS_PATH = '/v1/tenants/:tenant/signals';

export type SignalsAcceptedBody = SignalsAcceptance;

export function registerPostSignals(scope: FastifyInstance, deps: RouteDeps): void {
  scope.post(POST_SIGNALS_PATH, async (request, reply) => {
    const delivery = signedDelivery(request);
    const parsed = signalBatchSchema.safeParse(delivery.json, { error: friendlierIssueMessages });
    if (!parsed.success) return sendInvalidPayload(reply, parsed.error.issues, 'signal');

    const { signals } = parsed.data;
    return sendAcceptance({
      reply,
      deps,
      event: { tenant: delivery.tenant, kind: 'signals' },
      webhookId: delivery.webhookId,
      accept: () =>
        deps.store.acceptSignals({
          tenant: delivery.tenant,
          webhookId: delivery.webhookId,
          signals,
          receivedAt: delivery.receivedAt,
          maxAttempts: delivery.loaded.mapping.sync.maxAttempts,
          answer: ({ accepted, duplicates, accounts }) => ({
            status: 202,
            body: { accepted, duplicates, accounts } satisfies SignalsAcceptedBody,
          }),
        }),
      summarize: (result) => ({ received: signals.length, ...result, accounts: result.accounts.length }),
    });
  });
}
