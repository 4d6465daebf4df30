/**
 * What an accepted grid delivery does to the stored grid, decided once for both adapters (pure).
 *
 * - identical content to the current version → `unchanged`: nothing stored, the current version answers;
 * - captured before the current version → `superseded`: kept in history, the newer capture stays current, so a
 *   delayed retry of an old draft never overwrites what DevRel wrote later;
 * - anything else (first delivery, later or equal capture time with new content) → `new_version`, current.
 *
 * Version numbers count every stored version, superseded ones included: version = latest stored + 1.
 */
import type { GridAcceptance } from './store.ts';

export interface GridHead {
  currentVersion: number;
  /** Highest version number in history (a superseded version may be higher than the current one). */
  latestVersion: number;
  contentHash: string;
  capturedAtMs: number;
}

export interface IncomingGridVersion {
  contentHash: string;
  capturedAtMs: number;
}

export type GridVersionDecision = Pick<GridAcceptance, 'outcome' | 'version'>;

export function decideGridVersion(
  head: GridHead | undefined,
  incoming: IncomingGridVersion,
): GridVersionDecision {
  if (head === undefined) return { outcome: 'new_version', version: 1 };
  if (incoming.contentHash === head.contentHash) {
    return { outcome: 'unchanged', version: head.currentVersion };
  }
  const version = head.latestVersion + 1;
  if (incoming.capturedAtMs < head.capturedAtMs) return { outcome: 'superseded', version };
  return { outcome: 'new_version', version };
}

/** capturedAt is validated as ISO 8601 with offset by the grid schema; anything else here is a bug upstream. */
export function capturedAtMs(capturedAt: string): number {
  const ms = Date.parse(capturedAt);
  if (Number.isNaN(ms)) throw new TypeError(`grid capturedAt is not a date: ${JSON.stringify(capturedAt)}`);
  return ms;
}
