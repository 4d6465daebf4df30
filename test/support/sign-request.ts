/**
 * Signs a request body exactly as a Standard Webhooks sender would (the same signer `gridsync submit` uses), in
 * a shape app.inject() and fetch() both take: `app.inject({ method: 'POST', url, ...signRequest({ … }) })`.
 */
import { type SignedHeaders, signedWebhookHeaders } from '../../src/intake/sign-webhook.ts';

export interface SignRequestOptions {
  /** `whsec_…`; several during a secret rotation. */
  secret: string | readonly string[];
  /** An object is sent as JSON; a string or Buffer is sent byte for byte (malformed JSON, exact bytes). */
  body: unknown;
  webhookId?: string;
  /** When the sender signed: move it to test the timestamp tolerance. */
  now?: Date;
}

export interface SignedRequest {
  headers: SignedHeaders;
  payload: string | Buffer;
}

export function signRequest(options: SignRequestOptions): SignedRequest {
  const payload =
    typeof options.body === 'string' || Buffer.isBuffer(options.body)
      ? options.body
      : JSON.stringify(options.body);
  const headers = signedWebhookHeaders({
    secrets: options.secret,
    body: payload,
    ...(options.webhookId === undefined ? {} : { webhookId: options.webhookId }),
    ...(options.now === undefined ? {} : { now: options.now }),
  });
  return { headers, payload };
}

/** A fresh `whsec_` secret of 24 random bytes, the size the Standard Webhooks libraries generate. */
export function randomWebhookSecret(): string {
  return `whsec_${Buffer.from(crypto.getRandomValues(new Uint8Array(24))).toString('base64')}`;
}
