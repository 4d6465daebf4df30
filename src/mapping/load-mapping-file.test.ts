import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

import { describe, expect, it } from 'vitest';

import { isMappingFileName, loadMappingFile, tenantOfFile } from './load-mapping-file.ts';
import type { MappingError } from './mapping-errors.ts';

const MINIMAL_FILE = fileURLToPath(
  new URL('../../test/fixtures/mappings/valid/minimal.yaml', import.meta.url),
);
const minimal = readFileSync(MINIMAL_FILE, 'utf8');
const FILE = 'mappings/minimal.yaml';

function edit(text: string, ...replacements: [string, string][]): string {
  let result = text;
  for (const [from, to] of replacements) {
    if (!result.includes(from)) throw new Error(`test setup: "${from}" is not in the text`);
    result = result.replace(from, to);
  }
  return result;
}

function problems(text: string, file = FILE): MappingError[] {
  const result = loadMappingFile(file, text);
  if (result.ok) throw new Error('expected the mapping to have problems');
  return result.error;
}

/** 1-based line and column where `needle` first appears. */
function where(text: string, needle: string): { line: number; column: number } {
  const offset = text.indexOf(needle);
  if (offset < 0) throw new Error(`test setup: "${needle}" is not in the text`);
  const before = text.slice(0, offset).split('\n');
  return { line: before.length, column: (before.at(-1)?.length ?? 0) + 1 };
}

describe('loadMappingFile: a valid file', () => {
  it('returns the mapping with every default filled in', () => {
    const result = loadMappingFile(FILE, minimal);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    const { mapping } = result.value;
    expect(mapping.tenant).toBe('minimal');
    expect(mapping.schedule).toBe('*/5 * * * *');
    expect(mapping.crm).toMatchObject({ type: 'hubspot', plan: 'starter' });
    expect(mapping.task.owner.chain).toEqual(['deal_owner', 'company_owner', 'fallback']);
    expect(mapping.identity.company.field).toBe('domain');
  });

  it('reads the file from disk when no text is given', () => {
    const result = loadMappingFile(MINIMAL_FILE);
    expect(result.ok && result.value.file).toBe(MINIMAL_FILE);
  });

  it('fingerprints the content, so a reload of identical text can be skipped', () => {
    const first = loadMappingFile(FILE, minimal);
    const same = loadMappingFile(FILE, minimal);
    const changed = loadMappingFile(FILE, `${minimal}\n# a comment\n`);
    expect(first.ok && same.ok && changed.ok).toBe(true);
    if (!first.ok || !same.ok || !changed.ok) return;
    expect(first.value.contentHash).toMatch(/^[0-9a-f]{64}$/);
    expect(same.value.contentHash).toBe(first.value.contentHash);
    expect(changed.value.contentHash).not.toBe(first.value.contentHash);
  });

  it('freezes the mapping, which every job of the tenant shares', () => {
    const result = loadMappingFile(FILE, minimal);
    if (!result.ok) throw new Error('expected a valid mapping');
    expect(Object.isFrozen(result.value.mapping.task.owner.chain)).toBe(true);
    expect(() => {
      (result.value.mapping as { tenant: string }).tenant = 'other';
    }).toThrow(TypeError);
  });

  it('accepts a byte-order mark at the start of the file', () => {
    expect(loadMappingFile(FILE, `\uFEFF${minimal}`).ok).toBe(true);
  });
});

describe('LoadedMapping.locate', () => {
  const result = loadMappingFile(FILE, minimal);
  if (!result.ok) throw new Error('expected a valid mapping');
  const loaded = result.value;

  it('gives file:line:column of the key at a path, for errors found later (e.g. a property HubSpot rejects)', () => {
    expect(loaded.locate(['grid', 'fields', 'gridsync_before_scenario'])).toEqual({
      file: FILE,
      ...where(minimal, 'gridsync_before_scenario'),
    });
    expect(loaded.locate(['task', 'owner'])).toEqual({ file: FILE, ...where(minimal, 'owner:') });
  });

  it('locates list items and keys inside them', () => {
    expect(loaded.locate(['qualification', 'icp', 'criteria', 'geo', 'from', 0, 'crmField'])).toEqual({
      file: FILE,
      ...where(minimal, 'crmField'),
    });
  });

  it('returns undefined for a path the file does not have (a default)', () => {
    expect(loaded.locate(['schedule'])).toBeUndefined();
    expect(loaded.locate(['grid', 'fields', 'no_such_field'])).toBeUndefined();
  });
});

