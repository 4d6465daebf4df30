/**
 * Backfill of a signal history: each line is validated by the webhook's signal schema and stored through the
 * intake's own acceptSignals, in batches of at most the webhook's limit, so a backfilled signal is exactly a
 * received one (stored once by id, its account re-scored by the worker). Resumable by construction: a signal
 * whose id is already stored is counted as already stored and not stored again, so an interrupted import is
 * finished by running it again.
 */
import { randomUUID } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createInterface } from 'node:readline';

import { MAX_SIGNALS_PER_BATCH, type Signal, signalSchema } from '../../domain/signal.ts';
import type { IntakeStore } from '../../store/store.ts';
import { fieldErrors } from '../problem.ts';
import { friendlierIssueMessages } from '../send-acceptance.ts';
import { csvLineParser, type ParsedLine, parseNdjsonLine, type SignalFileFormat } from './signal-lines.ts';

const BATCHES_IN_FLIGHT = 4;

export interface ImportTenant {
  /** The tenant's sync.maxAttempts, for the account.refresh jobs the batches enqueue. */
  maxAttempts: number;
}

export interface ImportSignalsOptions {
  store: IntakeStore;
  file: string;
  format: SignalFileFormat;
  /** Every line is for this tenant; without it each line names its own in a "tenant" field. */
  tenant?: string;
  /** The loaded tenants; a line for any other is refused. */
  tenants: (tenant: string) => ImportTenant | undefined;
  /** Signals per stored batch (at most the webhook's 1,000). */
  batchSize?: number;
  onProgress?: (progress: ImportProgress) => void;
  now?: () => Date;
}

export interface ImportProgress {
  bytesRead: number;
  totalBytes: number;
  lines: number;
  accepted: number;
  duplicates: number;
  refused: number;
}

export interface RefusedLine {
  line: number;
  reason: string;
}

export interface ImportReport extends Omit<ImportProgress, 'refused' | 'bytesRead'> {
  refused: RefusedLine[];
  seconds: number;
  linesPerSecond: number;
}

/** Thrown when the file as a whole cannot be read (missing, CSV header wrong): nothing was stored. */
export class ImportFileError extends Error {
  override readonly name = 'ImportFileError';
}

