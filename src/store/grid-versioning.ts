/**
 * What an accepted grid delivery does to the stored grid, decided once for both adapters (pure): which version
 * it becomes, what the grid's head row and its history get, and which job it enqueues. The adapters read the
 * head, call planGridAcceptance and carry out the plan in their dialect (sqlite-intake.ts, postgres-intake.ts).
 *
 * - identical content to the current version → `unchanged`: nothing stored, the current version answers;
 * - captured before the current version → `superseded`: kept in history, the newer capture stays current, so a
 *   delayed retry of an old draft never overwrites what DevRel wrote later;
 * - anything else (first delivery, later or equal capture time with new content) → `new_version`, current.
 *
 * Version numbers count every stored version, superseded ones included: version = latest stored + 1.
 */
import type { GridCompleteness } from '../domain/grid-completeness.ts';
import type { SalesGrid } from '../domain/sales-grid.ts';
import { contentHash } from './canonical-json.ts';
import type { NewJob } from './job.ts';
import { gridSyncJob } from './job-lifecycle.ts';
import type { AcceptGrid, GridAcceptance } from './store.ts';

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

/** The grid row after the delivery: the new current version, or only a higher latest version (superseded). */
export type GridHeadWrite =
  | {
      kind: 'current';
      version: number;
      contentHash: string;
      capturedAtMs: number;
      accountDomain: string | null;
      complete: boolean;
    }
  | { kind: 'latest'; version: number };

/** A row of the grid's history. */
export interface GridVersionRow {
  version: number;
  outcome: 'new_version' | 'superseded';
  grid: SalesGrid;
  completeness: GridCompleteness;
  contentHash: string;
  capturedAtMs: number;
}

export interface GridAcceptancePlan {
  result: GridAcceptance;
  /** Undefined when the content is unchanged: nothing is stored. */
  head: GridHeadWrite | undefined;
  version: GridVersionRow | undefined;
  /**
   * A superseded version changes nothing to sync; an unchanged one re-enqueues harmlessly (a pending sync
   * absorbs it, and change detection makes a re-sync of unchanged data write nothing).
   */
  jobs: NewJob[];
}

export function planGridAcceptance(head: GridHead | undefined, cmd: AcceptGrid): GridAcceptancePlan {
  const { grid } = cmd;
  const incoming = { contentHash: contentHash(grid), capturedAtMs: capturedAtMs(grid.capturedAt) };
  const decision = decideGridVersion(head, incoming);
  const result: GridAcceptance = { gridId: grid.gridId, ...decision };
  const jobs =
    decision.outcome === 'superseded'
      ? []
      : [gridSyncJob(cmd.tenant, grid.gridId, { runAt: cmd.receivedAt, maxAttempts: cmd.maxAttempts })];
  if (decision.outcome === 'unchanged') return { result, head: undefined, version: undefined, jobs };
  return {
    result,
    head:
      decision.outcome === 'new_version'
        ? {
            kind: 'current',
            version: decision.version,
            ...incoming,
            accountDomain: grid.account.domain ?? null,
            complete: cmd.completeness.complete,
          }
        : { kind: 'latest', version: decision.version },
    version: {
      version: decision.version,
      outcome: decision.outcome,
      grid,
      completeness: cmd.completeness,
      ...incoming,
    },
    jobs,
  };
}