describe('loadMappingFile: the file itself', () => {
  it('reports a missing file without a line', () => {
    const result = loadMappingFile('/nonexistent/dir/acme.yaml');
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error).toEqual([
      expect.objectContaining({ code: 'file_unreadable', line: 0, column: 0, message: 'file not found' }),
    ]);
  });

  it('reports an empty file, or one with only comments', () => {
    expect(problems('')).toEqual([expect.objectContaining({ code: 'empty_file', line: 1, column: 1 })]);
    expect(problems('# nothing yet\n')).toEqual([expect.objectContaining({ code: 'empty_file' })]);
  });

  it('reports a top level that is a list rather than keys', () => {
    expect(problems('- tenant: minimal\n')).toEqual([
      expect.objectContaining({ code: 'not_a_mapping', line: 1 }),
    ]);
  });

  it('asks for the .yaml extension', () => {
    const found = problems(minimal, 'mappings/minimal.yml');
    expect(found).toEqual([
      expect.objectContaining({ code: 'wrong_extension', hint: 'rename it to minimal.yaml' }),
    ]);
  });

  it('requires the tenant to match the file name', () => {
    const [problem] = problems(minimal, 'mappings/acme.yaml');
    expect(problem).toMatchObject({
      code: 'tenant_mismatch',
      path: 'tenant',
      expected: '"acme"',
      ...where(minimal, 'minimal\n'),
    });
  });

  it('derives the tenant from the file name and knows which files are mapping files', () => {
    expect(tenantOfFile('/srv/mappings/acme.yaml')).toBe('acme');
    expect(isMappingFileName('acme.yaml')).toBe(true);
    expect(isMappingFileName('acme.yml')).toBe(true);
    expect(isMappingFileName('.acme.yaml.swp')).toBe(false);
    expect(isMappingFileName('acme.yaml~')).toBe(false);
    expect(isMappingFileName('mapping.schema.json')).toBe(false);
  });
});

describe('loadMappingFile: YAML problems', () => {
  it('reports a syntax error at its line and column, without guessing at the rest', () => {
    const text = edit(
      minimal,
      ['  type: hubspot\n', '  type: hubspot\n\tplan: starter\n'],
      ['tenant: minimal', 'tenant: minimal\ncolour: blue'],
    );
    const found = problems(text);
    expect(found).toEqual([
      expect.objectContaining({
        code: 'yaml_syntax',
        hint: 'indent with spaces, not tabs',
        ...where(text, '\tplan'),
      }),
    ]);
  });

  it('reports an unclosed quote', () => {
    const text = edit(minimal, ["subject: 'Follow up", "subject: 'Follow up\n"]);
    expect(problems(text)[0]).toMatchObject({
      code: 'yaml_syntax',
      hint: 'a quote or bracket is not closed',
    });
  });

  it('reports a key written twice at the second one, and still checks everything else', () => {
    const text = edit(
      minimal,
      ['  type: hubspot\n', '  type: hubspot\n  type: salesforce\n'],
      ['tenant: minimal', 'tenant: minimal\ncolour: blue'],
    );
    const found = problems(text);
    expect(found.map((p) => p.code)).toEqual(['unknown_key', 'duplicate_key']);
    expect(found[1]).toMatchObject({ path: 'crm.type', ...where(text, 'type: salesforce') });
  });

  it('reports an alias without its anchor instead of throwing', () => {
    const text = edit(minimal, ['  type: hubspot', '  type: *missing']);
    expect(problems(text)[0]).toMatchObject({ code: 'yaml_syntax' });
  });

  it('refuses a second YAML document in the same file', () => {
    expect(problems(`${minimal}---\ntenant: other\n`)[0]).toMatchObject({ code: 'yaml_syntax' });
  });
});

describe('loadMappingFile: every problem at once', () => {
  it('reports all mistakes of a file, in the order of the file', () => {
    const text = edit(
      minimal,
      ['tenant: minimal', 'tenant: minimal\nschedul: "* * * * *"'],
      ['  type: hubspot', '  type: hubspot\n  plan: pro'],
      ['{ intent: high }', '{ intent: hot }'],
      ["fallbackOwnerId: '1'", 'fallbackOwnerId: 1'],
    );
    const found = problems(text);
    expect(found.map((p) => `${p.path} ${p.code}`)).toEqual([
      'schedul unknown_key',
      'crm.plan invalid_value',
      'scoring.signals["website.pricing_view"].intent invalid_value',
      'task.owner.fallbackOwnerId wrong_type',
    ]);
    const lines = found.map((p) => p.line);
    expect(lines).toEqual([...lines].sort((a, b) => a - b));
  });
});
