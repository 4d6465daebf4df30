/**
 * AE tasks on HubSpot, in batches: `POST /crm/objects/2026-03/tasks/batch/create` takes 100 tasks per call,
 * each with its associations and an `objectWriteTraceId` (the grid's marker) that HubSpot echoes on the
 * task's result and names in a per-input error (207 Multi-Status), so every created task is matched back to
 * its grid whatever order the results come in.
 *
 * The marker lookup after a cut or a 5xx is batched too. The marker lives in the task body, a text property,
 * so it is found with CONTAINS_TOKEN (IN matches whole values only); HubSpot ORs filter groups, at most five
 * per search, so one search looks for five markers. Bounded: ⌈markers / 5⌉ searches, one page each.
 */
import type { NewAeTask, RecordOutcome } from '../crm-client.ts';
import { CrmError } from '../crm-errors.ts';
import { BATCH_REFUSALS, writeInBatches } from './hubspot-batch-write.ts';
import type { HubSpotHttp } from './hubspot-http.ts';
import { HUBSPOT_LIMITS, HUBSPOT_OBJECT_TYPES } from './hubspot-limits.ts';
import { hubSpotPaths } from './hubspot-paths.ts';
import { chunks, recordsOf } from './hubspot-reads.ts';
import { taskRequestBody } from './hubspot-writes.ts';

const TASK_BODY = 'hs_task_body';

/** One outcome per task, in order. Never resent after an unclear failure: the ledger and the lookup cover it. */
export async function createTasks(http: HubSpotHttp, tasks: NewAeTask[]): Promise<RecordOutcome[]> {
  const entries = tasks.map((task) => {
    const body = taskRequestBody(task);
    return {
      key: task.marker,
      properties: body.properties,
      input: { ...body, objectWriteTraceId: task.marker },
    };
  });
  const outcomes = await writeInBatches(entries, {
    size: HUBSPOT_LIMITS.objectBatchSize,
    what: 'AE tasks',
    creates: true,
    send: (inputs) =>
      http({
        method: 'POST',
        path: hubSpotPaths.objectsBatch(HUBSPOT_OBJECT_TYPES.task, 'create'),
        body: { inputs },
        // A create resent after a timeout or a 5xx could make second tasks: the job retries after a lookup.
        idempotent: false,
        // A whole-batch refusal created nothing, so its inputs may be sent again to isolate the bad one.
        answerStatuses: BATCH_REFUSALS,
        what: 'batch create of AE tasks',
      }),
    readResult: (result) => {
      const key = typeof result.objectWriteTraceId === 'string' ? result.objectWriteTraceId : undefined;
      const id = typeof result.id === 'string' && result.id !== '' ? result.id : undefined;
      return key === undefined || id === undefined ? undefined : { key, outcome: { ok: true, id } };
    },
  });
  return tasks.map(
    (task) =>
      outcomes.get(task.marker) ?? {
        ok: false,
        error: new CrmError('rejected', `HubSpot gave no outcome for the AE task ${task.marker}`),
      },
  );
}

/** The oldest task holding each marker; markers not found have no entry. */
export async function findTaskIdsByMarkers(
  http: HubSpotHttp,
  markers: string[],
): Promise<Map<string, string>> {
  const found = new Map<string, string>();
  for (const group of chunks([...new Set(markers)], HUBSPOT_LIMITS.searchFilterGroups)) {
    const answer = await http({
      method: 'POST',
      path: hubSpotPaths.objectsSearch(HUBSPOT_OBJECT_TYPES.task),
      body: {
        filterGroups: group.map((marker) => ({
          filters: [{ propertyName: TASK_BODY, operator: 'CONTAINS_TOKEN', value: marker }],
        })),
        properties: [TASK_BODY],
        sorts: ['hs_object_id'],
        limit: HUBSPOT_LIMITS.searchPageSize,
      },
      lane: 'search',
      what: 'search of tasks by marker',
    });
    // Oldest first: if a marker were ever on two tasks, the same one is reported every time.
    for (const task of recordsOf(answer.body)) {
      const marker = group.find((m) => task.properties[TASK_BODY]?.includes(m));
      if (marker !== undefined && !found.has(marker)) found.set(marker, task.id);
    }
  }
  return found;
}
