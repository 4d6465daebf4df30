/**
 * Writes through sObject Collections (`/composite/sobjects`): upsert by external ID, update by id and insert, 200
 * records per call, allOrNone false so one bad record does not sink its batch-mates. gridsync sends the
 * requests itself rather than through jsforce's `upsert(…, { allowRecursive })`: each 200-record chunk is
 * then retried on its own, and a single record still goes through the collections endpoint (its external ID
 * travels in the body, never in a URL).
 *
 * Salesforce refuses some mistakes for the whole request rather than per record (an unknown field fails the
 * JSON's deserialisation, so the answer is a 400 INVALID_FIELD naming it). Those are pinned on the records
 * that carry the field, and the others are sent again; another whole-request refusal is split in halves
 * until the records it concerns stand alone.
 */
import type { RecordOutcome } from '../crm-client.ts';
import { CrmError } from '../crm-errors.ts';
import { LOCK_CONTENTION_CODE, recordErrorsToCrmError } from './salesforce-errors.ts';
import type { SalesforceHttp } from './salesforce-http.ts';
import { COLLECTION_BATCH_SIZE } from './salesforce-limits.ts';

/** One record as sObject Collections takes it: `{ attributes: { type }, [field]: value }`. */
export type CollectionRecord = { attributes: { type: string } } & Record<string, unknown>;

export interface CollectionTarget {
  object: string;
  /** `/composite/sobjects/{Object}/{ExtIdField}` for upserts, `/composite/sobjects` for updates by id. */
  path: string;
  /** For messages: "upsert", "update", "insert". */
  verb: string;
  /**
   * POST inserts (`/composite/sobjects`); PATCH, the default, updates and upserts. An insert is not idempotent:
   * it is never resent after a timeout or a 5xx (that throws, and the caller looks before creating again);
   * records refused for a lock or isolated after a whole-request refusal were not created, so those go again.
   */
  method?: 'POST' | 'PATCH';
}

interface SaveResult {
  id?: string | null;
  success?: boolean;
  created?: boolean;
  errors?: unknown;
}

function chunks<T>(items: readonly T[], size: number): T[][] {
  const result: T[][] = [];
  for (let i = 0; i < items.length; i += size) result.push(items.slice(i, i + size));
  return result;
}

function isLockContention(outcome: RecordOutcome | undefined): boolean {
  return outcome !== undefined && !outcome.ok && outcome.error.correlationId === LOCK_CONTENTION_CODE;
}

/** Sends records in chunks of 200; returns one outcome per record, in order. */
export async function writeCollection(
  http: SalesforceHttp,
  target: CollectionTarget,
  records: readonly CollectionRecord[],
): Promise<RecordOutcome[]> {
  const outcomes: RecordOutcome[] = [];
  for (const chunk of chunks(records, COLLECTION_BATCH_SIZE)) {
    outcomes.push(...(await writeBatch(http, target, chunk)));
  }
  return outcomes;
}

/**
 * One collection call through the request pipeline. UNABLE_TO_LOCK_ROW on a record means another transaction
 * held its parent for a moment: the pipeline retries the call on its schedule, and each try sends just the
 * records still locked (both operations are idempotent); when it stops, they are reported as unavailable.
 */
async function writeBatch(
  http: SalesforceHttp,
  target: CollectionTarget,
  records: readonly CollectionRecord[],
): Promise<RecordOutcome[]> {
  if (records.length === 0) return [];
  const context = `${target.verb} ${target.object} records`;
  const outcomes: (RecordOutcome | undefined)[] = records.map(() => undefined);
  let open = records.map((_record, index) => index);
  const openRecords = (): CollectionRecord[] => open.map((index) => records[index] as CollectionRecord);
  try {
    await http.send<unknown>(
      () => ({
        method: target.method ?? 'PATCH',
        path: target.path,
        body: { allOrNone: false, records: openRecords() },
        context,
      }),
      {
        ...(target.method === 'POST' ? { idempotent: false } : {}),
        unfinished: (results) => {
          readResults(results, open, outcomes, target, context);
          open = open.filter((index) => isLockContention(outcomes[index]));
          const locked = open[0] === undefined ? undefined : outcomes[open[0]];
          return locked === undefined || locked.ok ? undefined : locked.error;
        },
      },
    );
  } catch (error) {
    // Transient and credential failures stay failures of the request; the caller's job retries it later.
    if (!(error instanceof CrmError) || error.retryable) throw error;
    const isolated = await isolateRefusal(http, target, openRecords(), error);
    open.forEach((index, i) => {
      outcomes[index] = isolated[i];
    });
  }
  // Every record has its outcome now: from an answer, or from isolating a refusal of the whole request.
  return outcomes as RecordOutcome[];
}

/** One answer of a collection call: a save result per record sent (`sent`: their indexes in the batch). */
function readResults(
  results: unknown,
  sent: readonly number[],
  outcomes: (RecordOutcome | undefined)[],
  target: CollectionTarget,
  context: string,
): void {
  if (!Array.isArray(results) || results.length !== sent.length) {
    throw new Error(
      `Salesforce ${context}: expected ${sent.length} results, got ${JSON.stringify(results)?.slice(0, 200)}`,
    );
  }
  (results as SaveResult[]).forEach((result, i) => {
    outcomes[sent[i] as number] =
      result.success === true && typeof result.id === 'string'
        ? {
            ok: true,
            id: result.id,
            ...(typeof result.created === 'boolean' ? { created: result.created } : {}),
          }
        : {
            ok: false,
            error: recordErrorsToCrmError(
              result.errors,
              `refused the ${target.object} record (${target.verb})`,
            ),
          };
  });
}

function carriesField(record: CollectionRecord, field: string): boolean {
  const wanted = field.toLowerCase();
  return Object.keys(record).some((key) => key.toLowerCase() === wanted);
}

async function isolateRefusal(
  http: SalesforceHttp,
  target: CollectionTarget,
  records: readonly CollectionRecord[],
  error: CrmError,
): Promise<RecordOutcome[]> {
  const refusedAll = (): RecordOutcome[] => records.map(() => ({ ok: false, error }));
  if (error.kind === 'field_missing' && error.field !== undefined) {
    const field = error.field;
    const carriers = records.map((record) => carriesField(record, field));
    // Every record has the field (or none does: the object itself is unknown): the mapping is at fault for all.
    if (carriers.every(Boolean) || !carriers.some(Boolean)) return refusedAll();
    const rest = await writeBatch(
      http,
      target,
      records.filter((_record, i) => !carriers[i]),
    );
    let next = 0;
    return carriers.map((carries) => (carries ? { ok: false, error } : (rest[next++] as RecordOutcome)));
  }
  // Errors about the object or the org, not one record: splitting would only repeat them.
  if (error.kind !== 'rejected' || records.length === 1) return refusedAll();
  const half = Math.ceil(records.length / 2);
  return [
    ...(await writeBatch(http, target, records.slice(0, half))),
    ...(await writeBatch(http, target, records.slice(half))),
  ];
}
