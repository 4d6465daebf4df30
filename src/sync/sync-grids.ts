/**
 * The grid sync: a batch of grids of one tenant → identities resolved in the CRM → account re-evaluated →
 * writes planned, de-duplicated against the last write and sent in batches → AE task considered → the
 * state of each grid stored for its status endpoint. Dry-run tenants stop after planning.
 */
import { DEFAULT_SEARCH_SETTLE_MS } from '../ae-task/ensure-ae-task.ts';
import type { CrmClient, FoundRecord } from '../crm/crm-client.ts';
import { CrmError } from '../crm/crm-errors.ts';
import { completenessUnder } from '../domain/grid-completeness.ts';
import type { Logger } from '../lib/logger.ts';
import type { FieldProblem } from '../mapping/plan-fields.ts';
import type { TenantMapping } from '../mapping/mapping-schema.ts';
import type { GridSource } from '../mapping/source-values.ts';
import type { AccountState } from '../domain/account-state.ts';
import type { JobOutcome } from '../store/job.ts';
import type { StoredGrid, SyncStore } from '../store/store.ts';
import { waitForCrm } from './crm-away.ts';
import { considerAeTasks } from './grid-task.ts';
import { memoizeOwnerReads } from './memoized-reads.ts';
import { planDryRun } from './plan-dry-run.ts';
import { planGridSync } from './plan-grid-sync.ts';
import { accountKeyOf, refreshAccount } from './refresh-account.ts';
import type { GridDealState, GridSyncState } from '../domain/sync-state.ts';
import { refusedFields, refusedTargets } from './refused-fields.ts';
import { dealGivenBy, resolveDeals } from './resolve-deals.ts';
import { type GridIdentity, resolveIdentities } from './resolve-identities.ts';
import type { TenantContext } from './tenant-context.ts';
import { type GridTargets, writeGridPlans } from './write-grid-plans.ts';

export interface GridSyncDeps {
  store: SyncStore;
  logger: Logger;
  now: () => Date;
  /** Enqueues grid syncs (the account's other grids, when its qualification changed). */
  resync: (gridIds: string[]) => Promise<void>;
}

