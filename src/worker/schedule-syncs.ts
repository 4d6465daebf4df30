/**
 * node-cron runs each tenant's schedule. A tick only enqueues `tenant.sync` keyed by tenant and tick time,
 * once for ever: several replicas ticking together produce one job. Schedules follow mapping edits.
 */
import cron, { type ScheduledTask } from 'node-cron';

import type { Logger } from '../lib/logger.ts';
import { toError } from '../lib/abort.ts';
import type { LoadedMapping } from '../mapping/loaded-mapping.ts';
import type { JobQueue } from '../store/store.ts';

export interface ScheduleSource {
  tenants(): string[];
  get(tenant: string): LoadedMapping | undefined;
  onChange(listener: (tenant: string, loaded: LoadedMapping | undefined) => void): () => void;
}

export interface SyncScheduler {
  /** The expressions in force, by tenant (diagnostics and tests). */
  schedules(): Map<string, string>;
  /** Enqueues the tick as the cron callback would (tests). */
  tick(tenant: string, at: Date): Promise<void>;
  stop(): void;
}

/** The tick's identity: the minute it was due, so replicas whose clocks differ by seconds agree. */
export function tickMinute(at: Date): string {
  return new Date(Math.floor(at.getTime() / 60_000) * 60_000).toISOString();
}

export function scheduleSyncs(options: {
  mappings: ScheduleSource;
  queue: JobQueue;
  logger: Logger;
  onEnqueued: () => void;
}): SyncScheduler {
  const { mappings, queue, logger } = options;
  const tasks = new Map<string, { expression: string; task: ScheduledTask }>();

  async function tick(tenant: string, at: Date): Promise<void> {
    const tick = tickMinute(at);
    await queue.enqueue([
      { kind: 'tenant.sync', tenant, key: `tenant.sync:${tenant}:${tick}`, once: true, payload: { tick } },
    ]);
    options.onEnqueued();
  }

  function apply(tenant: string, loaded: LoadedMapping | undefined): void {
    const current = tasks.get(tenant);
    const expression = loaded?.mapping.schedule;
    if (current && current.expression === expression) return;
    if (current) {
      void current.task.stop();
      tasks.delete(tenant);
    }
    if (expression === undefined) return;
    const task = cron.schedule(
      expression,
      (context) => {
        tick(tenant, context.date).catch((thrown: unknown) =>
          logger.error({ err: toError(thrown), tenant }, 'enqueueing the scheduled sync failed'),
        );
      },
      { timezone: 'UTC', name: `gridsync:${tenant}` },
    );
    tasks.set(tenant, { expression, task });
    logger.info({ tenant, schedule: expression }, 'sync scheduled');
  }

  for (const tenant of mappings.tenants()) apply(tenant, mappings.get(tenant));
  const unsubscribe = mappings.onChange(apply);

  return {
    schedules: () => new Map([...tasks].map(([tenant, t]) => [tenant, t.expression])),
    tick,
    stop() {
      unsubscribe();
      for (const { task } of tasks.values()) void task.stop();
      tasks.clear();
    },
  };
}
