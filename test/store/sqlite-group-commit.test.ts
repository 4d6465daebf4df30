/**
 * Group commit on the SQLite store: deliveries submitted together share one transaction, yet each behaves as if
 * it had been committed alone, one after another. Failures are real SQLite failures, set up through a second
 * connection to the same file: a trigger that aborts one delivery's last insert, and a deferred foreign key
 * that only COMMIT checks.
 */
import { open, stat } from 'node:fs/promises';
import { DatabaseSync } from 'node:sqlite';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { openStore } from '../../src/store/open-store.ts';
import { CHECKPOINT_EVERY_ROWS, REWIND_EVERY } from '../../src/store/sqlite/sqlite-wal-checkpoint.ts';
import { StoreError } from '../../src/store/store-errors.ts';
import type { Store } from '../../src/store/store.ts';
import { tempSqliteStore, type TempStore } from '../support/temp-store.ts';
import { gridDelivery, makeGrid, makeSignal, signalsDelivery } from './contract/fixtures.ts';

let temp: TempStore;
let store: Store;
beforeEach(async () => {
  temp = await tempSqliteStore();
  store = temp.store;
});
afterEach(async () => {
  vi.restoreAllMocks();
  await temp.cleanup();
});

/** Counts the COMMITs the store runs from now on (node:sqlite's own method, spied on, still runs). */
function countCommits(): () => number {
  const exec = vi.spyOn(DatabaseSync.prototype, 'exec');
  return () => exec.mock.calls.filter(([sql]) => sql === 'COMMIT').length;
}

/** Runs SQL on the store's file through a connection of its own (schema changes the store then picks up). */
function onSameFile(sql: string): void {
  const db = new DatabaseSync(temp.url);
  try {
    db.exec(sql);
  } finally {
    db.close();
  }
}

const grid = (gridId: string, overrides: Parameters<typeof makeGrid>[0] = {}) =>
  makeGrid({ gridId, ...overrides });
const at = '2026-11-20T16:00:00Z';

