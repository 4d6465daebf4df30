/**
 * Who gets the AE task: the first usable owner along the mapping's chain (deal owner, then company owner,
 * then a fixed fallback). An owner the CRM says is deactivated or does not know is skipped, because a task
 * assigned to a departed AE is a task nobody reads. Every skipped step records why, for the grid's status.
 *
 * CRM errors (rate limits, outages) are thrown as they come: they are retryable, and guessing the next owner
 * because the CRM was briefly unreachable would give the task to the wrong person.
 */
import type { CrmClient } from '../crm/crm-client.ts';
import type { OWNER_STEPS, TaskTemplate } from '../mapping/mapping-schema.ts';
import { err, ok, type Result } from '../lib/result.ts';

export type OwnerStep = (typeof OWNER_STEPS)[number];

export interface OwnerSkip {
  step: OwnerStep;
  ownerId?: string;
  reason: string;
}

export interface OwnerChoice {
  ownerId: string;
  step: OwnerStep;
  /** Steps tried before this one, each with why it was skipped. */
  skipped: OwnerSkip[];
}

export interface NoOwner {
  /** One sentence for the grid's status, naming every step and why it gave no owner. */
  reason: string;
  skipped: OwnerSkip[];
}

export interface ResolveOwnerInput {
  crm: Pick<CrmClient, 'getDeals' | 'getCompanies' | 'getOwner'>;
  owner: TaskTemplate['owner'];
  /** The grid's deal and company CRM ids, when known. */
  dealId?: string | undefined;
  companyId?: string | undefined;
}

const STEP_NAMES: Readonly<Record<OwnerStep, string>> = {
  deal_owner: 'deal owner',
  company_owner: 'company owner',
  fallback: 'fallback owner',
};

type Candidate = { ownerId: string } | { skip: string };

export async function resolveOwner(input: ResolveOwnerInput): Promise<Result<OwnerChoice, NoOwner>> {
  const skipped: OwnerSkip[] = [];
  // Owners already judged unusable in this call: the same AE often owns both the deal and the company.
  const rejected = new Map<string, string>();

  for (const step of input.owner.chain) {
    const candidate = await candidateFor(step, input);
    if ('skip' in candidate) {
      skipped.push({ step, reason: candidate.skip });
      continue;
    }
    const { ownerId } = candidate;
    const problem = rejected.get(ownerId) ?? (await ownerProblem(input.crm, ownerId));
    if (problem === undefined) return ok({ ownerId, step, skipped });
    rejected.set(ownerId, problem);
    skipped.push({ step, ownerId, reason: problem });
  }

  const steps = skipped.map((s) => `${STEP_NAMES[s.step]}: ${s.reason}`).join('; ');
  return err({
    reason: `No one to assign the AE task to (${steps === '' ? 'the owner chain is empty' : steps})`,
    skipped,
  });
}

async function candidateFor(step: OwnerStep, input: ResolveOwnerInput): Promise<Candidate> {
  switch (step) {
    case 'deal_owner': {
      if (input.dealId === undefined) return { skip: 'the grid is not linked to a deal' };
      const deal = (await input.crm.getDeals([input.dealId], [])).get(input.dealId);
      if (deal === undefined) return { skip: `deal ${input.dealId} was not found in the CRM` };
      return deal.ownerId === undefined
        ? { skip: `deal ${input.dealId} has no owner` }
        : { ownerId: deal.ownerId };
    }
    case 'company_owner': {
      if (input.companyId === undefined) return { skip: 'the account has no company in the CRM' };
      const company = (await input.crm.getCompanies([input.companyId], [])).get(input.companyId);
      if (company === undefined) return { skip: `company ${input.companyId} was not found in the CRM` };
      return company.ownerId === undefined
        ? { skip: `company ${input.companyId} has no owner` }
        : { ownerId: company.ownerId };
    }
    case 'fallback':
      return input.owner.fallbackOwnerId === undefined
        ? { skip: 'the mapping sets no task.owner.fallbackOwnerId' }
        : { ownerId: input.owner.fallbackOwnerId };
  }
}

/** Why this owner cannot take the task, or undefined when they can. */
async function ownerProblem(crm: ResolveOwnerInput['crm'], ownerId: string): Promise<string | undefined> {
  const owner = await crm.getOwner(ownerId);
  if (owner === undefined) return `owner ${ownerId} is not a user the CRM knows`;
  if (owner.active) return undefined;
  const who = owner.name === undefined ? ownerId : `${owner.name} (${ownerId})`;
  return `owner ${who} is deactivated`;
}
