/**
 * The AE task step of a grid sync: a task is due when the grid is complete and its account qualifies,
 * whichever became true last. Exactly-once creation is ensureAeTask's job; this step decides and reports.
 */
import { buildAeTask } from '../ae-task/build-ae-task.ts';
import { ensureAeTask } from '../ae-task/ensure-ae-task.ts';
import type { CrmClient } from '../crm/crm-client.ts';
import type { Logger } from '../lib/logger.ts';
import type { GridSource } from '../mapping/source-values.ts';
import type { TaskLedger } from '../store/store.ts';
import type { GridIdentity } from './resolve-identities.ts';
import type { AccountState } from '../domain/account-state.ts';
import type { GridTaskState } from '../domain/sync-state.ts';
import type { TenantContext } from './tenant-context.ts';

export interface TaskStepInput {
  runtime: TenantContext;
  store: TaskLedger;
  crm: CrmClient;
  source: GridSource;
  account: AccountState | undefined;
  identity: GridIdentity;
  now: Date;
  logger: Logger;
  /** Set while the grid waits for its deal (deal.whenNone: wait): the task waits too, for the deal's owner. */
  waitingForDeal?: string | undefined;
}

/** Why no task is due yet, in words DevRel and RevOps can act on; undefined when one is due. */
export function whyNoTaskYet(source: GridSource, account: AccountState | undefined): string | undefined {
  const reasons: string[] = [];
  if (!source.completeness.complete) {
    reasons.push(`The grid is not complete: ${source.completeness.gaps.map((g) => g.reason).join(' ')}`);
  }
  if (!account) reasons.push('The account has not been evaluated yet.');
  else if (!account.verdict.qualified) {
    reasons.push(`The account does not qualify yet. ${account.verdict.summary}`);
  }
  return reasons.length > 0 ? reasons.join(' ') : undefined;
}

export async function considerAeTask(
  input: TaskStepInput,
): Promise<{ task: GridTaskState; retryInMs?: number }> {
  const { runtime, source, account, identity, now } = input;
  const notYet = whyNoTaskYet(source, account);
  if (notYet !== undefined) return { task: { state: 'not_eligible', reason: notYet } };
  if (input.waitingForDeal !== undefined) {
    return {
      task: { state: 'blocked', reason: `The task goes to the deal's owner: ${input.waitingForDeal}.` },
    };
  }

  const links = {
    ...(identity.deal ? { deal: identity.deal.id } : {}),
    ...(identity.company ? { company: identity.company.id } : {}),
    ...(identity.contact ? { contact: identity.contact.id } : {}),
  };
  const result = await ensureAeTask({
    tenant: runtime.tenant,
    gridId: source.grid.gridId,
    ledger: input.store,
    crm: input.crm,
    now: () => now,
    build: async (marker) => {
      const built = await buildAeTask({
        crm: input.crm,
        template: runtime.loaded.mapping.task,
        context: { grid: source, account },
        marker,
        links,
        now,
      });
      return built.ok
        ? { ok: true, value: built.value }
        : { ok: false, error: { reason: built.error.reason } };
    },
  });
  switch (result.outcome) {
    case 'created':
    case 'recovered':
    case 'already_created': {
      const owner = ownerOf(result.details);
      if (result.outcome !== 'already_created') {
        input.logger.info(
          { gridId: source.grid.gridId, crmTaskId: result.crmTaskId, outcome: result.outcome },
          'AE task recorded',
        );
      }
      const reason =
        owner && owner.skipped.length > 0
          ? `Assigned to the ${owner.step.replace('_', ' ')}: ${owner.skipped.map((s) => s.reason).join('; ')}.`
          : 'The grid is complete and the account qualifies.';
      return {
        task: {
          state: 'created',
          reason,
          crmTaskId: result.crmTaskId,
          ...(owner ? { owner: { id: owner.ownerId, step: owner.step, skipped: owner.skipped } } : {}),
        },
      };
    }
    case 'deferred':
      return {
        task: { state: 'blocked', reason: result.reason },
        retryInMs: Math.max(1_000, result.retryAt.getTime() - now.getTime()),
      };
    case 'blocked':
      return { task: { state: 'blocked', reason: result.reason } };
  }
}

interface OwnerDetails {
  ownerId: string;
  step: string;
  skipped: { step: string; ownerId?: string; reason: string }[];
}

function ownerOf(details: unknown): OwnerDetails | undefined {
  if (typeof details !== 'object' || details === null || !('owner' in details)) return undefined;
  const owner = details.owner;
  if (typeof owner !== 'object' || owner === null || !('ownerId' in owner)) return undefined;
  return owner as OwnerDetails;
}
