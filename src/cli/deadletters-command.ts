/**
 * `gridsync deadletters list|replay`: the work that will not reach the CRM until someone acts, and putting it
 * back once the cause is fixed. Runs against the configured store while `gridsync serve` runs elsewhere: a
 * replayed job is claimed by a running worker like any due job.
 */
import { type DeadLetter, listDeadLetters, replayDeadLetters } from '../sync/dead-letters.ts';
import type { DeadJobFilter } from '../store/store.ts';
import {
  EXIT,
  LISTING_OPTIONS,
  openDeployment,
  optionalTime,
  parseActionCommand,
  positiveInteger,
  printJson,
  runCommand,
  UsageError,
} from './cli-support.ts';

const USAGE = `usage: gridsync deadletters list [--tenant T] [--since TIME] [--until TIME] [--limit N] [--json]
       gridsync deadletters replay (GRID_ID… | --tenant T | --since TIME [--until TIME]) [--preview] [--json]

  A dead letter is work that will not reach the CRM without someone acting: a job that used up its attempts,
  a grid the CRM refused for good (a mapping naming a property the portal lacks), a grid the mapping refused
  (a value too long for a field with onTooLong: fail), a job whose worker stopped on its last attempt. list shows each with its error and the mapping line the error names.
  replay queues them again with fresh attempts; the worker syncs them with the mapping in force by then.

  --tenant    only this tenant's
  --since     died at or after TIME: an ISO date (2026-11-20T16:00:00Z) or an age (30m, 2h, 7d)
  --until     died before TIME
  --limit     list at most N (newest first)
  --preview   replay: list what would be replayed and why it failed, and change nothing
  --json      print JSON

exit codes: 0 done (also when there is nothing to list or replay); 1 the store failed; 2 usage or configuration
`;

const OPTIONS = {
  ...LISTING_OPTIONS,
  until: { type: 'string' },
  preview: { type: 'boolean' },
} as const;

export function deadlettersCommand(args: string[]): Promise<number> {
  return runCommand('deadletters', USAGE, async () => {
    const parsed = parseActionCommand(
      args,
      ['list', 'replay'] as const,
      OPTIONS,
      USAGE,
      (a) => a === 'replay',
    );
    if (!parsed) return EXIT.ok;
    const { action, values, positionals } = parsed;
    if (action === 'list' && values.preview === true) throw new UsageError('--preview belongs to replay');
    const filter: DeadJobFilter = {
      ...(values.tenant === undefined ? {} : { tenant: values.tenant }),
      ...optional('since', optionalTime(values.since, '--since')),
      ...optional('until', optionalTime(values.until, '--until')),
      ...optional('limit', positiveInteger(values.limit, '--limit')),
      ...(positionals.length === 0 ? {} : { gridIds: positionals }),
    };
    if (action === 'replay' && positionals.length === 0 && !filter.tenant && !filter.since && !filter.until) {
      throw new UsageError('say what to replay: grid ids, --tenant, or --since/--until');
    }

    const deployment = await openDeployment();
    try {
      const letters = await listDeadLetters(deployment.store, filter);
      if (action === 'list' || values.preview === true) {
        if (values.json === true) printJson(letters);
        else printLetters(letters, action === 'list' ? 'dead letter' : 'would be replayed');
        return EXIT.ok;
      }
      const moved = await replayDeadLetters(deployment.store, letters, new Date());
      if (values.json === true) {
        printJson({
          replayed: moved.map((j) => ({ jobId: j.id, tenant: j.tenant, kind: j.kind, key: j.key })),
        });
      } else {
        process.stdout.write(
          moved.length === 0
            ? 'nothing to replay\n'
            : `replayed ${moved.length} dead letter(s) with fresh attempts; a running gridsync serve syncs them within seconds\n` +
                moved.map((j) => `  ${j.tenant} ${j.kind} ${j.key.split(':').slice(2).join(':')}\n`).join(''),
        );
      }
      return EXIT.ok;
    } finally {
      await deployment.close();
    }
  });
}

function optional<K extends string, V>(key: K, value: V | undefined): Partial<Record<K, V>> {
  return value === undefined ? {} : ({ [key]: value } as Record<K, V>);
}

function printLetters(letters: DeadLetter[], noun: string): void {
  const out = process.stdout;
  if (letters.length === 0) {
    out.write(noun === 'dead letter' ? 'no dead letters\n' : 'nothing would be replayed\n');
    return;
  }
  out.write(
    `${letters.length} ${noun === 'dead letter' ? 'dead letter(s)' : 'dead letter(s) would be replayed'}:\n`,
  );
  for (const letter of letters) {
    out.write(
      `\n${letter.tenant} ${letter.kind} ${letter.subject} (job ${letter.jobId}): dead since ${letter.diedAt.toISOString()} after ${letter.attempts} of ${letter.maxAttempts} attempt(s)\n`,
    );
    if (letter.targets.length === 0) out.write(`  error: ${letter.error}\n`);
    for (const target of letter.targets) out.write(`  ${target.target}: ${target.error}\n`);
    for (const line of letter.mappingLines) {
      out.write(`  mapping line: ${line.location} ${line.path} (CRM field "${line.field}")\n`);
    }
  }
}
