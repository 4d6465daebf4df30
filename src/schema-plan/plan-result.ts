/**
 * A plan's outcome for one mapping file: its findings, grouped the way people read them (by object), and
 * the verdict the exit code follows. `toJson` is the stable `mapping plan --json` shape.
 */
import type { LoadedMapping } from '../mapping/loaded-mapping.ts';
import type { CrmSchemaSnapshot } from './crm-schema.ts';
import { compareSchema } from './compare-schema.ts';
import { blocking, type Finding } from './findings.ts';

export interface PlanResult {
  tenant: string;
  file: string;
  crm: 'hubspot' | 'salesforce';
  /** True when the CRM can take the mapping: no error-level finding. */
  ok: boolean;
  findings: Finding[];
  checkedAt: string;
}

export function planMapping(loaded: LoadedMapping, schema: CrmSchemaSnapshot): PlanResult {
  const findings = compareSchema({ mapping: loaded.mapping, schema, locate: (path) => loaded.locate(path) });
  return {
    tenant: loaded.mapping.tenant,
    file: loaded.file,
    crm: schema.crm,
    ok: blocking(findings).length === 0,
    findings,
    checkedAt: schema.readAt,
  };
}

/** Findings by the object they concern, objects in the order they first appear. */
export function groupByObject(findings: readonly Finding[]): Map<string, Finding[]> {
  const groups = new Map<string, Finding[]>();
  for (const finding of findings) {
    groups.set(finding.object, [...(groups.get(finding.object) ?? []), finding]);
  }
  return groups;
}

export function formatLocationOf(finding: Finding): string {
  const loc = finding.location;
  return loc === undefined ? '(mapping)' : `${loc.file}:${loc.line}:${loc.column}`;
}

/** The readable diff: per object, `-` for what is missing, `~` for what differs, each with its line and fix. */
export function formatPlan(result: PlanResult): string {
  const lines: string[] = [];
  const errors = result.findings.filter((f) => f.severity === 'error').length;
  const warnings = result.findings.length - errors;
  lines.push(`${result.file}  (tenant ${result.tenant}, ${result.crm})`);
  if (result.findings.length === 0) {
    lines.push('  the CRM can take this mapping: nothing to change');
    return `${lines.join('\n')}\n`;
  }
  for (const [object, findings] of groupByObject(result.findings)) {
    lines.push('', `  ${object}`);
    for (const finding of findings) {
      const mark =
        finding.code === 'object_missing' ||
        finding.code === 'field_missing' ||
        finding.code === 'association_missing'
          ? '+'
          : '~';
      const level = finding.severity === 'error' ? 'error' : 'warning';
      lines.push(`    ${mark} ${formatLocationOf(finding)}  ${level} ${finding.code}: ${finding.message}`);
      lines.push(`        fix: ${finding.fix}`);
    }
  }
  lines.push(
    '',
    `  ${errors} error${errors === 1 ? '' : 's'}, ${warnings} warning${warnings === 1 ? '' : 's'}: ${result.ok ? 'the CRM can take this mapping' : 'syncs would fail'}`,
  );
  return `${lines.join('\n')}\n`;
}

export function toJson(result: PlanResult) {
  return {
    tenant: result.tenant,
    file: result.file,
    crm: result.crm,
    ok: result.ok,
    checkedAt: result.checkedAt,
    findings: result.findings.map((f) => ({
      code: f.code,
      severity: f.severity,
      object: f.object,
      role: f.role,
      field: f.field ?? null,
      message: f.message,
      fix: f.fix,
      action: f.action,
      location: f.location ?? null,
      path: f.path,
      ...(f.missingOptions ? { missingOptions: f.missingOptions } : {}),
    })),
  };
}
