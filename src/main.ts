/**
 * The composition root: config → mappings → store → CRM connections → worker + intake. Nothing else wires
 * modules together, so a reader finds every dependency of the running service here.
 */
import { hostname } from 'node:os';

import type { Config } from './config/env.ts';
import { secretFromEnvironment, type SecretLookup } from './config/secrets.ts';
import type { DailyLimitView } from './crm/daily-limit-view.ts';
import { gridWriteBatchSize } from './crm/write-batch-size.ts';
import { crmConnector } from './crm/open-crm-client.ts';
import { readCrmSchema } from './crm/read-crm-schema.ts';
import type { RetryPolicy } from './crm/retry-decision.ts';
import { buildIntakeApp } from './intake/build-intake-app.ts';
import type { Logger } from './lib/logger.ts';
import { formatMappingError } from './mapping/mapping-errors.ts';
import { createMappingRegistry } from './mapping/mapping-registry.ts';
import { createMetrics, type GridsyncMetrics } from './metrics/gridsync-metrics.ts';
import { instrumentIntake } from './metrics/intake-metrics.ts';
import { registerMetricsRoute } from './metrics/metrics-route.ts';
import { openStore } from './store/open-store.ts';
import type { Store } from './store/store.ts';
import { createHandlers, recordDeadLetter } from './worker/handlers.ts';
import { DEFAULT_LINGER } from './worker/arrival-linger.ts';
import { DriftWatch, type SchemaReader } from './worker/drift-watch.ts';
import { RetentionSweeper } from './worker/retention.ts';
import { createJobRunner, type JobRunner } from './worker/job-runner.ts';
import { scheduleSyncs, type SyncScheduler } from './worker/schedule-syncs.ts';
import { type MappingSource, type TenantRuntime, TenantRuntimes } from './worker/tenant-runtime.ts';

/** The tenant status's `dailyLimit` reading: what the live client's budget heard (no call is made). */
function dailyLimitOf(runtime: TenantRuntime | undefined): { dailyLimit?: DailyLimitView } {
  const reading = runtime?.crm.mode === 'live' ? runtime.crm.client.dailyLimit?.() : undefined;
  return reading === undefined ? {} : { dailyLimit: reading };
}

function publicUrlOf(config: Config): string {
  return config.GRIDSYNC_PUBLIC_URL ?? `http://localhost:${config.PORT}`;
}

/**
 * A tenant's sync context as the worker builds it (mapping, live CRM connection or dry-run, breaker), for
 * commands that run a sync in their own process (`gridsync sync --once`). Undefined without a valid mapping.
 */
export function tenantContextFor(options: {
  config: Config;
  mappings: MappingSource;
  secrets: SecretLookup;
  logger: Logger;
  tenant: string;
}): TenantRuntime | undefined {
  return new TenantRuntimes({
    mappings: options.mappings,
    connect: crmConnector(options.secrets),
    logger: options.logger,
    publicUrl: publicUrlOf(options.config),
  }).get(options.tenant);
}

/** One gridsync process, wired but not yet running: nothing listens and the worker has not started. */
export interface ComposedGridsync {
  store: Store;
  runner: JobRunner;
  scheduler: SyncScheduler;
  metrics: GridsyncMetrics;
  /** The tenants whose mappings are loaded. */
  tenants(): string[];
  /** The intake (Fastify), ready for `listen` or `inject`. */
  app: ReturnType<typeof buildIntakeApp>;
  /** Starts the drift watch when `schemaWatch` asked for one (a no-op otherwise). */
  startSchemaWatch(): void;
  /** The worker's retention sweeps (worker/retention.ts); started with the worker, `sweep()` runs one now. */
  retention: RetentionSweeper;
  /** Stops taking requests and work, finishes or releases what is in flight, closes the store. */
  close(): Promise<void>;
}

export interface Gridsync extends Omit<ComposedGridsync, 'app'> {
  /** The bound address once listening. */
  url: string;
}

