/**
 * attempt → delay before the next try: exponential from 2 s, capped at 5 minutes, with full jitter so
 * many jobs failing together (a CRM outage) do not all come back in the same second.
 */
export interface RetrySchedule {
  baseMs: number;
  capMs: number;
}

export const DEFAULT_RETRY_SCHEDULE: RetrySchedule = { baseMs: 2_000, capMs: 5 * 60_000 };

export function retryDelayMs(
  attempt: number,
  schedule: RetrySchedule = DEFAULT_RETRY_SCHEDULE,
  random = Math.random,
): number {
  const exponential = Math.min(schedule.capMs, schedule.baseMs * 2 ** Math.max(0, attempt - 1));
  // Half fixed, half jitter: never zero, never more than the cap.
  return Math.round(exponential / 2 + random() * (exponential / 2));
}
