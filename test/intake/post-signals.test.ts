import { describe, expect, it } from 'vitest';

import type { SignalsAcceptedBody } from '../../src/intake/routes/post-signals.ts';
import { ledgerlineSignals } from '../support/example-payloads.ts';
import { intakePerTest, pointers } from './intake-harness.ts';

const intake = intakePerTest();

describe('POST /v1/tenants/:tenant/signals', () => {
  it('stores a batch and answers with what it accepted and which accounts it touched', async () => {
    const response = await intake.post('signals', 'acme', { signals: ledgerlineSignals(6) });

    expect(response.statusCode).toBe(202);
    const body = response.json<SignalsAcceptedBody>();
    expect(body).toMatchObject({ accepted: 6, duplicates: 0 });
    expect([...body.accounts].sort()).toEqual(['globex-payments.example', 'ledgerline.example']);
    expect(intake.accepted).toEqual([{ tenant: 'acme', kind: 'signals' }]);
    const stored = await intake.store.listAccountSignals('acme', 'ledgerline.example', new Date(0));
    expect(stored.map((signal) => signal.id)).toEqual(['sig-0', 'sig-3']);
  });

  it('counts signals it already has as duplicates in a new delivery', async () => {
    await intake.post('signals', 'acme', { signals: ledgerlineSignals(4) });
    const response = await intake.post('signals', 'acme', { signals: ledgerlineSignals(6) });

    expect(response.json()).toMatchObject({ accepted: 2, duplicates: 4 });
  });

  it('replays the original answer for a repeated webhook-id', async () => {
    const first = await intake.post(
      'signals',
      'acme',
      { signals: ledgerlineSignals(3) },
      { webhookId: 'msg_batch_1' },
    );
    const again = await intake.post(
      'signals',
      'acme',
      { signals: ledgerlineSignals(5) },
      { webhookId: 'msg_batch_1' },
    );

    expect(again.statusCode).toBe(202);
    expect(again.json()).toEqual(first.json());
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(await intake.store.listActiveAccounts('acme', new Date(0))).toHaveLength(2);
    expect(
      (await intake.store.listAccountSignals('acme', 'globex-payments.example', new Date(0))).map(
        (s) => s.id,
      ),
    ).toEqual(['sig-1', 'sig-2']);
  });

  it('accepts 1,000 signals in one batch', async () => {
    const response = await intake.post('signals', 'acme', { signals: ledgerlineSignals(1000) });
    expect(response.statusCode).toBe(202);
    expect(response.json()).toMatchObject({ accepted: 1000 });
  });

  it('refuses 1,001 signals and says how many are allowed', async () => {
    const response = await intake.post('signals', 'acme', { signals: ledgerlineSignals(1001) });

    expect(response.statusCode).toBe(400);
    expect(response.json()).toMatchObject({ code: 'payload_invalid', errors: [{ pointer: '/signals' }] });
    expect(response.json().errors[0].message).toContain('1,000');
    expect(await intake.store.listActiveAccounts('acme', new Date(0))).toEqual([]);
  });

  it('points at each bad field of each bad signal and stores none of the batch', async () => {
    const signals: unknown[] = ledgerlineSignals(3);
    signals[1] = { ...ledgerlineSignals(3)[1], occurredAt: 'soon', value: 'a lot' };
    signals[2] = { ...ledgerlineSignals(3)[2], account: {}, source: 'rumour' };
    const response = await intake.post('signals', 'acme', { signals });

    expect(response.statusCode).toBe(400);
    expect(pointers(response)).toEqual([
      '/signals/1/occurredAt',
      '/signals/1/value',
      '/signals/2/account/domain',
      '/signals/2/source',
    ]);
    expect(await intake.store.listActiveAccounts('acme', new Date(0))).toEqual([]);
  });

  it('refuses a batch without signals', async () => {
    const response = await intake.post('signals', 'acme', { signals: [] });
    expect(response.json()).toMatchObject({ code: 'payload_invalid', errors: [{ pointer: '/signals' }] });
  });
});
