import { beforeEach, describe, expect, it } from 'vitest';

import { aVerdict, anAccountState } from '../support/state-documents.ts';
import { ledgerlineGrid } from '../support/example-payloads.ts';
import { intakePerTest } from './intake-harness.ts';

const GRID_ID = ledgerlineGrid().gridId;

const intake = intakePerTest();
beforeEach(async () => {
  expect((await intake.post('grids', 'acme', ledgerlineGrid())).statusCode).toBe(202);
});

describe('GET /v1/tenants/:tenant/grids/:gridId', () => {
  it('needs a bearer token and says so in WWW-Authenticate', async () => {
    const response = await intake.getStatus('acme', GRID_ID);

    expect(response.statusCode).toBe(401);
    expect(response.json()).toMatchObject({ code: 'status_token_invalid' });
    expect(response.headers['www-authenticate']).toBe('Bearer realm="acme"');
  });

  it('refuses a wrong token, and the token of another tenant', async () => {
    for (const token of ['not-the-token', intake.keys.globex.statusToken]) {
      const response = await intake.getStatus('acme', GRID_ID, token);
      expect(response.statusCode).toBe(401);
      expect(response.headers['www-authenticate']).toBe('Bearer realm="acme", error="invalid_token"');
    }
  });

  it('refuses a token sent with another scheme', async () => {
    const response = await intake.app.inject({
      method: 'GET',
      url: `/v1/tenants/acme/grids/${GRID_ID}`,
      headers: { authorization: `Basic ${intake.keys.acme.statusToken}` },
    });
    expect(response.statusCode).toBe(401);
  });

  it('shows completeness, qualification, sync and task state with the right token', async () => {
    const response = await intake.getStatus('acme', GRID_ID, intake.keys.acme.statusToken);

    expect(response.statusCode).toBe(200);
    expect(response.headers['cache-control']).toBe('no-store');
    expect(response.json()).toMatchObject({
      gridId: GRID_ID,
      version: 1,
      capturedAt: '2026-11-20T16:05:00Z',
      account: { domain: 'ledgerline.example' },
      completeness: { complete: true, gaps: [] },
      qualification: { state: 'not_evaluated' },
      sync: { state: 'pending' },
      task: { state: 'not_created', blockedBy: ['account_not_evaluated'] },
    });
  });

  it("shows the worker's documents once they exist", async () => {
    const at = '2026-11-20T16:07:00.000Z';
    await intake.store.putGridSyncState('acme', GRID_ID, {
      crm: 'hubspot',
      mode: 'live',
      version: 1,
      targets: {
        gridRecord: { state: 'synced', crmId: '501', updatedAt: at },
        deal: {
          state: 'failed',
          error: 'mappings/acme.yaml:40:7 deal.fields.x: unknown property',
          updatedAt: at,
        },
      },
      unresolved: ['contact maya@ledgerline.example'],
      updatedAt: at,
    });
    await intake.store.putAccountState(
      'acme',
      'ledgerline.example',
      anAccountState({
        domain: 'ledgerline.example',
        score: 12,
        level: 'low',
        verdict: aVerdict({ qualified: false, summary: 'active on 3 of 14 days required' }),
        updatedAt: at,
      }),
    );
    const response = await intake.getStatus('acme', GRID_ID, intake.keys.acme.statusToken);

    expect(response.json()).toMatchObject({
      qualification: { state: 'not_qualified', score: 12 },
      sync: {
        state: 'failed',
        targets: { gridRecord: { crmId: '501' } },
        unresolved: ['contact maya@ledgerline.example'],
      },
      task: { state: 'not_created', blockedBy: ['account_not_qualified'] },
    });

    await intake.store.beginTaskCreation('acme', GRID_ID, 'gridsync:acme:grid');
    await intake.store.markTaskCreated('acme', GRID_ID, '9001', { owner: { step: 'deal_owner' } });
    const withTask = await intake.getStatus('acme', GRID_ID, intake.keys.acme.statusToken);
    expect(withTask.json().task).toMatchObject({
      state: 'created',
      crmTaskId: '9001',
      details: { owner: { step: 'deal_owner' } },
    });
  });

  it('answers an unknown grid with 404', async () => {
    const response = await intake.getStatus('acme', 'grid-that-never-was', intake.keys.acme.statusToken);
    expect(response.statusCode).toBe(404);
    expect(response.json()).toMatchObject({ code: 'grid_unknown' });
  });

  it("does not show one tenant's grid to another", async () => {
    const response = await intake.getStatus('globex', GRID_ID, intake.keys.globex.statusToken);
    expect(response.json()).toMatchObject({ code: 'grid_unknown' });
  });

  it('answers an unknown tenant with 404', async () => {
    const response = await intake.getStatus('initech', GRID_ID, intake.keys.acme.statusToken);
    expect(response.json()).toMatchObject({ code: 'tenant_unknown' });
  });
});
