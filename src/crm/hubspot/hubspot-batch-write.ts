/**
 * Batch writes with per-record outcomes. HubSpot reports a batch's partial failure in two ways and we handle
 * both: a 207 Multi-Status whose `errors[]` name the failed inputs, or a whole-batch refusal (400/409/422,
 * 404 for ids that do not exist). A refused batch is split to isolate the records HubSpot rejects, so their
 * batch-mates still go through:
 *
 * - an error that names inputs (context ids / objectWriteTraceId) fails exactly those;
 * - an unknown property fails exactly the inputs that carry it (2 calls for one bad record in 100);
 * - any other refusal is halved recursively until the bad inputs stand alone.
 * The inputs not failed are resent together.
 */
import type { RecordOutcome } from '../crm-client.ts';
import { CrmError } from '../crm-errors.ts';
import {
  contextStrings,
  errorFromBatchItem,
  type HubSpotErrorBody,
  parseErrorBody,
} from './hubspot-errors.ts';
import type { HubSpotAnswer } from './hubspot-http.ts';

/** Whole-batch refusals a batch call asks the transport to return rather than throw. */
export const BATCH_REFUSALS = [400, 404, 409, 422] as const;

export interface BatchEntry<I> {
  /** Identifies the input in results and errors (objectWriteTraceId, record id, from:to pair). */
  key: string;
  input: I;
  /** The properties the input writes, to find the inputs an unknown-property error concerns. */
  properties: Record<string, string>;
}

export interface BatchWriteOptions<I> {
  size: number;
  /** Sends one batch; must pass BATCH_REFUSALS as answerStatuses. */
  send: (inputs: I[]) => Promise<HubSpotAnswer>;
  /** The entry key a result belongs to, and the success it means. */
  readResult: (result: Record<string, unknown>) => { key: string; outcome: RecordOutcome } | undefined;
  /** For messages: "p_sales_grid records". */
  what: string;
}

type Outcomes = Map<string, RecordOutcome>;

/** Writes all entries in batches of `size`; one outcome per key. Throws only request-level failures. */
export async function writeInBatches<I>(
  entries: BatchEntry<I>[],
  options: BatchWriteOptions<I>,
): Promise<Outcomes> {
  const outcomes: Outcomes = new Map();
  for (let i = 0; i < entries.length; i += options.size) {
    await writeChunk(entries.slice(i, i + options.size), options, outcomes);
  }
  return outcomes;
}

async function writeChunk<I>(
  chunk: BatchEntry<I>[],
  options: BatchWriteOptions<I>,
  outcomes: Outcomes,
): Promise<void> {
  if (chunk.length === 0) return;
  const answer = await options.send(chunk.map((entry) => entry.input));
  const body = (typeof answer.body === 'object' && answer.body !== null ? answer.body : {}) as Record<
    string,
    unknown
  >;
  const inChunk = new Set(chunk.map((entry) => entry.key));
  const keysNamedBy = (error: HubSpotErrorBody): string[] =>
    ['objectWriteTraceId', 'ids', 'id']
      .flatMap((k) => contextStrings(error.context, k))
      .filter((k) => inChunk.has(k));

  if (answer.status >= 400) {
    const refusal = parseErrorBody(answer.body);
    await isolate(
      chunk,
      refusal,
      keysNamedBy(refusal),
      errorFromBatchItem(refusal, options.what, answer.status),
      options,
      outcomes,
    );
    return;
  }

  for (const result of Array.isArray(body.results) ? body.results : []) {
    if (typeof result !== 'object' || result === null) continue;
    const read = options.readResult(result as Record<string, unknown>);
    if (read && inChunk.has(read.key)) outcomes.set(read.key, read.outcome);
  }
  const unattributed: HubSpotErrorBody[] = [];
  for (const raw of Array.isArray(body.errors) ? body.errors : []) {
    const error = parseErrorBody(raw);
    const keys = keysNamedBy(error);
    if (keys.length === 0) unattributed.push(error);
    for (const key of keys) {
      outcomes.set(key, { ok: false, error: errorFromBatchItem(error, options.what, answer.status) });
    }
  }
  const unresolved = chunk.filter((entry) => !outcomes.has(entry.key));
  if (unresolved.length === 0) return;
  if (chunk.length === 1) {
    const error = unattributed[0];
    outcomes.set(chunk[0]!.key, {
      ok: false,
      error: error
        ? errorFromBatchItem(error, options.what, answer.status)
        : new CrmError('rejected', `HubSpot answered without a result for one of the ${options.what}`, {
            status: answer.status,
          }),
    });
    return;
  }
  // Errors we cannot pin on an input: resend the inputs still without an outcome; split if that is all of them.
  if (unresolved.length < chunk.length) await writeChunk(unresolved, options, outcomes);
  else await halve(unresolved, options, outcomes);
}

async function isolate<I>(
  chunk: BatchEntry<I>[],
  refusal: HubSpotErrorBody,
  namedKeys: string[],
  error: CrmError,
  options: BatchWriteOptions<I>,
  outcomes: Outcomes,
): Promise<void> {
  const fail = (entries: BatchEntry<I>[]): void => {
    for (const entry of entries) outcomes.set(entry.key, { ok: false, error });
  };
  if (chunk.length === 1) return fail(chunk);

  let culprits: BatchEntry<I>[] = [];
  if (namedKeys.length > 0) {
    culprits = chunk.filter((entry) => namedKeys.includes(entry.key));
  } else if (error.kind === 'field_missing' && error.field !== undefined) {
    const field = error.field.toLowerCase();
    culprits = chunk.filter((entry) =>
      Object.keys(entry.properties).some((name) => name.toLowerCase() === field),
    );
  } else if (error.kind === 'not_found' && refusal.category !== 'OBJECT_NOT_FOUND') {
    // A 404 that names no record: the object type or endpoint is wrong, and every input would fail alike.
    return fail(chunk);
  }
  if (culprits.length === 0) return halve(chunk, options, outcomes);
  fail(culprits);
  await writeChunk(
    chunk.filter((entry) => !culprits.includes(entry)),
    options,
    outcomes,
  );
}

async function halve<I>(
  chunk: BatchEntry<I>[],
  options: BatchWriteOptions<I>,
  outcomes: Outcomes,
): Promise<void> {
  const middle = Math.ceil(chunk.length / 2);
  await writeChunk(chunk.slice(0, middle), options, outcomes);
  await writeChunk(chunk.slice(middle), options, outcomes);
}
