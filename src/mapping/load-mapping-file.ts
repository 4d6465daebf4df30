/**
 * mappings/<tenant>.yaml → a validated TenantMapping, or every problem in the file at once, each with its
 * file:line:column. YAML is parsed with a line counter so every zod issue can be pointed back at the text
 * RevOps wrote; a bad file is a value (Result), never a throw.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';

import { isMap, LineCounter, parseDocument } from 'yaml';

import { err, ok, type Result } from '../lib/result.ts';
import { collapseTypos, issuesToDrafts } from './issue-messages.ts';
import type { LoadedMapping } from './loaded-mapping.ts';
import type { MappingError } from './mapping-errors.ts';
import { tenantMappingSchema, type TenantMapping } from './mapping-schema.ts';
import { Problems } from './problem-collector.ts';
import { SECRET_HINT } from './problem-wording.ts';
import { secretKindOf } from './secret-scan.ts';
import { forEachScalar, keyPosition, positionAt, type YamlSource } from './yaml-positions.ts';

export const MAPPING_FILE_EXTENSION = '.yaml';

/**
 * Names the registry and `mapping validate` pick up in a mappings directory. `.yml` files are included so
 * they are reported (mapping files end in .yaml) instead of silently ignored; dot-files and editor backups
 * (`.acme.yaml.swp`, `acme.yaml~`) are not mapping files.
 */
export function isMappingFileName(name: string): boolean {
  return /^[^.#].*\.ya?ml$/i.test(name);
}

/** The tenant a mapping file is for: its name without `.yaml` (mappings/acme.yaml → acme). */
export function tenantOfFile(file: string): string {
  return basename(file).replace(/\.ya?ml$/i, '');
}

/** Reads (unless `text` is given) and validates one mapping file. */
export function loadMappingFile(file: string, text?: string): Result<LoadedMapping, MappingError[]> {
  let content: string;
  try {
    content = text ?? readFileSync(file, 'utf8');
  } catch (cause) {
    const reason =
      (cause as NodeJS.ErrnoException).code === 'ENOENT'
        ? 'file not found'
        : `cannot read the file (${String(cause)})`;
    return err([{ code: 'file_unreadable', file, line: 0, column: 0, path: '', message: reason }]);
  }
  const contentHash = createHash('sha256').update(content).digest('hex');
  const yamlText = content.replace(/^\uFEFF/, ''); // editors on Windows may save a byte-order mark
  const lineCounter = new LineCounter();
  // logLevel 'error': problems are collected in doc.errors and reported by us, not printed by the library.
  const doc = parseDocument(yamlText, {
    lineCounter,
    uniqueKeys: true,
    prettyErrors: false,
    logLevel: 'error',
  });
  const source: YamlSource = { doc, lineCounter, text: yamlText };
  const problems = new Problems(file, source);

  if (!file.endsWith(MAPPING_FILE_EXTENSION)) {
    problems.add(
      {
        code: 'wrong_extension',
        path: [],
        message: `mapping files end in ${MAPPING_FILE_EXTENSION}`,
        hint: `rename it to ${tenantOfFile(file)}.yaml`,
      },
      { line: 0, column: 0 },
    );
  }
  for (const yamlError of [...doc.errors, ...doc.warnings]) {
    problems.addYamlError(yamlError.code, yamlError.message, yamlError.pos[0]);
  }
  // After a real syntax error the structure is a guess; checking it would only add confusing problems.
  if (problems.has((e) => e.code === 'yaml_syntax')) return err(problems.sorted());

  if (doc.contents === null) {
    problems.add(
      {
        code: 'empty_file',
        path: [],
        message: 'the file is empty',
        hint: 'start from a copy of mappings/acme.yaml (HubSpot) or mappings/globex.yaml (Salesforce)',
      },
      { line: 1, column: 1 },
    );
    return err(problems.sorted());
  }
  if (!isMap(doc.contents)) {
    problems.addDraft({
      code: 'not_a_mapping',
      path: [],
      at: 'value',
      message: 'the top level must be "key: value" lines (tenant:, crm:, …)',
    });
    return err(problems.sorted());
  }

  let input: unknown;
  try {
    input = doc.toJS({ maxAliasCount: 100 });
  } catch (cause) {
    problems.add(
      { code: 'yaml_syntax', path: [], message: `the YAML cannot be read: ${(cause as Error).message}` },
      { line: 1, column: 1 },
    );
    return err(problems.sorted());
  }

  checkSecretLookalikes(source, problems);
  const parsed = tenantMappingSchema.safeParse(input, { reportInput: true });
  if (!parsed.success) {
    const drafts = collapseTypos(issuesToDrafts(parsed.error.issues, { schema: tenantMappingSchema, input }));
    for (const draft of drafts) problems.addDraft(draft);
  }
  checkTenantMatchesFile(file, input, problems);

  if (problems.count() > 0) return err(problems.sorted());
  if (!parsed.success) {
    throw new Error(`mapping ${file} failed validation without a reported problem`, { cause: parsed.error });
  }
  return ok(loadedMapping(file, contentHash, deepFreeze(parsed.data), source));
}

function loadedMapping(
  file: string,
  contentHash: string,
  mapping: TenantMapping,
  source: YamlSource,
): LoadedMapping {
  return {
    mapping,
    file,
    contentHash,
    locate(path) {
      const position = keyPosition(source, path);
      return position && { file, line: position.line, column: position.column };
    },
  };
}

function checkSecretLookalikes(source: YamlSource, problems: Problems): void {
  forEachScalar(source, (node, path) => {
    if (typeof node.value !== 'string') return;
    const kind = secretKindOf(node.value);
    if (kind === undefined) return;
    const at = positionAt(source, node.range?.[0] ?? 0);
    problems.add(
      {
        code: 'secret_like_value',
        path,
        message: `this looks like ${kind}: credentials must not be written in a mapping file`,
        hint: SECRET_HINT,
      },
      at,
    );
  });
}

function checkTenantMatchesFile(file: string, input: unknown, problems: Problems): void {
  const tenant = (input as { tenant?: unknown }).tenant;
  const expected = tenantOfFile(file);
  if (typeof tenant !== 'string' || tenant === expected || problems.has((e) => e.path === 'tenant')) return;
  problems.addDraft({
    code: 'tenant_mismatch',
    path: ['tenant'],
    at: 'value',
    message: `tenant "${tenant}" does not match the file name ${basename(file)}`,
    expected: JSON.stringify(expected),
    hint: `the file name is the tenant id: set tenant: ${expected}, or rename the file to ${tenant}.yaml`,
  });
}

/** A loaded mapping is shared by every job of the tenant: frozen, so no caller can change it for the others. */
function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}
