import path from 'node:path';

import { describe, expect, it } from 'vitest';

import {
  ALLOWED_IMPORTS,
  cycles,
  disallowedImports,
  fileImports,
  graphOf,
  type ImportEdge,
} from './import-graph.ts';

const SRC = path.resolve(import.meta.dirname, '../../src');
const edges = fileImports(SRC);

describe('the import graph of src/', () => {
  it('finds the imports it checks', () => {
    // A parser that sees nothing would pass everything: the composition root imports the worker.
    expect(edges).toContainEqual({ from: 'main.ts', to: 'worker/job-runner.ts' });
    expect(edges.some((e) => e.from.startsWith('sync/') && e.to.startsWith('crm/'))).toBe(true);
  });

  it('imports across folders only in the allowed directions', () => {
    expect(disallowedImports(edges, ALLOWED_IMPORTS)).toEqual([]);
  });

  it('allows no cycle between folders', () => {
    const table = new Map(Object.entries(ALLOWED_IMPORTS));
    expect(cycles(table)).toEqual([]);
  });

  it('has no cycle between files', () => {
    expect(cycles(graphOf(edges))).toEqual([]);
  });
});

describe('the check itself', () => {
  const backEdge: ImportEdge = { from: 'store/store.ts', to: 'sync/sync-grids.ts' };

  it('reports an import against the direction', () => {
    expect(disallowedImports([backEdge], ALLOWED_IMPORTS)).toEqual([
      'store/store.ts imports sync/sync-grids.ts: "store" may import only [domain, lib], not "sync"',
    ]);
  });

  it('reports a folder missing from the table', () => {
    expect(disallowedImports([{ from: 'reports/x.ts', to: 'lib/logger.ts' }], ALLOWED_IMPORTS)).toEqual([
      'reports/x.ts: folder "reports" has no row in ALLOWED_IMPORTS (test/architecture/import-graph.ts)',
    ]);
  });

  it('reports a table that would allow a cycle, and a cycle of files', () => {
    const table = new Map(Object.entries({ ...ALLOWED_IMPORTS, store: ['domain', 'lib', 'sync'] }));
    expect(cycles(table)).toEqual([['ae-task', 'store', 'sync']]);
    const files = graphOf([
      { from: 'crm/open-crm-client.ts', to: 'crm/hubspot/connect-hubspot.ts' },
      { from: 'crm/hubspot/connect-hubspot.ts', to: 'crm/open-crm-client.ts' },
    ]);
    expect(cycles(files)).toEqual([['crm/hubspot/connect-hubspot.ts', 'crm/open-crm-client.ts']]);
  });
});
