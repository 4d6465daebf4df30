import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Signal } from '../domain/signal.ts';
import { silentLogger } from '../../test/support/loggers.ts';
import { tempSqliteStore, type TempStore } from '../../test/support/temp-store.ts';
import { RETENTION_BATCH, RetentionSweeper, signalRetentionDays, sweepRetention } from './retention.ts';

const DAY = 86_400_000;
const NOW = new Date('2026-11-20T12:00:00Z');
const windows = (scoring: number, qualification: number) => ({
  mapping: { scoring: { windowDays: scoring }, qualification: { windowDays: qualification } },
});
const settings = { jobDays: 7, deliveryHours: 24, gridVersionDays: 30 };

let temp: TempStore;
beforeEach(async () => {
  temp = await tempSqliteStore();
});
afterEach(() => temp.cleanup());

function signalsAged(tenant: string, prefix: string, count: number, days: number): Promise<unknown> {
  const signals: Signal[] = Array.from({ length: count }, (_u, i) => ({
    id: `${prefix}-${i}`,
    type: 'product.active_day',
    account: { domain: `a${i % 7}.example` },
    occurredAt: new Date(NOW.getTime() - days * DAY - i).toISOString(),
  }));
  return temp.store.acceptSignals({
    tenant,
    webhookId: `wh-${prefix}`,
    signals,
    receivedAt: NOW,
    answer: (result) => ({ status: 202, body: result }),
  });
}

describe('signalRetentionDays', () => {
  it('is the longest rule window, or the configured days when longer', () => {
    expect(signalRetentionDays(windows(30, 45).mapping as never)).toBe(45);
    expect(signalRetentionDays(windows(60, 45).mapping as never, 10)).toBe(60);
    expect(signalRetentionDays(windows(30, 45).mapping as never, 90)).toBe(90);
  });
});

describe('sweepRetention', () => {
  it('drains old signals batch after batch, per tenant window, and leaves tenants without a mapping alone', async () => {
    await signalsAged('acme', 'old', RETENTION_BATCH * 2 + 500, 46);
    await signalsAged('acme', 'young', 20, 44);
    await signalsAged('globex', 'old', 30, 400);
    const mappings = {
      tenants: () => ['acme', 'initech'],
      get: (tenant: string) => (tenant === 'acme' ? windows(30, 45) : undefined),
    } as never;

    const counts = await sweepRetention(temp.store, mappings, settings, NOW);
    expect(counts.signals).toBe(RETENTION_BATCH * 2 + 500);
    let left = 0;
    for (let i = 0; i < 7; i++) {
      left += (await temp.store.listAccountSignals('acme', `a${i}.example`, new Date(0))).length;
    }
    expect(left).toBe(20);
    expect(await temp.store.listAccountSignals('globex', 'a0.example', new Date(0))).not.toEqual([]);
    expect((await sweepRetention(temp.store, mappings, settings, NOW)).signals).toBe(0);
  });

  it('keeps signals for GRIDSYNC_RETENTION_SIGNAL_DAYS when that is longer than the windows', async () => {
    await signalsAged('acme', 'old', 10, 46);
    const mappings = { tenants: () => ['acme'], get: () => windows(30, 45) } as never;
    expect((await sweepRetention(temp.store, mappings, { ...settings, signalDays: 60 }, NOW)).signals).toBe(
      0,
    );
    expect((await sweepRetention(temp.store, mappings, { ...settings, signalDays: 40 }, NOW)).signals).toBe(
      10,
    );
  });

  it('prunes finished jobs and stored answers on the sweeper, and a stopped sweeper does no more', async () => {
    await signalsAged('acme', 'young', 3, 1);
    const [job] = await temp.store.claim({ workerId: 'w', limit: 1, leaseMs: 60_000 });
    await temp.store.complete(job?.id ?? '', 'w');
    const later = new Date(Date.now() + 8 * DAY);
    const sweeper = new RetentionSweeper({
      store: temp.store,
      mappings: { tenants: () => [], get: () => undefined },
      settings,
      intervalMs: 3_600_000,
      logger: silentLogger(),
      now: () => later,
    });
    expect(await sweeper.sweep()).toEqual({ signals: 0, jobs: 1, deliveries: 1, gridVersions: 0 });
    await sweeper.stop();
    await signalsAged('acme', 'more', 3, 1);
    expect(await sweeper.sweep()).toEqual({ signals: 0, jobs: 0, deliveries: 0, gridVersions: 0 });
  });
});
