/**
 * Turns one block of field mappings (e.g. the mapping's `deal.fields`) into the values to write, applying
 * picklist maps, defaults and the too-long policy. Pure: the worker decides which records these go to.
 */
import type { FieldMapping, FieldsMapping } from './mapping-schema.ts';
import { isGridSourcePath } from './source-paths.ts';
import { readSourceValue, renderTemplate, type SourceContext } from './source-values.ts';
import { placeholdersOf } from './source-paths.ts';

/** Where a field's mapping is written, as a key path into the mapping file (for file:line in errors). */
export type MappingPath = readonly (string | number)[];

export interface PlannedField {
  field: string;
  value: string;
  origin: MappingPath;
}

export interface FieldProblem {
  field: string;
  origin: MappingPath;
  kind: 'too_long_truncated' | 'too_long_refused';
  message: string;
}

export interface PlannedFields {
  fields: PlannedField[];
  problems: FieldProblem[];
}

export const CRM_TEXT_LIMITS = { hubspot: 65_536, salesforce: 131_072 } as const;

const ELLIPSIS = '…';

function usesGridValues(mapping: FieldMapping): boolean {
  if ('from' in mapping) return isGridSourcePath(mapping.from);
  if ('template' in mapping) return placeholdersOf(mapping.template).some(isGridSourcePath);
  return false;
}

function rawValue(mapping: FieldMapping, ctx: SourceContext): string {
  if ('const' in mapping) return String(mapping.const);
  if ('template' in mapping) return renderTemplate(mapping.template, ctx);
  const value = readSourceValue(mapping.from, ctx);
  if (mapping.map) {
    const mapped = value === undefined ? undefined : mapping.map[value];
    return mapped ?? mapping.default ?? '';
  }
  return value === undefined || value === '' ? (mapping.default ?? '') : value;
}

/**
 * Plans the fields of one record. When `ctx.grid` is absent (a signal-driven account refresh), fields that read
 * grid values are left out rather than cleared: the grid sync owns them.
 */
export function planFields(
  fields: FieldsMapping,
  ctx: SourceContext,
  options: { crm: 'hubspot' | 'salesforce'; originPrefix: MappingPath },
): PlannedFields {
  const planned: PlannedField[] = [];
  const problems: FieldProblem[] = [];
  for (const [field, mapping] of Object.entries(fields)) {
    if (ctx.grid === undefined && usesGridValues(mapping)) continue;
    const origin = [...options.originPrefix, field];
    let value = rawValue(mapping, ctx);
    const limit = ('maxLength' in mapping ? mapping.maxLength : undefined) ?? CRM_TEXT_LIMITS[options.crm];
    if (value.length > limit) {
      const policy = ('onTooLong' in mapping ? mapping.onTooLong : undefined) ?? 'truncate';
      if (policy === 'fail') {
        problems.push({
          field,
          origin,
          kind: 'too_long_refused',
          message: `${field} is ${value.length} characters, the field holds ${limit}; the mapping says onTooLong: fail`,
        });
        continue;
      }
      problems.push({
        field,
        origin,
        kind: 'too_long_truncated',
        message: `${field} was cut from ${value.length} to ${limit} characters (onTooLong: truncate)`,
      });
      value = value.slice(0, limit - ELLIPSIS.length) + ELLIPSIS;
    }
    planned.push({ field, value, origin });
  }
  return { fields: planned, problems };
}

export function toProperties(fields: readonly PlannedField[]): Record<string, string> {
  return Object.fromEntries(fields.map((f) => [f.field, f.value]));
}