export interface StartOptions {
  config: Config;
  logger: Logger;
  secrets?: SecretLookup;
  /**
   * Tunes each CRM request's retries (tests: milliseconds instead of seconds), threaded by the production
   * connector into both adapters. The CRM itself is chosen by the mapping alone: a test points crm.baseUrl at a
   * local stand-in and sets the credentials the mapping names, as an operator would.
   */
  crmRetry?: Partial<RetryPolicy>;
  now?: () => Date;
  runnerOptions?: {
    leaseMs?: number;
    coalesceMs?: number;
    idlePollMs?: number;
    retrySchedule?: { baseMs: number; capMs: number };
    /** Burst linger timings (tests shorten or lengthen them); the batch size comes from the tenant's CRM. */
    linger?: { quietMs?: number; maxMs?: number };
    /** Tenant batches run at once (GRIDSYNC_WORKER_CONCURRENCY); 1 makes a claim's groups run in order. */
    concurrency?: number;
    /** The CRM circuit breaker's pauses (tests shorten them). */
    breaker?: { baseMs: number; capMs: number };
  };
  /** An opened store to use instead of GRIDSYNC_DATABASE_URL (tests: a PostgreSQL schema per file). Closed on close(). */
  store?: Store;
  /** false: intake runs but the worker waits for `runner.start()` (tests that queue work first). */
  startWorker?: boolean;
  /**
   * Runs the drift watch (worker/drift-watch.ts): `mapping plan` per live tenant every sync.schemaCheckHours and
   * after each reload, failing writes early that it knows would fail. `gridsync serve` turns it on.
   */
  schemaWatch?: { readSchema?: SchemaReader; tickMs?: number } | false;
}

/**
 * Wires one gridsync process exactly as `gridsync serve` runs it, without listening or starting the worker:
 * benches and tests drive it (`app.inject`, `runner.start`/`drain`) with the same parts the service uses.
 */
