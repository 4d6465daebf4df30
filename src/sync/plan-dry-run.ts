/**
 * Dry-run tenants (no CRM credentials): everything a live sync would send is planned and stored on the grid's
 * status instead, so `npm start` shows the whole path, mapping included, without a CRM account.
 */
import { renderAeTask } from '../ae-task/render-task.ts';
import { taskMarker } from '../ae-task/task-marker.ts';
import { type FieldProblem, planFields, toProperties } from '../mapping/plan-fields.ts';
import type { GridSource } from '../mapping/source-values.ts';
import { whyNoTaskYet } from './grid-task.ts';
import type { AccountState } from '../domain/account-state.ts';
import type { GridSyncState, GridTaskState, TargetSync } from '../domain/sync-state.ts';
import { refusedFields, refusedTargets } from './refused-fields.ts';
import type { TenantContext } from './tenant-context.ts';

export interface PlannedWrite {
  op: 'upsert' | 'update' | 'link';
  object: string;
  /** How the record would be found: external id, CRM id, or the identity field and value. */
  match: string;
  properties?: Record<string, string>;
}

export function planDryRun(
  runtime: TenantContext,
  source: GridSource,
  account: AccountState,
  reason: string,
  now: Date,
): GridSyncState {
  const { mapping } = runtime.loaded;
  const crm = mapping.crm.type;
  const ctx = { grid: source, account };
  const { grid } = source;
  const warnings: string[] = [];
  const refused: FieldProblem[] = [];
  const fieldsOf = (role: 'grid' | 'deal' | 'company' | 'contact'): Record<string, string> => {
    const planned = planFields(role === 'grid' ? mapping.grid.fields : mapping[role].fields, ctx, {
      crm,
      originPrefix: [role, 'fields'],
    });
    refused.push(...refusedFields(planned.problems));
    warnings.push(...planned.problems.filter((p) => p.kind !== 'too_long_refused').map((p) => p.message));
    return toProperties(planned.fields);
  };

  const writes: PlannedWrite[] = [
    {
      op: 'upsert',
      object: mapping.grid.object,
      match: `${mapping.grid.externalIdField} = ${grid.gridId}`,
      properties: fieldsOf('grid'),
    },
  ];
  const dealMatch = grid.deal ? `id ${grid.deal.crmId}` : undefined;
  const companyMatch =
    grid.account.crmId !== undefined
      ? `id ${grid.account.crmId}`
      : `${mapping.identity.company.field} = ${grid.account.domain ?? ''}`;
  const contactMatch = grid.contact ? `${mapping.identity.contact.field} = ${grid.contact.email}` : undefined;
  const matches = { deal: dealMatch, company: companyMatch, contact: contactMatch };
  for (const role of ['deal', 'company', 'contact'] as const) {
    const match = matches[role];
    if (match !== undefined && Object.keys(mapping[role].fields).length > 0) {
      writes.push({ op: 'update', object: role, match, properties: fieldsOf(role) });
    }
    if (match !== undefined && mapping.grid.associate[role]) {
      writes.push({ op: 'link', object: `${mapping.grid.object} → ${role}`, match });
    }
  }

  const at = now.toISOString();
  if (refused.length > 0) {
    // As a live sync would: the grid is refused whole, so nothing is planned for it.
    const present = (['deal', 'company', 'contact'] as const).filter((role) => matches[role] !== undefined);
    return {
      crm,
      mode: 'dry_run',
      version: source.version,
      targets: refusedTargets(refused, runtime.loaded, present, at),
      unresolved: [`dry-run: ${reason}; records are not looked up in the CRM`],
      plannedWrites: [],
      ...(warnings.length > 0 ? { warnings } : {}),
      task: {
        state: 'blocked',
        reason: "The grid's sync failed (onTooLong: fail): no task would be created.",
      },
      updatedAt: at,
    };
  }
  const dry = (): TargetSync => ({ state: 'dry_run', updatedAt: at });
  return {
    crm,
    mode: 'dry_run',
    version: source.version,
    targets: {
      gridRecord: dry(),
      ...(dealMatch ? { deal: dry() } : {}),
      company: dry(),
      ...(contactMatch ? { contact: dry() } : {}),
    },
    unresolved: [`dry-run: ${reason}; records are not looked up in the CRM`],
    plannedWrites: writes,
    ...(warnings.length > 0 ? { warnings } : {}),
    task: plannedTask(runtime, source, account, now),
    updatedAt: at,
  };
}

function plannedTask(
  runtime: TenantContext,
  source: GridSource,
  account: AccountState,
  now: Date,
): GridTaskState {
  const notYet = whyNoTaskYet(source, account);
  if (notYet !== undefined) return { state: 'not_eligible', reason: notYet };
  const rendered = renderAeTask({
    template: runtime.loaded.mapping.task,
    context: { grid: source, account },
    marker: taskMarker(runtime.tenant, source.grid.gridId),
    now,
  });
  return {
    state: 'planned',
    reason: `dry-run: this task would be created for the ${runtime.loaded.mapping.task.owner.chain.join(', then ').replaceAll('_', ' ')}.`,
    preview: {
      subject: rendered.subject,
      body: rendered.body,
      dueAt: rendered.dueAt.toISOString(),
      priority: rendered.priority,
    },
  };
}
