/**
 * Exactly one AE task per grid, across retries, restarts and crashes, for a batch of grids at once: the
 * tasks go out in the CRM's batch creates (HubSpot 100, Salesforce 200 per call) and their lookups in batched
 * searches, while each grid keeps its own ledger entry.
 *
 * The steps, in this order, for every grid of the batch:
 *   1. Ledger says `created`: its task id. Nothing is sent to the CRM.
 *   2. Only for grids whose ledger says `creating` (an earlier attempt got as far as sending the create): one
 *      findTasksByMarkers for all of them. A task carrying a grid's marker exists → that attempt created it and
 *      died (or lost the answer) before step 5. Record that id: `recovered`. Nothing is created. Without an
 *      entry no task can exist, so grids without one are not searched for (5 searches per second on HubSpot).
 *   3. Build each remaining task (owner chain, template): reads only.
 *   4. beginTaskCreation records `creating` with the grid's marker for every task about to be sent, and all of
 *      them are durable BEFORE the batch create is sent. From then on the ledger says "a task for this grid may
 *      exist in the CRM even if we have no id for it". It is written this late on purpose: a search or an owner
 *      lookup that fails (a rate limit, an outage) must not leave an entry that makes the next attempt distrust
 *      an empty search.
 *   5. createTasks (each task carries its marker; the adapter matches every result to its task:
 *      objectWriteTraceId on HubSpot, result order on Salesforce), then markTaskCreated records each id:
 *      `created`. A task the CRM refused (a per-record error) was not created: `failed`, and its entry stays
 *      `creating`, so the next attempt looks before creating.
 *
 * Why a crash anywhere cannot make two tasks: before step 4 nothing exists in the CRM, so any retry is free to
 * create. After step 4 a task may exist and carries the marker; if the process dies before step 5 (or the
 * batch create's answer is lost to a timeout or a 5xx, which is never resent in-process), the ledger still
 * says `creating`, so the next attempt goes through step 2, finds the tasks by their markers and records them
 * instead of creating others.
 *
 * The window that remains, honestly: step 2 relies on the CRM's lookup. HubSpot finds the task through its CRM
 * search, whose index lags behind writes by seconds ("a few moments"); Salesforce finds it with SOQL on the
 * Subject, which sees committed rows at once. A retry that searches before the earlier task is indexed would
 * not see it. So when an earlier attempt left the entry `creating` and the search finds nothing, the empty
 * answer is not trusted at once: the outcome is `deferred` to the next step of a short, bounded schedule
 * (MARKER_SEARCH_SCHEDULE_MS: 2, 5, 10, 20 and 30 s after the attempt began), and only an answer still empty
 * after the last step leads to creating the task. A task still unindexed after that would be duplicated;
 * nothing short of a CRM-side unique key could close that, and Salesforce activities cannot reliably carry
 * one (a Task has no unique external-ID field to upsert on).
 *
 * Concurrency: two jobs in this process ensuring the same grid at once (a grid sync and an account refresh,
 * say) are serialised by an in-process lock per grid (a batch takes its grids' locks in sorted order, so two
 * batches cannot wait on each other), and the second one sees the first one's ledger entry. Across replicas
 * the job store's per-key claim must keep one grid's task work in one job at a time: the ledger's
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

/** One grid of the batch. */
export interface AeTaskRequest {
  gridId: string;
  /**
   * Builds the task once it is known one must be created (buildAeTask does owner chain and template). Gets the
   * marker to write into it. An error value (no owner at all) means the task cannot be created yet.
   */
  build: (marker: string) => Promise<Result<TaskToCreate, { reason: string }>>;
}

export interface EnsureAeTasksInput {
  tenant: string;
  ledger: TaskLedger;
  crm: Pick<CrmClient, 'findTasksByMarkers' | 'createTasks'>;
  requests: AeTaskRequest[];
  /** Told the grids whose tasks are about to be built, before any build: to read their owners in batches. */
  beforeBuild?: (gridIds: string[]) => Promise<void>;
  /** Defaults to DEFAULT_SEARCH_SETTLE_MS; 0 trusts the CRM search at once (tests, CRMs without lag). */
  searchSettleMs?: number;
  now?: () => Date;
}

export type EnsureAeTaskResult =
  | { outcome: 'already_created' | 'recovered' | 'created'; crmTaskId: string; details: unknown }
  /** An earlier attempt may have created the task too recently for the CRM's search to show it. */
  | { outcome: 'deferred'; retryAt: Date; reason: string }
  /** The task cannot be built (no usable owner): nothing was created; the reason is for the grid's status. */
  | { outcome: 'blocked'; reason: string; details: unknown }
  /** The CRM refused this task (its batch-mates went through): nothing was created for it. */
  | { outcome: 'failed'; reason: string; retryable: boolean };

/** One result per requested grid. A request-level CRM failure throws; what was recorded until then stays. */
export function ensureAeTasks(input: EnsureAeTasksInput): Promise<Map<string, EnsureAeTaskResult>> {
  const keys = [...new Set(input.requests.map((r) => `${input.tenant}\0${r.gridId}`))].sort();
  return withKeyLocks(keys, () => ensureUnlocked(input));
}

