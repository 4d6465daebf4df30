import { describe, expect, it } from 'vitest';

import { CrmError } from '../crm-errors.ts';
import { type BatchEntry, writeInBatches } from './hubspot-batch-write.ts';
import type { HubSpotAnswer } from './hubspot-http.ts';

type Input = { id: string };
const entries = (...keys: string[]): BatchEntry<Input>[] =>
  keys.map((key) => ({ key, input: { id: key }, properties: { p: key } }));
const ok = (ids: string[]): HubSpotAnswer => ({
  status: 200,
  body: { results: ids.map((id) => ({ id: `crm-${id}`, trace: id })) },
});

/** A scripted HubSpot: each call answers with the next function's result. */
function scripted(...answers: ((inputs: Input[]) => HubSpotAnswer)[]) {
  const calls: string[][] = [];
  const send = (inputs: Input[]): Promise<HubSpotAnswer> => {
    calls.push(inputs.map((i) => i.id));
    const next = answers.shift();
    if (!next) throw new Error('unexpected call');
    return Promise.resolve(next(inputs));
  };
  const readResult = (result: Record<string, unknown>) => ({
    key: result.trace as string,
    outcome: { ok: true as const, id: result.id as string },
  });
  return { calls, options: { size: 100, send, readResult, what: 'test records' } };
}

describe('writeInBatches', () => {
  it('resends the inputs a 207 left without result when its errors name no input', async () => {
    const { calls, options } = scripted(
      () => ({
        status: 207,
        body: { results: [{ id: 'crm-a', trace: 'a' }], errors: [{ message: 'something went wrong' }] },
      }),
      (inputs) => ok(inputs.map((i) => i.id)),
    );
    const outcomes = await writeInBatches(entries('a', 'b', 'c'), options);

    expect(calls).toEqual([
      ['a', 'b', 'c'],
      ['b', 'c'],
    ]);
    expect([...outcomes.values()].every((o) => o.ok)).toBe(true);
  });

  it('pins a 207 error on the input its context names', async () => {
    const { options } = scripted(() => ({
      status: 207,
      body: {
        results: [{ id: 'crm-a', trace: 'a' }],
        errors: [
          {
            category: 'VALIDATION_ERROR',
            message: 'bad',
            context: { objectWriteTraceId: ['b'] },
            correlationId: 'c9',
          },
        ],
      },
    }));
    const outcomes = await writeInBatches(entries('a', 'b'), options);

    expect(outcomes.get('a')).toEqual({ ok: true, id: 'crm-a' });
    expect(outcomes.get('b')).toMatchObject({ ok: false, error: { kind: 'rejected', correlationId: 'c9' } });
  });

  it('fails the inputs a whole-batch 404 names by id and writes the rest', async () => {
    const { calls, options } = scripted(
      () => ({
        status: 404,
        body: { category: 'OBJECT_NOT_FOUND', message: 'gone', context: { ids: ['b'] } },
      }),
      (inputs) => ok(inputs.map((i) => i.id)),
    );
    const outcomes = await writeInBatches(entries('a', 'b', 'c'), options);

    expect(calls).toEqual([
      ['a', 'b', 'c'],
      ['a', 'c'],
    ]);
    expect(outcomes.get('b')).toMatchObject({ ok: false, error: { kind: 'not_found' } });
  });

  it('fails every input alike on a 404 that names none (a wrong object type), without splitting', async () => {
    const { calls, options } = scripted(() => ({ status: 404, body: undefined }));
    const outcomes = await writeInBatches(entries('a', 'b', 'c', 'd'), options);

    expect(calls).toHaveLength(1);
    expect([...outcomes.values()].every((o) => !o.ok && o.error.kind === 'not_found')).toBe(true);
  });

  it('lets request failures through as thrown CrmErrors', async () => {
    const options = {
      size: 100,
      send: () => Promise.reject(new CrmError('unavailable', 'down', { status: 503 })),
      readResult: () => undefined,
      what: 'x',
    };
    await expect(writeInBatches(entries('a'), options)).rejects.toMatchObject({ kind: 'unavailable' });
  });

  it('says so when HubSpot answers a single input with neither result nor error', async () => {
    const { options } = scripted(() => ({ status: 200, body: { results: [] } }));
    const outcomes = await writeInBatches(entries('a'), options);
    expect(outcomes.get('a')).toMatchObject({ ok: false, error: { kind: 'rejected' } });
  });
});