describe('SQLite group commit', () => {
  it('rolls back only the delivery whose answer throws; the others of its group are committed', async () => {
    const exploding = {
      ...signalsDelivery('acme', 'wh-2', [makeSignal('s1', 'ledgerline.example', at)]),
      answer: () => {
        throw new Error('answer exploded');
      },
    };
    const [first, failed, third] = await Promise.allSettled([
      store.acceptGrid(gridDelivery('acme', 'wh-1', grid('g-1'))),
      store.acceptSignals(exploding),
      store.acceptGrid(gridDelivery('acme', 'wh-3', grid('g-3'))),
    ]);
    expect(first).toMatchObject({ status: 'fulfilled', value: { replay: false, result: { version: 1 } } });
    expect(failed).toMatchObject({ status: 'rejected', reason: new Error('answer exploded') });
    expect(third).toMatchObject({ status: 'fulfilled', value: { replay: false, result: { version: 1 } } });
    expect(await store.listAccountSignals('acme', 'ledgerline.example', new Date(0))).toEqual([]);
    expect(await store.getJobs('acme', 'account.refresh:acme:ledgerline.example')).toEqual([]);
    expect((await store.getGrid('acme', 'g-1'))?.version).toBe(1);
    expect((await store.getGrid('acme', 'g-3'))?.version).toBe(1);
    // Nothing of it was kept, so the sender's retry is a first delivery, not a replay.
    const retried = await store.acceptSignals(
      signalsDelivery('acme', 'wh-2', [makeSignal('s1', 'ledgerline.example', at)]),
    );
    expect(retried).toMatchObject({ replay: false, result: { accepted: 1 } });
  });

  it('rolls back everything a delivery wrote when its last insert breaks a constraint, and only that delivery', async () => {
    onSameFile(`CREATE TRIGGER test_reject_delivery BEFORE INSERT ON deliveries WHEN NEW.webhook_id = 'wh-bad'
                BEGIN SELECT RAISE(ABORT, 'delivery rejected by test trigger'); END;`);
    const [good, bad] = await Promise.allSettled([
      store.acceptGrid(gridDelivery('acme', 'wh-good', grid('g-good'))),
      store.acceptGrid(gridDelivery('acme', 'wh-bad', grid('g-bad'))),
    ]);
    expect(good).toMatchObject({ status: 'fulfilled', value: { replay: false } });
    expect(bad.status).toBe('rejected');
    const reason = (bad as PromiseRejectedResult).reason as Error;
    expect(reason).toBeInstanceOf(StoreError);
    expect(reason.message).toMatch(/acceptGrid failed: delivery rejected by test trigger/);
    // The grid, its version and its sync job were written before the delivery row failed: all rolled back.
    expect(await store.getGrid('acme', 'g-bad')).toBeUndefined();
    expect(await store.getJobs('acme', 'grid.sync:acme:g-bad')).toEqual([]);
    expect(await store.getJobs('acme', 'grid.sync:acme:g-good')).toHaveLength(1);
  });

  it('replays the first answer to a repeated webhook-id within one group, without building a second', async () => {
    const first = gridDelivery('acme', 'wh-1', grid('g-1'));
    const repeat = gridDelivery('acme', 'wh-1', grid('g-1', { beforeScenario: 'A different text, same id' }));
    const batch = signalsDelivery('acme', 'wh-s', [makeSignal('s1', 'ledgerline.example', at)]);
    const batchAgain = signalsDelivery('acme', 'wh-s', [makeSignal('s2', 'other.example', at)]);
    const commits = countCommits();
    const [accepted, replayed, signals, signalsReplayed] = await Promise.all([
      store.acceptGrid(first),
      store.acceptGrid(repeat),
      store.acceptSignals(batch),
      store.acceptSignals(batchAgain),
    ]);
    expect(commits()).toBe(1);
    expect(accepted.replay).toBe(false);
    expect(replayed).toEqual({ replay: true, answer: accepted.answer });
    expect(signalsReplayed).toEqual({ replay: true, answer: signals.answer });
    expect([first.answered(), repeat.answered(), batch.answered(), batchAgain.answered()]).toEqual([
      1, 0, 1, 0,
    ]);
    expect((await store.getGrid('acme', 'g-1'))?.grid).toEqual(grid('g-1'));
    expect(await store.listActiveAccounts('acme', new Date(0))).toEqual(['ledgerline.example']);
  });

  it('lets a repeated webhook-id through as a first delivery when the earlier one in its group failed', async () => {
    const failing = {
      ...gridDelivery('acme', 'wh-1', grid('g-1')),
      answer: () => {
        throw new Error('answer exploded');
      },
    };
    const [failed, retried] = await Promise.allSettled([
      store.acceptGrid(failing),
      store.acceptGrid(gridDelivery('acme', 'wh-1', grid('g-1'))),
    ]);
    expect(failed.status).toBe('rejected');
    expect(retried).toMatchObject({ status: 'fulfilled', value: { replay: false, result: { version: 1 } } });
  });

  it('numbers versions of one grid within a group as if they had arrived one after another', async () => {
    const v1 = grid('g-1', { capturedAt: '2026-11-20T09:00:00Z' });
    const v2 = grid('g-1', { capturedAt: '2026-11-22T09:00:00Z', idealScenario: 'Reconciles unattended' });
    const lateDraft = grid('g-1', { capturedAt: '2026-11-21T09:00:00Z', beforeScenario: 'An older draft' });
    const commits = countCommits();
    const results = await Promise.all([
      store.acceptGrid(gridDelivery('acme', 'wh-1', v1)),
      store.acceptGrid(gridDelivery('acme', 'wh-2', v2)),
      store.acceptGrid(gridDelivery('acme', 'wh-3', lateDraft)),
      store.acceptGrid(gridDelivery('acme', 'wh-4', v2)),
    ]);
    expect(commits()).toBe(1);
    expect(results.map((r) => (r.replay ? 'replay' : `${r.result.version} ${r.result.outcome}`))).toEqual([
      '1 new_version',
      '2 new_version',
      '3 superseded',
      '2 unchanged',
    ]);
    expect(await store.getGrid('acme', 'g-1')).toMatchObject({ version: 2, grid: v2 });
    expect(await store.getJobs('acme', 'grid.sync:acme:g-1')).toMatchObject([{ state: 'pending' }]);
  });

  it('rejects every delivery of a group whose COMMIT fails, keeps none of them, and commits later groups', async () => {
    // A deferred foreign key is checked by COMMIT only: the delivery itself succeeds, its group cannot commit.
    onSameFile(`
      CREATE TABLE test_commit_gate (id INTEGER PRIMARY KEY);
      CREATE TABLE test_commit_blocker (gate INTEGER REFERENCES test_commit_gate (id) DEFERRABLE INITIALLY DEFERRED);
      CREATE TRIGGER test_fail_commit AFTER INSERT ON deliveries WHEN NEW.webhook_id = 'wh-poison'
      BEGIN INSERT INTO test_commit_blocker (gate) VALUES (1); END;`);
    const settled = await Promise.allSettled([
      store.acceptGrid(gridDelivery('acme', 'wh-1', grid('g-1'))),
      store.acceptGrid(gridDelivery('acme', 'wh-poison', grid('g-poison'))),
      store.acceptSignals(signalsDelivery('acme', 'wh-3', [makeSignal('s1', 'ledgerline.example', at)])),
    ]);
    expect(settled.map((s) => s.status)).toEqual(['rejected', 'rejected', 'rejected']);
    for (const outcome of settled) {
      const reason = (outcome as PromiseRejectedResult).reason as Error;
      expect(reason).toBeInstanceOf(StoreError);
      expect(reason.message).toMatch(
        /group commit \(acceptGrid, acceptSignals\) failed: FOREIGN KEY constraint failed/,
      );
    }
    expect(await store.getGrid('acme', 'g-1')).toBeUndefined();
    expect(await store.getGrid('acme', 'g-poison')).toBeUndefined();
    expect(await store.listActiveAccounts('acme', new Date(0))).toEqual([]);
    expect(await store.nextRunAt()).toBeUndefined();

    // The transaction was rolled back, not left open: the same deliveries commit once the fault is gone.
    onSameFile('DROP TRIGGER test_fail_commit;');
    const retried = await Promise.all([
      store.acceptGrid(gridDelivery('acme', 'wh-1', grid('g-1'))),
      store.acceptGrid(gridDelivery('acme', 'wh-poison', grid('g-poison'))),
    ]);
    expect(retried.map((r) => r.replay)).toEqual([false, false]);
  });

  it('commits deliveries still queued when the store is closed, before closing', async () => {
    const pending = store.acceptGrid(gridDelivery('acme', 'wh-1', grid('g-1')));
    await store.close();
    expect(await pending).toMatchObject({ replay: false, result: { version: 1 } });
    const reopened = await openStore(temp.url);
    try {
      expect((await reopened.getGrid('acme', 'g-1'))?.version).toBe(1);
    } finally {
      await reopened.close();
    }
  });
});

