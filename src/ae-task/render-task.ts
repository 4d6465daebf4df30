/**
 * The AE task's text, due date and priority from the tenant's task template. Pure. Placeholders are filled by
 * the mapping's own renderTemplate (the same values CRM fields get), so a template means one thing everywhere.
 *
 * Limits are Salesforce's, the stricter CRM (Salesforce's Task field limits): Subject 255 characters, Description 32,000; a value
 * too long fails the call there rather than being cut, so we cut first and mark the cut with "…". Lengths
 * are counted in UTF-16 code units, which is never fewer than the characters a CRM counts, and a cut never
 * splits a surrogate pair.
 */
import type { TaskTemplate } from '../mapping/mapping-schema.ts';
import { renderTemplate, type SourceContext } from '../mapping/source-values.ts';
import { taskMarkerLine } from './task-marker.ts';

export const TASK_SUBJECT_MAX = 255;
export const TASK_BODY_MAX = 32_000;
/** Tasks are due at this hour (UTC) of their due day; see dueDateFor. */
export const TASK_DUE_HOUR_UTC = 17;
const DAY_MS = 86_400_000;

/** When the template renders to nothing (every placeholder empty), the AE still gets a readable subject. */
export const FALLBACK_SUBJECT = 'Follow up on a Sales Grid';

export interface RenderedAeTask {
  subject: string;
  /** Ends with the marker line, always kept whole so the task can be found again. */
  body: string;
  dueAt: Date;
  priority: TaskTemplate['priority'];
}

export interface RenderTaskInput {
  template: Pick<TaskTemplate, 'subject' | 'body' | 'dueInDays' | 'priority'>;
  context: SourceContext;
  marker: string;
  now: Date;
}

export function renderAeTask(input: RenderTaskInput): RenderedAeTask {
  const { template, context, marker, now } = input;
  // A subject is one line: grid prose pulled into it would otherwise bring its line breaks along.
  const subject = renderTemplate(template.subject, context).replace(/\s+/g, ' ').trim();

  const markerSuffix = `\n\n${taskMarkerLine(marker)}`;
  const text = renderTemplate(template.body, context).trimEnd();
  const body = `${cutText(text, TASK_BODY_MAX - markerSuffix.length)}${markerSuffix}`;

  return {
    subject: cutText(subject === '' ? FALLBACK_SUBJECT : subject, TASK_SUBJECT_MAX),
    body,
    dueAt: dueDateFor(now, template.dueInDays),
    priority: template.priority,
  };
}

/** `text` if it fits in `max` UTF-16 units, else its start and "…", `max` units in all. */
export function cutText(text: string, max: number): string {
  if (text.length <= max) return text;
  let cut = text.slice(0, Math.max(0, max - 1));
  const last = cut.charCodeAt(cut.length - 1);
  if (last >= 0xd800 && last <= 0xdbff) cut = cut.slice(0, -1);
  return `${cut}…`;
}

/**
 * Date-only semantics: the task is due on the UTC calendar day `dueInDays` after `now`, at 17:00 UTC. Salesforce
 * keeps only the date (ActivityDate); HubSpot needs a timestamp (hs_timestamp), and 17:00 UTC is still that
 * calendar day everywhere from UTC−12 to UTC+6, so HubSpot shows the intended date in the Americas, Europe and
 * Africa. (Further east it shows the next day; a per-tenant time zone would be the fix if that matters.)
 */
export function dueDateFor(now: Date, dueInDays: number): Date {
  const day = Math.floor(now.getTime() / DAY_MS) + dueInDays;
  return new Date(day * DAY_MS + TASK_DUE_HOUR_UTC * 3_600_000);
}
