/**
 * Batch writes with per-record outcomes. HubSpot reports a batch's partial failure in two ways and we handle
 * both: a 207 Multi-Status whose `errors[]` name the failed inputs (or do not), or a whole-batch refusal
 * (400/409/422, 404 for ids that do not exist). Refused inputs are isolated so their batch-mates still go
 * through, and the isolation work is bounded:
 *
 * - an error that names inputs (context ids / objectWriteTraceId) fails exactly those;
 * - an unknown property fails exactly the inputs that carry it (2 calls for one bad record in 100);
 * - a 207 with at least as many unattributable errors as inputs left without a result fails those inputs
 *   (every one has an error; splitting would only ask again), e.g. association errors with an empty context;
 * - any other refusal is halved, but when both halves are refused for the same reason, naming no field, the
 *   cause is shared by every input (a wrong association type, a wrong object) and the whole batch fails with
 *   it, without further splitting; and no batch spends more than 2·⌈log2 n⌉ + 2 further calls on isolation.
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
  /**
   * Creates (not idempotent): an input a 2xx or 207 answer leaves without a result or a named error may have
   * been created all the same, so it fails (retryable: the caller looks before creating again) instead of
   * being resent. Inputs of a whole-batch refusal (400…) were not created, and are still isolated by resending.
   */
  creates?: boolean;
}

type Outcomes = Map<string, RecordOutcome>;

/** Why the inputs an answer left without outcome failed, and a signature to compare refusals by. */
interface Refusal {
  body: HubSpotErrorBody;
  error: CrmError;
  signature: string;
  /** How many errors of this kind the answer held without naming an input. */
  unattributed: number;
}

interface Sent<I> {
  unresolved: BatchEntry<I>[];
  refusal: Refusal | undefined;
}

/** Calls one batch may still spend on isolating refused inputs. */
class IsolationBudget {
  #left: number;

  constructor(size: number) {
    this.#left = 2 * Math.ceil(Math.log2(Math.max(2, size))) + 2;
  }

  take(calls: number): boolean {
    if (this.#left < calls) return false;
    this.#left -= calls;
    return true;
  }
}

/** Writes all entries in batches of `size`; one outcome per key. Throws only request-level failures. */
export async function writeInBatches<I>(
  entries: BatchEntry<I>[],
  options: BatchWriteOptions<I>,
): Promise<Outcomes> {
  const outcomes: Outcomes = new Map();
  for (let i = 0; i < entries.length; i += options.size) {
    const chunk = entries.slice(i, i + options.size);
    if (chunk.length === 0) continue;
    const budget = new IsolationBudget(chunk.length);
    const sent = await sendOnce(chunk, options, outcomes);
    await isolate(chunk.length, sent, options, outcomes, budget);
  }
  return outcomes;
}

/** Sends `chunk` and records every outcome the answer attributes; returns the inputs it left open. */
async function sendOnce<I>(
  chunk: BatchEntry<I>[],
  options: BatchWriteOptions<I>,
  outcomes: Outcomes,
): Promise<Sent<I>> {
  const answer = await options.send(chunk.map((entry) => entry.input));
  const inChunk = new Set(chunk.map((entry) => entry.key));
  const keysNamedBy = (error: HubSpotErrorBody): string[] =>
    ['objectWriteTraceId', 'ids', 'id']
      .flatMap((k) => contextStrings(error.context, k))
      .filter((k) => inChunk.has(k));
  const fail = (key: string, body: HubSpotErrorBody): void => {
    outcomes.set(key, { ok: false, error: errorFromBatchItem(body, options.what, answer.status) });
  };
  const open = (): BatchEntry<I>[] => chunk.filter((entry) => !outcomes.has(entry.key));

  if (answer.status >= 400) {
    const body = parseErrorBody(answer.body);
    const named = keysNamedBy(body);
    for (const key of named) fail(key, body);
    const error = errorFromBatchItem(body, options.what, answer.status);
    const refusal = { body, error, signature: signatureOf(answer.status, body, error), unattributed: 1 };
    // The named inputs sink the whole batch: the others were not written and are resent.
    return { unresolved: open(), refusal: named.length > 0 ? { ...refusal, unattributed: 0 } : refusal };
  }

  const body = (typeof answer.body === 'object' && answer.body !== null ? answer.body : {}) as Record<
    string,
    unknown
  >;
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
    for (const key of keys) fail(key, error);
  }
  const unresolved = open();
  if (unresolved.length === 0) return { unresolved, refusal: undefined };
  if (options.creates === true) {
    const [cause] = unattributed;
    // As many unnamed errors as open inputs: each of them failed. Otherwise some may exist after all.
    const error =
      cause !== undefined && unattributed.length >= unresolved.length
        ? errorFromBatchItem(cause, options.what, answer.status)
        : new CrmError(
            'unavailable',
            `HubSpot answered without a result for some of the ${options.what}; they may exist`,
            { status: answer.status },
          );
    for (const entry of unresolved) outcomes.set(entry.key, { ok: false, error });
    return { unresolved: [], refusal: undefined };
  }
  const [first] = unattributed;
  if (first === undefined) {
    const error = new CrmError(
      'rejected',
      `HubSpot answered without a result for some of the ${options.what}`,
      {
        status: answer.status,
      },
    );
    return { unresolved, refusal: { body: {}, error, signature: 'no-result', unattributed: 0 } };
  }
  const error = errorFromBatchItem(first, options.what, answer.status);
  const signatures = new Set(unattributed.map((e) => signatureOf(answer.status, e, error)));
  return {
    unresolved,
    refusal: {
      body: first,
      error,
      signature: signatures.size === 1 ? [...signatures][0]! : 'mixed',
      unattributed: unattributed.length,
    },
  };
}

