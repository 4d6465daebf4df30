import { describe, expect, it } from 'vitest';

import { ledgerlineGrid } from '../../test/support/example-payloads.ts';
import { exampleMapping, gridSource, tenantContext } from '../../test/support/sync-context.ts';
import { toProperties } from '../mapping/plan-fields.ts';
import { evaluateAccount } from '../qualification/evaluate-account.ts';
import { type PlannedWrite, planDryRun } from './plan-dry-run.ts';
import { planGridSync } from './plan-grid-sync.ts';

const now = new Date('2026-11-21T09:00:00Z');

function dryRun(tenant: 'acme' | 'globex', grid = ledgerlineGrid()) {
  const loaded = exampleMapping(tenant);
  const source = gridSource(grid, loaded);
  const account = evaluateAccount({
    domain: 'ledgerline.example',
    signals: [],
    mapping: loaded.mapping,
    crmCompanyFields: {},
    now,
  });
  const state = planDryRun(tenantContext(loaded), source, account, 'no credentials', now);
  return { loaded, source, account, state, writes: state.plannedWrites as PlannedWrite[] };
}

describe('planDryRun', () => {
  it('shows the very fields and links the live plan sends, for a grid that names its deal', () => {
    const { loaded, source, account, writes } = dryRun('acme', ledgerlineGrid({ deal: { crmId: '9001' } }));
    const live = planGridSync(
      loaded.mapping,
      { grid: source, account },
      { deal: { id: '9001' }, company: { id: 'c1' }, contact: { id: 'p1' } },
    );
    expect(writes[0]).toMatchObject({ op: 'upsert', properties: toProperties(live.gridRecord.fields) });
    for (const role of ['deal', 'company', 'contact'] as const) {
      const update = writes.find((w) => w.op === 'update' && w.object === role);
      expect(update?.properties, role).toEqual(toProperties(live[role]?.fields ?? []));
    }
    expect(writes.filter((w) => w.op === 'link').map((w) => w.object.split(' → ')[1])).toEqual(
      live.links.map((l) => l.field),
    );
    expect(writes.find((w) => w.object === 'deal')).toMatchObject({ match: 'id 9001' });
    expect(writes.some((w) => w.when !== undefined || w.op === 'create')).toBe(false);
  });

  it('shows the deal the rule would find (whenNone: wait): its fields and link, only once one counts', () => {
    const { state, writes } = dryRun('acme', ledgerlineGrid({ deal: undefined }));
    const rule = 'deal.find: the most recently created of the open deals of Ledgerline in pipeline default';
    const dealWrites = writes.filter((w) => w.object === 'deal' || w.object.endsWith('→ deal'));
    expect(dealWrites.map((w) => w.op)).toEqual(['update', 'link']);
    for (const write of dealWrites) {
      expect(write.match).toBe(rule);
      expect(write.when).toMatch(/^one of the open deals of Ledgerline in pipeline default exists; .*wait/);
    }
    expect(dealWrites[0]?.properties).toHaveProperty('gridsync_grid_summary');
    expect(state.targets.deal).toMatchObject({ state: 'dry_run' });
  });

  it('shows the deal gridsync would open when none counts (whenNone: create), then its fields and link', () => {
    const { writes } = dryRun('globex', ledgerlineGrid({ deal: undefined }));
    const dealWrites = writes.filter((w) => w.object === 'deal' || w.object.endsWith('→ deal'));
    expect(dealWrites.map((w) => w.op)).toEqual(['create', 'update', 'link']);
    expect(dealWrites[0]).toEqual({
      op: 'create',
      object: 'deal',
      match: 'Gridsync_Key__c = gridsync-{company id}',
      properties: {
        name: 'Ledgerline: developer conversation at API World',
        stage: 'Prospecting',
        recordType: 'New_Business',
        closeDate: '2027-02-19',
        Gridsync_Key__c: 'gridsync-{company id}',
      },
      when: expect.stringMatching(/^none of the open deals of Ledgerline of record type New_Business exists/),
    });
    expect(dealWrites[1]?.match).toMatch(/^deal\.find: .*, else the deal created for it$/);
    expect(dealWrites[1]?.when).toBeUndefined();
  });

  it('plans nothing for a grid refused by onTooLong: fail, and skips the deal the rule would find', () => {
    const { state } = dryRun(
      'globex',
      ledgerlineGrid({ deal: undefined, submittedBy: `${'a.'.repeat(140)}x@y.example` }),
    );
    expect(state.plannedWrites).toEqual([]);
    expect(state.targets.gridRecord.state).toBe('failed');
    expect(state.targets.deal?.state).toBe('skipped');
  });
});