export async function syncGrids(
  deps: GridSyncDeps,
  runtime: TenantContext,
  gridIds: string[],
): Promise<Map<string, JobOutcome>> {
  const { store } = deps;
  const now = deps.now();
  const outcomes = new Map<string, JobOutcome>();
  const stored = (await Promise.all(gridIds.map((id) => store.getGrid(runtime.tenant, id)))).filter(
    (g): g is StoredGrid => g !== undefined,
  );
  for (const id of gridIds) outcomes.set(id, { status: 'done' });
  if (stored.length === 0) return outcomes;

  const { mapping } = runtime.loaded;
  const sources = new Map<string, GridSource>(
    stored.map((s) => [
      s.gridId,
      {
        grid: s.grid,
        version: s.version,
        completeness: completenessUnder(s.grid, s.completeness, mapping.completeness),
        statusUrl: runtime.statusUrl(s.gridId),
      },
    ]),
  );
  const previous = new Map(
    await Promise.all(
      stored.map(async (s) => [s.gridId, await store.getGridSyncState(runtime.tenant, s.gridId)] as const),
    ),
  );

  // A grid sync that finds its account's qualification changed re-syncs the account's other grids at once:
  // their tasks depend on it, and the account.refresh that follows would see no change left to act on.
  const batch = new Set(stored.map((s) => s.gridId));
  const evaluate = (key: string) =>
    refreshAccount(runtime, store, key, now, {
      beforeStore: async (previous, state) => {
        if (previous === undefined || previous.verdict.qualified === state.verdict.qualified) return;
        const others = (await store.listGridIdsForAccount(runtime.tenant, key)).filter(
          (id) => !batch.has(id),
        );
        if (others.length > 0) await deps.resync(others);
      },
    });

  if (runtime.crm.mode === 'dry_run') {
    const accounts = new Map<string, AccountState>();
    for (const s of stored) {
      const source = sources.get(s.gridId);
      if (!source) continue;
      // Many grids of one account in a batch: evaluate the account once.
      const key = accountKeyOf(s.grid);
      const account = accounts.get(key) ?? (await evaluate(key)).state;
      accounts.set(key, account);
      await store.putGridSyncState(runtime.tenant, s.gridId, {
        ...planDryRun(runtime, source, account, runtime.crm.reason, now),
        ...judgedAgain(s, source),
      });
    }
    return outcomes;
  }

  const crm = runtime.crm.client;
  try {
    const identities = await resolveIdentities(
      crm,
      mapping,
      stored.map((s) => s.grid),
    );
    const accounts = new Map<string, AccountState>();
    for (const s of stored) {
      const key = accountKeyOf(s.grid);
      const company = identities.get(s.gridId)?.company;
      if (company) runtime.companyFields.set(key, company.fields);
      if (!accounts.has(key)) accounts.set(key, (await evaluate(key)).state);
    }
    // Deals read for the identities (a grid's deal.crmId) and found by the rule come with their owner: the
    // task's owner step needs no second read of them.
    const knownDeals = new Map<string, FoundRecord>();
    const taskCrm = memoizeOwnerReads(crm, knownDeals);
    const deals = await resolveDeals({
      crm: taskCrm,
      mapping,
      grids: stored.map((s) => ({
        source: sources.get(s.gridId) as GridSource,
        identity: identities.get(s.gridId) ?? { unresolved: [] },
        previous: previous.get(s.gridId)?.deal,
      })),
      now,
    });
    for (const identity of identities.values()) {
      if (identity.deal) knownDeals.set(identity.deal.id, identity.deal);
    }
    const plans = stored.map((s) => {
      const grid = sources.get(s.gridId) as GridSource;
      return planGridSync(
        mapping,
        { grid, account: accounts.get(accountKeyOf(s.grid)) },
        identities.get(s.gridId) ?? { unresolved: [] },
      );
    });
    const knownRecordIds = new Map<string, string>();
    for (const [gridId, state] of previous) {
      const id = state?.targets.gridRecord.crmId;
      if (id !== undefined && state?.mode === 'live') knownRecordIds.set(gridId, id);
    }
    // onTooLong: fail refuses a grid's writes whole; its batch-mates go out.
    const refused = new Map(plans.map((p) => [p.gridId, refusedFields(p.problems)]));
    const targets = await writeGridPlans(
      { tenant: runtime.tenant, crm, ledger: store, loaded: runtime.loaded, now, knownRecordIds },
      plans.filter((p) => refused.get(p.gridId)?.length === 0),
    );

    await unlinkMovedDeals(crm, mapping, deals, targets);

    // The task step for the whole batch at once: the tasks go out in the CRM's batch creates.
    const dealOf = (s: StoredGrid, identity: GridIdentity) =>
      deals.get(s.gridId) ?? dealGivenBy(s.grid, identity, now);
    const taskSteps = await considerAeTasks({
      runtime,
      store,
      crm: taskCrm,
      now,
      logger: deps.logger,
      grids: stored
        .filter((s) => refused.get(s.gridId)?.length === 0)
        .map((s) => {
          const identity = identities.get(s.gridId) ?? { unresolved: [] };
          const deal = dealOf(s, identity);
          return {
            source: sources.get(s.gridId) as GridSource,
            account: accounts.get(accountKeyOf(s.grid)),
            identity,
            waitingForDeal: deal?.state === 'waiting' || deal?.state === 'failed' ? deal.reason : undefined,
          };
        }),
    });

    for (const [index, s] of stored.entries()) {
      const plan = plans[index];
      const identity = identities.get(s.gridId) ?? { unresolved: [] };
      const refusals = refused.get(s.gridId) ?? [];
      const source = sources.get(s.gridId) as GridSource;
      if (refusals.length > 0) {
        const state = {
          ...refusedGridState(runtime, s.version, identity, plan?.problems ?? [], refusals, now),
          ...judgedAgain(s, source),
        };
        await store.putGridSyncState(runtime.tenant, s.gridId, state);
        // Refused by the mapping itself: no retry can help until the mapping (or the grid) changes, so it is
        // a dead letter at once, listed with the mapping line and replayed after the fix.
        outcomes.set(s.gridId, {
          status: 'dead',
          error: permanentFailures(state) ?? 'refused by onTooLong: fail',
        });
        continue;
      }
      const gridTargets = targets.get(s.gridId) ?? {};
      const deal = dealOf(s, identity);
      const step = taskSteps.get(s.gridId);
      if (step === undefined) throw new Error(`no task step for grid ${s.gridId}`);
      const { task, retryInMs, failed } = step;
      const state: GridSyncState = {
        crm: mapping.crm.type,
        mode: 'live',
        version: s.version,
        targets: {
          gridRecord: gridTargets.gridRecord ?? { state: 'pending', updatedAt: now.toISOString() },
          ...(gridTargets.deal ? { deal: gridTargets.deal } : {}),
          ...(gridTargets.company ? { company: gridTargets.company } : {}),
          ...(gridTargets.contact ? { contact: gridTargets.contact } : {}),
          ...(gridTargets.associations ? { associations: gridTargets.associations } : {}),
        },
        unresolved: identity.unresolved,
        ...(deal ? { deal } : {}),
        ...(plan && plan.problems.length > 0 ? { warnings: plan.problems.map((p) => p.message) } : {}),
        task,
        ...judgedAgain(s, source),
        updatedAt: now.toISOString(),
      };
      await store.putGridSyncState(runtime.tenant, s.gridId, state);
      const refusedForGood = permanentFailures(state);
      if (refusedForGood !== undefined) {
        // The CRM refused a record for good: retrying cannot help until someone fixes the cause and replays it.
        outcomes.set(s.gridId, { status: 'dead', error: refusedForGood });
      } else if (failed !== undefined) {
        // The CRM refused the task itself: its entry says `creating`, so the retry looks for it first.
        outcomes.set(
          s.gridId,
          failed.retryable
            ? { status: 'retry', error: failed.error, waitMs: DEFAULT_SEARCH_SETTLE_MS }
            : { status: 'dead', error: failed.error },
        );
      } else if (retryInMs !== undefined) {
        // Waiting for the CRM's search to show an interrupted task: a bounded schedule, no attempt counted.
        outcomes.set(s.gridId, { status: 'paused', error: task.reason, waitMs: retryInMs });
      }
    }
    runtime.breaker.succeeded();
    return outcomes;
  } catch (thrown) {
    if (!(thrown instanceof CrmError) || !thrown.retryable) throw thrown;
    // A whole request failed after the adapter's own retries (outage, rate limit, refused credentials): keep
    // what was written, show the error on every grid of the batch, and let the jobs wait for the CRM.
    const waiting = waitForCrm(runtime, thrown, now);
    for (const s of stored) {
      const before = previous.get(s.gridId);
      const state: GridSyncState = before ?? {
        crm: mapping.crm.type,
        mode: 'live',
        version: s.version,
        targets: { gridRecord: { state: 'pending', updatedAt: now.toISOString() } },
        unresolved: [],
        updatedAt: now.toISOString(),
      };
      await store.putGridSyncState(runtime.tenant, s.gridId, {
        ...state,
        retrying: { error: thrown.message, at: now.toISOString() },
      });
      outcomes.set(s.gridId, waiting);
    }
    return outcomes;
  }
}

