/**
 * Everything gridsync exposes at GET /metrics, on a registry of its own (several instances in one test process
 * do not mix). Counters move where things happen (the hook functions below, and the CRM-attempt / ops event
 * channels, subscribed here); gauges that describe stored state (jobs, dead letters, queue age) are read from
 * the store when Prometheus scrapes, so every replica reports the same shared queue.
 *
 * Labels are bounded: tenant ids, job kinds and states, CRM names, HTTP statuses, route patterns and
 * documented problem codes. Never a grid id, a signal id or a URL as sent.
 */
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

import { subscribeCrmAttempts } from '../crm/crm-attempts.ts';
import { subscribeDriftFinding, subscribeTaskCreated } from '../lib/ops-events.ts';
import type { JobStat } from '../store/store.ts';

/** What the scrape-time gauges read. */
export interface MetricSources {
  /** Pending, running and dead jobs per tenant and kind (the store's jobStats). */
  jobStats?: () => Promise<JobStat[]>;
  /** Per tenant: whether its CRM circuit breaker currently leaves the CRM alone. */
  breakers?: () => { tenant: string; open: boolean }[];
  now?: () => Date;
}

export type JobSettlement = 'succeeded' | 'retried' | 'dead';

/** A scraped gauge's samples: each label set with its value. */
type Samples<L extends string> = Iterable<readonly [Partial<Record<L, string>>, number]>;

/** One sample per tenant: `value` picks a row's contribution (undefined: none), `combine` merges a tenant's. */
function perTenant(
  stats: JobStat[],
  combine: (a: number, b: number) => number,
  value: (stat: JobStat) => number | undefined,
): Samples<'tenant'> {
  const byTenant = new Map<string, number>();
  for (const stat of stats) {
    const v = value(stat);
    if (v === undefined) continue;
    const seen = byTenant.get(stat.tenant);
    byTenant.set(stat.tenant, seen === undefined ? v : combine(seen, v));
  }
  return [...byTenant].map(([tenant, v]) => [{ tenant }, v] as const);
}

export interface GridsyncMetrics {
  readonly registry: Registry;
  readonly contentType: string;
  /** The Prometheus text exposition of every metric. */
  render(): Promise<string>;
  intakeRequest(
    labels: { route: string; method: string; status: number; code: string },
    seconds: number,
  ): void;
  jobSettled(labels: { tenant: string; kind: string; outcome: JobSettlement }): void;
  /** Stops listening to the event channels (close of the instance). */
  close(): void;
}