describe('SQLite commits are durable before they are acknowledged, without holding the event loop', () => {
  /** node:fs/promises' FileHandle.datasync, spied on; `hold` makes each sync wait until released. */
  async function spyOnDatasync() {
    const probe = await open(temp.url, 'r');
    const prototype = Object.getPrototypeOf(probe) as { datasync: () => Promise<void> };
    await probe.close();
    const original = prototype.datasync;
    let held: (() => void)[] | undefined;
    const spy = vi.spyOn(prototype, 'datasync').mockImplementation(async function (this: unknown) {
      if (held) await new Promise<void>((resolve) => held?.push(resolve));
      return original.call(this);
    });
    return {
      calls: () => spy.mock.calls.length,
      hold: () => (held = []),
      release: () => {
        const waiting = held ?? [];
        held = undefined;
        for (const resolve of waiting) resolve();
      },
    };
  }

  it('keeps the file in WAL mode, where a synced WAL is what makes a commit durable', () => {
    const db = new DatabaseSync(temp.url);
    try {
      expect(db.prepare('PRAGMA journal_mode').get()).toEqual({ journal_mode: 'wal' });
    } finally {
      db.close();
    }
  });

  it('syncs the WAL file to disk after each commit, before the delivery is answered', async () => {
    const datasync = await spyOnDatasync();
    await store.acceptGrid(gridDelivery('acme', 'wh-1', grid('g-1')));
    expect(datasync.calls()).toBe(1);
    await Promise.all([
      store.acceptGrid(gridDelivery('acme', 'wh-2', grid('g-2'))),
      store.acceptGrid(gridDelivery('acme', 'wh-3', grid('g-3'))),
    ]);
    expect(datasync.calls()).toBe(2); // one group, one commit, one sync
  });

  it('answers nothing, and begins no other transaction, while the sync of a commit is in flight', async () => {
    const datasync = await spyOnDatasync();
    await store.acceptGrid(gridDelivery('acme', 'wh-0', grid('g-0'))); // the WAL is open from here on
    datasync.hold();
    let answered = false;
    const accepted = store.acceptGrid(gridDelivery('acme', 'wh-1', grid('g-1'))).then((r) => {
      answered = true;
      return r;
    });
    let readDone = false;
    const read = store.getGrid('acme', 'g-1').then((g) => {
      readDone = true;
      return g;
    });
    // Timers still fire meanwhile: the event loop is free while the disk works.
    let ticks = 0;
    const ticking = setInterval(() => (ticks += 1), 1);
    await new Promise((resolve) => setTimeout(resolve, 50));
    clearInterval(ticking);
    expect(ticks).toBeGreaterThan(5);
    expect(answered).toBe(false);
    expect(readDone).toBe(false);
    datasync.release();
    expect(await accepted).toMatchObject({ replay: false, result: { version: 1 } });
    expect(await read).toMatchObject({ version: 1 });
  });

  it('checkpoints the WAL on a connection of its own: the database file takes in what was committed, and the WAL starts over', async () => {
    const { size: before } = await stat(temp.url);
    /** The WAL header's first salt: SQLite changes it each time the WAL starts over from its beginning. */
    const walSalt = async () => {
      const wal = await open(`${temp.url}-wal`, 'r');
      try {
        const { buffer } = await wal.read({ buffer: Buffer.alloc(4), position: 16 });
        return buffer.readUInt32BE(0);
      } finally {
        await wal.close();
      }
    };
    // Enough batches that, however the checkpoints beside the writer fall, one is awaited and another group follows.
    const batches = 2 * REWIND_EVERY + 1;
    const perBatch = CHECKPOINT_EVERY_ROWS;
    let firstSalt: number | undefined;
    for (let b = 0; b < batches; b++) {
      const signals = Array.from({ length: perBatch }, (_unused, i) =>
        makeSignal(`s-${b}-${i}`, `account-${i % 50}.example`, at),
      );
      await store.acceptSignals(signalsDelivery('acme', `wh-${b}`, signals));
      firstSalt ??= await walSalt();
    }
    expect(await walSalt()).not.toBe(firstSalt);
    const { size: after } = await stat(temp.url);
    expect(after).toBeGreaterThan(before + perBatch * 50); // signals' pages, copied in from the WAL
    const db = new DatabaseSync(temp.url);
    try {
      expect(db.prepare('SELECT count(*) AS n FROM signals').get()).toEqual({ n: perBatch * batches });
    } finally {
      db.close();
    }
  });
});
