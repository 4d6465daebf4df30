/**
 * What a mapping needs from the CRM schema, read from the mapping alone: for each object (by role) the
 * fields it writes or reads, the shape of the values it will send, the option values a `map:` or a
 * constant produces, and where in the file each need is written (a key path for file:line:column).
 */
import type { FieldMapping, TenantMapping } from '../mapping/mapping-schema.ts';
import { GRID_SECTION_SOURCES, placeholdersOf, type SourcePath } from '../mapping/source-paths.ts';
import type { ObjectRole } from './crm-schema.ts';

/** The shape of the values gridsync sends to a field. */
export type ValueShape =
  /** Free text that can run long: a grid section, a multi-line template. Needs a textarea / Long Text Area. */
  | 'longText'
  | 'text'
  | 'number'
  | 'boolean'
  | 'datetime'
  /** One of a known set of values (a `map:`, a constant, true/false, high/medium/low). */
  | 'option';

export type Purpose = 'write' | 'key' | 'lookup' | 'identity' | 'icp';

export interface FieldRequirement {
  role: ObjectRole;
  field: string;
  purpose: Purpose;
  shape: ValueShape;
  /** For 'option': every value gridsync may write (map values, default, constants). */
  values?: string[];
  /** The longest value gridsync lets through (the mapping's maxLength, else the CRM's text limit). */
  maxLength?: number;
  /** Where the mapping says this: a key path for LoadedMapping.locate. */
  origin: (string | number)[];
  /** Salesforce lookups: the object the lookup must point at. */
  referenceTo?: string;
}

/** Text that may run long: the grid's sections and the qualification summary. */
const LONG_SOURCES = new Set<SourcePath>([
  ...GRID_SECTION_SOURCES,
  'grid.context.notes',
  'account.qualificationSummary',
]);

const SOURCE_SHAPES: Partial<Record<SourcePath, ValueShape>> = {
  'grid.version': 'number',
  'grid.capturedAt': 'datetime',
  'grid.complete': 'boolean',
  'account.intentScore': 'number',
  'account.qualified': 'boolean',
  'account.lastSignalAt': 'datetime',
  'account.activeDays': 'number',
  'account.activeUsers': 'number',
  'account.signalCount': 'number',
};

/** Sources with a closed set of values: written to a picklist as they are, unless a `map:` translates them. */
const SOURCE_VALUES: Partial<Record<SourcePath, string[]>> = {
  'grid.complete': ['true', 'false'],
  'account.qualified': ['true', 'false'],
  'account.intentLevel': ['high', 'medium', 'low'],
};

function sourceShape(path: SourcePath): ValueShape {
  if (LONG_SOURCES.has(path)) return 'longText';
  return SOURCE_SHAPES[path] ?? 'text';
}

/** The shape of a field mapping's values and, for closed sets, the values themselves. */
export function mappingShape(mapping: FieldMapping): { shape: ValueShape; values?: string[] } {
  if ('const' in mapping) {
    if (typeof mapping.const === 'number') return { shape: 'number' };
    if (typeof mapping.const === 'boolean') return { shape: 'boolean', values: [String(mapping.const)] };
    // A constant marks records: text, unless the field is a picklist, which must then hold the value.
    return { shape: 'text', values: [mapping.const] };
  }
  if ('template' in mapping) {
    const long =
      mapping.template.includes('\n') ||
      placeholdersOf(mapping.template).some((p) => LONG_SOURCES.has(p as SourcePath));
    return { shape: long ? 'longText' : 'text' };
  }
  if (mapping.map !== undefined) {
    const values = [
      ...Object.values(mapping.map),
      ...(mapping.default === undefined ? [] : [mapping.default]),
    ];
    return { shape: 'option', values: [...new Set(values)] };
  }
  const known = SOURCE_VALUES[mapping.from];
  const shape = sourceShape(mapping.from);
  if (known !== undefined) {
    const values = [...known, ...(mapping.default === undefined ? [] : [mapping.default])];
    // A boolean stays a boolean (a checkbox takes it); its values matter only for a picklist.
    return { shape: shape === 'boolean' ? 'boolean' : 'option', values: [...new Set(values)] };
  }
  return { shape };
}

/** Sources the intake already bounds (src/domain/sales-grid.ts): their values are never longer than this. */
const SOURCE_MAX_LENGTH: Partial<Record<SourcePath, number>> = {
  'grid.gridId': 200,
  'grid.submittedBy': 320,
  'grid.account.name': 255,
  'grid.contact.name': 255,
  'grid.context.event': 255,
  'account.intentLevel': 6,
};

/** The longest value the mapping lets through: its maxLength, else what the source allows, else unbounded. */
function maxLengthOf(mapping: FieldMapping): number | undefined {
  if ('maxLength' in mapping && mapping.maxLength !== undefined) return mapping.maxLength;
  return 'from' in mapping && mapping.map === undefined ? SOURCE_MAX_LENGTH[mapping.from] : undefined;
}

const ROLES_WITH_FIELDS = ['deal', 'company', 'contact'] as const;

export function mappingRequirements(mapping: TenantMapping): FieldRequirement[] {
  const needs: FieldRequirement[] = [];
  const writes = (role: ObjectRole, fields: Record<string, FieldMapping>, prefix: (string | number)[]) => {
    for (const [field, fieldMapping] of Object.entries(fields)) {
      const { shape, values } = mappingShape(fieldMapping);
      const maxLength = maxLengthOf(fieldMapping);
      needs.push({
        role,
        field,
        purpose: 'write',
        shape,
        origin: [...prefix, field],
        ...(values === undefined ? {} : { values }),
        ...(maxLength === undefined ? {} : { maxLength }),
      });
    }
  };

  needs.push({
    role: 'grid',
    field: mapping.grid.externalIdField,
    purpose: 'key',
    shape: 'text',
    origin: ['grid', 'externalIdField'],
  });
  writes('grid', mapping.grid.fields, ['grid', 'fields']);
  if (mapping.crm.type === 'salesforce') {
    const targets = { deal: 'Opportunity', company: 'Account', contact: 'Contact' } as const;
    for (const role of ROLES_WITH_FIELDS) {
      const lookup = mapping.grid.associate[role]?.lookupField;
      if (lookup === undefined) continue;
      needs.push({
        role: 'grid',
        field: lookup,
        purpose: 'lookup',
        shape: 'text',
        referenceTo: targets[role],
        origin: ['grid', 'associate', role, 'lookupField'],
      });
    }
  }
  for (const role of ROLES_WITH_FIELDS) writes(role, mapping[role].fields, [role, 'fields']);

  needs.push({
    role: 'company',
    field: mapping.identity.company.field,
    purpose: 'identity',
    shape: 'text',
    origin: ['identity', 'company', 'field'],
  });
  needs.push({
    role: 'contact',
    field: mapping.identity.contact.field,
    purpose: 'identity',
    shape: 'text',
    origin: ['identity', 'contact', 'field'],
  });
  for (const [name, criterion] of Object.entries(mapping.qualification.icp?.criteria ?? {})) {
    criterion.from.forEach((source, index) => {
      if (!('crmField' in source)) return;
      needs.push({
        role: 'company',
        field: source.crmField,
        purpose: 'icp',
        shape: 'text',
        origin: ['qualification', 'icp', 'criteria', name, 'from', index, 'crmField'],
      });
    });
  }
  return needs;
}
