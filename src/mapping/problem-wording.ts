/**
 * The words of mapping problems: how a value, a type or a list of allowed values is said to RevOps, and the
 * drafts shared by several kinds of zod issue (a missing key, a value outside a list).
 */
import { didYouMean } from '../lib/did-you-mean.ts';
import { formatKeyPath, type MappingErrorCode } from './mapping-errors.ts';
import { isPlainObject } from './schema-walk.ts';
import { SOURCE_PATHS } from './source-paths.ts';

export type KeyPath = PropertyKey[];

/** A problem before it has a file position: `at` says whether to point at the key or at the value. */
export interface ProblemDraft {
  code: MappingErrorCode;
  path: KeyPath;
  at: 'key' | 'value';
  message: string;
  expected?: string;
  hint?: string;
  /** For unknown placeholders: point inside the text at `{{name}}`. */
  placeholder?: string;
  /** For unknown keys: the key it probably meant. */
  suggested?: string;
}

export const SECRET_HINT =
  'put the value in an environment variable or a file and reference it, e.g. { env: ACME_WEBHOOK_SECRET } or { file: /run/secrets/acme-webhook-secret }; if this file was ever shared or committed, rotate the secret';

/** Hints for keys whose rules are easier shown than described. */
export const PATH_HINTS: Readonly<Record<string, string>> = {
  schedule:
    'cron has five fields, minute hour day-of-month month day-of-week, in UTC: "*/5 * * * *" is every five minutes, "0 7 * * 1-5" is 07:00 on weekdays',
  tenant: 'the tenant id is the file name without .yaml: lower-case letters, digits and "-"',
};

const TYPE_WORDS: Readonly<Record<string, string>> = {
  object: 'a section of "key: value" lines',
  array: 'a list (lines starting with "- ")',
  string: 'text',
  number: 'a number',
  int: 'a whole number',
  boolean: 'true or false',
  null: 'an empty value',
};

export function typeWords(type: string): string {
  return TYPE_WORDS[type] ?? type;
}

export function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/** Long values are cut: messages stay on one line, and an unrecognised credential is never echoed whole. */
function quote(text: string): string {
  const oneLine = text.replace(/\s+/g, ' ').trim();
  return JSON.stringify(oneLine.length > 40 ? `${oneLine.slice(0, 37)}…` : oneLine);
}

export function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'an empty value';
  if (typeof value === 'string') return `the text ${quote(value)}`;
  if (typeof value === 'number') return `the number ${value}`;
  if (typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) return `a list of ${plural(value.length, 'item')}`;
  if (isPlainObject(value)) return 'a section of keys';
  return typeof value;
}

/** A readable list of allowed values; long lists are cut so the line stays readable. */
export function listOf(values: readonly string[], quoted: boolean, max = 12): string {
  const shown = values.slice(0, max).map((v) => (quoted ? JSON.stringify(v) : v));
  const rest = values.length > max ? `, … (${values.length} in all, see docs/mapping.md)` : '';
  return shown.length === 1 ? (shown[0] ?? '') : `one of ${shown.join(', ')}${rest}`;
}

export function valueAt(input: unknown, path: KeyPath): unknown {
  let value = input;
  for (const segment of path) {
    if (Array.isArray(value) && typeof segment === 'number') value = value[segment];
    else if (isPlainObject(value) && typeof segment === 'string') value = value[segment];
    else return undefined;
  }
  return value;
}

export function suggestion(
  input: unknown,
  candidates: readonly string[],
  wrap = (s: string) => `"${s}"`,
): string | undefined {
  if (typeof input !== 'string') return undefined;
  const near = didYouMean(input, candidates);
  return near === undefined ? undefined : `did you mean ${wrap(near)}?`;
}

export function lastKey(path: KeyPath): string {
  return String(path.at(-1) ?? '');
}

/** Reported at the parent, which is where the key has to be added. */
export function missingKey(path: KeyPath, expected: string | undefined): ProblemDraft {
  const parent = formatKeyPath(path.slice(0, -1));
  return {
    code: 'missing_key',
    path,
    at: 'key',
    message: `missing required key "${lastKey(path)}"`,
    ...(expected === undefined ? {} : { expected }),
    hint:
      parent === '' ? `add "${lastKey(path)}:" at the top level` : `add "${lastKey(path)}:" under ${parent}`,
  };
}

/** A value outside a closed list (an enum, a discriminator), with the closest allowed value as a hint. */
export function invalidValue(values: string[], path: KeyPath, input: unknown): ProblemDraft {
  const isSourcePath =
    values.length > 12 && values.every((v) => (SOURCE_PATHS as readonly string[]).includes(v));
  const expected = isSourcePath
    ? 'a source path such as grid.beforeScenario (docs/mapping.md lists them all)'
    : listOf(values, true);
  if (input === undefined) return missingKey(path, expected);
  const draft: ProblemDraft = {
    code: 'invalid_value',
    path,
    at: 'value',
    message: `${describeValue(input)} is not allowed`,
    expected,
  };
  const hint = suggestion(input, values);
  if (hint !== undefined) draft.hint = hint;
  return draft;
}
