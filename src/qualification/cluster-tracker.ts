/**
 * The cluster rule of score-signals.ts over a stream, in constant memory. A scored signal at time t is clustered
 * when some span [a, a + span] with t inside holds at least minSignals scored signals; such a span can start at a
 * signal, so only the signals' own times need testing as starts. Reading the times in ascending order, a start a
 * is judged when it is first met, by counting the signals up to a + span: a second cursor over the same times
 * (the lead) runs ahead to count them. A signal is then clustered when the latest qualifying start is at most one
 * span before it. Both cursors only move forward, so nothing but two counters and a time is kept.
 *
 * Driving it, for each time in order: `while (tracker.wantsLead(t)) tracker.giveLead(nextLeadTime())`, then
 * `tracker.classify(t)`; the lead gives the same times in the same order, and undefined once it has no more.
 */
export class ClusterTracker {
  readonly #spanMs: number;
  readonly #minSignals: number;
  /** Lead times counted so far (all at most one span after the current start). */
  #counted = 0;
  /** A lead time already read but beyond the current start's span. */
  #ahead: number | undefined;
  #leadEnded = false;
  /** Times classified so far. */
  #classified = 0;
  #previous: number | undefined;
  #latestStart = -Infinity;

  constructor(spanMs: number, minSignals: number) {
    this.#spanMs = spanMs;
    this.#minSignals = minSignals;
  }

  /** Whether the lead must give another time before `time` (the next to classify) can be judged. */
  wantsLead(time: number): boolean {
    if (time === this.#previous) return false;
    if (this.#ahead !== undefined) {
      if (this.#ahead - time > this.#spanMs) return false;
      this.#counted += 1;
      this.#ahead = undefined;
    }
    return !this.#leadEnded;
  }

  giveLead(time: number | undefined): void {
    if (time === undefined) this.#leadEnded = true;
    else this.#ahead = time;
  }

  classify(time: number): boolean {
    if (time !== this.#previous) {
      // Every time before this one is classified, so the lead's count from here is what [time, time + span] holds.
      if (this.#counted - this.#classified >= this.#minSignals) this.#latestStart = time;
      this.#previous = time;
    }
    this.#classified += 1;
    return time - this.#latestStart <= this.#spanMs;
  }
}
