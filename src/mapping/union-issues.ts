/**
 * zod reports a failed union as "Invalid input" with every branch's problems. RevOps meant one branch:
 * a field mapping is `from`, `const` or `template`; a secret is `{ env }` or `{ file }`; a CRM is hubspot or
 * salesforce. Here we work out which was meant and explain only that, or say plainly that two were mixed.
 */
import type { z } from 'zod';

import {
  describeValue,
  invalidValue,
  type KeyPath,
  missingKey,
  type ProblemDraft,
  SECRET_HINT,
  typeWords,
  valueAt,
} from './problem-wording.ts';
import {
  branchKeys,
  chooseOption,
  isPlainObject,
  isSecretReference,
  schemaAt,
  unionOptions,
} from './schema-walk.ts';

type Issue = z.core.$ZodIssue;
type UnionIssue = Extract<Issue, { code: 'invalid_union' }>;

export interface IssueContext {
  schema: z.core.$ZodType;
  input: unknown;
}

/** Explains a list of issues found under `prefix` (the issue explainer, passed in to avoid an import cycle). */
export type ExplainIssues = (
  issues: readonly Issue[],
  context: IssueContext,
  prefix: KeyPath,
) => ProblemDraft[];

export function explainUnion(
  issue: UnionIssue,
  path: KeyPath,
  context: IssueContext,
  explain: ExplainIssues,
): ProblemDraft[] {
  const value = valueAt(context.input, path);
  if ('note' in issue && issue.note === 'No matching discriminator') {
    const options = ('options' in issue ? (issue.options as unknown[]) : []).map(String);
    return [invalidValue(options, path, value)];
  }
  const schema = schemaAt(context.schema, path, context.input);
  if (isSecretReference(schema)) return [secretReferenceProblem(path, value)];

  if (isPlainObject(value) && schema) {
    const conflict = conflictingKeys(schema, value, path);
    if (conflict) return [conflict];
    const chosen = chooseOption(schema, value);
    const branch = chosen ? issue.errors[(unionOptions(schema) ?? []).indexOf(chosen)] : undefined;
    if (branch) return explain(branch, context, path);
  }
  const allWrongType = issue.errors.every(
    (b) => b.length === 1 && b[0]?.code === 'invalid_type' && b[0].path.length === 0,
  );
  if (allWrongType) {
    const expected = describeBranches(schema, issue);
    if (value === undefined) return [missingKey(path, expected)];
    return [
      {
        code: 'wrong_type',
        path,
        at: 'value',
        message: `wrong type: found ${describeValue(value)}`,
        expected,
      },
    ];
  }
  const fewest = [...issue.errors].sort((a, b) => a.length - b.length)[0] ?? [];
  return explain(fewest, context, path);
}

/** `one of { from: … }, { const: … }, { template: … }` for unions of objects; else the types, e.g. text or a number. */
function describeBranches(schema: z.core.$ZodType | undefined, issue: UnionIssue): string {
  const keys = schema ? branchKeys(schema) : undefined;
  if (keys && keys.every((k) => k.length > 0)) {
    return `one of ${keys.map((k) => `{ ${k[0] ?? ''}: … }`).join(', ')}`;
  }
  const types = issue.errors.map((b) =>
    b[0]?.code === 'invalid_type' ? typeWords(b[0].expected) : 'a value',
  );
  return [...new Set(types)].join(' or ');
}

/**
 * Keys that belong to different branches in one entry, e.g. `from` and `template`. zod sometimes settles on
 * one branch itself and reports the other's key as unknown, so unknown-key issues come through here too.
 */
export function conflictingKeys(
  schema: z.core.$ZodType,
  value: Record<string, unknown>,
  path: KeyPath,
): ProblemDraft | undefined {
  const keys = branchKeys(schema);
  if (!keys) return undefined;
  const used = keys.map((branch) => branch.filter((k) => k in value)).filter((found) => found.length > 0);
  if (used.length < 2) return undefined;
  return {
    code: 'conflicting_keys',
    path,
    at: 'key',
    message: `${used.map((found) => `"${found[0] ?? ''}"`).join(' and ')} cannot be used together`,
    expected: `exactly one of ${keys.map((k) => k[0] ?? '').join(', ')}`,
    hint: 'each entry takes its value from one place: keep the one you mean and remove the other',
  };
}

function secretReferenceProblem(path: KeyPath, value: unknown): ProblemDraft {
  const expected = '{ env: NAME } or { file: PATH }';
  if (typeof value === 'string' || typeof value === 'number') {
    return {
      code: 'secret_value',
      path,
      at: 'value',
      message: 'a secret value is written in the mapping file',
      expected,
      hint: SECRET_HINT,
    };
  }
  if (value === undefined) return missingKey(path, expected);
  return {
    code: 'invalid_value',
    path,
    at: 'key',
    message: 'a secret reference has exactly one key, env or file',
    expected,
    hint: 'e.g. token: { env: ACME_HUBSPOT_TOKEN }',
  };
}
