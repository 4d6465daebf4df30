/**
 * The one write plan: given a mapping, a grid and/or its account, and the records they go to, the writes a sync
 * sends (a grid's custom-object record, the fields on its deal, company and contact, and the links between
 * them). Live grid syncs, account refreshes (company fields) and dry-runs all plan here, so a dry-run shows what
 * live would send. Pure: no CRM, no store.
 */
import { type FieldProblem, planFields, type PlannedField } from '../mapping/plan-fields.ts';
import type { TenantMapping } from '../mapping/mapping-schema.ts';
import type { SourceContext } from '../mapping/source-values.ts';
import type { GridIdentity } from './resolve-identities.ts';

export type RecordRole = 'deal' | 'company' | 'contact';

/**
 * The records of each role the writes go to: CRM ids in a live sync (a GridIdentity fits), how each record
 * would be found in a dry-run. A role without a record gets no writes and no link.
 */
export type RecordRefs = Partial<Record<RecordRole, { id: string }>>;
type Records = GridIdentity | RecordRefs;

export interface RecordWrite {
  /** CRM id (or, in a dry-run, how the record would be found) for deal/company/contact; the grid id for the grid record. */
  recordKey: string;
  fields: PlannedField[];
}

export interface WritePlan {
  deal?: RecordWrite;
  company?: RecordWrite;
  contact?: RecordWrite;
  /** Link targets by role, as fields of a pseudo-record so change detection covers links too. */
  links: PlannedField[];
  problems: FieldProblem[];
}

export interface GridSyncPlan extends WritePlan {
  gridId: string;
  gridRecord: RecordWrite;
}

type GridContext = SourceContext & { grid: NonNullable<SourceContext['grid']> };

/** A grid's writes: its record, then what planWrites plans for the records it goes to. */
export function planGridSync(mapping: TenantMapping, ctx: GridContext, refs: Records): GridSyncPlan {
  const gridId = ctx.grid.grid.gridId;
  const gridRecord = planRecord(mapping, 'grid', ctx, gridId);
  const writes = planWrites(mapping, ctx, refs);
  return {
    gridId,
    gridRecord: gridRecord.write,
    ...writes,
    problems: [...gridRecord.problems, ...writes.problems],
  };
}

/** The fields on each record found, and, when there is a grid, its links to them. */
export function planWrites(mapping: TenantMapping, ctx: SourceContext, refs: Records): WritePlan {
  const plan: WritePlan = { links: [], problems: [] };
  for (const role of ['deal', 'company', 'contact'] as const) {
    const target = refs[role];
    if (!target) continue;
    const record = planRecord(mapping, role, ctx, target.id);
    plan[role] = record.write;
    plan.problems.push(...record.problems);
  }
  for (const role of ['deal', 'company', 'contact'] as const) {
    const target = refs[role];
    if (ctx.grid && mapping.grid.associate[role] && target) {
      plan.links.push({ field: role, value: target.id, origin: ['grid', 'associate', role] });
    }
  }
  return plan;
}

function planRecord(
  mapping: TenantMapping,
  role: 'grid' | RecordRole,
  ctx: SourceContext,
  recordKey: string,
): { write: RecordWrite; problems: FieldProblem[] } {
  const fields = role === 'grid' ? mapping.grid.fields : mapping[role].fields;
  const planned = planFields(fields, ctx, { crm: mapping.crm.type, originPrefix: [role, 'fields'] });
  return { write: { recordKey, fields: planned.fields }, problems: planned.problems };
}
