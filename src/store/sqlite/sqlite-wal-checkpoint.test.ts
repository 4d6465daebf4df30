import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CHECKPOINT_EVERY_ROWS, REWIND_EVERY, WalCheckpointer } from './sqlite-wal-checkpoint.ts';

let dir: string;
let db: DatabaseSync;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'gridsync-checkpoint-'));
  db = new DatabaseSync(join(dir, 'test.db'));
  db.exec('PRAGMA journal_mode = WAL; PRAGMA wal_autocheckpoint = 0; CREATE TABLE t (x TEXT)');
});
afterEach(() => {
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

const insert = (rows: number) => {
  const statement = db.prepare('INSERT INTO t (x) VALUES (?)');
  db.exec('BEGIN');
  for (let i = 0; i < rows; i++) statement.run('x'.repeat(200));
  db.exec('COMMIT');
};
/** Frames in the WAL right now, as a checkpoint that copies nothing reports them. */
const walFrames = () => (db.prepare('PRAGMA wal_checkpoint(NOOP)').get() as { log: number } | undefined)?.log;

describe('WalCheckpointer', () => {
  it('checkpoints on its own connection once enough rows were committed, the whole WAL when awaited', async () => {
    const checkpointer = new WalCheckpointer(join(dir, 'test.db'), {
      busyTimeoutMs: 1_000,
      fallBack: () => {},
    });
    try {
      insert(10);
      expect(checkpointer.afterCommit(10)).toBeUndefined();
      expect(checkpointer.checkpoints).toBe(0);
      const result = await checkpointer.run();
      expect(result.busy).toBe(0);
      expect(result.checkpointed).toBe(result.log);
      expect(result.log).toBeGreaterThan(0);
      // Past the threshold, REWIND_EVERY - 1 checkpoints run beside the writer, then one is awaited.
      const awaited: boolean[] = [];
      for (let i = 0; i < REWIND_EVERY; i++) {
        const pending = checkpointer.afterCommit(CHECKPOINT_EVERY_ROWS);
        awaited.push(pending !== undefined);
        await pending;
        while (checkpointer.checkpoints < i + 2) await new Promise((resolve) => setTimeout(resolve, 5));
      }
      expect(awaited).toEqual([...Array<boolean>(REWIND_EVERY - 1).fill(false), true]);
    } finally {
      await checkpointer.close();
    }
  });

  it('lets the next write start the WAL over once a checkpoint copied all of it', async () => {
    const checkpointer = new WalCheckpointer(join(dir, 'test.db'), {
      busyTimeoutMs: 1_000,
      fallBack: () => {},
    });
    try {
      insert(500);
      const before = walFrames() ?? 0;
      expect(before).toBeGreaterThan(10);
      await checkpointer.run();
      insert(1);
      expect(walFrames()).toBeLessThan(before);
    } finally {
      await checkpointer.close();
    }
  });

  it('falls back to SQLite’s own checkpoints when its worker cannot run one', async () => {
    let fellBack = 0;
    const checkpointer = new WalCheckpointer(join(dir, 'missing', 'test.db'), {
      busyTimeoutMs: 1_000,
      fallBack: () => (fellBack += 1),
    });
    await checkpointer.afterCommit(CHECKPOINT_EVERY_ROWS * REWIND_EVERY);
    for (let i = 1; i < REWIND_EVERY && fellBack === 0; i++) {
      await checkpointer.afterCommit(CHECKPOINT_EVERY_ROWS);
    }
    while (fellBack === 0) await new Promise((resolve) => setTimeout(resolve, 5));
    expect(fellBack).toBe(1);
    // From then on it leaves checkpoints to SQLite.
    expect(checkpointer.afterCommit(CHECKPOINT_EVERY_ROWS * 10)).toBeUndefined();
    await checkpointer.close();
  });
});
