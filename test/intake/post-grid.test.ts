import { describe, expect, it } from 'vitest';

import type { GridAcceptedBody } from '../../src/intake/routes/post-grid.ts';
import { ledgerlineDraft, ledgerlineGrid } from '../support/example-payloads.ts';
import { intakePerTest, pointers, PUBLIC_URL } from './intake-harness.ts';

const GRID_ID = 'grid-2026-11-20-ledgerline-maya';
const STATUS_URL = `${PUBLIC_URL}/v1/tenants/acme/grids/${GRID_ID}`;

const intake = intakePerTest();

describe('POST /v1/tenants/:tenant/grids', () => {
  it('accepts a signed grid with 202, a status URL, and a status that shows it pending', async () => {
    const response = await intake.post('grids', 'acme', ledgerlineGrid(), { webhookId: 'msg_first' });

    expect(response.statusCode).toBe(202);
    expect(response.headers.location).toBe(STATUS_URL);
    expect(response.json()).toEqual({
      gridId: GRID_ID,
      version: 1,
      outcome: 'new_version',
      statusUrl: STATUS_URL,
      completeness: { complete: true, gaps: [] },
    });
    expect(intake.accepted).toEqual([{ tenant: 'acme', kind: 'grid' }]);

    const status = await intake.getStatus('acme', GRID_ID, intake.keys.acme.statusToken);
    expect(status.statusCode).toBe(200);
    expect(status.json()).toMatchObject({
      gridId: GRID_ID,
      version: 1,
      sync: { state: 'pending' },
      task: { state: 'not_created' },
    });
  });

  it('tells the sender at once which sections of a draft are missing or too thin', async () => {
    const response = await intake.post('grids', 'acme', ledgerlineDraft());

    expect(response.statusCode).toBe(202);
    const { completeness } = response.json<GridAcceptedBody>();
    expect(completeness.complete).toBe(false);
    expect(completeness.gaps.map((gap) => [gap.section, gap.problem])).toEqual([
      ['idealScenario', 'too_thin'],
      ['positiveOutcomes.business', 'missing'],
      ['positiveOutcomes.personal', 'missing'],
      ['requiredCapabilities', 'missing'],
    ]);
    for (const gap of completeness.gaps) expect(gap.reason).toMatch(/^(Ideal|Positive|Required)/);
  });

  it('answers a repeated webhook-id with the original answer and stores nothing new', async () => {
    const first = await intake.post('grids', 'acme', ledgerlineGrid(), { webhookId: 'msg_retry' });
    const changed = ledgerlineGrid({
      beforeScenario: 'A retry must not smuggle in different content as a new version of the grid.',
    });
    const again = await intake.post('grids', 'acme', changed, { webhookId: 'msg_retry' });

    expect(again.statusCode).toBe(first.statusCode);
    expect(again.json()).toEqual(first.json());
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.headers.location).toBe(STATUS_URL);
    expect(first.headers['idempotent-replayed']).toBeUndefined();
    const stored = await intake.store.getGrid('acme', GRID_ID);
    expect(stored?.version).toBe(1);
    expect(stored?.grid.beforeScenario).toBe(ledgerlineGrid().beforeScenario);
    expect(intake.accepted).toHaveLength(1);
  });

  it('stores new content under the same gridId as the next version', async () => {
    await intake.post('grids', 'acme', ledgerlineGrid());
    const later = ledgerlineGrid({
      capturedAt: '2026-11-21T09:00:00Z',
      context: { event: 'Follow-up call' },
    });
    const response = await intake.post('grids', 'acme', later);

    expect(response.json()).toMatchObject({ version: 2, outcome: 'new_version' });
    expect((await intake.store.getGrid('acme', GRID_ID))?.grid.context?.event).toBe('Follow-up call');
  });

  it('never lets an older capturedAt overwrite a newer version', async () => {
    const newer = ledgerlineGrid({
      capturedAt: '2026-11-21T09:00:00Z',
      context: { event: 'Follow-up call' },
    });
    await intake.post('grids', 'acme', newer);
    const older = ledgerlineGrid({ capturedAt: '2026-11-20T16:05:00Z', context: { event: 'API World' } });
    const response = await intake.post('grids', 'acme', older);

    expect(response.statusCode).toBe(202);
    expect(response.json()).toMatchObject({ outcome: 'superseded' });
    const current = await intake.store.getGrid('acme', GRID_ID);
    expect(current?.grid.capturedAt).toBe('2026-11-21T09:00:00Z');
    expect(current?.grid.context?.event).toBe('Follow-up call');
  });

  it('keeps tenants apart: the same gridId under two tenants is two grids', async () => {
    await intake.post('grids', 'acme', ledgerlineGrid());
    const globex = await intake.post('grids', 'globex', ledgerlineGrid());

    expect(globex.json()).toMatchObject({
      version: 1,
      statusUrl: `${PUBLIC_URL}/v1/tenants/globex/grids/${GRID_ID}`,
    });
    expect(intake.accepted).toEqual([
      { tenant: 'acme', kind: 'grid' },
      { tenant: 'globex', kind: 'grid' },
    ]);
  });

  it('lists every bad field as a JSON pointer and stores nothing', async () => {
    const response = await intake.post('grids', 'acme', {
      ...ledgerlineGrid(),
      capturedAt: 'last Tuesday',
      account: { domain: 'not a domain', name: 7 },
      positiveOutcomes: { business: 42 },
      mood: 'great',
    });

    expect(response.statusCode).toBe(400);
    expect(response.headers['content-type']).toBe('application/problem+json; charset=utf-8');
    const body = response.json();
    expect(body).toMatchObject({ status: 400, code: 'payload_invalid', instance: '/v1/tenants/acme/grids' });
    expect(pointers(response)).toEqual([
      '/account/domain',
      '/account/name',
      '/capturedAt',
      '/mood',
      '/positiveOutcomes/business',
    ]);
    expect(await intake.store.getGrid('acme', GRID_ID)).toBeUndefined();
    expect(intake.accepted).toEqual([]);
  });

  it('refuses a body that is not JSON', async () => {
    const response = await intake.post('grids', 'acme', '{"gridId": "grid-1",');

    expect(response.statusCode).toBe(400);
    expect(response.json()).toMatchObject({ code: 'json_malformed' });
    expect(response.json().detail).toContain('not valid JSON');
  });

  it('refuses a JSON body that is not an object, or is empty', async () => {
    expect((await intake.post('grids', 'acme', '[1, 2]')).json()).toMatchObject({ code: 'payload_invalid' });
    expect((await intake.post('grids', 'acme', '')).json()).toMatchObject({ code: 'json_malformed' });
  });

  it('refuses "__proto__" keys instead of passing them on', async () => {
    const body = JSON.stringify(ledgerlineGrid()).replace(
      '"context":{',
      '"context":{"__proto__":{"polluted":"yes"},',
    );
    const response = await intake.post('grids', 'acme', body);

    expect(response.statusCode).toBe(400);
    expect(response.json()).toMatchObject({ code: 'payload_invalid' });
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
  });
});
