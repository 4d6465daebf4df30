/**
 * The published grid status document (docs/grid-status.schema.json), compiled once: tests that read a real
 * status answer check it against the schema, so the docs cannot drift from what the endpoint sends.
 */
import { readFileSync } from 'node:fs';

import { Ajv2020 } from 'ajv/dist/2020.js';
import { expect } from 'vitest';

import type { GridSyncState } from '../../src/domain/sync-state.ts';

export const GRID_STATUS_SCHEMA = JSON.parse(
  readFileSync(new URL('../../docs/grid-status.schema.json', import.meta.url), 'utf8'),
) as Record<string, unknown>;

const ajv = new Ajv2020({
  allErrors: true,
  strict: true,
  allowUnionTypes: true,
  formats: {
    'date-time': (text: string) => /^\d{4}-\d{2}-\d{2}T/.test(text) && !Number.isNaN(Date.parse(text)),
    uri: (text: string) => URL.canParse(text),
  },
});
const validate = ajv.compile(GRID_STATUS_SCHEMA);

/** Fails the test with every schema violation when the body is not a documented grid status. */
export function expectDocumentedGridStatus(body: unknown): void {
  const valid = validate(body);
  const problems = valid ? [] : (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message ?? ''}`);
  expect(problems, JSON.stringify(body).slice(0, 600)).toEqual([]);
}

/** A grid's sync state, from a status answer that must match docs/grid-status.schema.json. */
export async function documentedSyncOf(
  h: { status(gridId: string): Promise<Record<string, unknown>> },
  gridId: string,
): Promise<GridSyncState> {
  const body = await h.status(gridId);
  expectDocumentedGridStatus(body);
  return body['sync'] as GridSyncState;
}
