/**
 * `gridsync signals import FILE [--tenant T] [--format ndjson|csv]`: backfill a signal history through the
 * webhook's validation and storage (src/intake/backfill). A progress bar on a terminal, plain counts
 * otherwise; a summary with every refused line's number and reason, and the throughput.
 */
import { extname } from 'node:path';

import cliProgress from 'cli-progress';

import {
  type ImportProgress,
  type ImportReport,
  ImportFileError,
  importSignals,
} from '../intake/backfill/import-signals.ts';
import type { SignalFileFormat } from '../intake/backfill/signal-lines.ts';
import {
  EXIT,
  loadMappings,
  openDeployment,
  parseActionCommand,
  positiveInteger,
  printJson,
  requireTenant,
  runCommand,
  UsageError,
} from './cli-support.ts';

const USAGE = `usage: gridsync signals import FILE [--tenant T] [--format ndjson|csv] [--batch-size N] [--json]

  Backfill a signal history: every line goes through the same validation and storage as
  POST /v1/tenants/{tenant}/signals, in batches (default and at most 1,000). Signals whose id is already
  stored are skipped, so an interrupted import is finished by running it again.

  FILE          NDJSON: one signal object per line; CSV: a header line, then one signal per line, with columns
                id, type, account.domain, occurredAt, value, contact.email, contact.name, source,
                attributes (a JSON object), tenant
  --tenant      the tenant every line is for; without it, each line names its own in a "tenant" field
  --format      ndjson or csv (default: from the file name, .csv is CSV, anything else NDJSON)
  --batch-size  signals per stored batch
  --json        print the summary as JSON

exit codes: 0 every line stored or already stored; 1 some lines were refused (listed), or the store failed;
            2 usage or configuration (unknown tenant, unreadable file, bad CSV header)
`;

export function signalsCommand(args: string[]): Promise<number> {
  return runCommand('signals', USAGE, async () => {
    const parsed = parseActionCommand(
      args,
      ['import'] as const,
      {
        tenant: { type: 'string' },
        format: { type: 'string' },
        'batch-size': { type: 'string' },
        json: { type: 'boolean' },
      },
      USAGE,
      () => true,
    );
    if (!parsed) return EXIT.ok;
    const { values, positionals } = parsed;
    if (positionals.length !== 1) throw new UsageError('give one FILE to import');
    const file = positionals[0] as string;
    const format = (values.format ??
      (extname(file).toLowerCase() === '.csv' ? 'csv' : 'ndjson')) as SignalFileFormat;
    if (format !== 'ndjson' && format !== 'csv') {
      throw new UsageError(`--format must be ndjson or csv, not "${String(format)}"`);
    }
    const batchSize = positiveInteger(values['batch-size'], '--batch-size');

    const deployment = await openDeployment();
    try {
      const mappings = await loadMappings(deployment);
      if (values.tenant !== undefined) {
        requireTenant(mappings, values.tenant, deployment.config.GRIDSYNC_MAPPINGS_DIR);
      }
      const progress = progressReporter(values.json === true);
      let report: ImportReport;
      try {
        report = await importSignals({
          store: deployment.store,
          file,
          format,
          ...(values.tenant === undefined ? {} : { tenant: values.tenant }),
          tenants: (tenant) => {
            const loaded = mappings.get(tenant);
            return loaded && { maxAttempts: loaded.mapping.sync.maxAttempts };
          },
          ...(batchSize === undefined ? {} : { batchSize }),
          onProgress: progress.update,
        });
      } catch (error) {
        progress.stop();
        if (error instanceof ImportFileError) {
          process.stderr.write(`gridsync signals import: ${error.message}\n`);
          return EXIT.usage;
        }
        throw error;
      }
      progress.stop();
      if (values.json === true) printJson(report);
      else printSummary(file, report);
      return report.refused.length === 0 ? EXIT.ok : EXIT.failed;
    } finally {
      await deployment.close();
    }
  });
}

/** A bar (bytes read) on a terminal; otherwise a plain line of counts every 10,000 lines, on stderr. */
function progressReporter(quiet: boolean): { update: (p: ImportProgress) => void; stop: () => void } {
  const counts = (p: ImportProgress): string =>
    `${p.lines.toLocaleString('en')} lines: ${p.accepted.toLocaleString('en')} stored, ${p.duplicates.toLocaleString('en')} already stored, ${p.refused.toLocaleString('en')} refused`;
  if (process.stderr.isTTY) {
    const bar = new cliProgress.SingleBar(
      {
        stream: process.stderr,
        format: 'importing [{bar}] {percentage}% | {counts} | eta {eta_formatted}',
        hideCursor: true,
      },
      cliProgress.Presets.shades_classic,
    );
    let started = false;
    return {
      update(p) {
        if (!started) {
          bar.start(Math.max(1, p.totalBytes), 0, { counts: counts(p) });
          started = true;
        }
        bar.update(p.bytesRead, { counts: counts(p) });
      },
      stop: () => {
        if (started) bar.stop();
      },
    };
  }
  let lastReported = 0;
  let latest: ImportProgress | undefined;
  let printed = '';
  const print = (p: ImportProgress): void => {
    printed = counts(p);
    process.stderr.write(`${printed}\n`);
  };
  return {
    update(p) {
      latest = p;
      if (quiet || p.lines - lastReported < 10_000) return;
      lastReported = p.lines;
      print(p);
    },
    // The last line shows the final counts: the batches still in flight at the last 10,000 have settled.
    stop: () => {
      if (!quiet && latest && counts(latest) !== printed) print(latest);
    },
  };
}

function printSummary(file: string, report: ImportReport): void {
  const out = process.stdout;
  const n = (x: number): string => x.toLocaleString('en');
  out.write(
    `${file}: ${n(report.lines)} lines in ${report.seconds.toFixed(1)} s (${n(Math.round(report.linesPerSecond))} lines/s)\n`,
  );
  out.write(`  ${n(report.accepted)} stored\n`);
  out.write(`  ${n(report.duplicates)} already stored (skipped by signal id)\n`);
  out.write(`  ${n(report.refused.length)} refused${report.refused.length > 0 ? ':' : ''}\n`);
  for (const { line, reason } of report.refused) out.write(`    line ${line}: ${reason}\n`);
}
