/**
 * The last step both webhook routes share: hand the validated delivery to the store, answer with what the
 * store committed (or the answer it kept for a repeated webhook-id), then wake the worker.
 */
import type { FastifyReply } from 'fastify';
import type { z } from 'zod';

import type { Accepted } from '../store/store.ts';
import { markDeliveryLogged } from './access-log.ts';
import type { AcceptedEvent, RouteDeps } from './intake-deps.ts';
import { sendProblem } from './problem.ts';

export interface Acceptance<T> {
  reply: FastifyReply;
  deps: RouteDeps;
  event: AcceptedEvent;
  webhookId: string;
  accept: () => Promise<Accepted<T>>;
  /** What the log line says about a committed delivery (small: no payload, no secrets). */
  summarize: (result: T) => Record<string, unknown>;
}

export async function sendAcceptance<T>({
  reply,
  deps,
  event,
  webhookId,
  accept,
  summarize,
}: Acceptance<T>): Promise<FastifyReply> {
  let accepted: Accepted<T>;
  try {
    accepted = await accept();
  } catch (error) {
    // Nothing was committed (each store call is one transaction), so the sender may safely retry.
    reply.log.error(
      { err: error, tenant: event.tenant, webhookId },
      `storing a ${event.kind} delivery failed`,
    );
    return sendProblem(
      reply,
      'store_unavailable',
      'the delivery could not be stored; nothing was kept, retry later',
      {
        headers: { 'retry-after': '5' },
      },
    );
  }

  const { status, body } = accepted.answer;
  const statusUrl = (body as { statusUrl?: unknown } | null)?.statusUrl;
  if (typeof statusUrl === 'string') void reply.header('location', statusUrl);
  if (accepted.replay) {
    reply.log.info(
      { tenant: event.tenant, kind: event.kind, webhookId },
      'repeated webhook-id: original answer replayed',
    );
    void reply.header('idempotent-replayed', 'true');
  } else {
    // Logged here, after the commit, so a log line never claims a delivery the store rolled back.
    reply.log.info(
      { tenant: event.tenant, kind: event.kind, webhookId, ...summarize(accepted.result) },
      'delivery accepted',
    );
    markDeliveryLogged(reply);
    try {
      deps.onAccepted?.(event);
    } catch (error) {
      // The delivery is committed; the cron safety net picks it up even if the wake-up failed.
      reply.log.error({ err: error, tenant: event.tenant }, 'waking the worker failed');
    }
  }
  return reply.code(status).type('application/json; charset=utf-8').send(body);
}

/**
 * Per-parse messages for what zod says tersely. Schema-level messages (the domain's regex hints) still win.
 */
export const friendlierIssueMessages: z.core.$ZodErrorMap = (issue) => {
  if (issue.code === 'invalid_type' && issue.input === undefined) return `required (${issue.expected})`;
  if (issue.code === 'too_big' && issue.origin === 'array') {
    return `at most ${Number(issue.maximum).toLocaleString('en')} items are accepted: split the batch`;
  }
  if (issue.code === 'too_small' && issue.origin === 'array') {
    return `at least ${String(issue.minimum)} item is needed`;
  }
  return undefined;
};