export function createMetrics(sources: MetricSources = {}): GridsyncMetrics {
  const registry = new Registry();
  const registers = [registry];
  const now = sources.now ?? (() => new Date());
  collectDefaultMetrics({ register: registry });

  const counter = <L extends string>(name: string, help: string, labelNames: readonly L[]) =>
    new Counter({ name, help, labelNames, registers });
  /** A gauge whose samples are read when Prometheus scrapes: `read` returns each label set with its value. */
  const scrapedGauge = <L extends string>(
    name: string,
    help: string,
    labelNames: readonly L[],
    read: () => Promise<Samples<L>> | Samples<L>,
  ) =>
    new Gauge({
      name,
      help,
      labelNames,
      registers,
      async collect() {
        this.reset();
        for (const [labels, value] of await read()) this.set(labels, value);
      },
    });

  const intakeRequests = counter(
    'gridsync_intake_requests_total',
    'HTTP requests answered, by route pattern, method, status and outcome code (problem code, or "ok").',
    ['route', 'method', 'status', 'code'],
  );
  const intakeLatency = new Histogram({
    name: 'gridsync_intake_request_duration_seconds',
    help: 'Time from request received to answer sent, by route pattern and method.',
    labelNames: ['route', 'method'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers,
  });
  const jobsSettled = counter(
    'gridsync_jobs_settled_total',
    'Job attempts this process finished, by tenant, kind and outcome (succeeded, retried, dead).',
    ['tenant', 'kind', 'outcome'],
  );
  const crmRequests = counter(
    'gridsync_crm_requests_total',
    'HTTP attempts sent to a CRM (each retry counts), by tenant, CRM and status ("none": no answer).',
    ['tenant', 'crm', 'status'],
  );
  const crmRateLimited = counter(
    'gridsync_crm_rate_limited_total',
    'CRM answers that said to slow down (429, or 423 / REQUEST_LIMIT_EXCEEDED), by tenant and CRM.',
    ['tenant', 'crm'],
  );
  const crmRetries = counter(
    'gridsync_crm_retries_total',
    'CRM attempts that failed and were sent again, by tenant, CRM and kind of failure.',
    ['tenant', 'crm', 'reason'],
  );
  const crmBudget = new Gauge({
    name: 'gridsync_crm_budget_remaining',
    help: "Requests left in the tenant's CRM window as the CRM last reported it (HubSpot: 10-second window; Salesforce: daily API requests).",
    labelNames: ['tenant', 'crm'] as const,
    registers,
  });
  const tasksCreated = counter(
    'gridsync_tasks_created_total',
    'AE tasks created in the CRM by this process, by tenant.',
    ['tenant'],
  );
  const driftFindings = counter(
    'gridsync_drift_findings_total',
    "Differences the drift watch found between a tenant's mapping and its CRM schema, by tenant and kind.",
    ['tenant', 'kind'],
  );

  // Three gauges read the same rows: one store query per scrape, shared while render() runs.
  let scrape: Promise<JobStat[]> | undefined;
  const jobStats = (): Promise<JobStat[]> =>
    (scrape ??= sources.jobStats ? sources.jobStats() : Promise.resolve([]));
  scrapedGauge(
    'gridsync_jobs',
    'Jobs in the store that are pending, running or dead, by tenant, kind and state (all replicas).',
    ['tenant', 'kind', 'state'],
    async () =>
      (await jobStats()).map((s) => [{ tenant: s.tenant, kind: s.kind, state: s.state }, s.count] as const),
  );
  scrapedGauge(
    'gridsync_queue_oldest_pending_seconds',
    'Per tenant, how long the oldest due pending job has been waiting since it became due (0: none waiting).',
    ['tenant'],
    async () =>
      perTenant(await jobStats(), Math.max, (s) => {
        if (s.state !== 'pending') return undefined;
        return s.oldestDueAt ? Math.max(0, (now().getTime() - s.oldestDueAt.getTime()) / 1000) : 0;
      }),
  );
  scrapedGauge(
    'gridsync_dead_letters',
    'Dead jobs per tenant: work that will not reach the CRM until someone replays it (gridsync deadletters).',
    ['tenant'],
    async () =>
      perTenant(
        await jobStats(),
        (a, b) => a + b,
        (s) => (s.state === 'dead' ? s.count : undefined),
      ),
  );
  scrapedGauge(
    'gridsync_crm_breaker_open',
    "1 while a tenant's CRM circuit breaker leaves the CRM alone after failures, else 0.",
    ['tenant'],
    () => (sources.breakers?.() ?? []).map(({ tenant, open }) => [{ tenant }, open ? 1 : 0] as const),
  );

  const unsubscribe = [
    subscribeCrmAttempts((attempt) => {
      const { tenant, crm } = attempt;
      crmRequests.inc({
        tenant,
        crm,
        status: attempt.status === undefined ? 'none' : String(attempt.status),
      });
      if (attempt.outcome === 'rate_limited') crmRateLimited.inc({ tenant, crm });
      if (attempt.willRetry) crmRetries.inc({ tenant, crm, reason: attempt.outcome });
      if (attempt.budgetRemaining !== undefined) crmBudget.set({ tenant, crm }, attempt.budgetRemaining);
    }),
    subscribeTaskCreated(({ tenant }) => tasksCreated.inc({ tenant })),
    subscribeDriftFinding(({ tenant, kind }) => driftFindings.inc({ tenant, kind })),
  ];

  return {
    registry,
    contentType: registry.contentType,
    async render() {
      try {
        return await registry.metrics();
      } finally {
        scrape = undefined;
      }
    },
    intakeRequest(labels, seconds) {
      intakeRequests.inc({ ...labels, status: String(labels.status) });
      intakeLatency.observe({ route: labels.route, method: labels.method }, seconds);
    },
    jobSettled: (labels) => jobsSettled.inc(labels),
    close() {
      for (const stop of unsubscribe) stop();
    },
  };
}
