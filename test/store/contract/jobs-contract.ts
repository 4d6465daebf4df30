/** Store contract, job queue: de-duplication by key, claims under leases, retries, dead letters, release. */
import { describe, expect, it } from 'vitest';
import { DEFAULT_MAX_ATTEMPTS, gridSyncJob } from '../../../src/store/job-lifecycle.ts';
import type { NewJob } from '../../../src/store/job.ts';
import { secondsFrom, type StoreFactory, useStore } from './fixtures.ts';

const tick = (tenant: string, at: string): NewJob<'tenant.sync'> => ({
  kind: 'tenant.sync',
  tenant,
  payload: { tick: at },
  key: `tenant.sync:${tenant}:${at}`,
  once: true,
});

export function jobsContract(factory: StoreFactory): void {
  const t = useStore(factory);
  const lease = 30_000;

  describe('enqueue', () => {
    it('adds nothing while a pending job has the key, and keeps the earlier run time', async () => {
      const now = new Date();
      await t.store.enqueue([gridSyncJob('acme', 'g', { runAt: secondsFrom(now, 60) })]);
      await t.store.enqueue([
        gridSyncJob('acme', 'g', { runAt: secondsFrom(now, 10) }),
        gridSyncJob('acme', 'g', { runAt: secondsFrom(now, 5) }),
      ]);
      await t.store.enqueue([gridSyncJob('acme', 'g', { runAt: secondsFrom(now, 120) })]);
      const jobs = await t.store.getJobs('acme', 'grid.sync:acme:g');
      expect(jobs).toHaveLength(1);
      expect(jobs[0]).toMatchObject({
        state: 'pending',
        attempts: 0,
        maxAttempts: DEFAULT_MAX_ATTEMPTS,
        lastError: null,
      });
      expect(jobs[0]!.runAt.getTime()).toBe(secondsFrom(now, 5).getTime());
    });

    it('adds a new job for a key whose job is already running, so changes made meanwhile are synced', async () => {
      await t.store.enqueue([gridSyncJob('acme', 'g')]);
      await t.store.claim({ workerId: 'w1', limit: 1, leaseMs: lease });
      await t.store.enqueue([gridSyncJob('acme', 'g')]);
      expect((await t.store.getJobs('acme', 'grid.sync:acme:g')).map((j) => j.state)).toEqual([
        'running',
        'pending',
      ]);
    });

    it('makes a once key unique for ever: N replicas enqueueing one cron tick create one job', async () => {
      const replicas = [t.store, await t.openAgain(), await t.openAgain()];
      await Promise.all(
        replicas.flatMap((r) => [
          r.enqueue([tick('acme', '2026-11-20T16:00')]),
          r.enqueue([tick('acme', '2026-11-20T16:00')]),
        ]),
      );
      const [job] = await t.store.claim({ workerId: 'w1', limit: 5, leaseMs: lease });
      await t.store.complete(job!.id, 'w1');
      await t.store.enqueue([tick('acme', '2026-11-20T16:00')]);
      expect(await t.store.getJobs('acme', 'tenant.sync:acme:2026-11-20T16:00')).toMatchObject([
        { state: 'succeeded' },
      ]);
    });

    it('reports the earliest pending run time, or none', async () => {
      expect(await t.store.nextRunAt()).toBeUndefined();
      const now = new Date();
      await t.store.enqueue([
        gridSyncJob('acme', 'later', { runAt: secondsFrom(now, 90) }),
        gridSyncJob('acme', 'sooner', { runAt: secondsFrom(now, 30) }),
      ]);
      expect((await t.store.nextRunAt())?.getTime()).toBe(secondsFrom(now, 30).getTime());
    });
  });

  describe('claim', () => {
    it('takes due jobs oldest first, up to the limit, counting an attempt', async () => {
      const now = new Date();
      await t.store.enqueue([
        gridSyncJob('acme', 'c', { runAt: secondsFrom(now, -10) }),
        gridSyncJob('acme', 'a', { runAt: secondsFrom(now, -30) }),
        gridSyncJob('acme', 'b', { runAt: secondsFrom(now, -20) }),
        gridSyncJob('acme', 'future', { runAt: secondsFrom(now, 60) }),
      ]);
      const first = await t.store.claim({ workerId: 'w1', limit: 2, leaseMs: lease, now });
      expect(first.map((j) => [j.payload, j.state, j.attempts])).toEqual([
        [{ gridId: 'a' }, 'running', 1],
        [{ gridId: 'b' }, 'running', 1],
      ]);
      expect(
        (await t.store.claim({ workerId: 'w1', limit: 5, leaseMs: lease, now })).map((j) => j.key),
      ).toEqual(['grid.sync:acme:c']);
      expect(await t.store.claim({ workerId: 'w1', limit: 5, leaseMs: lease, now })).toEqual([]);
    });

    it('shares a claim among tenants: a backlog ordered by tenant is not taken one tenant at a time', async () => {
      const now = new Date();
      // acme's whole backlog is older than globex's, and globex's older than initech's.
      const backlog = ['acme', 'globex', 'initech'].flatMap((tenant, t) =>
        Array.from({ length: 30 }, (_, i) =>
          gridSyncJob(tenant, `g-${i}`, { runAt: secondsFrom(now, -300 + t * 60 + i) }),
        ),
      );
      await t.store.enqueue(backlog);
      const claimed = await t.store.claim({ workerId: 'w1', limit: 9, leaseMs: lease, now });
      const perTenant = (jobs: { tenant: string }[]): Record<string, number> =>
        Object.fromEntries(
          ['acme', 'globex', 'initech'].map((x) => [x, jobs.filter((j) => j.tenant === x).length]),
        );
      expect(perTenant(claimed)).toEqual({ acme: 3, globex: 3, initech: 3 });
      // Each tenant's oldest first.
      expect(claimed.filter((j) => j.tenant === 'globex').map((j) => j.payload)).toEqual([
        { gridId: 'g-0' },
        { gridId: 'g-1' },
        { gridId: 'g-2' },
      ]);
      // What a tenant cannot use goes to the others; skipped tenants get nothing.
      const next = await t.store.claim({
        workerId: 'w1',
        limit: 10,
        leaseMs: lease,
        now,
        skipTenants: ['acme'],
      });
      expect(perTenant(next)).toEqual({ acme: 0, globex: 5, initech: 5 });
    });

    it('never hands one job to two claimers running at the same time', async () => {
      const jobs = Array.from({ length: 60 }, (_, i) => gridSyncJob('acme', `g-${i}`));
      await t.store.enqueue(jobs);
      const claimers = [t.store, await t.openAgain()];
      const claimedBy = await Promise.all(
        claimers.map(async (store, n) => {
          const ids: string[] = [];
          for (;;) {
            const batch = await store.claim({ workerId: `w${n}`, limit: 7, leaseMs: lease });
            if (batch.length === 0) return ids;
            ids.push(...batch.map((j) => j.id));
          }
        }),
      );
      const all = claimedBy.flat();
      expect(new Set(all).size).toBe(all.length);
      expect(all).toHaveLength(jobs.length);
    });

    it('takes over a job whose lease ran out, and the first worker can no longer touch it', async () => {
      const now = new Date();
      await t.store.enqueue([gridSyncJob('acme', 'g', { runAt: now })]);
      const [job] = await t.store.claim({ workerId: 'dead-worker', limit: 1, leaseMs: 1_000, now });
      expect(
        await t.store.claim({ workerId: 'w2', limit: 1, leaseMs: lease, now: secondsFrom(now, 0.5) }),
      ).toEqual([]);
      const [takenOver] = await t.store.claim({
        workerId: 'w2',
        limit: 1,
        leaseMs: lease,
        now: secondsFrom(now, 2),
      });
      expect(takenOver).toMatchObject({ id: job!.id, state: 'running', attempts: 2 });
      await t.store.complete(job!.id, 'dead-worker');
      await t.store.fail(job!.id, 'dead-worker', 'late failure', null);
      await t.store.release(job!.id, 'dead-worker');
      expect(await t.store.renewLease(job!.id, 'dead-worker', lease)).toBe(false);
      expect(await t.store.getJobs('acme', 'grid.sync:acme:g')).toMatchObject([
        { state: 'running', attempts: 2, lastError: null },
      ]);
      await t.store.complete(job!.id, 'w2');
      expect(await t.store.getJobs('acme', 'grid.sync:acme:g')).toMatchObject([{ state: 'succeeded' }]);
    });

    it('keeps a renewed lease from being taken over', async () => {
      await t.store.enqueue([gridSyncJob('acme', 'g')]);
      const [job] = await t.store.claim({ workerId: 'w1', limit: 1, leaseMs: 1_000 });
      expect(await t.store.renewLease(job!.id, 'w1', 120_000)).toBe(true);
      expect(
        await t.store.claim({ workerId: 'w2', limit: 1, leaseMs: lease, now: secondsFrom(new Date(), 60) }),
      ).toEqual([]);
    });

    it('holds back a job while another job with its key runs under a live lease', async () => {
      const now = new Date();
      await t.store.enqueue([gridSyncJob('acme', 'g', { runAt: now })]);
      const [running] = await t.store.claim({ workerId: 'w1', limit: 5, leaseMs: lease, now });
      await t.store.enqueue([gridSyncJob('acme', 'g', { runAt: now })]);
      expect(await t.store.claim({ workerId: 'w2', limit: 5, leaseMs: lease, now })).toEqual([]);
      await t.store.complete(running!.id, 'w1');
      const [next] = await t.store.claim({ workerId: 'w2', limit: 5, leaseMs: lease, now });
      expect(next).toMatchObject({ key: 'grid.sync:acme:g', attempts: 1 });
      expect(next!.id).not.toBe(running!.id);
    });

    it('takes only one of several due jobs with the same key in one claim', async () => {
      const now = new Date();
      await t.store.enqueue([gridSyncJob('acme', 'g', { runAt: secondsFrom(now, -5) })]);
      const [first] = await t.store.claim({ workerId: 'w1', limit: 5, leaseMs: lease, now });
      await t.store.enqueue([gridSyncJob('acme', 'g', { runAt: secondsFrom(now, -5) })]);
      await t.store.fail(first!.id, 'w1', 'CRM unavailable', secondsFrom(now, -1));
      const claimed = await t.store.claim({ workerId: 'w2', limit: 5, leaseMs: lease, now });
      expect(claimed).toHaveLength(1);
      expect(await t.store.claim({ workerId: 'w3', limit: 5, leaseMs: lease, now })).toEqual([]);
    });
    it('never lets two claimers running at the same time take two jobs of one key', async () => {
      const now = new Date();
      const keys = Array.from({ length: 12 }, (_, i) => `g-${i}`);
      // Two due jobs per key: one retried after a failure, one enqueued while the first was running.
      await t.store.enqueue(keys.map((k) => gridSyncJob('acme', k, { runAt: secondsFrom(now, -10) })));
      const first = await t.store.claim({ workerId: 'w0', limit: keys.length, leaseMs: lease, now });
      await t.store.enqueue(keys.map((k) => gridSyncJob('acme', k, { runAt: secondsFrom(now, -10) })));
      for (const job of first) await t.store.fail(job.id, 'w0', 'CRM unavailable', secondsFrom(now, -5));
      const claimers = [t.store, await t.openAgain(), await t.openAgain()];
      const claimed = (
        await Promise.all(
          claimers.map((s, n) => s.claim({ workerId: `w${n + 1}`, limit: 20, leaseMs: lease, now })),
        )
      ).flat();
      expect(claimed.map((j) => j.key).sort()).toEqual(keys.map((k) => `grid.sync:acme:${k}`).sort());
    });
  });

  describe('fail, dead letters and release', () => {
    it('retries a failed job at the time given, keeping its error', async () => {
      const now = new Date();
      await t.store.enqueue([gridSyncJob('acme', 'g', { runAt: now })]);
      const [job] = await t.store.claim({ workerId: 'w1', limit: 1, leaseMs: lease, now });
      await t.store.fail(job!.id, 'w1', 'HubSpot answered 503', secondsFrom(now, 30));
      expect(await t.store.getJobs('acme', 'grid.sync:acme:g')).toMatchObject([
        { state: 'pending', attempts: 1, lastError: 'HubSpot answered 503', runAt: secondsFrom(now, 30) },
      ]);
      expect(
        await t.store.claim({ workerId: 'w1', limit: 1, leaseMs: lease, now: secondsFrom(now, 29) }),
      ).toEqual([]);
      expect(
        await t.store.claim({ workerId: 'w1', limit: 1, leaseMs: lease, now: secondsFrom(now, 30) }),
      ).toMatchObject([{ attempts: 2 }]);
    });

    it('buries a job as dead when no retry is given or its attempts are used up', async () => {
      const now = new Date();
      await t.store.enqueue([
        gridSyncJob('acme', 'a', { runAt: now }),
        { ...gridSyncJob('acme', 'b', { runAt: now }), maxAttempts: 1 },
      ]);
      const claimed = await t.store.claim({ workerId: 'w1', limit: 2, leaseMs: lease, now });
      const a = claimed.find((j) => j.key === 'grid.sync:acme:a');
      const b = claimed.find((j) => j.key === 'grid.sync:acme:b');
      await t.store.fail(a!.id, 'w1', 'property gridsync_before does not exist', null);
      await t.store.fail(b!.id, 'w1', 'HubSpot answered 503', secondsFrom(now, 1));
      expect(await t.store.getJobs('acme', 'grid.sync:acme:a')).toMatchObject([
        { state: 'dead', lastError: 'property gridsync_before does not exist' },
      ]);
      expect(await t.store.getJobs('acme', 'grid.sync:acme:b')).toMatchObject([
        { state: 'dead', attempts: 1, maxAttempts: 1 },
      ]);
      expect(
        await t.store.claim({ workerId: 'w1', limit: 5, leaseMs: lease, now: secondsFrom(now, 60) }),
      ).toEqual([]);
      expect(await t.store.nextRunAt()).toBeUndefined();
    });

    it('buries a job whose lease ran out on its last attempt instead of retrying it for ever', async () => {
      const now = new Date();
      await t.store.enqueue([{ ...gridSyncJob('acme', 'g', { runAt: now }), maxAttempts: 1 }]);
      await t.store.claim({ workerId: 'crashed', limit: 1, leaseMs: 1_000, now });
      expect(
        await t.store.claim({ workerId: 'w2', limit: 1, leaseMs: lease, now: secondsFrom(now, 5) }),
      ).toEqual([]);
      const [job] = await t.store.getJobs('acme', 'grid.sync:acme:g');
      expect(job).toMatchObject({ state: 'dead', attempts: 1 });
      expect(job!.lastError).toMatch(/lease expired/);
    });

    it('releases a job on shutdown: pending again at once, the attempt not counted', async () => {
      const now = new Date();
      await t.store.enqueue([gridSyncJob('acme', 'g', { runAt: now })]);
      const [job] = await t.store.claim({ workerId: 'w1', limit: 1, leaseMs: lease, now });
      await t.store.release(job!.id, 'w1');
      expect(await t.store.getJobs('acme', 'grid.sync:acme:g')).toMatchObject([
        { state: 'pending', attempts: 0 },
      ]);
      expect(await t.store.claim({ workerId: 'w2', limit: 1, leaseMs: lease, now })).toMatchObject([
        { id: job!.id, attempts: 1 },
      ]);
    });

    it("postpones a job while the tenant's CRM is away: pending at the time given, the attempt not counted", async () => {
      const now = new Date();
      await t.store.enqueue([{ ...gridSyncJob('acme', 'g', { runAt: now }), maxAttempts: 1 }]);
      for (let round = 0; round < 3; round += 1) {
        const at = secondsFrom(now, round * 60);
        const [job] = await t.store.claim({ workerId: 'w1', limit: 1, leaseMs: lease, now: at });
        expect(job).toMatchObject({ attempts: 1 });
        await t.store.release(job!.id, 'w1', {
          runAt: secondsFrom(at, 60),
          reason: 'HubSpot needs reconnection',
        });
        expect(await t.store.getJobs('acme', 'grid.sync:acme:g')).toMatchObject([
          {
            state: 'pending',
            attempts: 0,
            lastError: 'HubSpot needs reconnection',
            runAt: secondsFrom(at, 60),
          },
        ]);
        expect(
          await t.store.claim({ workerId: 'w1', limit: 1, leaseMs: lease, now: secondsFrom(at, 59) }),
        ).toEqual([]);
      }
    });

    it('ignores job ids that name no job', async () => {
      expect(await t.store.renewLease('12345', 'w1', lease)).toBe(false);
      expect(await t.store.renewLease('not-an-id', 'w1', lease)).toBe(false);
      await expect(t.store.complete('not-an-id', 'w1')).resolves.toBeUndefined();
    });
  });
}
