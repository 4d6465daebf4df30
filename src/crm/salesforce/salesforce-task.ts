/**
 * The AE's task as a Salesforce Task record, and how to find it again by its marker (pure).
 *
 * Finding: Task.Description is a long text area, which SOQL cannot filter on, and SOSL
 * (`FIND {marker} IN ALL FIELDS RETURNING Task(Id)`) reads a search index that Salesforce fills
 * asynchronously, so a task created a moment before a crash may not be found yet, and a second task would
 * follow. The marker therefore also goes at the end of the Subject, in brackets, and the lookup is
 * `SOQL … WHERE Subject LIKE '%[marker]%'`: Subject is a filterable 255-character field and a SOQL query
 * sees a committed record at once. The brackets keep `gridsyncab` from matching `gridsyncabc`.
 */
import type { NewAeTask } from '../crm-client.ts';
import { TASK_DESCRIPTION_MAX, TASK_SUBJECT_MAX } from './salesforce-limits.ts';
import { soqlLikeFragment } from './salesforce-soql.ts';

const PRIORITY: Record<NewAeTask['priority'], string> = { high: 'High', medium: 'Normal', low: 'Low' };
/** Salesforce's default open status; orgs that renamed it need a TaskStatus lookup (not done yet). */
export const TASK_STATUS_OPEN = 'Not Started';
/** Longest marker accepted: it must leave room for a readable subject in 255 characters. */
export const MARKER_MAX = 80;

export interface SalesforceTaskRecord {
  Subject: string;
  Description: string;
  ActivityDate: string;
  Status: string;
  Priority: string;
  OwnerId: string;
  WhatId?: string;
  WhoId?: string;
}

function assertMarker(marker: string): void {
  if (marker.trim() === '' || marker.length > MARKER_MAX) {
    throw new Error(
      `task marker must be 1–${MARKER_MAX} characters, got ${JSON.stringify(marker.slice(0, 100))}`,
    );
  }
}

/** Cuts text to `max` characters, marking a cut with "…", so nothing is shortened silently. */
export function fitText(text: string, max: number): string {
  if (text.length <= max) return text;
  return `${text.slice(0, Math.max(0, max - 1)).trimEnd()}…`;
}

export function markerTag(marker: string): string {
  return `[${marker}]`;
}

/** `Subject [marker]`, at most 255 characters; the subject text gives way, never the marker. */
export function subjectWithMarker(subject: string, marker: string): string {
  assertMarker(marker);
  const tag = markerTag(marker);
  if (subject.includes(tag) && subject.length <= TASK_SUBJECT_MAX) return subject;
  return `${fitText(subject.trim(), TASK_SUBJECT_MAX - tag.length - 1)} ${tag}`;
}

/** The body, at most 32,000 characters, ending with the marker when it does not already contain it. */
export function descriptionWithMarker(body: string, marker: string): string {
  assertMarker(marker);
  if (body.includes(marker) && body.length <= TASK_DESCRIPTION_MAX) return body;
  const footer = `\n\n(gridsync ${marker})`;
  return `${fitText(body, TASK_DESCRIPTION_MAX - footer.length)}${footer}`;
}

/** ActivityDate is a date without time: the due day in UTC. */
export function activityDate(dueAt: Date): string {
  return dueAt.toISOString().slice(0, 10);
}

export function buildTaskRecord(task: NewAeTask): SalesforceTaskRecord {
  // WhatId takes one record: the opportunity when there is one (it is where the AE works), else the account.
  const whatId = task.links.deal ?? task.links.company;
  return {
    Subject: subjectWithMarker(task.subject, task.marker),
    Description: descriptionWithMarker(task.body, task.marker),
    ActivityDate: activityDate(task.dueAt),
    Status: TASK_STATUS_OPEN,
    Priority: PRIORITY[task.priority],
    OwnerId: task.ownerId,
    ...(whatId === undefined ? {} : { WhatId: whatId }),
    ...(task.links.contact === undefined ? {} : { WhoId: task.links.contact }),
  };
}

/** Markers per lookup query: 100 LIKE terms keep the query (sent in the URL) near 8 kB, far under the limits. */
export const MARKERS_PER_QUERY = 100;

/**
 * The tasks carrying any of the markers, oldest first (if two ever carry one marker, the same one is reported
 * every time): one SOQL query with an OR of `Subject LIKE` terms, as LIKE takes no list.
 */
export function tasksByMarkersSoql(markers: readonly string[]): string {
  if (markers.length === 0 || markers.length > MARKERS_PER_QUERY) {
    throw new Error(`a task lookup takes 1–${MARKERS_PER_QUERY} markers, got ${markers.length}`);
  }
  const terms = markers.map((marker) => {
    assertMarker(marker);
    return `Subject LIKE '%${soqlLikeFragment(markerTag(marker))}%'`;
  });
  return `SELECT Id, Subject FROM Task WHERE ${terms.join(' OR ')} ORDER BY CreatedDate ASC, Id ASC`;
}
