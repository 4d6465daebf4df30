/**
 * The scheduled run's look at the deals: for the grids whose deal the mapping's rule finds, the rule is asked
 * again, for all their companies at once (one findCompanyDeals). A pass takes at most DEAL_WATCH_BATCH of them,
 * those looked at least recently first (store: listGridIdsFindingDeal, an index of the watched grids), so its
 * cost stays flat however many grids are stored; a grid synced since the last look is due at once. A grid is synced again only when the
 * answer differs from the deal it is on: a deal appeared for a waiting grid, the grid's deal closed, or a
 * newer deal wins. Everything else about those grids is left alone, so a quiet tenant costs a few reads.
 */
import { CrmError } from '../crm/crm-errors.ts';
import type { SyncStore } from '../store/store.ts';
import { companyNameOf } from './resolve-deals.ts';
import { describeDealScope, pickDeal } from './pick-deal.ts';
import type { GridSyncState } from '../domain/sync-state.ts';
import type { TenantContext } from './tenant-context.ts';

/** Grids one pass looks at, at most: a few findCompanyDeals calls, however many grids are watched. */
export const DEAL_WATCH_BATCH = 500;

export async function gridsWhoseDealChanged(
  store: Pick<SyncStore, 'listGridIdsFindingDeal' | 'deferDealWatch' | 'getGridSyncState' | 'getGrid'>,
  runtime: TenantContext,
  now: Date,
): Promise<string[]> {
  if (runtime.crm.mode !== 'live') return [];
  const { tenant } = runtime;
  const { mapping } = runtime.loaded;
  const rule = mapping.deal.find;

  const watched: { gridId: string; companyId: string; state: GridSyncState; label: string; name: string }[] =
    [];
  const due = await store.listGridIdsFindingDeal(tenant, now, DEAL_WATCH_BATCH);
  for (const gridId of due) {
    const state = await store.getGridSyncState(tenant, gridId);
    const companyId = state?.deal?.companyId;
    // Grids never synced live have their grid.sync still to come: it resolves the deal.
    if (!state || state.mode !== 'live' || companyId === undefined) continue;
    const grid = (await store.getGrid(tenant, gridId))?.grid;
    if (!grid) continue;
    watched.push({
      gridId,
      companyId,
      state,
      label: grid.contact?.name ?? grid.contact?.email ?? '',
      name: companyNameOf(grid),
    });
  }
  // Looked at in this pass: due again at the next one, after the grids waiting longer (least recently first).
  const looked = async (): Promise<void> => store.deferDealWatch(tenant, due, new Date(now.getTime() + 1));
  if (watched.length === 0) {
    await looked();
    return [];
  }

  const contactIds = watched.flatMap((w) =>
    w.state.targets.contact?.crmId === undefined ? [] : [w.state.targets.contact.crmId],
  );
  let candidates;
  try {
    candidates = await runtime.crm.client.findCompanyDeals({
      companyIds: [...new Set(watched.map((w) => w.companyId))],
      stages: rule.stages,
      ...(rule.pipelines ? { pipelines: rule.pipelines } : {}),
      ...(rule.recordTypes ? { recordTypes: rule.recordTypes } : {}),
      ...(rule.pick === 'associated_with_contact' ? { contactIds: [...new Set(contactIds)] } : {}),
    });
    runtime.breaker.succeeded();
    await looked();
  } catch (thrown) {
    if (!(thrown instanceof CrmError) || !thrown.retryable) throw thrown;
    // The next scheduled run looks again; the rest of this one (signals, tasks) goes on.
    runtime.breaker.failed(now.getTime(), thrown.message, thrown.waitMs);
    return [];
  }

  return watched.flatMap(({ gridId, companyId, state, label, name }) => {
    const contactId = state.targets.contact?.crmId;
    const picked = pickDeal(
      candidates.get(companyId) ?? [],
      rule,
      describeDealScope(rule, name),
      contactId === undefined ? undefined : { id: contactId, label },
    );
    const deal = state.deal;
    if (picked === undefined) {
      // The grid's deal no longer counts (closed, say): its sync finds what now holds, waiting, or, for a deal
      // gridsync opened, whether it is still open. A waiting grid stays waiting; a refused create is retried.
      return deal?.state === 'waiting' ? [] : [gridId];
    }
    return picked.deal.id === deal?.crmId ? [] : [gridId];
  });
}