export async function composeGridsync(options: StartOptions): Promise<ComposedGridsync> {
  const { config, logger } = options;
  const secrets = options.secrets ?? secretFromEnvironment();
  const now = options.now ?? (() => new Date());
  const mappings = await createMappingRegistry({
    dir: config.GRIDSYNC_MAPPINGS_DIR,
    logger,
    secrets,
    watch: true,
  });
  const store = options.store ?? (await openStore(config.GRIDSYNC_DATABASE_URL));
  const publicUrl = publicUrlOf(config);
  // Shutdown reaches the CRM adapters: after the grace period, every wait and request in flight ends.
  const crmShutdown = new AbortController();
  const watch =
    options.schemaWatch === undefined || options.schemaWatch === false
      ? undefined
      : new DriftWatch({
          mappings,
          logger,
          readSchema:
            options.schemaWatch.readSchema ??
            ((loaded) =>
              readCrmSchema(
                loaded.mapping,
                secrets,
                logger.child({ tenant: loaded.mapping.tenant }),
                store.requestWindows,
                crmShutdown.signal,
              )),
          ...(options.schemaWatch.tickMs === undefined ? {} : { tickMs: options.schemaWatch.tickMs }),
        });
  const runtimes = new TenantRuntimes({
    mappings,
    connect: crmConnector(secrets, {
      signal: crmShutdown.signal,
      ...(store.requestWindows === undefined ? {} : { shared: store.requestWindows }),
      ...(options.crmRetry === undefined ? {} : { retry: options.crmRetry }),
    }),
    logger,
    publicUrl,
    ...(options.runnerOptions?.breaker === undefined
      ? {}
      : { breakerSchedule: options.runnerOptions.breaker }),
    ...(watch === undefined ? {} : { drift: (tenant: string) => watch.blocking(tenant) }),
  });

  const { linger: lingerTimings, breaker: _breaker, ...runnerOptions } = options.runnerOptions ?? {};
  const metrics = createMetrics({
    jobStats: () => store.jobStats(now()),
    breakers: () => runtimes.breakerStates(now().getTime()),
    now,
  });
  // Handlers wake the runner after enqueueing follow-ups; the runner does not exist yet when they are built.
  const wake = (): void => runner.wake();
  const batchSizeOf = (tenant: string): number => {
    const crm = mappings.get(tenant)?.mapping.crm.type;
    return crm === undefined ? 1 : gridWriteBatchSize(crm);
  };
  const runner: JobRunner = createJobRunner({
    queue: store,
    handlers: createHandlers({ store, runtimes, logger, now, wake }),
    logger: logger.child({ component: 'worker' }),
    workerId: `${hostname()}:${process.pid}`,
    leaseMs: runnerOptions.leaseMs ?? config.GRIDSYNC_LEASE_SECONDS * 1000,
    concurrency: config.GRIDSYNC_WORKER_CONCURRENCY,
    onDeadLetter: recordDeadLetter(store, now),
    onSettled: (job, outcome) => metrics.jobSettled({ tenant: job.tenant, kind: job.kind, outcome }),
    budgetWaits: (at) => runtimes.budgetWaits(at),
    ...(store.requestWindows === undefined
      ? {}
      : { refreshBudgetWaits: () => runtimes.refreshSharedBudgets() }),
    linger: { ...DEFAULT_LINGER, ...lingerTimings, batchSizeOf },
    ...runnerOptions,
  });
  const scheduler = scheduleSyncs({ mappings, queue: store, logger, onEnqueued: wake });
  const retention = new RetentionSweeper({
    store,
    mappings,
    settings: {
      ...(config.GRIDSYNC_RETENTION_SIGNAL_DAYS === undefined
        ? {}
        : { signalDays: config.GRIDSYNC_RETENTION_SIGNAL_DAYS }),
      jobDays: config.GRIDSYNC_RETENTION_JOB_DAYS,
      deliveryHours: config.GRIDSYNC_RETENTION_DELIVERY_HOURS,
      gridVersionDays: config.GRIDSYNC_RETENTION_GRID_VERSION_DAYS,
    },
    intervalMs: config.GRIDSYNC_RETENTION_SWEEP_MINUTES * 60_000,
    logger: logger.child({ component: 'retention' }),
    now,
  });
  const app = buildIntakeApp({
    store,
    mappings,
    secrets,
    logger,
    publicUrl,
    onAccepted: (event) => runner.wake(event),
    now,
    queue: store,
    tenantStatus: (tenant) => {
      const loaded = mappings.get(tenant);
      const runtime = loaded === undefined ? undefined : runtimes.get(tenant);
      const check = watch?.latest(tenant);
      const mappingErrors = mappings
        .problems()
        .filter((p) => loaded !== undefined && p.file === loaded.file)
        .map(formatMappingError);
      return {
        ...(mappingErrors.length === 0 ? {} : { mappingErrors }),
        ...(runtime === undefined
          ? {}
          : {
              crm:
                runtime.crm.mode === 'live'
                  ? { mode: 'live' as const }
                  : { mode: 'dry_run' as const, reason: runtime.crm.reason },
            }),
        ...(check === undefined ? {} : { schema: check }),
        ...dailyLimitOf(runtime),
      };
    },
  });
  instrumentIntake(app, metrics);
  registerMetricsRoute(app, metrics, config.GRIDSYNC_METRICS_TOKEN);
  return {
    store,
    runner,
    scheduler,
    metrics,
    tenants: () => mappings.tenants(),
    app,
    startSchemaWatch: () => watch?.start(),
    retention,
    async close() {
      // Order matters: refuse new submissions first (Fastify answers 503 while closing), then let the worker
      // finish or release its jobs, and only then close the store they write to.
      await app.close();
      scheduler.stop();
      watch?.stop();
      await retention.stop();
      // The batches in flight get GRIDSYNC_SHUTDOWN_GRACE_SECONDS to finish (the README promises SIGTERM finishes
      // them); only then are their CRM waits and requests cut short, so a hung CRM or a long rate-limit wait cannot
      // hold the process. A job cut short is retried by the next worker; its writes are idempotent.
      const stopped = runner.stop();
      const grace = setTimeout(() => crmShutdown.abort(), config.GRIDSYNC_SHUTDOWN_GRACE_SECONDS * 1000);
      await stopped;
      clearTimeout(grace);
      crmShutdown.abort();
      mappings.close();
      metrics.close();
      await store.close();
    },
  };
}

/** `gridsync serve`: composes gridsync, listens, and starts the worker (unless `startWorker: false`). */
export async function startGridsync(options: StartOptions): Promise<Gridsync> {
  const { app, ...gridsync } = await composeGridsync(options);
  let url: string;
  try {
    url = await app.listen({ port: options.config.PORT, host: options.config.HOST });
  } catch (error) {
    await gridsync.close();
    throw error;
  }
  if (options.startWorker !== false) {
    gridsync.runner.start();
    gridsync.retention.start();
  }
  gridsync.startSchemaWatch();
  options.logger.info(
    { url, store: gridsync.store.kind, tenants: gridsync.tenants() },
    'gridsync is running',
  );
  return { ...gridsync, url };
}
