/**
 * docs/architecture.md sends readers from each guarantee to the file that keeps it: every path it names in
 * backticks must exist, so a move or a rename that forgets the page fails here.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '../..');
const PAGE = readFileSync(path.join(ROOT, 'docs/architecture.md'), 'utf8');

/** `src/…`, `test/…`, `docs/…`, `bench/…` paths in backticks (globs like `…-intake.ts` are prose, not paths). */
function namedPaths(markdown: string): string[] {
  const paths = [...markdown.matchAll(/`((?:src|test|docs|bench)\/[^`\s*…<>]+)`/g)].map((m) => m[1]!);
  return [...new Set(paths)];
}

describe('docs/architecture.md', () => {
  const paths = namedPaths(PAGE);

  it('names the files that keep the guarantees', () => {
    expect(paths.length).toBeGreaterThan(40);
  });

  it.each(paths)('names %s, which exists', (named) => {
    expect(existsSync(path.join(ROOT, named))).toBe(true);
  });
});
