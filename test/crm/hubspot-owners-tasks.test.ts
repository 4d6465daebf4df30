import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import type { NewAeTask } from '../../src/crm/crm-client.ts';
import { HubSpotFake } from '../fakes/hubspot-fake-server.ts';
import { createTaskBody, searchBody } from './hubspot-api-shapes.ts';
import { clientFor } from './hubspot-test-support.ts';

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
  const task = (links: NewAeTask['links']): NewAeTask => ({
    subject: 'Follow up with Ledgerline on payment webhooks',
    body: 'Before: retries by hand. Ideal: signed webhooks.',
    dueAt: new Date('2026-11-20T09:00:00.000Z'),
    priority: 'high',
    ownerId: '501',
    marker,
    links,
  });

  it('creates a to-do for the owner, due on time, associated with deal, company and contact', async () => {
    const deal = fake.addRecord('deals', { dealname: 'D' });
    const company = fake.addRecord('companies', { domain: 'ledgerline.example' });
    const contact = fake.addRecord('contacts', { email: 'dev@ledgerline.example' });
    const id = await clientFor(fake).createTask(task({ deal, company, contact }));

    const body = createTaskBody.parse(fake.bodiesOf('POST /crm/objects/2026-03/tasks')[0]);
    expect(body.properties).toMatchObject({
      hs_timestamp: '2026-11-20T09:00:00.000Z',
      hs_task_status: 'NOT_STARTED',
      hs_task_priority: 'HIGH',
      hs_task_type: 'TODO',
      hubspot_owner_id: '501',
    });
    expect(body.properties.hs_task_body).toContain(marker);
    expect(body.associations.map((a) => [a.to.id, a.types[0]])).toEqual([
      [deal, { associationCategory: 'HUBSPOT_DEFINED', associationTypeId: 216 }],
      [company, { associationCategory: 'HUBSPOT_DEFINED', associationTypeId: 192 }],
      [contact, { associationCategory: 'HUBSPOT_DEFINED', associationTypeId: 204 }],
    ]);
    expect(fake.store.get('tasks', id)).toBeDefined();
    expect(fake.store.associations.filter((a) => a.fromId === id)).toHaveLength(3);
  });

  it('finds the task by its marker with a CONTAINS_TOKEN search on the body', async () => {
    const client = clientFor(fake);
    fake.addRecord('tasks', {
      hs_task_body: 'another grid: gridsync00000000000000000000000',
      hs_timestamp: '2026-01-01T00:00:00Z',
    });
    const id = await client.createTask(task({}));

    expect(await client.findTaskByMarker(marker)).toBe(id);
    const body = searchBody.parse(fake.bodiesOf('POST /crm/objects/2026-03/tasks/search')[0]);
    expect(body.filterGroups[0]!.filters[0]).toEqual({
      propertyName: 'hs_task_body',
      operator: 'CONTAINS_TOKEN',
      value: marker,
    });
  });

  it('finds nothing when no task carries the marker', async () => {
    expect(await clientFor(fake).findTaskByMarker('gridsyncffffffffffffffffffffffff')).toBeUndefined();
  });

  it('keeps a body that already holds the marker as it is', async () => {
    await clientFor(fake).createTask({ ...task({}), body: `See grid ${marker}` });
    expect(
      createTaskBody.parse(fake.bodiesOf('POST /crm/objects/2026-03/tasks')[0]).properties.hs_task_body,
    ).toBe(`See grid ${marker}`);
  });
});
