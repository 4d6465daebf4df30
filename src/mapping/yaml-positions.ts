/**
 * From key paths to places in the YAML text and back. Errors and later CRM rejections name a key path
 * (["deal", "fields", "gridsync_before"]); people need the line and column where they wrote it.
 */
import {
  isAlias,
  isMap,
  isPair,
  isScalar,
  isSeq,
  type Document,
  type LineCounter,
  type Node,
  type Scalar,
} from 'yaml';

export interface YamlSource {
  doc: Document.Parsed;
  lineCounter: LineCounter;
  text: string;
}

export interface TextPosition {
  line: number;
  column: number;
}

type Segment = string | number;

interface Step {
  /** The key as written (absent for list items). */
  keyNode?: Node;
  /** The value; null for `key:` with nothing after it. */
  valueNode: Node | null;
}

export function positionAt(source: YamlSource, offset: number): TextPosition {
  const { line, col } = source.lineCounter.linePos(offset);
  return { line, column: col };
}

function startOf(node: Node | null | undefined): number | undefined {
  return node?.range?.[0];
}

/** Keys compare as text: YAML allows `404:` or `true:` as keys, which arrive as numbers or booleans. */
function keyText(key: unknown): string | undefined {
  if (isScalar(key)) return String(key.value);
  return undefined;
}

function follow(source: YamlSource, node: Node | null): Node | null {
  if (node && isAlias(node)) return (node.resolve(source.doc) as Node | undefined) ?? null;
  return node;
}

/** The nodes along a path, as far as the document has them. */
function walk(source: YamlSource, path: readonly Segment[]): { steps: Step[]; complete: boolean } {
  const steps: Step[] = [];
  let current = follow(source, source.doc.contents);
  for (const segment of path) {
    if (isMap(current)) {
      const pair = current.items.find((p) => keyText(p.key) === String(segment));
      if (!pair) return { steps, complete: false };
      steps.push({ keyNode: pair.key as Node, valueNode: (pair.value as Node | null) ?? null });
      current = follow(source, (pair.value as Node | null) ?? null);
    } else if (isSeq(current) && typeof segment === 'number') {
      const item = current.items[segment] as Node | undefined;
      if (item === undefined) return { steps, complete: false };
      steps.push({ valueNode: item });
      current = follow(source, item);
    } else {
      return { steps, complete: false };
    }
  }
  return { steps, complete: true };
}

function documentStart(source: YamlSource): TextPosition {
  return positionAt(source, startOf(source.doc.contents) ?? 0);
}

function stepPosition(source: YamlSource, step: Step | undefined): TextPosition {
  const offset = startOf(step?.keyNode) ?? startOf(step?.valueNode);
  return offset === undefined ? documentStart(source) : positionAt(source, offset);
}

/** Where the key at this path is written (a list item: where the item starts); undefined if it is not. */
export function keyPosition(source: YamlSource, path: readonly Segment[]): TextPosition | undefined {
  const { steps, complete } = walk(source, path);
  if (!complete) return undefined;
  return stepPosition(source, steps.at(-1));
}

/**
 * The best place to point at for a problem with the value at this path: the value itself when it is a
 * single value written on the key's line (a wrong number, a misspelt option), otherwise its key. A key that
 * is missing points at its parent, which is where it needs to be added.
 */
export function problemPosition(source: YamlSource, path: readonly Segment[]): TextPosition {
  const { steps, complete } = walk(source, path);
  const last = steps.at(-1);
  if (
    complete &&
    last?.valueNode &&
    (isScalar(last.valueNode) || isAlias(last.valueNode) || isFlow(last.valueNode))
  ) {
    return positionAt(source, startOf(last.valueNode) ?? 0);
  }
  return stepPosition(source, last);
}

function isFlow(node: Node): boolean {
  return (isMap(node) || isSeq(node)) && node.flow === true;
}

/** True when the document has a key (or list item) at this path. */
export function hasPath(source: YamlSource, path: readonly Segment[]): boolean {
  return walk(source, path).complete;
}

/** The scalar node at a path, with its raw text in the file, for pointing inside long text. */
export function scalarAt(
  source: YamlSource,
  path: readonly Segment[],
): { node: Scalar; raw: string } | undefined {
  const { steps, complete } = walk(source, path);
  const node = steps.at(-1)?.valueNode;
  if (!complete || !node || !isScalar(node) || !node.range) return undefined;
  return { node, raw: source.text.slice(node.range[0], node.range[1]) };
}

/** The key path of the innermost key or value that contains this offset (for YAML's own errors). */
export function pathAtOffset(source: YamlSource, offset: number): Segment[] {
  const path: Segment[] = [];
  const contains = (node: unknown): boolean => {
    const range = (node as Node | null | undefined)?.range;
    return (
      range !== undefined && range !== null && range[0] <= offset && offset < Math.max(range[1], range[0] + 1)
    );
  };
  let current: unknown = source.doc.contents;
  for (;;) {
    if (isMap(current)) {
      const pair = current.items.find((p) => contains(p.key) || contains(p.value));
      const key = pair ? keyText(pair.key) : undefined;
      if (!pair || key === undefined) return path;
      path.push(key);
      if (contains(pair.key)) return path;
      current = pair.value;
    } else if (isSeq(current)) {
      const index = current.items.findIndex((item) => contains(item));
      if (index < 0) return path;
      path.push(index);
      current = current.items[index];
    } else {
      return path;
    }
  }
}

/** Visits every scalar, keys included, with its key path; aliases are visited where their anchor is. */
export function forEachScalar(source: YamlSource, visit: (node: Scalar, path: Segment[]) => void): void {
  const descend = (node: unknown, path: Segment[]): void => {
    if (isScalar(node)) visit(node, path);
    else if (isMap(node)) {
      for (const pair of node.items) {
        if (!isPair(pair)) continue;
        const key = keyText(pair.key) ?? '?';
        if (isScalar(pair.key)) visit(pair.key, [...path, key]);
        descend(pair.value, [...path, key]);
      }
    } else if (isSeq(node)) node.items.forEach((item, index) => descend(item, [...path, index]));
  };
  descend(source.doc.contents, []);
}
