import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

import { buildMappingJsonSchema, MAPPING_SCHEMA_ID, renderMappingJsonSchema } from './json-schema.ts';

const repo = (path: string): string => fileURLToPath(new URL(`../../${path}`, import.meta.url));
const read = (path: string): string => readFileSync(repo(path), 'utf8');

/** Validates like an editor would: draft-07, with the yaml-language-server snippet keyword allowed. */
const ajv = new Ajv({ allErrors: true, strict: true, allowUnionTypes: true, formats: { uri: true } });
ajv.addKeyword('defaultSnippets');
const validate = ajv.compile(buildMappingJsonSchema());

describe('the mapping JSON Schema', () => {
  it('is committed as mappings/mapping.schema.json and up to date (fix: npm run mappings:schema)', () => {
    expect(read('mappings/mapping.schema.json')).toBe(renderMappingJsonSchema());
  });

  it('renders the same bytes every time', () => {
    expect(renderMappingJsonSchema()).toBe(renderMappingJsonSchema());
  });

  it('is a draft-07 schema with an id, a title and a description for the editor', () => {
    const schema = buildMappingJsonSchema();
    expect(Object.keys(schema).slice(0, 4)).toEqual(['$schema', '$id', 'title', 'description']);
    expect(schema).toMatchObject({
      $schema: 'http://json-schema.org/draft-07/schema#',
      $id: MAPPING_SCHEMA_ID,
    });
  });

  it('accepts both example tenants, so the editor shows no false alarm', () => {
    for (const file of [
      'mappings/acme.yaml',
      'mappings/globex.yaml',
      'test/fixtures/mappings/valid/minimal.yaml',
    ]) {
      expect(validate(parse(read(file))), `${file}: ${JSON.stringify(validate.errors)}`).toBe(true);
    }
  });

  it('lets the editor flag unknown keys, wrong types and missing keys as RevOps types', () => {
    expect(validate(parse(read('test/fixtures/mappings/broken/acme.yaml')))).toBe(false);
    expect(validate.errors?.map((e) => `${e.instancePath} ${e.keyword}`).sort()).toEqual([
      '/grid required',
      '/scoring additionalProperties',
      '/task/dueInDays type',
    ]);
  });

  it('documents keys and their defaults for hover help', () => {
    const text = renderMappingJsonSchema();
    expect(text).toContain('"description": "When the scheduled sync runs (cron, UTC).');
    expect(text).toContain('"default": "*/5 * * * *"');
  });

  it('offers { env } and { file } snippets wherever a secret goes', () => {
    const schema = buildMappingJsonSchema() as {
      properties: { secrets: { properties: Record<string, unknown> } };
    };
    expect(schema.properties.secrets.properties.webhookSigningSecret).toMatchObject({
      defaultSnippets: [{ body: { env: expect.any(String) } }, { body: { file: expect.any(String) } }],
    });
  });
});