/**
 * The worker's verdict, recorded on the grid's state when it is not the intake's (other completeness rules:
 * the mapping changed in between), so the status shows the verdict the task step acted on.
 */
function judgedAgain(stored: StoredGrid, source: GridSource): Pick<GridSyncState, 'completeness'> {
  return source.completeness === stored.completeness ? {} : { completeness: source.completeness };
}

/** A grid refused by onTooLong: fail: failed on its status, nothing written, no task until it is replayed or changes. */
function refusedGridState(
  runtime: TenantContext,
  version: number,
  identity: GridIdentity,
  problems: readonly FieldProblem[],
  refusals: readonly FieldProblem[],
  now: Date,
): GridSyncState {
  const at = now.toISOString();
  const present = (['deal', 'company', 'contact'] as const).filter((role) => identity[role] !== undefined);
  const targets = refusedTargets(refusals, runtime.loaded, present, at);
  const truncated = problems.filter((p) => p.kind !== 'too_long_refused');
  return {
    crm: runtime.loaded.mapping.crm.type,
    mode: 'live',
    version,
    targets,
    unresolved: identity.unresolved,
    ...(truncated.length > 0 ? { warnings: truncated.map((p) => p.message) } : {}),
    task: {
      state: 'blocked',
      reason: `The grid's sync failed (onTooLong: fail), so no task is created until the grid changes or the fixed mapping's dead letter is replayed.`,
    },
    updatedAt: at,
  };
}

/**
 * A grid the deal rule moved to another deal leaves the old one: its link is removed once the new one is in
 * place (the old deal keeps the fields gridsync wrote on it, as a record of the conversation).
 */
async function unlinkMovedDeals(
  crm: CrmClient,
  mapping: TenantMapping,
  deals: Map<string, GridDealState>,
  targets: GridTargets,
): Promise<void> {
  if (!mapping.grid.associate.deal) return;
  const links = [...deals].flatMap(([gridId, deal]) => {
    const target = targets.get(gridId);
    const gridRecordId = target?.gridRecord?.crmId;
    const linked = target?.associations?.state === 'synced';
    const from = deal.movedFrom?.crmId;
    return from && deal.crmId && linked && gridRecordId ? [{ gridRecordId, deal: from }] : [];
  });
  if (links.length > 0) await crm.unlinkGridDeals(links);
}

/** The errors of targets the CRM refused for good, one sentence per target; undefined when there are none. */
function permanentFailures(state: GridSyncState): string | undefined {
  const refused = Object.entries(state.targets)
    .filter(([, target]) => target?.state === 'failed' && target.permanent === true)
    .map(([name, target]) => `${name}: ${target?.error ?? 'refused'}`);
  return refused.length === 0 ? undefined : refused.join('; ');
}
