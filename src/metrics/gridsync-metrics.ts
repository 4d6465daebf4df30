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

  const intakeRequests = new Counter({
    name: 'gridsync_intake_requests_total',
    help: 'HTTP requests answered, by route pattern, method, status and outcome code (problem code, or "ok").',
    labelNames: ['route', 'method', 'status', 'code'] as const,
    registers,
  });
  const intakeLatency = new Histogram({
    name: 'gridsync_intake_request_duration_seconds',
    help: 'Time from request received to answer sent, by route pattern and method.',
    labelNames: ['route', 'method'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers,
  });
  const jobsSettled = new Counter({
    name: 'gridsync_jobs_settled_total',
    help: 'Job attempts this process finished, by tenant, kind and outcome (succeeded, retried, dead).',
    labelNames: ['tenant', 'kind', 'outcome'] as const,
    registers,
  });
  const crmRequests = new Counter({
    name: 'gridsync_crm_requests_total',
    help: 'HTTP attempts sent to a CRM (each retry counts), by tenant, CRM and status ("none": no answer).',
    labelNames: ['tenant', 'crm', 'status'] as const,
    registers,
  });
  const crmRateLimited = new Counter({
    name: 'gridsync_crm_rate_limited_total',
    help: 'CRM answers that said to slow down (429, or 423 / REQUEST_LIMIT_EXCEEDED), by tenant and CRM.',
    labelNames: ['tenant', 'crm'] as const,
    registers,
  });
  const crmRetries = new Counter({
    name: 'gridsync_crm_retries_total',
    help: 'CRM attempts that failed and were sent again, by tenant, CRM and kind of failure.',
    labelNames: ['tenant', 'crm', 'reason'] as const,
    registers,
  });
  const crmBudget = new Gauge({
    name: 'gridsync_crm_budget_remaining',
    help: "Requests left in the tenant's CRM window as the CRM last reported it (HubSpot: 10-second window; Salesforce: daily API requests).",
    labelNames: ['tenant', 'crm'] as const,
    registers,
  });
  const tasksCreated = new Counter({
    name: 'gridsync_tasks_created_total',
    help: 'AE tasks created in the CRM by this process, by tenant.',
    labelNames: ['tenant'] as const,
    registers,
  });
  const driftFindings = new Counter({
    name: 'gridsync_drift_findings_total',
    help: "Differences the drift watch found between a tenant's mapping and its CRM schema, by tenant and kind.",
    labelNames: ['tenant', 'kind'] as const,
    registers,
  });

  // Three gauges read the same rows: one store query per scrape, shared while render() runs.
  let scrape: Promise<JobStat[]> | undefined;
  const jobStats = (): Promise<JobStat[]> =>
    (scrape ??= sources.jobStats ? sources.jobStats() : Promise.resolve([]));
  new Gauge({
    name: 'gridsync_jobs',
    help: 'Jobs in the store that are pending, running or dead, by tenant, kind and state (all replicas).',
    labelNames: ['tenant', 'kind', 'state'] as const,
    registers,
    async collect() {
      this.reset();
      for (const stat of await jobStats()) {
        this.set({ tenant: stat.tenant, kind: stat.kind, state: stat.state }, stat.count);
      }
    },
  });
  new Gauge({
    name: 'gridsync_queue_oldest_pending_seconds',
    help: 'Per tenant, how long the oldest due pending job has been waiting since it became due (0: none waiting).',
    labelNames: ['tenant'] as const,
    registers,
    async collect() {
      this.reset();
      const oldest = new Map<string, number>();
      for (const stat of await jobStats()) {
        if (stat.state !== 'pending') continue;
        const waited = stat.oldestDueAt
          ? Math.max(0, (now().getTime() - stat.oldestDueAt.getTime()) / 1000)
          : 0;
        oldest.set(stat.tenant, Math.max(oldest.get(stat.tenant) ?? 0, waited));
      }
      for (const [tenant, seconds] of oldest) this.set({ tenant }, seconds);
    },
  });
  new Gauge({
    name: 'gridsync_dead_letters',
    help: 'Dead jobs per tenant: work that will not reach the CRM until someone replays it (gridsync deadletters).',
    labelNames: ['tenant'] as const,
    registers,
    async collect() {
      this.reset();
      const dead = new Map<string, number>();
      for (const stat of await jobStats()) {
        if (stat.state === 'dead') dead.set(stat.tenant, (dead.get(stat.tenant) ?? 0) + stat.count);
      }
      for (const [tenant, count] of dead) this.set({ tenant }, count);
    },
  });
  new Gauge({
    name: 'gridsync_crm_breaker_open',
    help: "1 while a tenant's CRM circuit breaker leaves the CRM alone after failures, else 0.",
    labelNames: ['tenant'] as const,
    registers,
    collect() {
      this.reset();
      for (const { tenant, open } of sources.breakers?.() ?? []) this.set({ tenant }, open ? 1 : 0);
    },
  });

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
