/**
 * The webhook scope: a body parser that keeps the raw bytes, and a preValidation hook that checks the
 * tenant, its secret and the Standard Webhooks signature over those exact bytes before any JSON is parsed.
 * Installed inside an encapsulated Fastify scope, so the status and health routes keep Fastify's defaults.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

import { describeSecretRef } from '../config/secrets.ts';
import type { LoadedMapping } from '../mapping/loaded-mapping.ts';
import { findTenant, type RouteDeps } from './intake-deps.ts';
import { parseJsonBody } from './parse-json-body.ts';
import { HTTP_LIMITS } from './http-limits.ts';
import { sendProblem } from './problem.ts';
import { parseWebhookSecret } from './sign-webhook.ts';
import { verifyWebhookSignature } from './verify-signature.ts';

/** A delivery that passed every check: its tenant, its webhook-id and the body parsed as JSON. */
export interface SignedDelivery {
  tenant: string;
  loaded: LoadedMapping;
  webhookId: string;
  json: unknown;
  receivedAt: Date;
}

// Keyed by request rather than decorated onto it: no declaration merging into Fastify's types.
const deliveries = new WeakMap<FastifyRequest, SignedDelivery>();

export function signedDelivery(request: FastifyRequest): SignedDelivery {
  const delivery = deliveries.get(request);
  if (!delivery) throw new Error('signedDelivery() called on a route outside the signed webhook scope');
  return delivery;
}

export function installSignedBody(scope: FastifyInstance, deps: RouteDeps): void {
  scope.removeAllContentTypeParsers();
  scope.addContentTypeParser(
    'application/json',
    { parseAs: 'buffer', bodyLimit: HTTP_LIMITS.bodyBytes },
    (_request, body, done) => {
      done(null, body);
    },
  );
  scope.addHook('preValidation', (request, reply, done) => {
    // A refusal has been sent when checkDelivery returns the reply; Fastify then must not go on.
    if (checkDelivery(request, reply, deps) === undefined) done();
  });
}

function checkDelivery(
  request: FastifyRequest,
  reply: FastifyReply,
  deps: RouteDeps,
): FastifyReply | undefined {
  const body = request.body;
  const charset = /;\s*charset\s*=\s*"?([^";\s]+)/i.exec(request.headers['content-type'] ?? '')?.[1];
  if (!Buffer.isBuffer(body) || (charset !== undefined && !/^utf-?8$/i.test(charset))) {
    return sendProblem(reply, 'unsupported_media_type', 'send the body as application/json in UTF-8');
  }

  const tenant = (request.params as { tenant: string }).tenant;
  const loaded = findTenant(deps.mappings, tenant);
  if (!loaded) {
    return sendProblem(reply, 'tenant_unknown', `no tenant "${tenant}" is configured here: check the URL`);
  }

  const secretRef = loaded.mapping.secrets.webhookSigningSecret;
  const secret = deps.secrets(secretRef);
  const key = secret === undefined ? undefined : webhookKey(secret);
  if (key === undefined || !key.ok) {
    request.log.warn(
      { tenant, secret: describeSecretRef(secretRef) },
      key === undefined
        ? 'webhook signing secret is not set'
        : `webhook signing secret is unusable: ${key.error}`,
    );
    return sendProblem(
      reply,
      'tenant_not_configured',
      `tenant "${tenant}" has no usable webhook signing secret yet; the operator must set ${describeSecretRef(secretRef)}`,
      { headers: { 'retry-after': '60' } },
    );
  }

  const verified = verifyWebhookSignature({
    key: key.value,
    headers: {
      id: header(request, 'webhook-id'),
      timestamp: header(request, 'webhook-timestamp'),
      signature: header(request, 'webhook-signature'),
    },
    body,
    now: deps.now(),
  });
  if (!verified.ok) {
    return sendProblem(reply, verified.error.code, verified.error.detail, {
      headers: { 'www-authenticate': `StandardWebhooks realm="${tenant}"` },
    });
  }

  const json = parseJsonBody(body);
  if (!json.ok) {
    return sendProblem(reply, json.code, json.detail, json.errors ? { errors: json.errors } : {});
  }

  deliveries.set(request, {
    tenant,
    loaded,
    webhookId: verified.value.webhookId,
    json: json.value,
    receivedAt: deps.now(),
  });
  return undefined;
}

// Secrets are looked up on every request (a rotated secret takes effect at once); their parsed keys are kept.
const MAX_CACHED_KEYS = 256;
const keys = new Map<string, ReturnType<typeof parseWebhookSecret>>();

function webhookKey(secret: string): ReturnType<typeof parseWebhookSecret> {
  let key = keys.get(secret);
  if (key === undefined) {
    if (keys.size >= MAX_CACHED_KEYS) keys.clear();
    key = parseWebhookSecret(secret);
    keys.set(secret, key);
  }
  return key;
}

function header(request: FastifyRequest, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value.join(' ') : value;
}
