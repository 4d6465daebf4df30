/**
 * The JSON Schema of a mapping file, generated from the zod schema so the two cannot drift apart. It is
 * committed as mappings/mapping.schema.json and named in each mapping's first line
 * (`# yaml-language-server: $schema=./mapping.schema.json`), which gives RevOps autocompletion, hover docs
 * and red squiggles in VS Code and other editors using the YAML language server.
 */
import { z } from 'zod';

import { tenantMappingSchema } from './mapping-schema.ts';
import { branchKeys, isSecretReference } from './schema-walk.ts';

export const MAPPING_SCHEMA_ID = 'urn:gridsync:tenant-mapping:v1';
export const MAPPING_SCHEMA_FILE_NAME = 'mapping.schema.json';

/**
 * Editor snippets (a yaml-language-server extension): choosing `token` offers `{ env: … }` rather than a
 * bare value, which is the mistake the format most wants to prevent.
 */
function snippetsFor(schema: z.core.$ZodType): unknown[] | undefined {
  if (isSecretReference(schema)) {
    return [
      { label: 'secret from an environment variable', body: { env: '${1:TENANT_SECRET_NAME}' } },
      { label: 'secret from a file', body: { file: '${1:/run/secrets/name}' } },
    ];
  }
  const keys = branchKeys(schema)?.map((k) => k[0]);
  if (keys?.join(',') === 'from,const,template') {
    return [
      { label: 'from a source path', body: { from: '${1:grid.beforeScenario}' } },
      { label: 'a template', body: { template: '${1:{{grid.account.name}}}' } },
      { label: 'a constant', body: { const: '${1:value}' } },
    ];
  }
  return undefined;
}

/**
 * Draft-07, because it is the draft editors support best. `io: 'input'` describes what people write (keys
 * with defaults are optional, and the defaults show in hover docs), not what the loader returns.
 */
export function buildMappingJsonSchema(): Record<string, unknown> {
  const generated = z.toJSONSchema(tenantMappingSchema, {
    io: 'input',
    target: 'draft-07',
    unrepresentable: 'any',
    override: ({ zodSchema, jsonSchema }) => {
      const snippets = snippetsFor(zodSchema);
      if (snippets) (jsonSchema as Record<string, unknown>).defaultSnippets = snippets;
    },
  }) as Record<string, unknown>;
  const { $schema, ...rest } = generated;
  return {
    $schema,
    $id: MAPPING_SCHEMA_ID,
    title: 'gridsync tenant mapping',
    description:
      'One file per tenant in mappings/<tenant>.yaml: where Sales Grids and signals go in the CRM, how signals are scored, when an account qualifies and what the AE task says. Reference: docs/mapping.md. Generated from src/mapping/mapping-schema.ts by `npm run mappings:schema`; do not edit.',
    ...rest,
  };
}

/** The exact text of mappings/mapping.schema.json: the same schema always gives the same bytes. */
export function renderMappingJsonSchema(): string {
  return `${JSON.stringify(buildMappingJsonSchema(), null, 2)}\n`;
}
