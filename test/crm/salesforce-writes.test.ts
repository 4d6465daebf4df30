import { afterEach, describe, expect, it } from 'vitest';

import type { CrmClient } from '../../src/crm/crm-client.ts';
import {
  apiError,
  collectionRecords,
  FakeSalesforce,
  GRID_KEY,
  GRID_OBJECT,
  INSTANCE_URL,
  refused,
  saved,
  sfId,
} from '../fakes/salesforce-nock.ts';
import { accessTokenAt, gridUpserts, salesforceClient, TEST_RETRY } from '../support/salesforce-client.ts';

const UPSERT_PATH = `/composite/sobjects/${GRID_OBJECT}/${GRID_KEY}`;

function client(): CrmClient {
  return salesforceClient({ credentials: accessTokenAt(INSTANCE_URL, 'static-token') });
}

/** Answers an upsert as Salesforce does: one result per record, in order; `answer` may refuse some. */
function upsertAnswer(
  body: unknown,
  answer: (record: Record<string, unknown>, i: number) => object = (_r, i) => saved(sfId('a0B', i), true),
) {
  return collectionRecords(body, GRID_OBJECT).map(answer);
}

afterEach(() => FakeSalesforce.reset());

describe('Salesforce grid upserts', () => {
  it('fails one record alone with field_missing when Salesforce refuses its field, delivering its batch-mates', async () => {
    new FakeSalesforce().route('PATCH', UPSERT_PATH, (call) => [
      200,
      upsertAnswer(call.body, (record, i) =>
        record[GRID_KEY] === '0f3a0002'
          ? refused('INVALID_FIELD', `No such column 'Typo__c' on entity '${GRID_OBJECT}'`)
          : saved(sfId('a0B', i), false),
      ),
    ]);
    const outcomes = await client().upsertGridRecords(gridUpserts(5));
    expect(outcomes.filter((o) => o.ok)).toHaveLength(4);
    const failed = outcomes[2]!;
    expect(failed.ok).toBe(false);
    if (!failed.ok) {
      expect(failed.error).toMatchObject({
        kind: 'field_missing',
        field: 'Typo__c',
        correlationId: 'INVALID_FIELD',
      });
    }
  });

  it('splits a batch Salesforce refuses as a whole until the bad record stands alone', async () => {
    const fake = new FakeSalesforce().route('PATCH', UPSERT_PATH, (call) => {
      const records = collectionRecords(call.body, GRID_OBJECT);
      if (records.some((r) => r[GRID_KEY] === '0f3a0005')) {
        return [400, apiError('JSON_PARSER_ERROR', 'Cannot deserialize instance of date from VALUE_STRING')];
      }
      return [200, upsertAnswer(call.body)];
    });
    const outcomes = await client().upsertGridRecords(gridUpserts(8));
    expect(outcomes.map((o) => (o.ok ? 'ok' : o.error.kind))).toEqual([
      'ok',
      'ok',
      'ok',
      'ok',
      'ok',
      'rejected',
      'ok',
      'ok',
    ]);
    expect(fake.calls.length).toBeLessThanOrEqual(8);
  });

  it('resends only the records Salesforce could not lock', async () => {
    const fake = new FakeSalesforce().route('PATCH', UPSERT_PATH, (call, nth) => [
      200,
      upsertAnswer(call.body, (record, i) =>
        nth === 0 && record[GRID_KEY] === '0f3a0001'
          ? refused('UNABLE_TO_LOCK_ROW', 'unable to obtain exclusive access')
          : saved(sfId('a0B', i)),
      ),
    ]);
    const outcomes = await client().upsertGridRecords(gridUpserts(3));
    expect(collectionRecords(fake.calls[1]!.body, GRID_OBJECT).map((r) => r[GRID_KEY])).toEqual(['0f3a0001']);
    expect(outcomes.every((o) => o.ok)).toBe(true);
  });

  it('reports a record that stays locked as unavailable after the pipeline’s tries, keeping its batch-mates', async () => {
    const fake = new FakeSalesforce().route('PATCH', UPSERT_PATH, (call) => [
      200,
      upsertAnswer(call.body, (record, i) =>
        record[GRID_KEY] === '0f3a0001'
          ? refused('UNABLE_TO_LOCK_ROW', 'unable to obtain exclusive access')
          : saved(sfId('a0B', i)),
      ),
    ]);
    const outcomes = await client().upsertGridRecords(gridUpserts(3));

    // One counter for the request: TEST_RETRY's 4 tries in all, each after the first with only the locked record.
    expect(fake.calls).toHaveLength(TEST_RETRY.maxAttempts);
    for (const call of fake.calls.slice(1)) {
      expect(collectionRecords(call.body, GRID_OBJECT).map((r) => r[GRID_KEY])).toEqual(['0f3a0001']);
    }
    expect(outcomes.map((o) => o.ok)).toEqual([true, false, true]);
    expect(outcomes[1]).toMatchObject({
      ok: false,
      error: { kind: 'unavailable', correlationId: 'UNABLE_TO_LOCK_ROW', retryable: true },
    });
  });
});
