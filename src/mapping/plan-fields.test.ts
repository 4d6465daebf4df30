import { describe, expect, it } from 'vitest';

import grid from '../../test/fixtures/grids/ledgerline-complete.json' with { type: 'json' };
import { assessCompleteness } from '../domain/grid-completeness.ts';
import { salesGridSchema } from '../domain/sales-grid.ts';
import type { FieldsMapping } from './mapping-schema.ts';
import { planFields } from './plan-fields.ts';
import type { SourceContext } from './source-values.ts';

const parsed = salesGridSchema.parse(grid);
const ctx: SourceContext = {
  grid: {
    grid: parsed,
    version: 2,
    completeness: assessCompleteness(parsed),
    statusUrl: 'http://localhost/status',
  },
};
const plan = (fields: FieldsMapping, context: SourceContext = ctx) =>
  planFields(fields, context, { crm: 'hubspot', originPrefix: ['deal', 'fields'] });

describe('planFields', () => {
  it('reads source paths, constants and templates, and records where each field is mapped', () => {
    const result = plan({
      before: { from: 'grid.beforeScenario' },
      source: { const: 'gridsync' },
      headline: { template: '{{grid.account.name}} via {{ grid.context.event }} (v{{grid.version}})' },
    });
    expect(result.fields).toEqual([
      { field: 'before', value: parsed.beforeScenario, origin: ['deal', 'fields', 'before'] },
      { field: 'source', value: 'gridsync', origin: ['deal', 'fields', 'source'] },
      { field: 'headline', value: 'Ledgerline via API World (v2)', origin: ['deal', 'fields', 'headline'] },
    ]);
  });

  it('translates picklist values and falls back to the default for values the map lacks', () => {
    const complete = plan({
      ready: { from: 'grid.complete', map: { true: 'Ready for AE', false: 'Draft' } },
    });
    expect(complete.fields[0]?.value).toBe('Ready for AE');
    const level = plan({ level: { from: 'account.intentLevel', map: { high: 'Hot' }, default: 'Unknown' } });
    expect(level.fields[0]?.value).toBe('Unknown');
  });

  it('cuts text longer than the field under onTooLong: truncate, and says so', () => {
    const result = plan({ before: { from: 'grid.beforeScenario', maxLength: 20, onTooLong: 'truncate' } });
    expect(result.fields[0]?.value).toHaveLength(20);
    expect(result.fields[0]?.value.endsWith('…')).toBe(true);
    expect(result.problems).toMatchObject([{ field: 'before', kind: 'too_long_truncated' }]);
  });

  it('refuses text longer than the field under onTooLong: fail, writing nothing for it', () => {
    const result = plan({ before: { from: 'grid.beforeScenario', maxLength: 20, onTooLong: 'fail' } });
    expect(result.fields).toEqual([]);
    expect(result.problems[0]?.kind).toBe('too_long_refused');
    expect(result.problems[0]?.message).toContain('holds 20');
  });

  it('applies the CRM limit when the mapping gives no maxLength', () => {
    const long: SourceContext = {
      grid: { ...ctx.grid!, grid: { ...parsed, beforeScenario: 'x'.repeat(70_000) } },
    };
    expect(plan({ before: { from: 'grid.beforeScenario' } }, long).fields[0]?.value).toHaveLength(65_536);
  });

  it('leaves grid-derived fields out of a signal-driven plan instead of clearing them', () => {
    const result = plan(
      { before: { from: 'grid.beforeScenario' }, score: { from: 'account.intentScore', default: '0' } },
      {},
    );
    expect(result.fields.map((f) => f.field)).toEqual(['score']);
    expect(result.fields[0]?.value).toBe('0');
  });
});
