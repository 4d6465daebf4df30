/**
 * zod issues → problems written for RevOps: what is wrong, what was expected, a hint. No zod wording reaches
 * the user; unions are explained by union-issues.ts, words and shared drafts live in problem-wording.ts.
 */
import type { z } from 'zod';

import { didYouMean } from '../lib/did-you-mean.ts';
import { formatKeyPath } from './mapping-errors.ts';
import {
  describeValue,
  invalidValue,
  type KeyPath,
  lastKey,
  listOf,
  missingKey,
  PATH_HINTS,
  plural,
  type ProblemDraft,
  suggestion,
  typeWords,
  valueAt,
} from './problem-wording.ts';
import { isPlainObject, knownKeysAt, schemaAt } from './schema-walk.ts';
import { SOURCE_PATHS } from './source-paths.ts';
import { conflictingKeys, explainUnion, type IssueContext } from './union-issues.ts';

export type { IssueContext } from './union-issues.ts';
export type { ProblemDraft } from './problem-wording.ts';

type Issue = z.core.$ZodIssue;

/** Every zod issue as one or more drafts; `prefix` is the path of the union branch being explained. */
export function issuesToDrafts(
  issues: readonly Issue[],
  context: IssueContext,
  prefix: KeyPath = [],
): ProblemDraft[] {
  return issues.flatMap((issue) => issueToDrafts(issue, context, [...prefix, ...issue.path]));
}

function issueToDrafts(issue: Issue, context: IssueContext, path: KeyPath): ProblemDraft[] {
  const input = 'input' in issue ? issue.input : valueAt(context.input, path);
  const drafts = ((): ProblemDraft[] => {
    switch (issue.code) {
      case 'invalid_type':
        return [invalidType(issue, path, input)];
      case 'unrecognized_keys':
        return unknownKeys(issue.keys, path, context);
      case 'invalid_value':
        return [invalidValue(issue.values.map(String), path, input)];
      case 'too_small':
      case 'too_big':
        return [outOfRange(issue, path, input)];
      case 'invalid_format':
        return [invalidFormat(issue, path, input)];
      case 'not_multiple_of':
        return [
          {
            code: 'out_of_range',
            path,
            at: 'value',
            message: `${describeValue(input)} is not allowed`,
            expected: `a multiple of ${String(issue.divisor)}`,
          },
        ];
      case 'invalid_key':
        return [invalidKey(issue, path)];
      case 'invalid_union':
        return explainUnion(issue, path, context, issuesToDrafts);
      case 'custom':
        return [custom(issue, path, input)];
      default:
        return [
          { code: 'invalid', path, at: 'value', message: `${describeValue(input)} is not allowed here` },
        ];
    }
  })();
  return drafts.map((d) => {
    const hint = PATH_HINTS[formatKeyPath(d.path)];
    return d.hint === undefined && hint !== undefined ? { ...d, hint } : d;
  });
}

function invalidType(
  issue: Extract<Issue, { code: 'invalid_type' }>,
  path: KeyPath,
  input: unknown,
): ProblemDraft {
  const expected = typeWords(issue.expected);
  if (input === undefined) return missingKey(path, expected);
  if (issue.expected === 'int' && typeof input === 'number') {
    return { code: 'wrong_type', path, at: 'value', message: `${input} is not a whole number`, expected };
  }
  const draft: ProblemDraft = {
    code: 'wrong_type',
    path,
    at: 'value',
    message: `wrong type: found ${describeValue(input)}`,
    expected,
  };
  if (input === null && (issue.expected === 'object' || issue.expected === 'array')) {
    draft.hint = `the key has no value: write ${issue.expected === 'object' ? '{}' : '[]'} for none, or remove the key if it is optional`;
  } else if (issue.expected === 'string' && (typeof input === 'number' || typeof input === 'boolean')) {
    draft.hint = `YAML reads this as a ${typeof input}: put it in quotes, e.g. '${String(input)}'`;
  } else if (issue.expected === 'string' && typeof input === 'object' && input !== null) {
    draft.hint = "text that starts with { or [ must be in quotes, e.g. '{{grid.account.name}} …'";
  }
  return draft;
}

function unknownKeys(keys: readonly string[], path: KeyPath, context: IssueContext): ProblemDraft[] {
  const value = valueAt(context.input, path);
  const schema = schemaAt(context.schema, path, context.input);
  const conflict = schema && isPlainObject(value) ? conflictingKeys(schema, value, path) : undefined;
  if (conflict) return [conflict];
  const present = isPlainObject(value) ? Object.keys(value) : [];
  const known = knownKeysAt(context.schema, path, context.input, value) ?? [];
  // Suggest only keys not already written: with `fields` present, `fieldz` is not a misspelt `fields`.
  const free = known.filter((k) => !present.includes(k));
  return keys.map((key) => {
    const near = didYouMean(key, free);
    return {
      code: 'unknown_key' as const,
      path: [...path, key],
      at: 'key' as const,
      message: `unknown key "${key}"`,
      ...(known.length > 0 ? { expected: listOf(known, false) } : {}),
      ...(near === undefined ? {} : { suggested: near }),
      hint:
        near === undefined
          ? 'remove it, or check docs/mapping.md for the keys allowed here'
          : `did you mean "${near}"?`,
    };
  });
}