export async function importSignals(options: ImportSignalsOptions): Promise<ImportReport> {
  const started = performance.now();
  const batchSize = Math.min(options.batchSize ?? MAX_SIGNALS_PER_BATCH, MAX_SIGNALS_PER_BATCH);
  const now = options.now ?? (() => new Date());
  let totalBytes: number;
  try {
    totalBytes = (await stat(options.file)).size;
  } catch (error) {
    throw new ImportFileError(`cannot read ${options.file}: ${(error as Error).message}`);
  }
  // One run id: each batch is its own delivery (webhook id), and a re-run is a new delivery whose signals
  // the store recognises by id.
  const runId = randomUUID();
  let batchNumber = 0;
  const input = createReadStream(options.file);
  const progress: ImportProgress = {
    bytesRead: 0,
    totalBytes,
    lines: 0,
    accepted: 0,
    duplicates: 0,
    refused: 0,
  };
  const refused: RefusedLine[] = [];
  const pending = new Map<string, { signals: Signal[] }>();

  const refuse = (line: number, reason: string): void => {
    refused.push({ line, reason });
    progress.refused += 1;
  };

  // A few batches in flight at once: reading and validating go on while earlier batches commit, and the
  // SQLite store shares one durable commit among deliveries that arrive together (group commit).
  const inFlight = new Set<Promise<void>>();
  const flush = async (tenant: string): Promise<void> => {
    const batch = pending.get(tenant);
    if (!batch || batch.signals.length === 0) return;
    pending.delete(tenant);
    while (inFlight.size >= BATCHES_IN_FLIGHT) await Promise.race(inFlight);
    const stored = store(tenant, batch.signals);
    inFlight.add(stored);
    // Removed once settled; a failure is seen by whoever awaits it (the race above, or the final drain).
    stored.then(
      () => inFlight.delete(stored),
      () => undefined,
    );
  };

  const store = async (tenant: string, signals: Signal[]): Promise<void> => {
    batchNumber += 1;
    const settings = options.tenants(tenant);
    const result = await options.store.acceptSignals({
      tenant,
      webhookId: `import:${runId}:${batchNumber}`,
      signals,
      receivedAt: now(),
      ...(settings ? { maxAttempts: settings.maxAttempts } : {}),
      answer: ({ accepted, duplicates, accounts }) => ({
        status: 202,
        body: { accepted, duplicates, accounts },
      }),
    });
    if (result.replay) {
      throw new Error(`import batch ${batchNumber} was answered as a replay: its delivery id is not unique`);
    }
    progress.accepted += result.result.accepted;
    progress.duplicates += result.result.duplicates;
  };

  let parse: ((line: string) => ParsedLine) | undefined =
    options.format === 'ndjson' ? parseNdjsonLine : undefined;
  const lines = createInterface({ input, crlfDelay: Infinity });
  let lineNumber = 0;
  try {
    for await (const text of lines) {
      lineNumber += 1;
      progress.bytesRead = input.bytesRead;
      if (text.trim() === '') continue;
      if (!parse) {
        try {
          parse = csvLineParser(text.replace(/^\uFEFF/, ''));
        } catch (error) {
          throw new ImportFileError(`${options.file}:1: ${(error as Error).message}`);
        }
        continue;
      }
      progress.lines += 1;
      const accepted = acceptLine(parse(text), options);
      if (!accepted.ok) {
        refuse(lineNumber, accepted.reason);
      } else {
        const batch = pending.get(accepted.tenant) ?? { signals: [] };
        batch.signals.push(accepted.signal);
        pending.set(accepted.tenant, batch);
        if (batch.signals.length >= batchSize) await flush(accepted.tenant);
      }
      if (progress.lines % batchSize === 0) options.onProgress?.({ ...progress });
    }
    for (const tenant of [...pending.keys()]) await flush(tenant);
    await Promise.all(inFlight);
  } finally {
    // On a failure, let the batches already sent settle before the caller closes the store.
    await Promise.allSettled(inFlight);
    lines.close();
    input.destroy();
  }
  progress.bytesRead = totalBytes;
  options.onProgress?.({ ...progress });
  const seconds = (performance.now() - started) / 1000;
  return {
    totalBytes,
    lines: progress.lines,
    accepted: progress.accepted,
    duplicates: progress.duplicates,
    refused,
    seconds,
    linesPerSecond: seconds > 0 ? progress.lines / seconds : progress.lines,
  };
}

function acceptLine(
  parsed: ParsedLine,
  options: ImportSignalsOptions,
): { ok: true; tenant: string; signal: Signal } | { ok: false; reason: string } {
  if (!parsed.ok) return parsed;
  const { tenant: named, ...raw } = parsed.value;
  if (named !== undefined && typeof named !== 'string') {
    return { ok: false, reason: '/tenant: must be a tenant id' };
  }
  if (options.tenant !== undefined && named !== undefined && named !== options.tenant) {
    return {
      ok: false,
      reason: `/tenant: the line is for "${named}", this import is for "${options.tenant}"`,
    };
  }
  const tenant = options.tenant ?? named;
  if (tenant === undefined) {
    return { ok: false, reason: '/tenant: required (give --tenant, or a "tenant" field on each line)' };
  }
  if (!options.tenants(tenant)) {
    return { ok: false, reason: `/tenant: no valid mapping is loaded for "${tenant}"` };
  }
  const checked = signalSchema.safeParse(raw, { error: friendlierIssueMessages });
  if (!checked.success) {
    return {
      ok: false,
      reason: fieldErrors(checked.error.issues)
        .map((e) => `${e.pointer || '/'}: ${e.message}`)
        .join('; '),
    };
  }
  return { ok: true, tenant, signal: checked.data };
}
