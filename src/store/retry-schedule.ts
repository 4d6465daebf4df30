/**
 * attempt → delay before a job's next try: exponential from 2 s, capped at 5 minutes, jittered so many jobs
 * failing together (a CRM outage) do not all come back in the same second (the shared formula, lib/backoff.ts).
 */
import { backoffMs, type BackoffSchedule } from '../lib/backoff.ts';

export type RetrySchedule = BackoffSchedule;

export const DEFAULT_RETRY_SCHEDULE: RetrySchedule = { baseMs: 2_000, capMs: 5 * 60_000 };

export function retryDelayMs(
  attempt: number,
  schedule: RetrySchedule = DEFAULT_RETRY_SCHEDULE,
  random = Math.random,
): number {
  return backoffMs(attempt, schedule, random);
}
