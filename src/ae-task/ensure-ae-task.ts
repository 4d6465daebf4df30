/**
 * Exactly one AE task per grid, across retries, restarts and crashes .
 *
 * The steps, in this order:
 *   1. Ledger says `created`: return its task id. Nothing is sent to the CRM.
 *   2. Only when the ledger says `creating` (an earlier attempt got as far as sending createTask):
 *      findTaskByMarker. A task carrying the marker exists → that attempt created it and died (or timed out)
 *      before step 5. Record that id: `recovered`. Nothing is created. Without an entry no task can exist, so
 *      the search (5 per second on HubSpot) is skipped.
 *   3. Build the task (owner chain, template): reads only.
 *   4. beginTaskCreation records `creating` with the grid's marker immediately BEFORE createTask is sent. From
 *      then on the ledger says "a task for this grid may exist in the CRM even if we have no id for it". It is
 *      written this late on purpose: a search or an owner lookup that fails (a rate limit, an outage) must not
 *      leave an entry that makes the next attempt distrust an empty search.
 *   5. createTask (the marker is written into the task), then markTaskCreated records the id: `created`.
 *
 * Why a crash anywhere cannot make two tasks: before step 4 nothing exists in the CRM, so any retry is free to
 * create. After step 4 the task exists and carries the marker; if the process dies before step 5 (or the
 * createTask response is lost to a timeout), the ledger still says `creating`, so the next attempt goes
 * through step 3, finds the task by its marker and records it instead of creating another.
 *
 * The window that remains, honestly: step 2 relies on the CRM's lookup. HubSpot finds the task through its CRM
 * search, whose index lags behind writes by seconds ("a few moments"); Salesforce finds it with SOQL on the
 * Subject, which sees committed rows at once. A retry that searches before the earlier task is indexed would
 * not see it. So when an earlier attempt left the entry `creating` (a 5xx or a cut connection on create, or a
 * crash) and the search finds nothing, the empty answer is not trusted at once: the outcome is `deferred` to
 * the next step of a short, bounded schedule (MARKER_SEARCH_SCHEDULE_MS: 2, 5, 10, 20 and 30 s after the
 * attempt began), and only an answer still empty after the last step leads to creating the task. A task
 * still unindexed after that would be duplicated; nothing short of a CRM-side unique
 * key could close that, and Salesforce activities cannot reliably carry one (a Task has no unique external-ID field to upsert on).
 *
 * Concurrency: two jobs in this process ensuring the same grid at once (a grid sync and an account refresh,
 * say) are serialised by an in-process lock, so the second one sees the first one's ledger entry. Across
 * replicas the job store's per-key claim must keep one grid's task work in one job at a time: the ledger's
 * beginTaskCreation does not say which caller created the entry, so it cannot arbitrate by itself.
 */
import type { CrmClient, NewAeTask } from '../crm/crm-client.ts';
import { publishTaskCreated } from '../lib/ops-events.ts';
import type { Result } from '../lib/result.ts';
import type { TaskLedger, TaskLedgerEntry } from '../store/store.ts';
import { taskMarker } from './task-marker.ts';

/** When, after an unfinished attempt began, the marker is searched again: seconds, like HubSpot's index lag. */
export const MARKER_SEARCH_SCHEDULE_MS = [2_000, 5_000, 10_000, 20_000, 30_000] as const;
/** How long an empty marker search is distrusted after an earlier attempt began: the schedule's last step. */
export const DEFAULT_SEARCH_SETTLE_MS: number = MARKER_SEARCH_SCHEDULE_MS.at(-1) ?? 30_000;

/** The next search after `elapsedMs`: the schedule's next step, never later than settleMs. */
function nextSearchAfter(elapsedMs: number, settleMs: number): number {
  return MARKER_SEARCH_SCHEDULE_MS.find((step) => step > elapsedMs && step < settleMs) ?? settleMs;
}

export interface TaskToCreate {
  task: NewAeTask;
  /** Stored in the ledger with the task id and shown on the grid's status (owner chosen and why, due date…). */
  details: unknown;
}

export interface EnsureAeTaskInput {
  tenant: string;
  gridId: string;
  ledger: TaskLedger;
  crm: Pick<CrmClient, 'findTaskByMarker' | 'createTask'>;
  /**
   * Builds the task once it is known one must be created (buildAeTask does owner chain and template). Gets the
   * marker to write into it. An error value (no owner at all) means the task cannot be created yet.
   */
  build: (marker: string) => Promise<Result<TaskToCreate, { reason: string }>>;
  /** Defaults to DEFAULT_SEARCH_SETTLE_MS; 0 trusts the CRM search at once (tests, CRMs without lag). */
  searchSettleMs?: number;
  now?: () => Date;
}

