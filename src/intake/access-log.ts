/**
 * One log line per request at `info`, instead of Fastify's two ("incoming request", "request completed") plus the
 * delivery's own: at a few thousand deliveries a second, formatting and writing log lines was the intake's
 * largest cost after the store. An accepted delivery is logged by sendAcceptance ("delivery accepted", after its
 * commit, with what was stored); every other request (refusals, status reads, probes) keeps its access line. At
 * `debug` every request also logs its arrival and its access line. Fastify's LogController is the documented
 * place to change its own request lines.
 */
import { type FastifyReply, type FastifyRequest, LogController } from 'fastify';

const DELIVERY_LOGGED = Symbol('gridsync.deliveryLogged');
type Marked = FastifyReply & { [DELIVERY_LOGGED]?: true };

/** Called once a delivery's own info line is written, so its access line drops to debug. */
export function markDeliveryLogged(reply: FastifyReply): void {
  (reply as Marked)[DELIVERY_LOGGED] = true;
}

export class AccessLog extends LogController {
  override incomingRequest(request: FastifyRequest): void {
    request.log.debug({ req: request }, 'incoming request');
  }

  override requestCompleted(
    error: Error | null | undefined,
    request: FastifyRequest,
    reply: FastifyReply,
  ): void {
    const fields = { req: request, res: reply, responseTime: reply.elapsedTime };
    if (error) reply.log.error({ ...fields, err: error }, 'request errored');
    else if ((reply as Marked)[DELIVERY_LOGGED]) reply.log.debug(fields, 'request completed');
    else reply.log.info(fields, 'request completed');
  }
}
