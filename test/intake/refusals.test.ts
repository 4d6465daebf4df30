import { afterEach, describe, expect, it } from 'vitest';

import type { Store } from '../../src/store/store.ts';
import { randomWebhookSecret, signRequest } from '../support/sign-request.ts';
import { ledgerlineGrid, ledgerlineSignals } from '../support/example-payloads.ts';
import { type IntakeHarness, startIntake, storePort } from './intake-harness.ts';

const GRID_ID = ledgerlineGrid().gridId;

let intake: IntakeHarness | undefined;
afterEach(async () => {
  await intake?.close();
  intake = undefined;
});

async function start(options: Parameters<typeof startIntake>[0] = {}): Promise<IntakeHarness> {
  intake = await startIntake(options);
  return intake;
}

async function expectNothingStored(harness: IntakeHarness): Promise<void> {
  expect(await harness.store.getGrid('acme', GRID_ID)).toBeUndefined();
  expect(await harness.store.listActiveAccounts('acme', new Date(0))).toEqual([]);
  expect(harness.accepted).toEqual([]);
}

describe('signature checks', () => {
  it('refuses a bad signature with 401 and stores nothing', async () => {
    const harness = await start();
    const signed = signRequest({ secret: harness.keys.acme.webhookSecret, body: ledgerlineGrid() });
    const tampered = signed.payload.toString().replace('Ledgerline', 'Ledgerl1ne');
    const response = await harness.app.inject({
      method: 'POST',
      url: '/v1/tenants/acme/grids',
      headers: signed.headers,
      payload: tampered,
    });

    expect(response.statusCode).toBe(401);
    expect(response.json()).toMatchObject({ status: 401, code: 'signature_invalid' });
    expect(response.headers['www-authenticate']).toBe('StandardWebhooks realm="acme"');
    await expectNothingStored(harness);
  });

  it('refuses a timestamp 10 minutes old and stores nothing', async () => {
    const harness = await start();
    const response = await harness.post('grids', 'acme', ledgerlineGrid(), {
      signedAt: new Date(Date.now() - 10 * 60_000),
    });

    expect(response.statusCode).toBe(401);
    expect(response.json()).toMatchObject({ code: 'timestamp_out_of_tolerance' });
    await expectNothingStored(harness);
  });

  it('refuses a timestamp 10 minutes ahead', async () => {
    const harness = await start();
    const response = await harness.post('grids', 'acme', ledgerlineGrid(), {
      signedAt: new Date(Date.now() + 10 * 60_000),
    });
    expect(response.json()).toMatchObject({ code: 'timestamp_out_of_tolerance' });
  });

  it('judges the timestamp by the injected clock', async () => {
    const signedAt = new Date('2026-11-20T16:05:00Z');
    const harness = await start({ now: () => new Date(signedAt.getTime() + 4 * 60_000) });
    expect((await harness.post('grids', 'acme', ledgerlineGrid(), { signedAt })).statusCode).toBe(202);
  });

  it("refuses another tenant's secret: it never opens this tenant's endpoint", async () => {
    const harness = await start();
    const grid = await harness.post('grids', 'acme', ledgerlineGrid(), {
      secret: harness.keys.globex.webhookSecret,
    });
    const signals = await harness.post(
      'signals',
      'acme',
      { signals: ledgerlineSignals(2) },
      { secret: harness.keys.globex.webhookSecret },
    );

    expect(grid.statusCode).toBe(401);
    expect(signals.statusCode).toBe(401);
    expect(grid.json()).toMatchObject({ code: 'signature_invalid' });
    await expectNothingStored(harness);
  });

  it('accepts a delivery carrying the old and the new signature during a secret rotation', async () => {
    const harness = await start();
    const response = await harness.post('grids', 'acme', ledgerlineGrid(), {
      secret: [randomWebhookSecret(), harness.keys.acme.webhookSecret],
    });
    expect(response.statusCode).toBe(202);
  });

  it('names the missing headers when a request is not signed', async () => {
    const harness = await start();
    const response = await harness.app.inject({
      method: 'POST',
      url: '/v1/tenants/acme/grids',
      headers: { 'content-type': 'application/json' },
      payload: JSON.stringify(ledgerlineGrid()),
    });

    expect(response.statusCode).toBe(401);
    expect(response.json()).toMatchObject({ code: 'signature_missing' });
    expect(response.json().detail).toContain('webhook-id, webhook-timestamp, webhook-signature');
    await expectNothingStored(harness);
  });
});

