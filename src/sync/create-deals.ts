/**
 * `deal.whenNone: create`: one deal per company that has none, never two. Each company has one key,
 * written into deal.create.keyField (a unique field), so:
 *
 * - before creating, gridsync reads the keys: a deal it created earlier (a crash after the CRM's create and
 *   before gridsync recorded it, a deal moved out of the rule's stages) is found and used;
 * - the CRM itself refuses a second deal with the key, so two workers racing still make one.
 *
 * Once the deal gridsync opened is closed, it opens no other: the grid waits for the AE to open one.
 * The owner is the first usable one of task.owner.chain after the deal owner (there is none yet).
 */
import { resolveOwner } from '../ae-task/resolve-owner.ts';
import type { CrmClient, DealCandidate, NewDeal } from '../crm/crm-client.ts';
import type { DealCreateRule, TenantMapping } from '../mapping/mapping-schema.ts';
import { renderTemplate, type GridSource } from '../mapping/source-values.ts';
import { describeDealScope } from './pick-deal.ts';
import type { GridIdentity } from './resolve-identities.ts';
import type { GridDealState } from '../domain/sync-state.ts';

export interface CreateDealsInput {
  crm: CrmClient;
  mapping: TenantMapping;
  /** Grids whose company has no deal that counts. */
  grids: { source: GridSource; identity: GridIdentity }[];
  now: Date;
}

export interface CompanyDealOutcome {
  deal?: DealCandidate;
  state: Omit<GridDealState, 'checkedAt'>;
}

/** gridsync's key for the one deal it may open for a company. */
export function dealKeyOf(companyId: string): string {
  return `gridsync-${companyId}`;
}

export async function createMissingDeals(input: CreateDealsInput): Promise<Map<string, CompanyDealOutcome>> {
  const { crm, mapping, now } = input;
  const rule = mapping.deal.create;
  const outcomes = new Map<string, CompanyDealOutcome>();
  if (!rule) return outcomes;

  // The first grid of each company names its deal.
  const byCompany = new Map<string, { source: GridSource; identity: GridIdentity }>();
  for (const grid of input.grids) {
    const id = grid.identity.company?.id;
    if (id !== undefined && !byCompany.has(id)) byCompany.set(id, grid);
  }
  const existing = await crm.findDealsByKey([...byCompany.keys()].map(dealKeyOf));

  const toCreate: { companyId: string; deal: NewDeal; owner: string }[] = [];
  for (const [companyId, grid] of byCompany) {
    const company = grid.source.grid.account.name ?? grid.source.grid.account.domain ?? companyId;
    const earlier = existing.get(dealKeyOf(companyId));
    if (earlier && !earlier.closed) {
      outcomes.set(companyId, {
        deal: { ...earlier, companyId },
        state: {
          state: 'created',
          crmId: earlier.id,
          ...(earlier.name === undefined ? {} : { name: earlier.name }),
          reason: `the deal gridsync opened for ${company} (created ${earlier.createdAt.slice(0, 10)})`,
          companyId,
        },
      });
      continue;
    }
    if (earlier) {
      outcomes.set(companyId, {
        state: {
          state: 'waiting',
          reason: `waiting for a deal of ${company}: the deal gridsync opened for it (${earlier.id}) is closed, and gridsync opens only one per company; none of the ${describeDealScope(mapping.deal.find, company)} counts`,
          companyId,
        },
      });
      continue;
    }
    const owner = await ownerFor(crm, mapping, companyId);
    toCreate.push({ companyId, deal: newDeal(rule, grid, companyId, owner.ownerId, now), owner: owner.note });
  }
  if (toCreate.length === 0) return outcomes;

  const results = await crm.createDeals(toCreate.map((c) => c.deal));
  toCreate.forEach(({ companyId, deal, owner }, i) => {
    const result = results[i];
    const company = byCompany.get(companyId)?.source.grid.account.name ?? companyId;
    if (result?.ok) {
      outcomes.set(companyId, {
        deal: {
          id: result.id,
          companyId,
          ...(deal.ownerId === undefined ? {} : { ownerId: deal.ownerId }),
          name: deal.name,
          closed: false,
          createdAt: now.toISOString(),
          modifiedAt: now.toISOString(),
          contactIds: [],
          key: deal.key,
        },
        state: {
          state: 'created',
          crmId: result.id,
          name: deal.name,
          reason: `opened by gridsync, as none of the ${describeDealScope(mapping.deal.find, company)} existed; ${owner}`,
          companyId,
        },
      });
    } else {
      outcomes.set(companyId, {
        state: {
          state: 'failed',
          reason: `gridsync could not open a deal for ${company}: ${result?.error.message ?? 'no answer from the CRM'}`,
          companyId,
        },
      });
    }
  });
  return outcomes;
}

/** The deal gridsync opens for a company; a dry-run shows the same one (without its owner, which needs the CRM). */
export function newDeal(
  rule: DealCreateRule,
  grid: { source: GridSource; identity: GridIdentity },
  companyId: string,
  ownerId: string | undefined,
  now: Date,
): NewDeal {
  const close = new Date(now.getTime() + rule.closeInDays * 86_400_000);
  return {
    key: dealKeyOf(companyId),
    companyId,
    ...(grid.identity.contact ? { contactId: grid.identity.contact.id } : {}),
    name: renderTemplate(rule.name, { grid: grid.source }).slice(0, 120) || companyId,
    ...(rule.pipeline === undefined ? {} : { pipeline: rule.pipeline }),
    stage: rule.stage,
    ...(rule.recordType === undefined ? {} : { recordType: rule.recordType }),
    closeDate: close.toISOString().slice(0, 10),
    ...(ownerId === undefined ? {} : { ownerId }),
  };
}

/** The new deal's owner: task.owner.chain without its deal step. None usable: the CRM's default owner. */
async function ownerFor(
  crm: CrmClient,
  mapping: TenantMapping,
  companyId: string,
): Promise<{ ownerId?: string; note: string }> {
  const chain = mapping.task.owner.chain.filter((step) => step !== 'deal_owner');
  const owner = await resolveOwner({ crm, owner: { ...mapping.task.owner, chain }, companyId });
  if (owner.ok) {
    return { ownerId: owner.value.ownerId, note: `owned by the ${owner.value.step.replace('_', ' ')}` };
  }
  return {
    note: `no owner in task.owner.chain could take it (${owner.error.reason}), so the CRM's default owner has it`,
  };
}
