/**
 * The tenant's sync schedule, a cron expression in UTC. node-cron accepts a sixth, leading seconds field, but a
 * scheduled sync is identified by the minute it was due (so replicas whose clocks differ by seconds produce one
 * job, see worker/schedule-syncs.ts): a seconds field that fires several times a minute would validate and then
 * run once a minute. So a seconds field is honoured only when it names one second, and refused otherwise.
 */
import cron from 'node-cron';
import { z } from 'zod';

export const DEFAULT_SCHEDULE = '*/5 * * * *';

/** Why the expression cannot be a schedule, or undefined when it can. */
export function scheduleProblem(expression: string): { message: string; hint?: string } | undefined {
  if (!cron.validate(expression)) {
    return { message: 'not a valid cron expression (5 or 6 fields, e.g. "*/5 * * * *")' };
  }
  const fields = expression.trim().split(/\s+/);
  const seconds = fields.length === 6 ? fields[0] : undefined;
  if (seconds !== undefined && !/^\d{1,2}$/.test(seconds)) {
    return {
      message: `the seconds field "${seconds}" runs the sync more than once a minute, and a scheduled sync runs at most once a minute`,
      hint: `drop the seconds field ("${fields.slice(1).join(' ')}"), or name one second such as "0 ${fields.slice(1).join(' ')}"`,
    };
  }
  return undefined;
}

export const scheduleSchema = z
  .string()
  .superRefine((expression, context) => {
    const problem = scheduleProblem(expression);
    if (problem) {
      context.addIssue({ code: 'custom', message: problem.message, params: { hint: problem.hint } });
    }
  })
  .default(DEFAULT_SCHEDULE)
  .describe(
    'When the scheduled sync runs (cron, UTC). At most once a minute: five fields, or six with one leading second such as "30 0 7 * * 1-5". Intake also wakes the worker at once.',
  );
