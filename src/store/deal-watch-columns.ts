/**
 * What both adapters keep beside a grid so the scheduled pass's deal watch (src/sync/deal-watch.ts) reads only
 * the grids it watches, least recently checked first, through an index: a grid is watched once a live sync
 * looked for its deal at a company (its sync state has deal.companyId), and while its current version names no
 * deal.crmId (intake keeps grids.finds_deal).
 */
import type { GridSyncState } from '../domain/sync-state.ts';

/** When the watch next looks at the grid: at once after a live sync found its company; null: not watched. */
export function dealWatchDueAt(state: GridSyncState, now: Date): number | null {
  return state.mode === 'live' && state.deal?.companyId !== undefined ? now.getTime() : null;
}
