import { describe, expect, it } from 'vitest';
import { z } from 'zod';

import { secretRefSchema } from '../config/secret-ref.ts';
import { tenantMappingSchema } from './mapping-schema.ts';
import { branchKeys, isSecretReference, knownKeysAt, schemaAt } from './schema-walk.ts';

describe('schema-walk', () => {
  it('knows the keys of an object at a path', () => {
    expect(knownKeysAt(tenantMappingSchema, ['task', 'owner'], {}, {})).toEqual(['chain', 'fallbackOwnerId']);
  });

  it('knows the keys of a record with a closed list of keys', () => {
    expect(knownKeysAt(tenantMappingSchema, ['qualification', 'icp', 'criteria'], {}, {})).toEqual([
      'companySize',
      'industry',
      'techStack',
      'fundingStage',
      'geo',
    ]);
  });

  it('follows the branch of a discriminated union that the input names', () => {
    const input = { crm: { type: 'salesforce' } };
    expect(knownKeysAt(tenantMappingSchema, ['crm'], input, input.crm)).toEqual([
      'type',
      'baseUrl',
      'apiVersion',
      'auth',
    ]);
  });

  it('returns undefined for keys that are free, and for paths the schema does not have', () => {
    expect(knownKeysAt(tenantMappingSchema, ['grid', 'fields'], {}, {})).toBeUndefined();
    expect(schemaAt(tenantMappingSchema, ['nope', 'deeper'], {})).toBeUndefined();
  });

  it('recognises a secret reference by shape, also after .describe()', () => {
    expect(isSecretReference(secretRefSchema)).toBe(true);
    expect(isSecretReference(secretRefSchema.describe('another copy'))).toBe(true);
    expect(isSecretReference(z.union([z.object({ env: z.string() }), z.object({ value: z.string() })]))).toBe(
      false,
    );
    expect(isSecretReference(z.string())).toBe(false);
  });

  it('finds the keys that tell the branches of a union apart', () => {
    const fieldMapping = schemaAt(tenantMappingSchema, ['grid', 'fields', 'x'], {});
    expect(fieldMapping && branchKeys(fieldMapping)?.map((keys) => keys[0])).toEqual([
      'from',
      'const',
      'template',
    ]);
  });
});
