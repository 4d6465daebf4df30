/**
 * Building SOQL safely. Values (domains, emails, ids) come from webhook payloads, so every one is escaped as
 * a string literal; names (objects, fields) come from the validated mapping and are still checked here,
 * because a name is pasted into the statement as-is.
 */
import { SOQL_IN_LIST_MAX_CHARS, SOQL_IN_LIST_MAX_VALUES } from './salesforce-limits.ts';

/** SOQL's escape sequences in string literals (Salesforce "Quoted String Escape Sequences"). */
const LITERAL_ESCAPES: Record<string, string> = {
  '\\': '\\\\',
  "'": "\\'",
  '"': '\\"',
  '\n': '\\n',
  '\r': '\\r',
  '\t': '\\t',
  '\b': '\\b',
  '\f': '\\f',
};

/** A quoted SOQL string literal: `o'brien\x` → `'o\'brien\\x'`. */
export function soqlString(value: string): string {
  return `'${value.replace(/[\\'"\n\r\t\b\f]/g, (ch) => LITERAL_ESCAPES[ch] ?? ch)}'`;
}

/** A LIKE pattern's literal part: `_` and `%` are wildcards unless escaped. Returns the unquoted text. */
export function soqlLikeFragment(value: string): string {
  return soqlString(value)
    .slice(1, -1)
    .replace(/[%_]/g, (ch) => `\\${ch}`);
}

const API_NAME = /^[A-Za-z][A-Za-z0-9_]*$/;

/**
 * Object and field API names go into statements and paths unquoted, so anything else is refused outright
 * (the mapping schema also accepts HubSpot's `2-12345` object ids, which Salesforce has no use for).
 */
export function soqlName(name: string): string {
  if (!API_NAME.test(name)) {
    throw new Error(
      `not a Salesforce API name: ${JSON.stringify(name)}; use letters, digits and _ (e.g. Sales_Grid__c)`,
    );
  }
  return name;
}

/** `SELECT a, b FROM X`: names checked, duplicates dropped (SOQL refuses a field selected twice). */
export function selectClause(fields: readonly string[], object: string): string {
  const unique = new Map<string, string>();
  for (const field of fields) {
    if (!unique.has(field.toLowerCase())) unique.set(field.toLowerCase(), soqlName(field));
  }
  return `SELECT ${[...unique.values()].join(', ')} FROM ${soqlName(object)}`;
}

/**
 * Splits values into IN lists, `('a', 'b')`, each short enough for a GET URL and Salesforce's statement
 * limits. Duplicates are dropped; order is kept.
 */
export function soqlInLists(values: readonly string[]): string[] {
  const lists: string[] = [];
  let current: string[] = [];
  let length = 0;
  for (const literal of new Set(values.map(soqlString))) {
    if (
      current.length > 0 &&
      (current.length >= SOQL_IN_LIST_MAX_VALUES || length + literal.length + 2 > SOQL_IN_LIST_MAX_CHARS)
    ) {
      lists.push(`(${current.join(', ')})`);
      current = [];
      length = 0;
    }
    current.push(literal);
    length += literal.length + 2;
  }
  if (current.length > 0) lists.push(`(${current.join(', ')})`);
  return lists;
}

/** 15- or 18-character Salesforce record ids; anything else cannot name a record, so it is never queried. */
export function isSalesforceId(value: string): boolean {
  return /^[A-Za-z0-9]{15}(?:[A-Za-z0-9]{3})?$/.test(value);
}

/** The 15-character, case-sensitive form of an id: what a 15- and an 18-character id of one record share. */
export function shortId(id: string): string {
  return id.slice(0, 15);
}

/**
 * A company's identity field may hold a bare domain (`acme.com`, a custom Domain__c) or a URL (`Website`:
 * `https://www.acme.com/`). Matching with exact IN values keeps the query selective; these are the forms a
 * domain is commonly written in. SOQL text comparison is case-insensitive.
 */
export function domainFieldVariants(domain: string): string[] {
  const bare = normaliseDomain(domain);
  if (bare === '') return [];
  const hosts = [bare, `www.${bare}`];
  return hosts.flatMap((host) => [
    host,
    `${host}/`,
    `http://${host}`,
    `http://${host}/`,
    `https://${host}`,
    `https://${host}/`,
  ]);
}

/** `HTTPS://www.Acme.com/pricing` → `acme.com`: the key a field value and a requested domain are compared by. */
export function normaliseDomain(value: string): string {
  return value
    .trim()
    .toLowerCase()
    .replace(/^[a-z][a-z0-9+.-]*:\/\//, '')
    .replace(/[/?#].*$/, '')
    .replace(/:\d+$/, '')
    .replace(/^www\./, '')
    .replace(/\.$/, '');
}
