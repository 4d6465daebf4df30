/**
 * Grids that arrive together go out together. Each claim of a tenant's grids becomes its own CRM batch, so a
 * burst claimed piecemeal as it commits costs a call per piece (250 grids became 4–10 HubSpot upserts). The
 * runner therefore lingers before claiming while grids are still arriving: it claims as soon as a tenant has a
 * full CRM batch waiting (100 per HubSpot call, 200 per Salesforce call), exactly that many, or when the burst
 * has gone quiet for `quietMs`, or when the oldest arrival has waited `maxMs`. An isolated grid is therefore
 * claimed `quietMs` after its 202 (0.5 s by default, well inside the 2 s a grid may take to reach the CRM).
 *
 * Only arrivals this process saw (its own intake's acknowledgements) are counted; jobs enqueued elsewhere (other
 * replicas, the scheduler, follow-ups) are claimed as before. The counts steer timing only: what is claimed is
 * always decided by the store.
 */
import type { Job } from '../store/job.ts';

export interface LingerOptions {
  /** Claim once no grid arrived for this long. */
  quietMs: number;
  /** Claim at the latest this long after the first unclaimed arrival. */
  maxMs: number;
  /** Grid records per CRM write call for the tenant (its full batch). */
  batchSizeOf(tenant: string): number;
}

export const DEFAULT_LINGER = { quietMs: 500, maxMs: 10_000 } as const;

export type LingerPlan = { waitMs: number } | { waitMs: 0; limit?: number };

export class ArrivalLinger {
  readonly #options: LingerOptions;
  readonly #arrivals = new Map<string, number>();
  #firstAt: number | undefined;
  #lastAt: number | undefined;

  constructor(options: LingerOptions) {
    this.#options = options;
  }

  /** A grid of this tenant was acknowledged (its sync job is committed). */
  arrived(tenant: string, now: number): void {
    this.#arrivals.set(tenant, (this.#arrivals.get(tenant) ?? 0) + 1);
    this.#firstAt ??= now;
    this.#lastAt = now;
  }

  /**
   * The worker was busy until now (a batch ran, the event loop was held): a gap in arrivals meanwhile says
   * nothing about the sender, so the quiet spell counts from here.
   */
  busyUntil(now: number): void {
    if (this.#lastAt !== undefined) this.#lastAt = Math.max(this.#lastAt, now);
  }

  /** When to claim, and how many: a whole number of full batches while the burst goes on. */
  plan(now: number): LingerPlan {
    if (this.#firstAt === undefined || this.#lastAt === undefined) return { waitMs: 0 };
    let full = 0;
    for (const [tenant, count] of this.#arrivals) {
      const batch = Math.max(1, this.#options.batchSizeOf(tenant));
      full += Math.floor(count / batch) * batch;
    }
    if (full > 0) return { waitMs: 0, limit: full };
    const quietIn = this.#options.quietMs - (now - this.#lastAt);
    const capIn = this.#options.maxMs - (now - this.#firstAt);
    const waitMs = Math.min(quietIn, capIn);
    return waitMs > 0 ? { waitMs } : { waitMs: 0 };
  }

  /**
   * What a claim took; a claim that took less than it was allowed took every due job, except those of the
   * tenants it skipped (running here already): their arrivals still wait to fill a batch.
   */
  claimed(
    jobs: readonly Job[],
    limit: number | undefined,
    now: number,
    skipped: readonly string[] = [],
  ): void {
    if (limit === undefined || jobs.length < limit) {
      for (const tenant of [...this.#arrivals.keys()]) {
        if (!skipped.includes(tenant)) this.#arrivals.delete(tenant);
      }
      if (this.#arrivals.size === 0) {
        this.#firstAt = undefined;
        this.#lastAt = undefined;
      }
      return;
    }
    for (const job of jobs) {
      if (job.kind !== 'grid.sync') continue;
      const left = (this.#arrivals.get(job.tenant) ?? 0) - 1;
      if (left > 0) this.#arrivals.set(job.tenant, left);
      else this.#arrivals.delete(job.tenant);
    }
    // The remainder is the tail of a burst: its linger starts now.
    this.#firstAt = this.#arrivals.size > 0 ? now : undefined;
    if (this.#firstAt === undefined) this.#lastAt = undefined;
  }
}
