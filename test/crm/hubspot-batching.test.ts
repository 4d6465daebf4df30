import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import type { HubSpotFake } from '../fakes/hubspot-fake-server.ts';
import { batchUpdateBody, batchUpsertBody } from './hubspot-api-shapes.ts';
import {
  clientFor,
  GRID_ID_PROPERTY,
  GRID_OBJECT,
  grids,
  startHubSpotFake,
  UPSERT_ROUTE,
} from '../support/hubspot-client.ts';

let fake: HubSpotFake;

beforeEach(async () => {
  fake = await startHubSpotFake();
});
afterEach(() => fake.close());

describe('HubSpot batch upsert of grid records', () => {
  it('writes 250 grids with 3 upsert calls of at most 100 inputs, keyed by the external-ID property', async () => {
    const client = clientFor(fake);
    const outcomes = await client.upsertGridRecords(grids(250));

    expect(fake.callCount(UPSERT_ROUTE)).toBe(3);
    const sizes = fake.bodiesOf(UPSERT_ROUTE).map((body) => batchUpsertBody.parse(body).inputs.length);
    expect(sizes).toEqual([100, 100, 50]);
    const first = batchUpsertBody.parse(fake.bodiesOf(UPSERT_ROUTE)[0]).inputs[0]!;
    expect(first).toMatchObject({ id: 'grid-0000', idProperty: GRID_ID_PROPERTY });
    expect(outcomes).toHaveLength(250);
    expect(outcomes.every((o) => o.ok && o.created === true)).toBe(true);
    expect(fake.store.records(GRID_OBJECT)).toHaveLength(250);
  });

  it('updates the same records on a second upsert instead of creating duplicates', async () => {
    const client = clientFor(fake);
    const first = await client.upsertGridRecords(grids(3));
    const second = await client.upsertGridRecords(
      grids(3).map((g) => ({ ...g, properties: { gridsync_before_scenario: 'edited' } })),
    );

    expect(second.map((o) => (o.ok ? o.id : undefined))).toEqual(first.map((o) => (o.ok ? o.id : undefined)));
    expect(second.every((o) => o.ok && o.created === false)).toBe(true);
    expect(fake.store.records(GRID_OBJECT).map((r) => r.properties.gridsync_before_scenario)).toEqual([
      'edited',
      'edited',
      'edited',
    ]);
  });

  it('coalesces the same grid twice in one call into one input, later properties winning', async () => {
    const client = clientFor(fake);
    const [a, b] = await client.upsertGridRecords([
      { externalId: 'grid-x', properties: { gridsync_before_scenario: 'old', gridsync_status: 'draft' } },
      { externalId: 'grid-x', properties: { gridsync_before_scenario: 'new' } },
    ]);

    expect(batchUpsertBody.parse(fake.bodiesOf(UPSERT_ROUTE)[0]).inputs).toHaveLength(1);
    expect(a).toEqual(b);
    expect(fake.store.records(GRID_OBJECT)[0]!.properties).toMatchObject({
      gridsync_before_scenario: 'new',
      gridsync_status: 'draft',
    });
  });

  it('makes no call for an empty list', async () => {
    expect(await clientFor(fake).upsertGridRecords([])).toEqual([]);
    expect(fake.requests).toHaveLength(0);
  });
});

