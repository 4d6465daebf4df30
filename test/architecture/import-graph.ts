/**
 * The folder-level import graph of src/ and the directions it may take. Every folder of src/ is a node (the
 * files at the top, main.ts and cli.ts, are nodes of their own), an import from one folder into another is an
 * edge, and ALLOWED_IMPORTS lists, for each node, the nodes it may import. The data path of the README reads
 * top to bottom: entry points, then intake and the worker, the sync domain, its parts, the store, the basics.
 *
 * Adding a folder: give it a row here with what it imports, and put it below everything that imports it.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

import ts from 'typescript';

export const ALLOWED_IMPORTS: Readonly<Record<string, readonly string[]>> = {
  // Entry points: the command line, and the composition root that wires one gridsync process.
  'cli.ts': ['cli', 'config'],
  // The operator commands also run sync-domain work in their own process (sync --once, dead-letter replay).
  cli: ['main.ts', 'sync', 'intake', 'crm', 'schema-plan', 'store', 'mapping', 'domain', 'config', 'lib'],
  'main.ts': ['metrics', 'intake', 'worker', 'crm', 'store', 'mapping', 'config', 'lib'],
  // Observes every stage (event channels, scrape-time store reads) and serves GET /metrics on the intake app.
  metrics: ['intake', 'crm', 'store', 'lib'],
  // Work arrives (intake) and is run (worker: claims, leases, retries, cron ticks).
  intake: ['store', 'mapping', 'domain', 'config', 'lib'],
  worker: ['sync', 'crm', 'schema-plan', 'store', 'mapping', 'domain', 'lib'],
  // The grid sync domain: identities, planning, writes, account refresh, the AE-task step.
  sync: ['ae-task', 'crm', 'qualification', 'mapping', 'store', 'domain', 'lib'],
  'ae-task': ['crm', 'store', 'mapping', 'lib'],
  crm: ['schema-plan', 'mapping', 'config', 'lib'],
  // Mapping vs live CRM schema (pure): what a mapping needs, the findings, the changes apply makes.
  'schema-plan': ['mapping'],
  qualification: ['mapping', 'domain'],
  store: ['domain', 'lib'],
  mapping: ['config', 'domain', 'lib'],
  config: [],
  domain: [],
  lib: [],
};

export interface ImportEdge {
  from: string;
  to: string;
}

/** Every relative import (static, type-only, re-export, dynamic) of the non-test .ts files under `root`. */
export function fileImports(root: string): ImportEdge[] {
  const edges: ImportEdge[] = [];
  for (const file of tsFiles(root)) {
    const { importedFiles } = ts.preProcessFile(readFileSync(file, 'utf8'), true, true);
    for (const { fileName } of importedFiles) {
      if (!fileName.startsWith('.')) continue;
      const target = path.resolve(path.dirname(file), fileName);
      if (!target.startsWith(root + path.sep)) continue;
      edges.push({ from: path.relative(root, file), to: path.relative(root, target) });
    }
  }
  return edges;
}

function tsFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return tsFiles(full);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts') ? [full] : [];
  });
}

/** `sync/grid-task.ts` → `sync`; a file at the top of src/ is its own node (`main.ts`). */
export function nodeOf(file: string): string {
  const [first, ...rest] = file.split(/[\\/]/);
  return rest.length === 0 ? file : (first ?? file);
}

/** Every import that crosses folders in a direction the table does not allow, as readable lines. */
export function disallowedImports(
  edges: readonly ImportEdge[],
  allowed: Readonly<Record<string, readonly string[]>>,
): string[] {
  const problems: string[] = [];
  for (const { from, to } of edges) {
    const source = nodeOf(from);
    const target = nodeOf(to);
    if (source === target) continue;
    const row = allowed[source];
    if (row === undefined) {
      problems.push(
        `${from}: folder "${source}" has no row in ALLOWED_IMPORTS (test/architecture/import-graph.ts)`,
      );
    } else if (!row.includes(target)) {
      problems.push(
        `${from} imports ${to}: "${source}" may import only [${row.join(', ')}], not "${target}"`,
      );
    }
  }
  return problems;
}

/** Cycles of a directed graph (its strongly connected components of more than one node, or a self-loop). */
export function cycles(graph: ReadonlyMap<string, readonly string[]>): string[][] {
  // Tarjan's algorithm: small graphs, so recursion depth is no concern.
  let counter = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  const visit = (node: string): void => {
    index.set(node, counter);
    low.set(node, counter);
    counter += 1;
    stack.push(node);
    onStack.add(node);
    for (const next of graph.get(node) ?? []) {
      if (!index.has(next)) {
        visit(next);
        low.set(node, Math.min(low.get(node)!, low.get(next)!));
      } else if (onStack.has(next)) {
        low.set(node, Math.min(low.get(node)!, index.get(next)!));
      }
    }
    if (low.get(node) !== index.get(node)) return;
    const component: string[] = [];
    let member: string;
    do {
      member = stack.pop()!;
      onStack.delete(member);
      component.push(member);
    } while (member !== node);
    if (component.length > 1 || (graph.get(node) ?? []).includes(node)) found.push(component.sort());
  };
  for (const node of graph.keys()) if (!index.has(node)) visit(node);
  return found;
}

export function graphOf(edges: readonly ImportEdge[]): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (const { from, to } of edges) {
    const targets = graph.get(from) ?? [];
    if (!targets.includes(to)) targets.push(to);
    graph.set(from, targets);
  }
  return graph;
}