/**
 * A misspelt required key shows up twice in zod: as an unknown key and as a missing one. It is one
 * mistake, so it is reported once, at the misspelling, whose hint already names the right key.
 */
export function collapseTypos(drafts: ProblemDraft[]): ProblemDraft[] {
  const misspelt = new Set(
    drafts
      .filter((d) => d.code === 'unknown_key' && d.suggested !== undefined)
      .map((d) => formatKeyPath([...d.path.slice(0, -1), d.suggested ?? ''])),
  );
  return drafts.filter((d) => d.code !== 'missing_key' || !misspelt.has(formatKeyPath(d.path)));
}

function outOfRange(
  issue: Extract<Issue, { code: 'too_small' | 'too_big' }>,
  path: KeyPath,
  input: unknown,
): ProblemDraft {
  const small = issue.code === 'too_small';
  const bound = Number(small ? issue.minimum : issue.maximum);
  const exact = 'exact' in issue && issue.exact === true;
  const inclusive = issue.inclusive !== false;
  const draft = (message: string, expected: string): ProblemDraft => ({
    code: 'out_of_range',
    path,
    at: 'value',
    message,
    expected,
  });
  switch (issue.origin) {
    case 'string': {
      const length = typeof input === 'string' ? input.length : 0;
      const limit = exact
        ? `exactly ${plural(bound, 'character')}`
        : `${small ? 'at least' : 'at most'} ${plural(bound, 'character')}`;
      return draft(`text is too ${small ? 'short' : 'long'} (${plural(length, 'character')})`, limit);
    }
    case 'array': {
      const count = Array.isArray(input) ? input.length : 0;
      const limit = exact
        ? `exactly ${plural(bound, 'item')}`
        : `${small ? 'at least' : 'at most'} ${plural(bound, 'item')}`;
      return draft(
        count === 0 ? 'the list is empty' : `too ${small ? 'few' : 'many'} items (${count})`,
        limit,
      );
    }
    default: {
      const words = small ? (inclusive ? 'at least' : 'more than') : inclusive ? 'at most' : 'less than';
      return draft(`${String(input)} is too ${small ? 'small' : 'big'}`, `a number ${words} ${bound}`);
    }
  }
}

/** zod's own messages start like this; any other message is one the schema wrote for RevOps. */
const ZOD_DEFAULT_MESSAGE = /^(Invalid|Too (small|big)|Unrecognized|Expected)/;

function invalidFormat(
  issue: Extract<Issue, { code: 'invalid_format' }>,
  path: KeyPath,
  input: unknown,
): ProblemDraft {
  const custom = !ZOD_DEFAULT_MESSAGE.test(issue.message);
  const formats: Record<string, string> = {
    url: 'a URL such as https://api.example.com',
    email: 'an email address',
    datetime: 'a date and time such as 2026-11-22T09:00:00Z',
  };
  const pattern =
    'pattern' in issue && issue.pattern !== undefined
      ? `text matching ${String(issue.pattern)}`
      : 'a different form';
  const expected = custom ? issue.message : (formats[issue.format] ?? pattern);
  return {
    code: 'invalid_format',
    path,
    at: 'value',
    message: `${describeValue(input)} does not have the right form`,
    expected,
  };
}

function invalidKey(issue: Extract<Issue, { code: 'invalid_key' }>, path: KeyPath): ProblemDraft {
  const inner = issue.issues[0];
  const expected = inner && !ZOD_DEFAULT_MESSAGE.test(inner.message) ? inner.message : 'a different name';
  return {
    code: 'invalid_format',
    path,
    at: 'key',
    message: `the key "${lastKey(path)}" is not allowed`,
    expected,
  };
}

function custom(issue: Extract<Issue, { code: 'custom' }>, path: KeyPath, input: unknown): ProblemDraft {
  const placeholder = (issue.params as { placeholder?: unknown } | undefined)?.placeholder;
  if (typeof placeholder === 'string') {
    const draft: ProblemDraft = {
      code: 'invalid_value',
      path,
      at: 'value',
      message: `unknown placeholder {{${placeholder}}}`,
      expected: 'a source path such as {{grid.beforeScenario}} (docs/mapping.md lists them all)',
      placeholder,
    };
    const hint = suggestion(placeholder, SOURCE_PATHS, (s) => `{{${s}}}`);
    if (hint !== undefined) draft.hint = hint;
    return draft;
  }
  const code = formatKeyPath(path) === 'schedule' ? 'invalid_format' : 'invalid';
  const draft: ProblemDraft = {
    code,
    path,
    at: typeof input === 'object' && input !== null ? 'key' : 'value',
    message: issue.message,
  };
  const hint = (issue.params as { hint?: unknown } | undefined)?.hint;
  if (typeof hint === 'string') draft.hint = hint;
  return draft;
}
