/**
 * Retention: the worker prunes, on a timer (GRIDSYNC_RETENTION_SWEEP_MINUTES), what gridsync no longer reads.
 *
 * - signals older than the longest window the tenant's rules read (scoring.windowDays, qualification.windowDays),
 *   or older than GRIDSYNC_RETENTION_SIGNAL_DAYS when that is longer: never one a rule still counts;
 * - succeeded jobs finished more than GRIDSYNC_RETENTION_JOB_DAYS ago (dead letters stay until replayed);
 * - stored delivery answers older than GRIDSYNC_RETENTION_DELIVERY_HOURS: a repeated webhook-id is replayed only
 *   while its signature's timestamp is within TIMESTAMP_TOLERANCE_SECONDS (5 minutes), so older answers are
 *   never asked for;
 * - grid versions replaced more than GRIDSYNC_RETENTION_GRID_VERSION_DAYS ago (the current version stays).
 *
 * Each kind goes in batches of RETENTION_BATCH rows, one transaction each, found through an index of its own
 * (store: RetentionStore), until a batch comes back short: a sweep costs what it deletes. Tenants without a
 * loaded mapping keep their signals (no rule says how long they matter). Several replicas may sweep at once:
 * each delete only takes what is still there.
 */
import type { Logger } from '../lib/logger.ts';
import type { TenantMapping } from '../mapping/mapping-schema.ts';
import type { RetentionStore } from '../store/store.ts';

export const RETENTION_BATCH = 1_000;
const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;

export interface RetentionSettings {
  /** Signals are kept at least this long, and never less than the tenant's longest window. */
  signalDays?: number;
  jobDays: number;
  deliveryHours: number;
  gridVersionDays: number;
}

export interface SweepCounts {
  signals: number;
  jobs: number;
  deliveries: number;
  gridVersions: number;
}

/** How long a tenant's signals are kept: its longest rule window, or the configured days when longer. */
export function signalRetentionDays(
  mapping: Pick<TenantMapping, 'scoring' | 'qualification'>,
  configuredDays?: number,
): number {
  return Math.max(configuredDays ?? 0, mapping.scoring.windowDays, mapping.qualification.windowDays);
}

export interface RetentionMappings {
  tenants(): string[];
  get(tenant: string): { mapping: Pick<TenantMapping, 'scoring' | 'qualification'> } | undefined;
}

export async function sweepRetention(
  store: RetentionStore,
  mappings: RetentionMappings,
  settings: RetentionSettings,
  now: Date,
  stopped: () => boolean = () => false,
): Promise<SweepCounts> {
  const at = now.getTime();
  const drain = async (prune: (limit: number) => Promise<number>): Promise<number> => {
    let total = 0;
    for (;;) {
      if (stopped()) return total;
      const deleted = await prune(RETENTION_BATCH);
      total += deleted;
      if (deleted < RETENTION_BATCH) return total;
    }
  };
  let signals = 0;
  for (const tenant of mappings.tenants()) {
    const loaded = mappings.get(tenant);
    if (!loaded) continue;
    const before = new Date(at - signalRetentionDays(loaded.mapping, settings.signalDays) * DAY_MS);
    signals += await drain((limit) => store.pruneSignals(tenant, before, limit));
  }
  const jobsBefore = new Date(at - settings.jobDays * DAY_MS);
  const deliveriesBefore = new Date(at - settings.deliveryHours * HOUR_MS);
  const versionsBefore = new Date(at - settings.gridVersionDays * DAY_MS);
  return {
    signals,
    jobs: await drain((limit) => store.pruneFinishedJobs(jobsBefore, limit)),
    deliveries: await drain((limit) => store.pruneDeliveries(deliveriesBefore, limit)),
    gridVersions: await drain((limit) => store.pruneGridVersions(versionsBefore, limit)),
  };
}

export interface RetentionSweeperOptions {
  store: RetentionStore;
  mappings: RetentionMappings;
  settings: RetentionSettings;
  intervalMs: number;
  logger: Logger;
  now: () => Date;
}

/** The timer: one sweep at a time, the first one interval after start (start-up belongs to the pending work). */
export class RetentionSweeper {
  readonly #options: RetentionSweeperOptions;
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<SweepCounts> | undefined;
  #stopped = false;

  constructor(options: RetentionSweeperOptions) {
    this.#options = options;
  }

  start(): void {
    this.#timer = setInterval(() => {
      this.sweep().catch((thrown: unknown) =>
        this.#options.logger.error({ err: thrown }, 'retention sweep failed; the next one tries again'),
      );
    }, this.#options.intervalMs);
    this.#timer.unref();
  }

  /** Runs a sweep now, or joins the one running. */
  sweep(): Promise<SweepCounts> {
    this.#running ??= (async () => {
      try {
        const { store, mappings, settings, now, logger } = this.#options;
        const counts = await sweepRetention(store, mappings, settings, now(), () => this.#stopped);
        if (Object.values(counts).some((n) => n > 0)) logger.info({ pruned: counts }, 'retention sweep');
        return counts;
      } finally {
        this.#running = undefined;
      }
    })();
    return this.#running;
  }

  /** Stops the timer and lets a running sweep end after its current batch. */
  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#timer) clearInterval(this.#timer);
    await this.#running?.catch(() => undefined);
  }
}
