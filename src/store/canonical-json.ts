/**
 * "Same content" for grids: the same JSON once object keys are sorted, so a sender that orders its fields
 * differently does not create a new version. Arrays keep their order (order is content there).
 */
import { createHash } from 'node:crypto';

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}

function compareKeys([a]: [string, unknown], [b]: [string, unknown]): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** JSON with every plain object's keys sorted; undefined properties are dropped as JSON.stringify does. */
export function canonicalJson(value: unknown): string {
  const json = JSON.stringify(value, (_key, v: unknown) =>
    isPlainObject(v) ? Object.fromEntries(Object.entries(v).sort(compareKeys)) : v,
  );
  if (json === undefined) throw new TypeError('canonicalJson: the value has no JSON representation');
  return json;
}

/** sha256 (hex) of the canonical JSON. */
export function contentHash(value: unknown): string {
  return createHash('sha256').update(canonicalJson(value)).digest('hex');
}