/** Finds the refused inputs among those `sent` left open, within the batch's isolation budget. */
async function isolate<I>(
  sentCount: number,
  sent: Sent<I>,
  options: BatchWriteOptions<I>,
  outcomes: Outcomes,
  budget: IsolationBudget,
): Promise<void> {
  const { unresolved, refusal } = sent;
  if (unresolved.length === 0 || refusal === undefined) return;
  const failAll = (entries: BatchEntry<I>[], error = refusal.error): void => {
    for (const entry of entries) outcomes.set(entry.key, { ok: false, error });
  };
  if (unresolved.length === 1 && unresolved.length === sentCount) return failAll(unresolved);
  // One error per open input, none naming it: each of them failed, and asking again would say the same.
  if (refusal.unattributed >= unresolved.length) return failAll(unresolved);

  const { error } = refusal;
  if (error.kind === 'field_missing' && error.field !== undefined && unresolved.length === sentCount) {
    const field = error.field.toLowerCase();
    const culprits = unresolved.filter((entry) =>
      Object.keys(entry.properties).some((name) => name.toLowerCase() === field),
    );
    if (culprits.length > 0) {
      failAll(culprits);
      return resend(
        unresolved.filter((entry) => !culprits.includes(entry)),
        options,
        outcomes,
        budget,
        error,
      );
    }
  }
  if (error.kind === 'not_found' && refusal.body.category !== 'OBJECT_NOT_FOUND') {
    // A 404 that names no record: the object type or endpoint is wrong, and every input would fail alike.
    return failAll(unresolved);
  }
  // Some inputs went through or were named: the open ones may only have shared the batch with them.
  if (unresolved.length < sentCount) return resend(unresolved, options, outcomes, budget, error);
  await halve(unresolved, refusal, options, outcomes, budget);
}

async function resend<I>(
  entries: BatchEntry<I>[],
  options: BatchWriteOptions<I>,
  outcomes: Outcomes,
  budget: IsolationBudget,
  lastError: CrmError,
): Promise<void> {
  if (entries.length === 0) return;
  if (!budget.take(1)) return giveUp(entries, outcomes, lastError);
  const sent = await sendOnce(entries, options, outcomes);
  await isolate(entries.length, sent, options, outcomes, budget);
}

async function halve<I>(
  entries: BatchEntry<I>[],
  refusal: Refusal,
  options: BatchWriteOptions<I>,
  outcomes: Outcomes,
  budget: IsolationBudget,
): Promise<void> {
  if (!budget.take(2)) return giveUp(entries, outcomes, refusal.error);
  const middle = Math.ceil(entries.length / 2);
  const halves = [entries.slice(0, middle), entries.slice(middle)];
  const sent: Sent<I>[] = [];
  for (const half of halves) sent.push(await sendOnce(half, options, outcomes));
  const sameCause = sent.every(
    (s, i) =>
      s.unresolved.length === halves[i]!.length &&
      s.refusal?.signature === refusal.signature &&
      refusal.error.field === undefined,
  );
  if (sameCause) {
    // Both halves refused, whole, for the one reason the batch was: nothing about single records.
    for (const entry of entries) outcomes.set(entry.key, { ok: false, error: refusal.error });
    return;
  }
  for (const [i, s] of sent.entries()) await isolate(halves[i]!.length, s, options, outcomes, budget);
}

function giveUp<I>(entries: BatchEntry<I>[], outcomes: Outcomes, error: CrmError): void {
  for (const entry of entries) outcomes.set(entry.key, { ok: false, error });
}

function signatureOf(status: number, body: HubSpotErrorBody, error: CrmError): string {
  return [status, body.category, body.subCategory, body.code, body.message, error.field].join('|');
}
