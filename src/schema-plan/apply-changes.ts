/**
 * From a plan to what `mapping apply` changes (pure): the findings whose action is create, add_options or
 * grant_access become changes; the rest (type changes, narrowing, uniqueness of an existing field, things
 * only a person can decide) are reported and left alone. Nothing here deletes or narrows anything.
 */
import type { TenantMapping } from '../mapping/mapping-schema.ts';
import type { ObjectRole } from './crm-schema.ts';
import type { Finding } from './findings.ts';
import { type FieldRequirement, mappingRequirements } from './mapping-requirements.ts';

export type SchemaChange =
  /** The grid object, with every grid field the mapping needs. */
  | {
      kind: 'create_object';
      object: string;
      fields: FieldRequirement[];
      associate: ('deal' | 'company' | 'contact')[];
    }
  | { kind: 'create_field'; role: ObjectRole; object: string; need: FieldRequirement }
  | { kind: 'add_options'; role: ObjectRole; object: string; field: string; options: string[] }
  | { kind: 'create_association'; role: 'deal' | 'company' | 'contact' }
  /** Salesforce: field-level security (and object access) for the integration user. */
  | { kind: 'grant_access'; role: ObjectRole; object: string; field: string };

export interface ChangeSet {
  changes: SchemaChange[];
  /** Findings apply will not act on: a person decides. */
  manual: Finding[];
}

function sameNeed(a: FieldRequirement, finding: Finding): boolean {
  return a.role === finding.role && a.field.toLowerCase() === (finding.field ?? '').toLowerCase();
}

export function planChanges(mapping: TenantMapping, findings: readonly Finding[]): ChangeSet {
  const needs = mappingRequirements(mapping);
  const changes: SchemaChange[] = [];
  const manual: Finding[] = [];
  const objectMissing = findings.some((f) => f.code === 'object_missing');
  if (objectMissing) {
    const fields = needs.filter((n) => n.role === 'grid');
    const unique = new Map(fields.map((f) => [f.field.toLowerCase(), f]));
    const associate = (['deal', 'company', 'contact'] as const).filter(
      (r) => mapping.grid.associate[r] !== undefined,
    );
    changes.push({
      kind: 'create_object',
      object: mapping.grid.object,
      fields: [...unique.values()],
      associate,
    });
  }
  const seen = new Set<string>();
  for (const finding of findings) {
    if (finding.action === 'manual') {
      manual.push(finding);
      continue;
    }
    if (finding.code === 'object_missing') continue;
    // The object is created with its fields and associations in one step.
    if (objectMissing && finding.role === 'grid') continue;
    const key = `${finding.code}:${finding.role}:${finding.field ?? finding.path.join('.')}`;
    if (seen.has(key)) continue;
    seen.add(key);
    switch (finding.action) {
      case 'create': {
        if (finding.code === 'association_missing') {
          const role = finding.path[2] as 'deal' | 'company' | 'contact';
          changes.push({ kind: 'create_association', role });
          break;
        }
        const need = needs.find((n) => sameNeed(n, finding));
        if (need !== undefined) {
          changes.push({ kind: 'create_field', role: finding.role, object: finding.object, need });
        }
        break;
      }
      case 'add_options':
        changes.push({
          kind: 'add_options',
          role: finding.role,
          object: finding.object,
          field: finding.field ?? '',
          options: finding.missingOptions ?? [],
        });
        break;
      case 'grant_access':
        changes.push({
          kind: 'grant_access',
          role: finding.role,
          object: finding.object,
          field: finding.field ?? '',
        });
        break;
    }
  }
  return { changes, manual };
}

export function describeChange(change: SchemaChange): string {
  switch (change.kind) {
    case 'create_object':
      return `create the custom object ${change.object} with ${change.fields.length} field(s)${change.associate.length > 0 ? ` and its associations to ${change.associate.join(', ')}` : ''}`;
    case 'create_field':
      return `create ${change.object}.${change.need.field}`;
    case 'add_options':
      return `add option(s) ${change.options.map((o) => JSON.stringify(o)).join(', ')} to ${change.object}.${change.field}`;
    case 'create_association':
      return `create the association between the grid object and ${change.role}`;
    case 'grant_access':
      return `grant the integration user edit access to ${change.object}.${change.field}`;
  }
}
