/**
 * Verifies a Standard Webhooks delivery over the exact bytes received (pure: the clock and key are arguments).
 * Several space-separated signatures are accepted when any one matches, so a sender can rotate its secret
 * without a window of refused deliveries.
 */
import { type KeyObject, timingSafeEqual } from 'node:crypto';

import { err, ok, type Result } from '../lib/result.ts';
import { webhookHmac } from './sign-webhook.ts';

/** Refuse deliveries signed more than this far in the past or the future (replay window and clock skew). */
export const TIMESTAMP_TOLERANCE_SECONDS = 5 * 60;

/** The webhook-id becomes an idempotency key in the store: keep it short and printable. */
const WEBHOOK_ID = /^[\x21-\x7e]{1,255}$/;
const UNIX_SECONDS = /^\d{1,12}$/;
const HMAC_SHA256_BYTES = 32;

export interface WebhookHeaders {
  id: string | undefined;
  timestamp: string | undefined;
  signature: string | undefined;
}

export interface SignatureProblem {
  code: 'signature_missing' | 'signature_invalid' | 'timestamp_out_of_tolerance';
  detail: string;
}

export interface VerifiedWebhook {
  webhookId: string;
  /** Unix seconds the sender signed at. */
  timestamp: number;
}

export interface VerifyInput {
  /** The tenant's secret (see parseWebhookSecret). */
  key: KeyObject;
  headers: WebhookHeaders;
  body: Buffer;
  now: Date;
  toleranceSeconds?: number;
}

export function verifyWebhookSignature(input: VerifyInput): Result<VerifiedWebhook, SignatureProblem> {
  const { id, timestamp, signature } = input.headers;
  const missing = [
    ['webhook-id', id],
    ['webhook-timestamp', timestamp],
    ['webhook-signature', signature],
  ]
    .filter(([, value]) => value === undefined || value.trim() === '')
    .map(([name]) => name);
  if (missing.length > 0 || id === undefined || timestamp === undefined || signature === undefined) {
    return err({
      code: 'signature_missing',
      detail: `missing header${missing.length === 1 ? '' : 's'} ${missing.join(', ')}: sign the request as Standard Webhooks describes (see docs/signing.md)`,
    });
  }
  if (!WEBHOOK_ID.test(id)) {
    return err({ code: 'signature_invalid', detail: 'webhook-id must be 1 to 255 visible ASCII characters' });
  }
  if (!UNIX_SECONDS.test(timestamp)) {
    return err({
      code: 'signature_invalid',
      detail: 'webhook-timestamp must be whole seconds since the Unix epoch',
    });
  }

  const tolerance = input.toleranceSeconds ?? TIMESTAMP_TOLERANCE_SECONDS;
  const skew = Number(timestamp) - Math.floor(input.now.getTime() / 1000);
  if (Math.abs(skew) > tolerance) {
    const direction = skew < 0 ? `${-skew} s old` : `${skew} s in the future`;
    return err({
      code: 'timestamp_out_of_tolerance',
      detail: `webhook-timestamp is ${direction}; at most ${tolerance} s either way is accepted: sign each attempt afresh and check the sender's clock`,
    });
  }

  const expected = webhookHmac(input.key, id, timestamp, input.body);
  let sawV1 = false;
  for (const entry of signature.split(' ')) {
    const comma = entry.indexOf(',');
    if (comma < 0 || entry.slice(0, comma) !== 'v1') continue;
    sawV1 = true;
    const candidate = Buffer.from(entry.slice(comma + 1), 'base64');
    // The length of an HMAC is public; only the bytes must be compared in constant time.
    if (candidate.length === HMAC_SHA256_BYTES && timingSafeEqual(candidate, expected)) {
      return ok({ webhookId: id, timestamp: Number(timestamp) });
    }
  }
  return err({
    code: 'signature_invalid',
    detail: sawV1
      ? "no signature matches: sign the exact bytes sent, as '{webhook-id}.{webhook-timestamp}.{body}', with this tenant's secret"
      : 'webhook-signature holds no "v1,<base64>" signature',
  });
}
