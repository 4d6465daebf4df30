import { afterEach, describe, expect, it } from 'vitest';

import type { CrmClient, ExternalIdUpsert } from '../../src/crm/crm-client.ts';
import { createSalesforceClient } from '../../src/crm/salesforce/salesforce-client.ts';
import {
  API,
  apiError,
  collectionRecords,
  FakeSalesforce,
  GRID_KEY,
  GRID_OBJECT,
  INSTANCE_URL,
  refused,
  salesforceMapping,
  saved,
  sfId,
  silentLogger,
  TEST_RETRY,
} from '../fakes/salesforce-nock.ts';

const UPSERT_PATH = `/composite/sobjects/${GRID_OBJECT}/${GRID_KEY}`;

function client(): CrmClient {
  return createSalesforceClient({
    mapping: salesforceMapping(),
    credentials: { kind: 'access_token', instanceUrl: INSTANCE_URL, accessToken: 'static-token' },
    logger: silentLogger(),
    retry: TEST_RETRY,
  });
}

function grids(count: number): ExternalIdUpsert[] {
  return Array.from({ length: count }, (_, i) => ({
    externalId: `0f3a${String(i).padStart(4, '0')}`,
    properties: { Before_Scenario__c: `Exports by hand, grid ${i}` },
  }));
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
  it('writes 450 grids with 3 sObject Collections calls of at most 200 records', async () => {
    const fake = new FakeSalesforce().route('PATCH', UPSERT_PATH, (call) => [200, upsertAnswer(call.body)]);

    const outcomes = await client().upsertGridRecords(grids(450));

    const calls = fake.callsTo('PATCH', UPSERT_PATH);
    expect(calls.map((c) => collectionRecords(c.body, GRID_OBJECT).length)).toEqual([200, 200, 50]);
    expect(calls.every((c) => (c.body as { allOrNone: boolean }).allOrNone === false)).toBe(true);
    expect(calls[0]!.authorization).toBe('Bearer static-token');
    const first = collectionRecords(calls[0]!.body, GRID_OBJECT)[0];
    expect(first).toEqual({
      attributes: { type: GRID_OBJECT },
      [GRID_KEY]: '0f3a0000',
      Before_Scenario__c: 'Exports by hand, grid 0',
    });
    expect(outcomes).toHaveLength(450);
    expect(outcomes.every((o) => o.ok && o.created === true)).toBe(true);
  });

  it('sends a single grid through the collections endpoint too, its key in the body, not the URL', async () => {
    const fake = new FakeSalesforce().route('PATCH', UPSERT_PATH, (call) => [200, upsertAnswer(call.body)]);
    const outcomes = await client().upsertGridRecords([{ externalId: 'grid/../1', properties: {} }]);
    expect(fake.calls.map((c) => c.path)).toEqual([`${API}${UPSERT_PATH}`]);
    expect(outcomes).toEqual([{ ok: true, id: sfId('a0B', 0), created: true }]);
  });

  it('merges two pending versions of one grid into one record, the later values winning', async () => {
    const fake = new FakeSalesforce().route('PATCH', UPSERT_PATH, (call) => [200, upsertAnswer(call.body)]);
    const outcomes = await client().upsertGridRecords([
      { externalId: 'g1', properties: { Before_Scenario__c: 'v1', Ideal__c: 'kept' } },
      { externalId: 'g1', properties: { Before_Scenario__c: 'v2' } },
    ]);
    expect(collectionRecords(fake.calls[0]!.body, GRID_OBJECT)).toEqual([
      { attributes: { type: GRID_OBJECT }, [GRID_KEY]: 'g1', Before_Scenario__c: 'v2', Ideal__c: 'kept' },
    ]);
    expect(outcomes).toEqual([outcomes[0], outcomes[0]]);
  });

  it('fails one record alone with field_missing when Salesforce refuses its field, delivering its batch-mates', async () => {
    new FakeSalesforce().route('PATCH', UPSERT_PATH, (call) => [
      200,
      upsertAnswer(call.body, (record, i) =>
        record[GRID_KEY] === '0f3a0002'
          ? refused('INVALID_FIELD', `No such column 'Typo__c' on entity '${GRID_OBJECT}'`)
          : saved(sfId('a0B', i), false),
      ),
    ]);
    const outcomes = await client().upsertGridRecords(grids(5));
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

  it('pins a whole-request INVALID_FIELD on the records carrying that field and resends the others', async () => {
    const fake = new FakeSalesforce().route('PATCH', UPSERT_PATH, (call) => {
      const records = collectionRecords(call.body, GRID_OBJECT);
      if (records.some((r) => 'Typo__c' in r)) {
        return [400, apiError('INVALID_FIELD', `No such column 'Typo__c' on sobject of type ${GRID_OBJECT}`)];
      }
      return [200, upsertAnswer(call.body)];
    });
    const records = grids(3);
    records[1]!.properties['Typo__c'] = 'x';
    const outcomes = await client().upsertGridRecords(records);
    expect(fake.calls).toHaveLength(2);
    expect(collectionRecords(fake.calls[1]!.body, GRID_OBJECT).map((r) => r[GRID_KEY])).toEqual([
      '0f3a0000',
      '0f3a0002',
    ]);
    expect(outcomes.map((o) => (o.ok ? 'ok' : o.error.kind))).toEqual(['ok', 'field_missing', 'ok']);
  });

  it('splits a batch Salesforce refuses as a whole until the bad record stands alone', async () => {
    const fake = new FakeSalesforce().route('PATCH', UPSERT_PATH, (call) => {
      const records = collectionRecords(call.body, GRID_OBJECT);
      if (records.some((r) => r[GRID_KEY] === '0f3a0005')) {
        return [400, apiError('JSON_PARSER_ERROR', 'Cannot deserialize instance of date from VALUE_STRING')];
      }
      return [200, upsertAnswer(call.body)];
    });
    const outcomes = await client().upsertGridRecords(grids(8));
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
    const outcomes = await client().upsertGridRecords(grids(3));
    expect(collectionRecords(fake.calls[1]!.body, GRID_OBJECT).map((r) => r[GRID_KEY])).toEqual(['0f3a0001']);
    expect(outcomes.every((o) => o.ok)).toBe(true);
  });
});

describe('Salesforce links and updates', () => {
  it('links grids through the lookup fields the mapping names, in one collections update', async () => {
    const fake = new FakeSalesforce().route('PATCH', '/composite/sobjects', (call) => [
      200,
      collectionRecords(call.body, GRID_OBJECT).map((r) => saved(String(r['id']))),
    ]);
    const grid = sfId('a0B', 1);
    const outcomes = await client().linkGridRecords([
      { gridRecordId: grid, deal: sfId('006', 1), company: sfId('001', 1), contact: sfId('003', 1) },
      { gridRecordId: sfId('a0B', 2) },
    ]);
    expect(fake.calls).toHaveLength(1);
    expect(collectionRecords(fake.calls[0]!.body, GRID_OBJECT)).toEqual([
      {
        attributes: { type: GRID_OBJECT },
        id: grid,
        Opportunity__c: sfId('006', 1),
        Account__c: sfId('001', 1),
        Contact__c: sfId('003', 1),
      },
    ]);
    expect(outcomes).toEqual([
      { ok: true, id: grid },
      { ok: true, id: sfId('a0B', 2) },
    ]);
  });

  it('updates deals as Opportunity records by id and reports a deleted one as not_found', async () => {
    const fake = new FakeSalesforce().route('PATCH', '/composite/sobjects', (call) => [
      200,
      collectionRecords(call.body, 'Opportunity').map((r, i) =>
        i === 1 ? refused('ENTITY_IS_DELETED', 'entity is deleted') : saved(String(r['id'])),
      ),
    ]);
    const outcomes = await client().updateRecords('deal', [
      { id: sfId('006', 1), properties: { Grid_Status__c: 'complete' } },
      { id: sfId('006', 2), properties: { Grid_Status__c: 'draft' } },
    ]);
    expect(collectionRecords(fake.calls[0]!.body, 'Opportunity')[0]).toEqual({
      attributes: { type: 'Opportunity' },
      id: sfId('006', 1),
      Grid_Status__c: 'complete',
    });
    expect(outcomes.map((o) => (o.ok ? 'ok' : o.error.kind))).toEqual(['ok', 'not_found']);
  });
});
