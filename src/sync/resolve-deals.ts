/**
 * The deal of each grid of a batch that names no deal.crmId, found the way the tenant's deal rule says:
 * the deals of all the batch's companies are read at once (findCompanyDeals), the rule picks one per grid,
 * and with `whenNone: create` the companies left without one get a deal (create-deals.ts). A grid whose
 * company has no deal that counts waits (`whenNone: wait`); the scheduled run looks again (deal-watch.ts).
 */
import type { CrmClient, DealCandidate } from '../crm/crm-client.ts';
import type { SalesGrid } from '../domain/sales-grid.ts';
import type { TenantMapping } from '../mapping/mapping-schema.ts';
import type { GridSource } from '../mapping/source-values.ts';
import { createMissingDeals } from './create-deals.ts';
import { describeDealScope, describeWaiting, pickDeal } from './pick-deal.ts';
import type { GridIdentity } from './resolve-identities.ts';
import type { GridDealState } from '../domain/sync-state.ts';

export interface DealRuleInput {
  crm: CrmClient;
  mapping: TenantMapping;
  /** Grids of the batch with their identities; only those with a company and without deal.crmId are looked at. */
  grids: { source: GridSource; identity: GridIdentity; previous: GridDealState | undefined }[];
  now: Date;
}

/** Grids that go by the rule: no deal.crmId, and their company was found. */
export function goesByDealRule(grid: SalesGrid, identity: GridIdentity): boolean {
  return grid.deal === undefined && identity.company !== undefined;
}

export function companyNameOf(grid: SalesGrid): string {
  return grid.account.name ?? grid.account.domain ?? grid.account.crmId ?? 'the company';
}

export function contactOf(
  grid: SalesGrid,
  identity: GridIdentity,
): { id: string; label: string } | undefined {
  if (!identity.contact || !grid.contact) return undefined;
  return { id: identity.contact.id, label: grid.contact.name ?? grid.contact.email };
}

/**
 * Sets identity.deal on every grid whose deal was found or created, and returns each looked-at grid's deal
 * state for its status. CRM request failures are thrown (the batch is retried); a refused create is a state.
 */
export async function resolveDeals(input: DealRuleInput): Promise<Map<string, GridDealState>> {
  const { crm, mapping, now } = input;
  const rule = mapping.deal.find;
  const states = new Map<string, GridDealState>();
  const ruled = input.grids.filter((g) => goesByDealRule(g.source.grid, g.identity));
  if (ruled.length === 0) return states;

  const candidates = await crm.findCompanyDeals({
    companyIds: [...new Set(ruled.map((g) => g.identity.company?.id ?? ''))],
    stages: rule.stages,
    ...(rule.pipelines ? { pipelines: rule.pipelines } : {}),
    ...(rule.recordTypes ? { recordTypes: rule.recordTypes } : {}),
    ...(rule.pick === 'associated_with_contact'
      ? { contactIds: ruled.flatMap((g) => (g.identity.contact ? [g.identity.contact.id] : [])) }
      : {}),
  });

  const checkedAt = now.toISOString();
  const withoutDeal: typeof ruled = [];
  for (const grid of ruled) {
    const companyId = grid.identity.company?.id ?? '';
    const found = candidates.get(companyId) ?? [];
    const scope = describeDealScope(rule, companyNameOf(grid.source.grid));
    const picked = pickDeal(found, rule, scope, contactOf(grid.source.grid, grid.identity));
    if (!picked) {
      withoutDeal.push(grid);
      continue;
    }
    attach(grid.identity, picked.deal);
    states.set(grid.source.grid.gridId, {
      // A deal gridsync opened earlier that now counts by the rule is still "gridsync's".
      state: picked.deal.key === undefined ? 'found' : 'created',
      crmId: picked.deal.id,
      ...(picked.deal.name === undefined ? {} : { name: picked.deal.name }),
      reason: picked.deal.key === undefined ? picked.reason : `${picked.reason}, opened by gridsync`,
      companyId,
      ...movedFrom(grid.previous, picked.deal.id, found),
      checkedAt,
    });
  }

  if (withoutDeal.length > 0 && mapping.deal.whenNone === 'create') {
    const created = await createMissingDeals({ crm, mapping, grids: withoutDeal, now });
    for (const grid of withoutDeal) {
      const outcome = created.get(grid.identity.company?.id ?? '');
      if (!outcome) continue;
      if (outcome.deal) attach(grid.identity, outcome.deal);
      states.set(grid.source.grid.gridId, {
        ...outcome.state,
        ...(outcome.deal ? movedFrom(grid.previous, outcome.deal.id, []) : {}),
        checkedAt,
      });
    }
  }
  for (const grid of withoutDeal) {
    const gridId = grid.source.grid.gridId;
    if (states.has(gridId)) continue;
    states.set(gridId, {
      state: 'waiting',
      reason: describeWaiting(rule, companyNameOf(grid.source.grid)),
      companyId: grid.identity.company?.id ?? '',
      ...movedFrom(grid.previous, '', []),
      checkedAt,
    });
  }
  return states;
}

/** A grid that names deal.crmId: that deal, as long as the CRM has it (else it is unresolved). */
export function dealGivenBy(grid: SalesGrid, identity: GridIdentity, now: Date): GridDealState | undefined {
  if (grid.deal === undefined || identity.deal === undefined) return undefined;
  return {
    state: 'given',
    crmId: identity.deal.id,
    reason: `the grid names deal ${grid.deal.crmId} (deal.crmId), which wins over the mapping's deal rule`,
    checkedAt: now.toISOString(),
  };
}

function attach(identity: GridIdentity, deal: DealCandidate): void {
  identity.deal = {
    id: deal.id,
    ...(deal.ownerId === undefined ? {} : { ownerId: deal.ownerId }),
    fields: {},
  };
}

/** When the rule now picks another deal than last time, the status says which one it left and why. */
function movedFrom(
  previous: GridDealState | undefined,
  crmId: string,
  candidates: readonly DealCandidate[],
): Pick<GridDealState, 'movedFrom'> {
  const before = previous?.crmId;
  if (before === undefined || before === crmId) return {};
  const stillCounts = candidates.some((d) => d.id === before);
  return {
    movedFrom: {
      crmId: before,
      reason: stillCounts
        ? 'another deal wins by the rule now'
        : 'it no longer counts (closed, or moved out of the pipelines or stages the rule names)',
    },
  };
}
