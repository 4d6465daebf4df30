/** The HubSpot stand-in's search index lags writes (searchIndexLagMs), for every object type, as HubSpot's does. */
import { afterEach, describe, expect, it } from 'vitest';

import { HubSpotFake } from './hubspot-fake-server.ts';

let fake: HubSpotFake;
afterEach(() => fake.close());

const call = (path: string, body: unknown) =>
  fetch(`${fake.url}${path}`, {
    method: 'POST',
    headers: { authorization: 'Bearer test-token', 'content-type': 'application/json' },
    body: JSON.stringify(body),
  }).then(async (r) => ({ status: r.status, body: (await r.json()) as Record<string, unknown> }));

const searchByName = async (type: string, value: string) => {
  const answer = await call(`/crm/objects/2026-03/${type}/search`, {
    filterGroups: [{ filters: [{ propertyName: 'name', operator: 'EQ', value }] }],
    properties: ['name'],
  });
  return (answer.body.results as { id: string }[]).map((r) => r.id);
};

describe('the stand-in’s search index lag', () => {
  it('finds a created record only after the lag, an updated one by its old values until then; reads see writes at once', async () => {
    fake = await HubSpotFake.start({ searchIndexLagMs: 300, searchPerSecond: 100 });
    const seeded = fake.addRecord('companies', { name: 'Seeded' });
    expect(await searchByName('companies', 'Seeded')).toEqual([seeded]);

    const created = await call('/crm/objects/2026-03/tasks', {
      properties: { hs_timestamp: new Date().toISOString(), name: 'New' },
    });
    expect(created.status).toBe(201);
    const id = created.body.id as string;
    await call('/crm/objects/2026-03/companies/batch/update', {
      inputs: [{ id: seeded, properties: { name: 'Renamed' } }],
    });

    expect(await searchByName('tasks', 'New')).toEqual([]);
    expect(await searchByName('companies', 'Seeded')).toEqual([seeded]);
    expect(await searchByName('companies', 'Renamed')).toEqual([]);
    const read = await call('/crm/objects/2026-03/companies/batch/read', {
      inputs: [{ id: seeded }],
      properties: ['name'],
    });
    expect(read.body.results).toMatchObject([{ properties: { name: 'Renamed' } }]);

    await new Promise((resolve) => setTimeout(resolve, 350));
    expect(await searchByName('tasks', 'New')).toEqual([id]);
    expect(await searchByName('companies', 'Renamed')).toEqual([seeded]);
    expect(await searchByName('companies', 'Seeded')).toEqual([]);
  });
});