async function ensureUnlocked(input: EnsureAeTasksInput): Promise<Map<string, EnsureAeTaskResult>> {
  const { tenant, ledger, crm } = input;
  const now = input.now ?? (() => new Date());
  const settleMs = input.searchSettleMs ?? DEFAULT_SEARCH_SETTLE_MS;
  const results = new Map<string, EnsureAeTaskResult>();
  const requests = [...new Map(input.requests.map((r) => [r.gridId, r])).values()];

  const entries = await Promise.all(requests.map((r) => ledger.getTaskEntry(tenant, r.gridId)));
  const unfinished: { request: AeTaskRequest; entry: TaskLedgerEntry }[] = [];
  const toBuild: { request: AeTaskRequest; marker: string }[] = [];
  for (const [index, request] of requests.entries()) {
    const entry = entries[index];
    if (entry?.state === 'created') results.set(request.gridId, alreadyCreated(entry));
    else if (entry !== undefined) unfinished.push({ request, entry });
    else toBuild.push({ request, marker: taskMarker(tenant, request.gridId) });
  }

  // The entry's marker, not a recomputed one: it is the marker any earlier attempt wrote.
  const found =
    unfinished.length === 0
      ? new Map<string, string>()
      : await crm.findTasksByMarkers(unfinished.map((u) => u.entry.marker));
  for (const { request, entry } of unfinished) {
    const crmTaskId = found.get(entry.marker);
    if (crmTaskId !== undefined) {
      const details = {
        marker: entry.marker,
        recovered: true,
        recoveredAt: now().toISOString(),
        note: "A task carrying this grid's marker was already in the CRM: an earlier attempt created it but stopped before recording it. Recorded that task instead of creating another.",
      };
      await ledger.markTaskCreated(tenant, request.gridId, crmTaskId, details);
      results.set(request.gridId, { outcome: 'recovered', crmTaskId, details });
      continue;
    }
    const elapsedMs = now().getTime() - entry.updatedAt.getTime();
    if (elapsedMs < settleMs) {
      const retryAt = new Date(entry.updatedAt.getTime() + nextSearchAfter(elapsedMs, settleMs));
      results.set(request.gridId, {
        outcome: 'deferred',
        retryAt,
        reason: `An earlier attempt to create the AE task started at ${entry.updatedAt.toISOString()} and did not finish; searching for the task it may have created again at ${retryAt.toISOString()} (the CRM's search lags by seconds) before creating one.`,
      });
      continue;
    }
    toBuild.push({ request, marker: entry.marker });
  }
  if (toBuild.length === 0) return results;

  await input.beforeBuild?.(toBuild.map((b) => b.request.gridId));
  const built: { gridId: string; marker: string; task: TaskToCreate }[] = [];
  for (const { request, marker } of toBuild) {
    const result = await request.build(marker);
    if (!result.ok) {
      results.set(request.gridId, { outcome: 'blocked', reason: result.error.reason, details: result.error });
      continue;
    }
    if (result.value.task.marker !== marker) {
      // A task without the marker could never be found after a crash: refuse rather than risk a duplicate later.
      throw new Error(
        `AE task for grid ${request.gridId} was built with marker ${result.value.task.marker}, expected ${marker}`,
      );
    }
    built.push({ gridId: request.gridId, marker, task: result.value });
  }

  // Every entry durable before the one call that may create the tasks.
  const begun = await Promise.all(built.map((b) => ledger.beginTaskCreation(tenant, b.gridId, b.marker)));
  const toSend = built.filter((b, index) => {
    const entry = begun[index] as TaskLedgerEntry;
    if (entry.state === 'created') results.set(b.gridId, alreadyCreated(entry));
    return entry.state !== 'created';
  });
  if (toSend.length === 0) return results;
  const outcomes = await crm.createTasks(toSend.map((b) => b.task.task));
  await Promise.all(
    toSend.map(async (b, index) => {
      const outcome = outcomes[index];
      if (outcome?.ok !== true) {
        const error = outcome?.ok === false ? outcome.error : undefined;
        results.set(b.gridId, {
          outcome: 'failed',
          reason: `The CRM did not create the AE task: ${error?.message ?? 'no outcome for it'}`,
          retryable: error?.retryable ?? true,
        });
        return;
      }
      await ledger.markTaskCreated(tenant, b.gridId, outcome.id, b.task.details);
      publishTaskCreated({ tenant });
      results.set(b.gridId, { outcome: 'created', crmTaskId: outcome.id, details: b.task.details });
    }),
  );
  return results;
}

function alreadyCreated(entry: TaskLedgerEntry): EnsureAeTaskResult {
  if (entry.crmTaskId === null) {
    throw new Error(`task ledger entry for grid ${entry.gridId} is 'created' without a CRM task id`);
  }
  return { outcome: 'already_created', crmTaskId: entry.crmTaskId, details: entry.details };
}

/** Per-key promise chains: calls with the same key run one after another, other keys are not held up. */
const tails = new Map<string, Promise<unknown>>();

/** Holds every key's lock while `run` runs; taken one after another in the given (sorted) order. */
function withKeyLocks<T>(keys: readonly string[], run: () => Promise<T>): Promise<T> {
  const [first, ...rest] = keys;
  if (first === undefined) return run();
  return withKeyLock(first, () => withKeyLocks(rest, run));
}

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
