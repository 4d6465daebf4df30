/**
 * The marker that identifies a grid's AE task inside the CRM, so the task can be found again after a crash
 * (see ensure-ae-task.ts). Letters and digits only: CRM search tokenisers (HubSpot search, Salesforce SOSL)
 * split on punctuation, and a marker split into pieces would match other tasks or none.
 *
 * sha256 of tenant and grid id, not the ids themselves: grid ids may hold ".", ":" or "-", and a hash keeps
 * the marker the same length for every grid. 24 hex characters (96 bits) make an accidental match between
 * two grids practically impossible.
 */
import { createHash } from 'node:crypto';

export const TASK_MARKER_PREFIX = 'gridsync';
const HEX_LENGTH = 24;

export function taskMarker(tenant: string, gridId: string): string {
  // "\0" between the parts: ("ab", "c") and ("a", "bc") must not share a marker.
  const digest = createHash('sha256').update(`${tenant}\0${gridId}`, 'utf8').digest('hex');
  return `${TASK_MARKER_PREFIX}${digest.slice(0, HEX_LENGTH)}`;
}

/** The line appended to the task body; what a person sees and what the lookup finds. */
export function taskMarkerLine(marker: string): string {
  return `gridsync reference: ${marker}`;
}
