/**
 * The one backoff formula gridsync uses everywhere it waits after a failure: a CRM request's retries, a job's
 * next attempt, the circuit breaker's pause. Capped exponential steps (base, 2·base, 4·base … cap) with
 * "equal jitter": half of the step is fixed and half random, so waits never collapse to zero, many failures
 * at once do not come back in the same tick, and each wait is at least half the one its step promises.
 */
export interface BackoffSchedule {
  /** The first step. */
  baseMs: number;
  /** No step is longer. */
  capMs: number;
}

/** The un-jittered step for the n-th attempt (1 = the first retry): min(cap, base · 2^(n−1)). */
export function backoffStepMs(attempt: number, schedule: BackoffSchedule): number {
  return Math.min(schedule.capMs, schedule.baseMs * 2 ** Math.max(0, attempt - 1));
}

/** The step with equal jitter; `random` is injectable for tests (`() => 1` gives the step itself). */
export function backoffMs(
  attempt: number,
  schedule: BackoffSchedule,
  random: () => number = Math.random,
): number {
  const step = backoffStepMs(attempt, schedule);
  return Math.round(step / 2 + random() * (step / 2));
}