export type EnsureAeTaskResult =
  | { outcome: 'already_created' | 'recovered' | 'created'; crmTaskId: string; details: unknown }
  /** An earlier attempt may have created the task too recently for the CRM's search to show it. */
  | { outcome: 'deferred'; retryAt: Date; reason: string }
  /** The task cannot be built (no usable owner): nothing was created; the reason is for the grid's status. */
  | { outcome: 'blocked'; reason: string; details: unknown };

export function ensureAeTask(input: EnsureAeTaskInput): Promise<EnsureAeTaskResult> {
  return withKeyLock(`${input.tenant}\0${input.gridId}`, () => ensureUnlocked(input));
}

async function ensureUnlocked(input: EnsureAeTaskInput): Promise<EnsureAeTaskResult> {
  const { tenant, gridId, ledger, crm } = input;
  const now = input.now ?? (() => new Date());
  const settleMs = input.searchSettleMs ?? DEFAULT_SEARCH_SETTLE_MS;

  const existing = await ledger.getTaskEntry(tenant, gridId);
  if (existing?.state === 'created') return alreadyCreated(existing);
  // The entry's marker when there is one, not a recomputed one: it is the marker any earlier attempt wrote.
  const marker = existing?.marker ?? taskMarker(tenant, gridId);

  const found = existing === undefined ? undefined : await crm.findTaskByMarker(marker);
  if (found !== undefined) {
    const details = {
      marker,
      recovered: true,
      recoveredAt: now().toISOString(),
      note: "A task carrying this grid's marker was already in the CRM: an earlier attempt created it but stopped before recording it. Recorded that task instead of creating another.",
    };
    await ledger.markTaskCreated(tenant, gridId, found, details);
    return { outcome: 'recovered', crmTaskId: found, details };
  }

  if (existing !== undefined) {
    const elapsedMs = now().getTime() - existing.updatedAt.getTime();
    const retryAt = new Date(existing.updatedAt.getTime() + nextSearchAfter(elapsedMs, settleMs));
    if (elapsedMs < settleMs) {
      return {
        outcome: 'deferred',
        retryAt,
        reason: `An earlier attempt to create the AE task started at ${existing.updatedAt.toISOString()} and did not finish; searching for the task it may have created again at ${retryAt.toISOString()} (the CRM's search lags by seconds) before creating one.`,
      };
    }
  }

  const built = await input.build(marker);
  if (!built.ok) return { outcome: 'blocked', reason: built.error.reason, details: built.error };
  if (built.value.task.marker !== marker) {
    // A task without the marker could never be found after a crash: refuse rather than risk a duplicate later.
    throw new Error(
      `AE task for grid ${gridId} was built with marker ${built.value.task.marker}, expected ${marker}`,
    );
  }

  const entry = await ledger.beginTaskCreation(tenant, gridId, marker);
  if (entry.state === 'created') return alreadyCreated(entry);
  const crmTaskId = await crm.createTask(built.value.task);
  await ledger.markTaskCreated(tenant, gridId, crmTaskId, built.value.details);
  publishTaskCreated({ tenant });
  return { outcome: 'created', crmTaskId, details: built.value.details };
}

function alreadyCreated(entry: TaskLedgerEntry): EnsureAeTaskResult {
  if (entry.crmTaskId === null) {
    throw new Error(`task ledger entry for grid ${entry.gridId} is 'created' without a CRM task id`);
  }
  return { outcome: 'already_created', crmTaskId: entry.crmTaskId, details: entry.details };
}

/** Per-key promise chains: calls with the same key run one after another, other keys are not held up. */
const tails = new Map<string, Promise<unknown>>();

async function withKeyLock<T>(key: string, run: () => Promise<T>): Promise<T> {
  const previous = tails.get(key) ?? Promise.resolve();
  // `previous` is a tail that never rejects, so a failed call does not block the next one.
  const current = previous.then(run);
  const tail = current.catch(() => undefined);
  tails.set(key, tail);
  try {
    return await current;
  } finally {
    if (tails.get(key) === tail) tails.delete(key);
  }
}
