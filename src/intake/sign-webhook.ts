/**
 * Standard Webhooks signing (https://www.standardwebhooks.com): the one place gridsync computes the HMAC, shared
 * by the verifier, `gridsync submit` and the tests, so a sender and the intake can never disagree on the scheme.
 * Signed content is `{webhook-id}.{webhook-timestamp}.{raw body}`, HMAC-SHA256 keyed with the secret's bytes.
 */
import { createHmac, createSecretKey, type KeyObject, randomUUID } from 'node:crypto';

import { err, ok, type Result } from '../lib/result.ts';

export const WEBHOOK_SECRET_PREFIX = 'whsec_';

/** Strict base64 (padding optional): Node's decoder silently skips bad characters, which would hide a typo. */
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

/**
 * Turns a `whsec_<base64>` secret into an HMAC key. The prefix is required: a value without it is far more
 * likely a pasted password or token than a Standard Webhooks secret, and refusing it gives a clear message
 * instead of signatures that never match. A KeyObject, because createHmac with raw bytes re-imports the key on
 * every call (about six times the cost of the HMAC of a grid).
 */
export function parseWebhookSecret(secret: string): Result<KeyObject, string> {
  const trimmed = secret.trim();
  if (!trimmed.startsWith(WEBHOOK_SECRET_PREFIX)) {
    return err(`a webhook signing secret starts with "${WEBHOOK_SECRET_PREFIX}" followed by base64`);
  }
  const encoded = trimmed.slice(WEBHOOK_SECRET_PREFIX.length);
  if (encoded === '' || !BASE64.test(encoded)) {
    return err(`the part after "${WEBHOOK_SECRET_PREFIX}" must be base64 (A–Z, a–z, 0–9, "+", "/")`);
  }
  return ok(createSecretKey(Buffer.from(encoded, 'base64')));
}

/** The raw HMAC-SHA256 of `{id}.{timestamp}.{body}`; the body is hashed as bytes, never re-encoded. */
export function webhookHmac(
  key: KeyObject,
  webhookId: string,
  timestampSeconds: string,
  body: Buffer | string,
): Buffer {
  return createHmac('sha256', key).update(`${webhookId}.${timestampSeconds}.`).update(body).digest();
}

export interface SignInput {
  /** `whsec_<base64>`. */
  secret: string;
  webhookId: string;
  /** Unix seconds. */
  timestamp: number;
  body: Buffer | string;
}

/** One `v1,<base64>` signature, as it appears in the `webhook-signature` header. */
export function signWebhook(input: SignInput): string {
  const key = parseWebhookSecret(input.secret);
  if (!key.ok) throw new Error(`cannot sign: ${key.error}`);
  return `v1,${webhookHmac(key.value, input.webhookId, String(input.timestamp), input.body).toString('base64')}`;
}

// A type alias, not an interface, so it fits wherever HTTP clients take a header record.
export type SignedHeaders = {
  'content-type': string;
  'webhook-id': string;
  'webhook-timestamp': string;
  'webhook-signature': string;
};

/**
 * The headers a sender adds to a POST. Several secrets (a rotation in progress) give several space-separated
 * signatures; the receiver accepts the delivery when any one matches.
 */
export function signedWebhookHeaders(input: {
  secrets: string | readonly string[];
  body: Buffer | string;
  webhookId?: string;
  now?: Date;
}): SignedHeaders {
  const webhookId = input.webhookId ?? `msg_${randomUUID()}`;
  const timestamp = Math.floor((input.now ?? new Date()).getTime() / 1000);
  const secrets = typeof input.secrets === 'string' ? [input.secrets] : input.secrets;
  const signatures = secrets.map((secret) => signWebhook({ secret, webhookId, timestamp, body: input.body }));
  return {
    'content-type': 'application/json',
    'webhook-id': webhookId,
    'webhook-timestamp': String(timestamp),
    'webhook-signature': signatures.join(' '),
  };
}