describe('a record HubSpot rejects fails alone', () => {
  const withBadProperty = (): { externalId: string; properties: Record<string, string> }[] => {
    const batch = grids(100);
    batch[41] = { ...batch[41]!, properties: { ...batch[41]!.properties, gridsync_typo_field: 'x' } };
    return batch;
  };

  it('when HubSpot answers 207 with per-record errors', async () => {
    fake.rejectProperty(GRID_OBJECT, 'gridsync_typo_field', '207');
    const outcomes = await clientFor(fake).upsertGridRecords(withBadProperty());

    const failed = outcomes.filter((o) => !o.ok);
    expect(failed).toHaveLength(1);
    const bad = outcomes[41]!;
    expect(bad.ok).toBe(false);
    if (!bad.ok) {
      expect(bad.error).toMatchObject({
        kind: 'field_missing',
        field: 'gridsync_typo_field',
        retryable: false,
      });
      expect(bad.error.correlationId).toMatch(/^fake-/);
      expect(bad.error.message).toContain('gridsync_typo_field');
    }
    expect(fake.callCount(UPSERT_ROUTE)).toBe(1);
    expect(fake.store.records(GRID_OBJECT)).toHaveLength(99);
  });

  it('when HubSpot refuses the whole batch with a 400: the batch-mates are resent without it', async () => {
    fake.rejectProperty(GRID_OBJECT, 'gridsync_typo_field', '400');
    const outcomes = await clientFor(fake).upsertGridRecords(withBadProperty());

    expect(outcomes.filter((o) => !o.ok)).toHaveLength(1);
    const bad = outcomes[41]!;
    expect(!bad.ok && bad.error).toMatchObject({
      kind: 'field_missing',
      field: 'gridsync_typo_field',
      status: 400,
    });
    expect(fake.callCount(UPSERT_ROUTE)).toBe(2);
    expect(batchUpsertBody.parse(fake.bodiesOf(UPSERT_ROUTE)[1]).inputs).toHaveLength(99);
    expect(fake.store.records(GRID_OBJECT)).toHaveLength(99);
  });

  it('halves a refused batch when the refusal names no input or missing property, until the bad record stands alone', async () => {
    const ids = Array.from({ length: 8 }, (_, i) => fake.addRecord('deals', { dealname: `D${i}` }));
    fake.rejectValue('deals', 'dealstage', 'no-such-stage');
    const updates = ids.map((id) => ({ id, properties: { dealstage: 'qualifiedtobuy' } }));
    updates[5] = { id: ids[5]!, properties: { dealstage: 'no-such-stage' } };
    const outcomes = await clientFor(fake).updateRecords('deal', updates);

    expect(outcomes.map((o) => o.ok)).toEqual([true, true, true, true, true, false, true, true]);
    expect(!outcomes[5]!.ok && outcomes[5]!.error).toMatchObject({
      kind: 'rejected',
      status: 400,
      field: 'dealstage',
    });
    // 8 refused → 4 ok + 4 refused → 2 ok + 2 refused → 1 refused + 1 ok.
    expect(fake.callCount('POST /crm/objects/2026-03/deals/batch/update')).toBe(7);
    expect(fake.store.get('deals', ids[7]!)!.properties.dealstage).toBe('qualifiedtobuy');
  });
});

describe('HubSpot batch update of deals, companies and contacts', () => {
  it('sends ≤100 updates per call and returns one outcome per update, in order', async () => {
    const ids = Array.from({ length: 130 }, (_, i) =>
      fake.addRecord('companies', { name: `C${i}`, domain: `c${i}.example` }),
    );
    const outcomes = await clientFor(fake).updateRecords(
      'company',
      ids.map((id) => ({ id, properties: { gridsync_intent_level: 'high' } })),
    );

    const route = 'POST /crm/objects/2026-03/companies/batch/update';
    expect(fake.bodiesOf(route).map((b) => batchUpdateBody.parse(b).inputs.length)).toEqual([100, 30]);
    expect(outcomes.map((o) => o.ok && o.id)).toEqual(ids);
    expect(fake.store.get('companies', ids[129]!)!.properties.gridsync_intent_level).toBe('high');
  });

  it('reports a deal that does not exist as not_found while the others are written', async () => {
    const real = fake.addRecord('deals', { dealname: 'Real' });
    const [ok, missing] = await clientFor(fake).updateRecords('deal', [
      { id: real, properties: { gridsync_grid_url: 'https://x' } },
      { id: '999999', properties: { gridsync_grid_url: 'https://y' } },
    ]);

    expect(ok).toEqual({ ok: true, id: real });
    expect(!missing!.ok && missing!.error.kind).toBe('not_found');
  });

  it('makes no call when no update has a property to write', async () => {
    const outcomes = await clientFor(fake).updateRecords('deal', [{ id: '1', properties: {} }]);
    expect(outcomes).toEqual([{ ok: true, id: '1' }]);
    expect(fake.requests).toHaveLength(0);
  });
});
