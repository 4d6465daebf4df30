/**
 * The writes one grid calls for, given what was found in the CRM: its custom-object record, the fields on its
 * deal, company and contact, and the links between them. Pure: no CRM, no store.
 */
import { type FieldProblem, planFields, type PlannedField } from '../mapping/plan-fields.ts';
import type { TenantMapping } from '../mapping/mapping-schema.ts';
import type { SourceContext } from '../mapping/source-values.ts';
import type { GridIdentity } from './resolve-identities.ts';

export interface RecordWrite {
  /** CRM id for deal/company/contact; the grid id for the grid record. */
  recordKey: string;
  fields: PlannedField[];
}

export interface GridSyncPlan {
  gridId: string;
  gridRecord: RecordWrite;
  deal?: RecordWrite;
  company?: RecordWrite;
  contact?: RecordWrite;
  /** Link targets by role, as fields of a pseudo-record so change detection covers links too. */
  links: PlannedField[];
  problems: FieldProblem[];
}

export function planGridSync(
  mapping: TenantMapping,
  ctx: SourceContext & { grid: NonNullable<SourceContext['grid']> },
  identity: GridIdentity,
): GridSyncPlan {
  const crm = mapping.crm.type;
  const problems: FieldProblem[] = [];
  const plan = (role: 'grid' | 'deal' | 'company' | 'contact', recordKey: string): RecordWrite => {
    const fields = role === 'grid' ? mapping.grid.fields : mapping[role].fields;
    const planned = planFields(fields, ctx, { crm, originPrefix: [role, 'fields'] });
    problems.push(...planned.problems);
    return { recordKey, fields: planned.fields };
  };

  const gridId = ctx.grid.grid.gridId;
  const result: GridSyncPlan = { gridId, gridRecord: plan('grid', gridId), links: [], problems };
  if (identity.deal) result.deal = plan('deal', identity.deal.id);
  if (identity.company) result.company = plan('company', identity.company.id);
  if (identity.contact) result.contact = plan('contact', identity.contact.id);
  for (const role of ['deal', 'company', 'contact'] as const) {
    const target = identity[role];
    if (mapping.grid.associate[role] && target) {
      result.links.push({ field: role, value: target.id, origin: ['grid', 'associate', role] });
    }
  }
  return result;
}