describe('request shape', () => {
  it('answers a 2 MB body with 413 and a problem body', async () => {
    const harness = await start();
    const huge = { ...ledgerlineGrid(), context: { notes: 'x'.repeat(2 * 1024 * 1024) } };
    const response = await harness.post('grids', 'acme', huge);

    expect(response.statusCode).toBe(413);
    expect(response.headers['content-type']).toBe('application/problem+json; charset=utf-8');
    expect(response.json()).toMatchObject({ status: 413, code: 'payload_too_large' });
    await expectNothingStored(harness);
  });

  it('answers a content type other than JSON with 415', async () => {
    const harness = await start();
    const response = await harness.post('grids', 'acme', JSON.stringify(ledgerlineGrid()), {
      headers: { 'content-type': 'text/plain' },
    });

    expect(response.statusCode).toBe(415);
    expect(response.json()).toMatchObject({ code: 'unsupported_media_type' });
    expect(response.json().detail).toContain('text/plain');
    await expectNothingStored(harness);
  });

  it('answers a body sent without any content type with 415', async () => {
    const harness = await start();
    const signed = signRequest({ secret: harness.keys.acme.webhookSecret, body: ledgerlineGrid() });
    const { 'content-type': _dropped, ...headers } = signed.headers;
    const response = await harness.app.inject({
      method: 'POST',
      url: '/v1/tenants/acme/grids',
      headers,
      payload: signed.payload,
    });

    expect(response.statusCode).toBe(415);
    expect(response.json()).toMatchObject({ code: 'unsupported_media_type' });
  });

  it('accepts application/json with a UTF-8 charset and refuses other charsets', async () => {
    const harness = await start();
    const utf8 = await harness.post('grids', 'acme', ledgerlineGrid(), {
      headers: { 'content-type': 'application/json; charset=utf-8' },
    });
    expect(utf8.statusCode).toBe(202);
    const latin1 = await harness.post('grids', 'acme', ledgerlineGrid(), {
      headers: { 'content-type': 'application/json; charset=iso-8859-1' },
    });
    expect(latin1.statusCode).toBe(415);
  });

  it('answers an unknown tenant with 404', async () => {
    const harness = await start();
    const response = await harness.post('grids', 'initech', ledgerlineGrid(), {
      secret: harness.keys.acme.webhookSecret,
    });

    expect(response.statusCode).toBe(404);
    expect(response.json()).toMatchObject({ code: 'tenant_unknown' });
    for (const odd of ['__proto__', 'constructor', 'ACME']) {
      const oddResponse = await harness.post('grids', odd, ledgerlineGrid(), {
        secret: harness.keys.acme.webhookSecret,
      });
      expect(oddResponse.json()).toMatchObject({ code: 'tenant_unknown' });
    }
  });

  it('answers 503 tenant_not_configured, not a crash, when the signing secret is not set', async () => {
    const harness = await start({ unconfigured: ['globex'] });
    const response = await harness.post('grids', 'globex', ledgerlineGrid());

    expect(response.statusCode).toBe(503);
    expect(response.json()).toMatchObject({ code: 'tenant_not_configured' });
    expect(response.json().detail).not.toContain(harness.keys.globex.webhookSecret);
    expect(response.headers['retry-after']).toBe('60');
  });

  it('answers an unknown path with a 404 problem', async () => {
    const harness = await start();
    const response = await harness.app.inject({ method: 'GET', url: '/v1/nothing-here' });
    expect(response.statusCode).toBe(404);
    expect(response.json()).toMatchObject({ code: 'route_unknown' });
  });
});

describe('store failures', () => {
  it('answers 503 store_unavailable with Retry-After when the store cannot commit', async () => {
    const failing = (store: Store) => ({
      ...storePort(store),
      acceptGrid: () => Promise.reject(new Error('SQLITE_FULL: database or disk is full')),
    });
    const harness = await start({ wrapStore: failing });
    const response = await harness.post('grids', 'acme', ledgerlineGrid());

    expect(response.statusCode).toBe(503);
    expect(response.json()).toMatchObject({ code: 'store_unavailable' });
    expect(response.headers['retry-after']).toBe('5');
    expect(harness.accepted).toEqual([]);
  });
});
