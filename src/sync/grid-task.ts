/**
 * The AE task step of a grid sync: a task is due when the grid is complete and its account qualifies,
 * whichever became true last. Exactly-once creation is ensureAeTask's job; this step decides and reports.
 */
import { buildAeTask } from '../ae-task/build-ae-task.ts';
import { type EnsureAeTaskResult, ensureAeTasks } from '../ae-task/ensure-ae-task.ts';
import type { CrmClient, NewAeTask } from '../crm/crm-client.ts';
import type { Logger } from '../lib/logger.ts';
import type { GridSource } from '../mapping/source-values.ts';
import type { TaskLedger } from '../store/store.ts';
import type { GridIdentity } from './resolve-identities.ts';
import type { AccountState } from '../domain/account-state.ts';
import type { GridTaskState } from '../domain/sync-state.ts';
import { prefetchOwnerRecords } from './memoized-reads.ts';
import type { TenantContext } from './tenant-context.ts';

/** One grid of the batch, as the task step sees it. */
export interface TaskStepGrid {
  source: GridSource;
  account: AccountState | undefined;
  identity: GridIdentity;
  /** Set while the grid waits for its deal (deal.whenNone: wait): the task waits too, for the deal's owner. */
  waitingForDeal?: string | undefined;
}

export interface TaskStepInput {
  runtime: TenantContext;
  store: TaskLedger;
  crm: CrmClient;
  grids: TaskStepGrid[];
  now: Date;
  logger: Logger;
}

export interface TaskStepResult {
  task: GridTaskState;
  /** Deferred: look for an interrupted task's result again after this long (no attempt counted). */
  retryInMs?: number;
  /** The CRM refused this grid's task: retry the job (retryable) or make it a dead letter. */
  failed?: { error: string; retryable: boolean };
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

/**
 * The task step for a batch of grids: the grids due a task are ensured together (ensureAeTasks), so their
 * tasks go out in the CRM's batch creates, and the owner chain's deal and company reads are made in batches
 * first (prefetchOwnerRecords) instead of one read per grid.
 */
export async function considerAeTasks(input: TaskStepInput): Promise<Map<string, TaskStepResult>> {
  const { runtime, now } = input;
  const steps = new Map<string, TaskStepResult>();
  const due = new Map<string, TaskStepGrid>();
  for (const grid of input.grids) {
    const gridId = grid.source.grid.gridId;
    const notYet = whyNoTaskYet(grid.source, grid.account);
    if (notYet !== undefined) steps.set(gridId, { task: { state: 'not_eligible', reason: notYet } });
    else if (grid.waitingForDeal !== undefined) {
      steps.set(gridId, {
        task: { state: 'blocked', reason: `The task goes to the deal's owner: ${grid.waitingForDeal}.` },
      });
    } else due.set(gridId, grid);
  }
  if (due.size === 0) return steps;

  const template = runtime.loaded.mapping.task;
  const links = new Map([...due].map(([gridId, grid]) => [gridId, linksOf(grid.identity)]));
  const owners = prefetchOwnerRecords(input.crm);
  const results = await ensureAeTasks({
    tenant: runtime.tenant,
    ledger: input.store,
    crm: input.crm,
    now: () => now,
    beforeBuild: (gridIds) =>
      owners.prefetch(
        gridIds.map((id) => links.get(id) ?? {}),
        template.owner.chain.includes('company_owner'),
      ),
    requests: [...due].map(([gridId, grid]) => ({
      gridId,
      build: async (marker) => {
        const built = await buildAeTask({
          crm: owners.crm,
          template,
          context: { grid: grid.source, account: grid.account },
          marker,
          links: links.get(gridId) ?? {},
          now,
        });
        return built.ok
          ? { ok: true, value: built.value }
          : { ok: false, error: { reason: built.error.reason } };
      },
    })),
  });
  for (const gridId of due.keys()) {
    const result = results.get(gridId);
    if (result !== undefined) steps.set(gridId, stepOf(input.logger, gridId, result, now));
  }
  return steps;
}

function linksOf(identity: GridIdentity): NewAeTask['links'] {
  return {
    ...(identity.deal ? { deal: identity.deal.id } : {}),
    ...(identity.company ? { company: identity.company.id } : {}),
    ...(identity.contact ? { contact: identity.contact.id } : {}),
  };
}

function stepOf(logger: Logger, gridId: string, result: EnsureAeTaskResult, now: Date): TaskStepResult {
  switch (result.outcome) {
    case 'created':
    case 'recovered':
    case 'already_created': {
      const owner = ownerOf(result.details);
      if (result.outcome !== 'already_created') {
        logger.info({ gridId, crmTaskId: result.crmTaskId, outcome: result.outcome }, 'AE task recorded');
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
    case 'failed':
      // Its entry says `creating`: the next attempt looks for it first.
      return {
        task: { state: 'blocked', reason: result.reason },
        failed: { error: result.reason, retryable: result.retryable },
      };
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
