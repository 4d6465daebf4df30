/**
 * Sends a batch of grid plans to the CRM: grid records (one batch upsert per 100), links, then deal, company and
 * contact fields. Only values that differ from the last write are sent, and what succeeded is remembered, so a
 * retry after a failure redoes only what did not go through.
 */
import type { CrmClient, RecordOutcome } from '../crm/crm-client.ts';
import type { CrmError } from '../crm/crm-errors.ts';
import type { LoadedMapping } from '../mapping/loaded-mapping.ts';
import { toProperties } from '../mapping/plan-fields.ts';
import type { WrittenFieldsLedger } from '../store/store.ts';
import { keepChanged, type RecordPlan, rememberWritten } from './changed-fields.ts';
import { describeCrmError } from './describe-crm-error.ts';
import type { GridSyncPlan } from './plan-grid-sync.ts';
import type { TargetSync } from '../domain/sync-state.ts';

type Role = 'deal' | 'company' | 'contact';
export type TargetsOfGrid = Partial<Record<'gridRecord' | 'associations' | Role, TargetSync>>;
export type GridTargets = Map<string, TargetsOfGrid>;

export interface WriteContext {
  tenant: string;
  crm: CrmClient;
  ledger: WrittenFieldsLedger;
  loaded: LoadedMapping;
  now: Date;
  /** Grid record ids already known from earlier syncs (needed to link an unchanged record). */
  knownRecordIds: Map<string, string>;
}

export async function writeGridPlans(ctx: WriteContext, plans: GridSyncPlan[]): Promise<GridTargets> {
  const at = ctx.now.toISOString();
  const targets: GridTargets = new Map(plans.map((p) => [p.gridId, {}]));
  const target = (gridId: string): TargetsOfGrid => targets.get(gridId) ?? {};
  const synced = (crmId?: string): TargetSync => ({
    state: 'synced',
    ...(crmId === undefined ? {} : { crmId }),
    updatedAt: at,
  });
  const failed = (error: CrmError, fields: RecordPlan<unknown>['fields']): TargetSync => ({
    state: 'failed',
    error: describeCrmError(error, ctx.loaded, fields),
    ...(error.retryable ? {} : { permanent: true }),
    updatedAt: at,
  });

  // 1. Grid records. A record never written before (no known id) is sent whole.
  const gridPlans = plans.map((p) => ({ recordKey: p.gridId, fields: p.gridRecord.fields, target: p }));
  const changed = await keepChanged(
    ctx.ledger,
    ctx.tenant,
    'grid',
    gridPlans.filter((p) => ctx.knownRecordIds.has(p.recordKey)),
  );
  const toUpsert = [...changed, ...gridPlans.filter((p) => !ctx.knownRecordIds.has(p.recordKey))];
  const recordIds = new Map(ctx.knownRecordIds);
  if (toUpsert.length > 0) {
    const outcomes = await ctx.crm.upsertGridRecords(
      toUpsert.map((p) => ({ externalId: p.recordKey, properties: toProperties(p.fields) })),
    );
    const written: { recordKey: string; fields: RecordPlan<unknown>['fields'] }[] = [];
    outcomes.forEach((outcome, i) => {
      const plan = toUpsert[i];
      if (!plan) return;
      if (outcome.ok) {
        recordIds.set(plan.recordKey, outcome.id);
        written.push(plan);
        target(plan.recordKey).gridRecord = synced(outcome.id);
      } else {
        recordIds.delete(plan.recordKey);
        target(plan.recordKey).gridRecord = failed(outcome.error, plan.fields);
      }
    });
    await rememberWritten(ctx.ledger, ctx.tenant, 'grid', written);
  }
  for (const plan of plans) target(plan.gridId).gridRecord ??= synced(recordIds.get(plan.gridId));

  // 2. Links from each grid record to its deal, company and contact.
  const linkPlans = plans
    .filter((p) => p.links.length > 0 && recordIds.has(p.gridId))
    .map((p) => ({ recordKey: p.gridId, fields: p.links, target: p }));
  const linksChanged = await keepChanged(ctx.ledger, ctx.tenant, 'grid.links', linkPlans);
  if (linksChanged.length > 0) {
    const outcomes = await ctx.crm.linkGridRecords(
      linksChanged.map((p) => ({
        gridRecordId: recordIds.get(p.recordKey) ?? '',
        ...Object.fromEntries(p.target.links.map((l) => [l.field, l.value])),
      })),
    );
    const written = collect(outcomes, linksChanged, (plan, outcome) => {
      target(plan.recordKey).associations = outcome.ok ? synced() : failed(outcome.error, plan.fields);
    });
    await rememberWritten(ctx.ledger, ctx.tenant, 'grid.links', written);
  }
  for (const plan of linkPlans) target(plan.recordKey).associations ??= synced();

  // 3. Deal, company and contact fields. Several grids may share a record: the latest plan wins per field.
  for (const role of ['deal', 'company', 'contact'] as const) {
    await writeRole(ctx, role, plans, target, synced, failed);
  }
  return targets;
}

async function writeRole(
  ctx: WriteContext,
  role: Role,
  plans: GridSyncPlan[],
  target: (gridId: string) => TargetsOfGrid,
  synced: (crmId?: string) => TargetSync,
  failed: (error: CrmError, fields: RecordPlan<unknown>['fields']) => TargetSync,
): Promise<void> {
  type Shared = { fields: Map<string, RecordPlan<unknown>['fields'][number]>; gridIds: string[] };
  const byRecord = new Map<string, Shared>();
  for (const plan of plans) {
    const write = plan[role];
    if (!write) continue;
    const entry: Shared = byRecord.get(write.recordKey) ?? { fields: new Map(), gridIds: [] };
    for (const field of write.fields) entry.fields.set(field.field, field);
    entry.gridIds.push(plan.gridId);
    byRecord.set(write.recordKey, entry);
  }
  const recordPlans = [...byRecord].map(([recordKey, e]) => ({
    recordKey,
    fields: [...e.fields.values()],
    target: e.gridIds,
  }));
  const changed = await keepChanged(
    ctx.ledger,
    ctx.tenant,
    role,
    recordPlans.filter((p) => p.fields.length > 0),
  );
  if (changed.length > 0) {
    const outcomes = await ctx.crm.updateRecords(
      role,
      changed.map((p) => ({ id: p.recordKey, properties: toProperties(p.fields) })),
    );
    const written = collect(outcomes, changed, (plan, outcome) => {
      for (const gridId of plan.target) {
        target(gridId)[role] = outcome.ok ? synced(plan.recordKey) : failed(outcome.error, plan.fields);
      }
    });
    await rememberWritten(ctx.ledger, ctx.tenant, role, written);
  }
  for (const plan of recordPlans) {
    for (const gridId of plan.target) target(gridId)[role] ??= synced(plan.recordKey);
  }
}

function collect<T>(
  outcomes: RecordOutcome[],
  plans: RecordPlan<T>[],
  each: (plan: RecordPlan<T>, outcome: RecordOutcome) => void,
): RecordPlan<T>[] {
  const written: RecordPlan<T>[] = [];
  outcomes.forEach((outcome, i) => {
    const plan = plans[i];
    if (!plan) return;
    each(plan, outcome);
    if (outcome.ok) written.push(plan);
  });
  return written;
}
