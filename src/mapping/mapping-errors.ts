/**
 * What can be wrong with a mapping file, said so that RevOps can fix it without reading code: where
 * (file:line:column and the key path), what is wrong, what was expected, and a hint. Codes are stable, so
 * tests and tools assert on them rather than on wording.
 */

export const MAPPING_ERROR_CODES = [
  'file_unreadable', // the file could not be read at all
  'wrong_extension', // acme.yml: mapping files end in .yaml
  'empty_file',
  'yaml_syntax', // the text is not valid YAML
  'duplicate_key', // the same key twice in one section
  'not_a_mapping', // the top level is a list or a single value
  'unknown_key',
  'missing_key',
  'wrong_type',
  'invalid_value', // not one of the allowed values
  'out_of_range', // too small, too big, too short, too long, too few items
  'invalid_format', // a pattern, URL, cron expression …
  'conflicting_keys', // keys of different kinds of value in one entry, e.g. from + template
  'secret_value', // a secret written where a { env } / { file } reference belongs
  'secret_like_value', // a string that looks like a credential anywhere in the file
  'tenant_mismatch', // `tenant` differs from the file name
  'invalid', // any other rule of the mapping format
] as const;
export type MappingErrorCode = (typeof MAPPING_ERROR_CODES)[number];

export interface MappingError {
  code: MappingErrorCode;
  file: string;
  /** 1-based; 0 (with column 0) when the problem concerns the file as a whole, e.g. it cannot be read. */
  line: number;
  /** 1-based. */
  column: number;
  /** Key path such as `qualification.icp.criteria.geo.in`; list items as `[2]`; "" for the whole file. */
  path: string;
  message: string;
  expected?: string;
  hint?: string;
}

/**
 * Dotted key path for messages. List indices become `[n]`, and keys that are not plain words (signal types
 * such as `website.pricing_view`) are quoted, so the path stays unambiguous.
 */
export function formatKeyPath(path: readonly PropertyKey[]): string {
  let text = '';
  for (const segment of path) {
    if (typeof segment === 'number') text += `[${segment}]`;
    else if (typeof segment === 'string' && /^[A-Za-z_][A-Za-z0-9_]*$/.test(segment)) {
      text += text === '' ? segment : `.${segment}`;
    } else text += `[${JSON.stringify(String(segment))}]`;
  }
  return text;
}

/**
 * One line `file:line:column  path: message (expected …)`, plus an indented `hint:` line when there is one.
 * Two spaces after the location keep it clickable in terminals and editors.
 */
export function formatMappingError(error: MappingError): string {
  const where = error.line > 0 ? `${error.file}:${error.line}:${error.column}` : error.file;
  const what = error.path === '' ? error.message : `${error.path}: ${error.message}`;
  const expected = error.expected === undefined ? '' : ` (expected ${error.expected})`;
  const hint = error.hint === undefined ? '' : `\n    hint: ${error.hint}`;
  return `${where}  ${what}${expected}${hint}`;
}

/** File order, then position: the order a person fixes them in. */
export function compareMappingErrors(a: MappingError, b: MappingError): number {
  return (
    a.file.localeCompare(b.file) || a.line - b.line || a.column - b.column || a.path.localeCompare(b.path)
  );
}
