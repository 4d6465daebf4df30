/**
 * `onTooLong: fail`: a value longer than its field refuses the whole grid's writes, on every CRM. Writing the
 * record without the field would look synced while the AE reads a record that lacks what the mapping promised,
 * so nothing of the grid is written (its record, its deal/company/contact fields, its links, its task) until
 * the mapping or the grid changes; the other grids of the batch go out as usual.
 */
import { formatLocation, type LoadedMapping } from '../mapping/loaded-mapping.ts';
import type { FieldProblem } from '../mapping/plan-fields.ts';
import type { GridSyncState, TargetSync } from '../domain/sync-state.ts';

type TargetName = keyof GridSyncState['targets'];

const TARGET_OF_ROLE: Readonly<Record<string, TargetName>> = {
  grid: 'gridRecord',
  deal: 'deal',
  company: 'company',
  contact: 'contact',
};

export function refusedFields(problems: readonly FieldProblem[]): FieldProblem[] {
  return problems.filter((p) => p.kind === 'too_long_refused');
}

/** The sentence for the grid's status: field, length, limit and the mapping line. */
export function describeRefusal(problem: FieldProblem, loaded: LoadedMapping): string {
  const location = loaded.locate(problem.origin);
  const where = location ? formatLocation(location) : loaded.file;
  return `${problem.message}: nothing of this grid was written (${where} ${problem.origin.join('.')})`;
}

/**
 * Reads describeRefusal's sentence back (field, location, mapping path), for the dead-letter listing. The
 * message starts with the field (plan-fields.ts: "FIELD is N characters, the field holds M; …").
 */
export const REFUSAL_MAPPING_LINE =
  /(\S+) is \d+ characters[^(]*: nothing of this grid was written \((\S+) ([^\s)]+)\)/g;

/** The targets of a refused grid: failed where a field was refused, the others skipped. */
export function refusedTargets(
  refused: readonly FieldProblem[],
  loaded: LoadedMapping,
  present: readonly TargetName[],
  at: string,
): GridSyncState['targets'] {
  const errors = new Map<TargetName, string[]>();
  for (const problem of refused) {
    const target = TARGET_OF_ROLE[String(problem.origin[0])] ?? 'gridRecord';
    errors.set(target, [...(errors.get(target) ?? []), describeRefusal(problem, loaded)]);
  }
  const targets: Partial<Record<TargetName, TargetSync>> = {};
  for (const name of new Set<TargetName>(['gridRecord', ...present, ...errors.keys()])) {
    const error = errors.get(name);
    targets[name] = error
      ? { state: 'failed', error: error.join('; '), permanent: true, updatedAt: at }
      : { state: 'skipped', updatedAt: at };
  }
  return targets as GridSyncState['targets'];
}
