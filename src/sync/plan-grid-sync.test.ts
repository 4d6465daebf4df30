import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

import grid from '../../test/fixtures/grids/ledgerline-complete.json' with { type: 'json' };
import { assessCompleteness } from '../domain/grid-completeness.ts';
import { salesGridSchema } from '../domain/sales-grid.ts';
import { loadMappingFile } from '../mapping/load-mapping-file.ts';
import { planGridSync } from './plan-grid-sync.ts';

const loaded = loadMappingFile('mappings/acme.yaml', readFileSync('mappings/acme.yaml', 'utf8'));
if (!loaded.ok) throw new Error('mappings/acme.yaml must load');
const mapping = loaded.value.mapping;
const parsed = salesGridSchema.parse(grid);
const source = {
  grid: parsed,
  version: 1,
  completeness: assessCompleteness(parsed, mapping.completeness),
  statusUrl: 'http://x/s',
};

describe('planGridSync', () => {
  it('plans the grid record keyed by grid id, and fields on every record that was found', () => {
    const plan = planGridSync(
      mapping,
      { grid: source },
      {
        deal: { id: 'd1', fields: {} },
        company: { id: 'c1', fields: {} },
        contact: { id: 'p1', fields: {} },
        unresolved: [],
      },
    );
    expect(plan.gridRecord.recordKey).toBe(parsed.gridId);
    expect(plan.gridRecord.fields.find((f) => f.field === 'gridsync_before_scenario')?.value).toBe(
      parsed.beforeScenario,
    );
    expect(plan.deal?.recordKey).toBe('d1');
    expect(plan.deal?.fields.map((f) => f.field)).toContain('gridsync_grid_summary');
    expect(plan.company?.recordKey).toBe('c1');
    expect(plan.contact?.recordKey).toBe('p1');
    expect(plan.links).toEqual([
      { field: 'deal', value: 'd1', origin: ['grid', 'associate', 'deal'] },
      { field: 'company', value: 'c1', origin: ['grid', 'associate', 'company'] },
      { field: 'contact', value: 'p1', origin: ['grid', 'associate', 'contact'] },
    ]);
  });

  it('writes nothing to records that were not found, and links only what exists', () => {
    const plan = planGridSync(
      mapping,
      { grid: source },
      { company: { id: 'c1', fields: {} }, unresolved: ['deal 9 not found'] },
    );
    expect(plan.deal).toBeUndefined();
    expect(plan.contact).toBeUndefined();
    expect(plan.links.map((l) => l.field)).toEqual(['company']);
  });

  it('remembers which mapping key produced each field, so a CRM error can point at its line', () => {
    const plan = planGridSync(mapping, { grid: source }, { deal: { id: 'd1', fields: {} }, unresolved: [] });
    const origin = plan.deal?.fields.find((f) => f.field === 'gridsync_grid_status')?.origin;
    expect(origin).toEqual(['deal', 'fields', 'gridsync_grid_status']);
    expect(loaded.value.locate(origin!)?.line).toBeGreaterThan(1);
  });

  it('reports text cut to fit a field instead of cutting it silently', () => {
    const long = { ...source, grid: { ...parsed, context: { event: 'E'.repeat(400) } } };
    const plan = planGridSync(mapping, { grid: long }, { unresolved: [] });
    expect(plan.gridRecord.fields.find((f) => f.field === 'gridsync_event')?.value).toHaveLength(255);
    expect(plan.problems.map((p) => p.field)).toContain('gridsync_event');
  });
});
