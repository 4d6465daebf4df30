/**
 * One difference between a mapping and its CRM's schema, worded for the person who fixes it. The codes and
 * members are the stable `--json` contract of `gridsync mapping plan` (docs/setup-tenant.md lists them).
 */
import type { ObjectRole } from './crm-schema.ts';

export const FINDING_CODES = [
  'object_missing',
  'field_missing',
  'external_id_not_unique',
  'type_mismatch',
  'too_short',
  'single_line_text',
  'option_missing',
  'not_writable',
  'lookup_wrong_target',
  'association_missing',
  'not_filterable',
] as const;
export type FindingCode = (typeof FINDING_CODES)[number];

/**
 * What `mapping apply` does about it: `create` (an object, a field, an association), `add_options` (to an
 * enumeration), `grant_access` (Salesforce field-level security), or `manual` (a type change, a narrowing:
 * reported, never applied).
 */
export type ApplyAction = 'create' | 'add_options' | 'grant_access' | 'manual';

export interface Finding {
  code: FindingCode;
  /** error: syncs would fail; warning: they work, but not as RevOps expects. */
  severity: 'error' | 'warning';
  role: ObjectRole;
  /** The CRM object's name as the mapping writes it. */
  object: string;
  /** Absent for object-level findings. */
  field?: string;
  message: string;
  fix: string;
  action: ApplyAction;
  /** Key path in the mapping file, and where that is written (when known). */
  path: (string | number)[];
  location?: { file: string; line: number; column: number };
  /** The option values missing from an enumeration (option_missing). */
  missingOptions?: string[];
}

export function blocking(findings: readonly Finding[]): Finding[] {
  return findings.filter((f) => f.severity === 'error');
}
