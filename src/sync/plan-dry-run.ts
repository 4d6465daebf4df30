/**
 * Dry-run tenants (no CRM credentials): everything a live sync would send is planned and stored on the grid's
 * status instead, so `npm start` shows the whole path, mapping included, without a CRM account.
 */
import { renderAeTask } from '../ae-task/render-task.ts';
import { taskMarker } from '../ae-task/task-marker.ts';
import type { SalesGrid } from '../domain/sales-grid.ts';
import type { TenantMapping } from '../mapping/mapping-schema.ts';
import { toProperties } from '../mapping/plan-fields.ts';
import type { GridSource } from '../mapping/source-values.ts';
import { newDeal } from './create-deals.ts';
import { whyNoTaskYet } from './grid-task.ts';
import { describeDealScope, describeRule } from './pick-deal.ts';
import { type GridSyncPlan, planGridSync, type RecordRefs } from './plan-grid-sync.ts';
import type { AccountState } from '../domain/account-state.ts';
import type { GridSyncState, GridTaskState, TargetSync } from '../domain/sync-state.ts';
import { refusedFields, refusedTargets } from './refused-fields.ts';
import { companyNameOf } from './resolve-deals.ts';
import type { TenantContext } from './tenant-context.ts';

export interface PlannedWrite {
  op: 'upsert' | 'update' | 'link' | 'create';
  object: string;
  /** How the record would be found: external id, CRM id, the identity field and value, or the deal rule. */
  match: string;
  properties?: Record<string, string>;
  /** Live sends it only if the CRM holds (or lacks) what a dry-run cannot look up: the deal rule's deals. */
  when?: string;
}

/** Stands for the id of the grid's company, which a dry-run cannot look up (in the key of a deal it would open). */
const COMPANY_ID = '{company id}';

export function planDryRun(
  runtime: TenantContext,
  source: GridSource,
  account: AccountState,
  reason: string,
  now: Date,
): GridSyncState {
  const { mapping } = runtime.loaded;
  const crm = mapping.crm.type;
  const records = dryRunRecords(mapping, source.grid);
  // The very plan a live sync makes, with each record named by how it would be found.
  const plan = planGridSync(mapping, { grid: source, account }, records);
  const refused = refusedFields(plan.problems);
  const warnings = plan.problems.filter((p) => p.kind !== 'too_long_refused').map((p) => p.message);
  const present = (['deal', 'company', 'contact'] as const).filter((role) => records[role] !== undefined);

  const at = now.toISOString();
  if (refused.length > 0) {
    // As a live sync would: the grid is refused whole, so nothing is planned for it.
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
    targets: { gridRecord: dry(), ...Object.fromEntries(present.map((role) => [role, dry()])) },
    unresolved: [`dry-run: ${reason}; records are not looked up in the CRM`],
    plannedWrites: plannedWrites(mapping, source, plan, now),
    ...(warnings.length > 0 ? { warnings } : {}),
    task: plannedTask(runtime, source, account, now),
    updatedAt: at,
  };
}

/**
 * The records a live sync would find, named by how it would find them. The company is taken as found (its
 * writes are shown); a grid without deal.crmId then goes by the mapping's deal rule, as live would.
 */
function dryRunRecords(mapping: TenantMapping, grid: SalesGrid): RecordRefs {
  const company =
    grid.account.crmId !== undefined
      ? `id ${grid.account.crmId}`
      : `${mapping.identity.company.field} = ${grid.account.domain ?? ''}`;
  const deal = grid.deal
    ? `id ${grid.deal.crmId}`
    : `deal.find: ${describeRule(mapping.deal.find, companyNameOf(grid))}${mapping.deal.whenNone === 'create' ? ', else the deal created for it' : ''}`;
  return {
    deal: { id: deal },
    company: { id: company },
    ...(grid.contact ? { contact: { id: `${mapping.identity.contact.field} = ${grid.contact.email}` } } : {}),
  };
}

/** The plan as the status shows it: the grid record, then per record its fields and its link. */
function plannedWrites(
  mapping: TenantMapping,
  source: GridSource,
  plan: GridSyncPlan,
  now: Date,
): PlannedWrite[] {
  const { grid } = source;
  const byRule = grid.deal === undefined;
  const scope = describeDealScope(mapping.deal.find, companyNameOf(grid));
  const dealWhen =
    byRule && mapping.deal.whenNone === 'wait'
      ? {
          when: `one of the ${scope} exists; until then the grid waits for it (deal.whenNone: wait), and so does its task`,
        }
      : {};
  const writes: PlannedWrite[] = [
    {
      op: 'upsert',
      object: mapping.grid.object,
      match: `${mapping.grid.externalIdField} = ${grid.gridId}`,
      properties: toProperties(plan.gridRecord.fields),
    },
  ];
  if (byRule && mapping.deal.whenNone === 'create') writes.push(dealCreation(mapping, source, now, scope));
  for (const role of ['deal', 'company', 'contact'] as const) {
    const when = role === 'deal' ? dealWhen : {};
    const write = plan[role];
    if (write && write.fields.length > 0) {
      writes.push({
        op: 'update',
        object: role,
        match: write.recordKey,
        properties: toProperties(write.fields),
        ...when,
      });
    }
    const link = plan.links.find((l) => l.field === role);
    if (link) {
      writes.push({ op: 'link', object: `${mapping.grid.object} → ${role}`, match: link.value, ...when });
    }
  }
  return writes;
}

/** deal.whenNone: create: the deal live opens when none counts, built by the same code (create-deals.ts). */
function dealCreation(mapping: TenantMapping, source: GridSource, now: Date, scope: string): PlannedWrite {
  const rule = mapping.deal.create;
  if (!rule) throw new Error('deal.whenNone: create without deal.create passed validation');
  const contact = source.grid.contact;
  const identity = {
    unresolved: [],
    ...(contact
      ? { contact: { id: `${mapping.identity.contact.field} = ${contact.email}`, fields: {} } }
      : {}),
  };
  const deal = newDeal(rule, { source, identity }, COMPANY_ID, undefined, now);
  return {
    op: 'create',
    object: 'deal',
    match: `${rule.keyField} = ${deal.key}`,
    properties: {
      name: deal.name,
      ...(deal.pipeline === undefined ? {} : { pipeline: deal.pipeline }),
      stage: deal.stage,
      ...(deal.recordType === undefined ? {} : { recordType: deal.recordType }),
      closeDate: deal.closeDate,
      [rule.keyField]: deal.key,
    },
    when: `none of the ${scope} exists, and gridsync has not opened one for the company before (deal.whenNone: create)`,
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
