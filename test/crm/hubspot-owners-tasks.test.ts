import { aeTask } from '../support/ae-tasks.ts';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import type { NewAeTask } from '../../src/crm/crm-client.ts';
import { HubSpotFake } from '../fakes/hubspot-fake-server.ts';
import { batchCreateTasksBody, searchBody } from './hubspot-api-shapes.ts';
import { clientFor } from '../support/hubspot-client.ts';

let fake: HubSpotFake;
beforeEach(async () => {
  fake = await HubSpotFake.start();
});
afterEach(() => fake.close());

describe('owners', () => {
  it('returns an active owner with a readable name', async () => {
    fake.addOwner({
      id: '501',
      firstName: 'Ada',
      lastName: 'Byron',
      email: 'ada@acme.example',
      archived: false,
    });
    expect(await clientFor(fake).getOwner('501')).toEqual({ id: '501', active: true, name: 'Ada Byron' });
  });

  it('reports an archived owner (the AE left) as inactive', async () => {
    fake.addOwner({ id: '502', email: 'gone@acme.example', archived: true });
    expect(await clientFor(fake).getOwner('502')).toEqual({
      id: '502',
      active: false,
      name: 'gone@acme.example',
    });
    expect(fake.requests.map((r) => r.status)).toEqual([404, 200]);
  });

  it('returns undefined for an owner HubSpot does not know, or an id that cannot be one', async () => {
    const client = clientFor(fake);
    expect(await client.getOwner('999')).toBeUndefined();
    expect(await client.getOwner('not-an-id')).toBeUndefined();
  });
});

describe('AE tasks', () => {
  const marker = 'gridsync8f3a0c51d2e94b7a90c1';
  const BATCH = 'POST /crm/objects/2026-03/tasks/batch/create';
  const task = (links: NewAeTask['links'], overrides: Partial<NewAeTask> = {}): NewAeTask =>
    aeTask({ ownerId: '501', marker, links, ...overrides });
  const createOne = async (t: NewAeTask): Promise<string> => {
    const [outcome] = await clientFor(fake).createTasks([t]);
    if (!outcome?.ok) throw new Error(`task not created: ${String(outcome?.error)}`);
    return outcome.id;
  };

  it('creates a to-do for the owner, due on time, associated with deal, company and contact', async () => {
    const deal = fake.addRecord('deals', { dealname: 'D' });
    const company = fake.addRecord('companies', { domain: 'ledgerline.example' });
    const contact = fake.addRecord('contacts', { email: 'dev@ledgerline.example' });
    const id = await createOne(task({ deal, company, contact }));

    const [input] = batchCreateTasksBody.parse(fake.bodiesOf(BATCH)[0]).inputs;
    expect(input?.objectWriteTraceId).toBe(marker);
    expect(input?.properties).toMatchObject({
      hs_timestamp: '2026-11-20T09:00:00.000Z',
      hs_task_status: 'NOT_STARTED',
      hs_task_priority: 'HIGH',
      hs_task_type: 'TODO',
      hubspot_owner_id: '501',
    });
    expect(input?.properties.hs_task_body).toContain(marker);
    expect(input?.associations.map((a) => [a.to.id, a.types[0]])).toEqual([
      [deal, { associationCategory: 'HUBSPOT_DEFINED', associationTypeId: 216 }],
      [company, { associationCategory: 'HUBSPOT_DEFINED', associationTypeId: 192 }],
      [contact, { associationCategory: 'HUBSPOT_DEFINED', associationTypeId: 204 }],
    ]);
    expect(fake.store.get('tasks', id)).toBeDefined();
    expect(fake.store.associations.filter((a) => a.fromId === id)).toHaveLength(3);
  });

  it('creates 250 tasks in three calls, each id matched to its own task by objectWriteTraceId', async () => {
    const deal = fake.addRecord('deals', { dealname: 'D' });
    const tasks = Array.from({ length: 250 }, (_, i) =>
      task({ deal }, { marker: `gridsync${String(i).padStart(24, '0')}`, subject: `task ${i}` }),
    );
    const outcomes = await clientFor(fake).createTasks(tasks);
    expect(fake.callCount(BATCH)).toBe(3);
    expect(fake.bodiesOf(BATCH).map((b) => batchCreateTasksBody.parse(b).inputs.length)).toEqual([
      100, 100, 50,
    ]);
    // The stand-in answers results in reverse order: only the trace id can pair them up.
    outcomes.forEach((outcome, i) => {
      if (!outcome.ok) throw new Error(`task ${i} not created`);
      expect(fake.store.get('tasks', outcome.id)?.properties.hs_task_subject).toBe(`task ${i}`);
    });
  });

  it('reports the task HubSpot refuses in a 207 and creates its batch-mates, without sending them twice', async () => {
    const deal = fake.addRecord('deals', { dealname: 'D' });
    const tasks = [
      task({ deal }, { marker: 'gridsynca' }),
      task({ deal: '999999' }, { marker: 'gridsyncb' }), // no such deal: the association is refused
      task({ deal }, { marker: 'gridsyncc' }),
    ];
    const outcomes = await clientFor(fake).createTasks(tasks);
    expect(outcomes.map((o) => o.ok)).toEqual([true, false, true]);
    expect(fake.requests.map((r) => [r.route, r.status])).toEqual([[BATCH, 207]]);
    expect(fake.store.records('tasks')).toHaveLength(2);
  });

  it('finds tasks by their markers with CONTAINS_TOKEN searches on the body, five markers a search', async () => {
    const client = clientFor(fake);
    fake.addRecord('tasks', {
      hs_task_body: 'another grid: gridsync00000000000000000000000',
      hs_timestamp: '2026-01-01T00:00:00Z',
    });
    const markers = Array.from({ length: 7 }, (_, i) => `gridsync${i}abc`);
    const outcomes = await client.createTasks(markers.map((m) => task({}, { marker: m })));
    const ids = outcomes.map((o) => (o.ok ? o.id : ''));

    const found = await client.findTasksByMarkers([...markers, 'gridsyncffffffffffffffffffffffff']);
    expect(markers.map((m) => found.get(m))).toEqual(ids);
    expect(found.has('gridsyncffffffffffffffffffffffff')).toBe(false);
    const bodies = fake.bodiesOf('POST /crm/objects/2026-03/tasks/search').map((b) => searchBody.parse(b));
    expect(bodies.map((b) => b.filterGroups.length)).toEqual([5, 3]);
    expect(bodies[0]!.filterGroups[0]!.filters).toEqual([
      { propertyName: 'hs_task_body', operator: 'CONTAINS_TOKEN', value: markers[0] },
    ]);
  });

  it('finds nothing when no task carries the marker', async () => {
    expect((await clientFor(fake).findTasksByMarkers(['gridsyncffffffffffffffffffffffff'])).size).toBe(0);
  });

  it('keeps a body that already holds the marker as it is', async () => {
    await createOne({ ...task({}), body: `See grid ${marker}` });
    expect(batchCreateTasksBody.parse(fake.bodiesOf(BATCH)[0]).inputs[0]?.properties.hs_task_body).toBe(
      `See grid ${marker}`,
    );
  });
});
