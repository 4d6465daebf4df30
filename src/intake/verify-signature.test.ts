import type { KeyObject } from 'node:crypto';

import { describe, expect, it } from 'vitest';

import { parseWebhookSecret, signedWebhookHeaders, signWebhook } from './sign-webhook.ts';
import { verifyWebhookSignature, type WebhookHeaders } from './verify-signature.ts';

// The published Standard Webhooks test vector: reproducing it proves interoperability with senders'
// libraries, which a round trip through our own signer could not.
const VECTOR = {
  secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
  id: 'msg_p5jXN8AQM9LWM0D4loKWxJek',
  timestamp: 1614265330,
  body: '{"test": 2432232314}',
  signature: 'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=',
};
const SIGNED_AT = new Date(VECTOR.timestamp * 1000);
const OTHER_SECRET = 'whsec_' + Buffer.alloc(24, 7).toString('base64');

function key(secret: string): KeyObject {
  const parsed = parseWebhookSecret(secret);
  if (!parsed.ok) throw new Error(parsed.error);
  return parsed.value;
}

function verify(
  headers: Partial<WebhookHeaders>,
  options: { now?: Date; body?: string; secret?: string } = {},
) {
  return verifyWebhookSignature({
    key: key(options.secret ?? VECTOR.secret),
    headers: { id: VECTOR.id, timestamp: String(VECTOR.timestamp), signature: VECTOR.signature, ...headers },
    body: Buffer.from(options.body ?? VECTOR.body),
    now: options.now ?? SIGNED_AT,
  });
}

describe('signWebhook', () => {
  it('reproduces the Standard Webhooks test vector', () => {
    expect(
      signWebhook({
        secret: VECTOR.secret,
        webhookId: VECTOR.id,
        timestamp: VECTOR.timestamp,
        body: VECTOR.body,
      }),
    ).toBe(VECTOR.signature);
  });

  it('signs bytes and strings alike', () => {
    const input = { secret: VECTOR.secret, webhookId: VECTOR.id, timestamp: VECTOR.timestamp };
    expect(signWebhook({ ...input, body: Buffer.from(VECTOR.body) })).toBe(
      signWebhook({ ...input, body: VECTOR.body }),
    );
  });

  it('puts one signature per secret in the header during a rotation', () => {
    const headers = signedWebhookHeaders({
      secrets: [OTHER_SECRET, VECTOR.secret],
      body: '{}',
      webhookId: 'msg_1',
      now: SIGNED_AT,
    });
    expect(headers['webhook-signature'].split(' ')).toHaveLength(2);
    expect(headers['webhook-timestamp']).toBe(String(VECTOR.timestamp));
    expect(headers['webhook-id']).toBe('msg_1');
  });
});

describe('parseWebhookSecret', () => {
  it('refuses a secret without the whsec_ prefix', () => {
    expect(parseWebhookSecret('MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw').ok).toBe(false);
  });

  it('refuses a secret whose body is not base64', () => {
    expect(parseWebhookSecret('whsec_not base64!').ok).toBe(false);
    expect(parseWebhookSecret('whsec_').ok).toBe(false);
  });

  it('decodes the base64 after the prefix into the key bytes', () => {
    expect(key(VECTOR.secret).symmetricKeySize).toBe(24);
  });
});

describe('verifyWebhookSignature', () => {
  it('accepts the Standard Webhooks test vector', () => {
    expect(verify({})).toEqual({ ok: true, value: { webhookId: VECTOR.id, timestamp: VECTOR.timestamp } });
  });

  it('accepts when any of several signatures matches (secret rotation)', () => {
    const stale = signWebhook({
      secret: OTHER_SECRET,
      webhookId: VECTOR.id,
      timestamp: VECTOR.timestamp,
      body: VECTOR.body,
    });
    expect(verify({ signature: `${stale} ${VECTOR.signature}` }).ok).toBe(true);
    expect(verify({ signature: `v1a,ed25519sig ${VECTOR.signature}` }).ok).toBe(true);
  });

  it('refuses a body changed by one byte', () => {
    const result = verify({}, { body: '{"test": 2432232315}' });
    expect(result).toMatchObject({ ok: false, error: { code: 'signature_invalid' } });
  });

  it("refuses another secret's signature", () => {
    expect(verify({}, { secret: OTHER_SECRET })).toMatchObject({
      ok: false,
      error: { code: 'signature_invalid' },
    });
  });

  it('refuses a changed webhook-id or timestamp, since both are signed', () => {
    expect(verify({ id: 'msg_other' })).toMatchObject({ ok: false, error: { code: 'signature_invalid' } });
    expect(verify({ timestamp: String(VECTOR.timestamp + 1) })).toMatchObject({
      ok: false,
      error: { code: 'signature_invalid' },
    });
  });

  it('names every missing header', () => {
    const result = verify({ id: undefined, signature: ' ' });
    expect(result).toMatchObject({ ok: false, error: { code: 'signature_missing' } });
    if (!result.ok) expect(result.error.detail).toContain('webhook-id, webhook-signature');
  });

  it('refuses signatures that are not v1 or not an HMAC-SHA256 length', () => {
    expect(verify({ signature: 'v2,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=' })).toMatchObject({
      ok: false,
      error: { code: 'signature_invalid', detail: expect.stringContaining('no "v1,<base64>"') },
    });
    expect(verify({ signature: 'v1,AAAA' })).toMatchObject({
      ok: false,
      error: { code: 'signature_invalid' },
    });
    expect(verify({ signature: 'g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=' })).toMatchObject({
      ok: false,
    });
  });

  it('refuses a timestamp that is not whole unix seconds', () => {
    expect(verify({ timestamp: '2021-02-25T15:02:10Z' })).toMatchObject({
      ok: false,
      error: { code: 'signature_invalid' },
    });
    expect(verify({ timestamp: '1614265330.5' })).toMatchObject({
      ok: false,
      error: { code: 'signature_invalid' },
    });
  });

  it('accepts a timestamp exactly five minutes off in either direction', () => {
    expect(verify({}, { now: new Date(SIGNED_AT.getTime() + 300_000) }).ok).toBe(true);
    expect(verify({}, { now: new Date(SIGNED_AT.getTime() - 300_000) }).ok).toBe(true);
  });

  it('refuses a timestamp more than five minutes old or ahead', () => {
    const tooOld = verify({}, { now: new Date(SIGNED_AT.getTime() + 301_000) });
    expect(tooOld).toMatchObject({
      ok: false,
      error: { code: 'timestamp_out_of_tolerance', detail: expect.stringContaining('301 s old') },
    });
    const ahead = verify({}, { now: new Date(SIGNED_AT.getTime() - 600_000) });
    expect(ahead).toMatchObject({
      ok: false,
      error: { code: 'timestamp_out_of_tolerance', detail: expect.stringContaining('future') },
    });
  });

  it('refuses a webhook-id that could not serve as an idempotency key', () => {
    expect(verify({ id: 'has space' })).toMatchObject({ ok: false, error: { code: 'signature_invalid' } });
    expect(verify({ id: 'x'.repeat(256) })).toMatchObject({
      ok: false,
      error: { code: 'signature_invalid' },
    });
  });
});
