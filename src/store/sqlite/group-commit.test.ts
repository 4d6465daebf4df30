import { describe, expect, it } from 'vitest';
import { err, ok } from '../../lib/result.ts';
import { GroupCommit, type GroupedWork, type GroupLimits, type RunGroup } from './group-commit.ts';

/** A stand-in for SqliteDatabase.writeGroup that records the groups it was given. */
function recordingRunner(options: { failGroup?: (works: readonly GroupedWork[]) => boolean } = {}) {
  const groups: string[][] = [];
  const run: RunGroup = (works) => {
    groups.push(works.map((w) => w.what));
    if (options.failGroup?.(works)) throw new Error('COMMIT failed: disk I/O error');
    return works.map((work) => {
      try {
        return ok(work.run());
      } catch (error) {
        return err(error);
      }
    });
  };
  return { run, groups };
}

const LIMITS: Partial<GroupLimits> = { maxDeliveries: 3, maxRows: 100 };

describe('GroupCommit', () => {
  it('commits calls submitted in the same turn as one group, in order, and resolves each with its own value', async () => {
    const runner = recordingRunner();
    const commits = new GroupCommit(runner.run, { limits: LIMITS });
    const seen: string[] = [];
    const results = await Promise.all(
      ['a', 'b', 'c'].map((name) =>
        commits.submit(name, 1, () => {
          seen.push(name);
          return name.toUpperCase();
        }),
      ),
    );
    expect(results).toEqual(['A', 'B', 'C']);
    expect(seen).toEqual(['a', 'b', 'c']);
    expect(runner.groups).toEqual([['a', 'b', 'c']]);
  });

  it('rejects only the call whose work threw', async () => {
    const commits = new GroupCommit(recordingRunner().run, { limits: LIMITS });
    const settled = await Promise.allSettled([
      commits.submit('a', 1, () => 'a'),
      commits.submit('b', 1, () => {
        throw new Error('answer exploded');
      }),
      commits.submit('c', 1, () => 'c'),
    ]);
    expect(settled.map((s) => s.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect((settled[1] as PromiseRejectedResult).reason).toEqual(new Error('answer exploded'));
  });

  it('rejects every call of a group whose transaction failed, and still commits the next group', async () => {
    const runner = recordingRunner({ failGroup: (works) => works.some((w) => w.what === 'b') });
    const commits = new GroupCommit(runner.run, { limits: { maxDeliveries: 2, maxRows: 100 } });
    const settled = await Promise.allSettled(
      ['a', 'b', 'c'].map((name) => commits.submit(name, 1, () => name)),
    );
    expect(runner.groups).toEqual([['a', 'b'], ['c']]);
    expect(settled.map((s) => s.status)).toEqual(['rejected', 'rejected', 'fulfilled']);
    expect((settled[0] as PromiseRejectedResult).reason).toEqual(new Error('COMMIT failed: disk I/O error'));
  });

  it('splits the queue into groups of at most maxDeliveries, oldest first', async () => {
    const runner = recordingRunner();
    const commits = new GroupCommit(runner.run, { limits: LIMITS });
    await Promise.all(['1', '2', '3', '4', '5', '6', '7'].map((name) => commits.submit(name, 1, () => name)));
    expect(runner.groups).toEqual([['1', '2', '3'], ['4', '5', '6'], ['7']]);
  });

  it('closes a group before it would pass maxRows, and runs a call larger than maxRows alone', async () => {
    const runner = recordingRunner();
    const commits = new GroupCommit(runner.run, { limits: LIMITS });
    const calls: [string, number][] = [
      ['small-1', 40],
      ['small-2', 40],
      ['small-3', 40],
      ['huge', 500],
      ['small-4', 10],
    ];
    await Promise.all(calls.map(([name, rows]) => commits.submit(name, rows, () => name)));
    expect(runner.groups).toEqual([['small-1', 'small-2'], ['small-3'], ['huge'], ['small-4']]);
  });

  it('starts a new group for calls submitted after the previous group was committed', async () => {
    const runner = recordingRunner();
    const commits = new GroupCommit(runner.run, { limits: LIMITS });
    await commits.submit('first', 1, () => 1);
    await commits.submit('second', 1, () => 2);
    expect(runner.groups).toEqual([['first'], ['second']]);
  });

  it('leaves the writes a group had no time for to the next group, in order', async () => {
    const groups: string[][] = [];
    // Each write "takes" the whole turn: the runner stops after the first, as SqliteDatabase does at its deadline.
    const commits = new GroupCommit((works) => {
      groups.push(works.map((w) => w.what));
      return [ok(works[0]!.run())];
    });
    const results = await Promise.all(['a', 'b', 'c'].map((name) => commits.submit(name, 1, () => name)));
    expect(results).toEqual(['a', 'b', 'c']);
    expect(groups).toEqual([['a', 'b', 'c'], ['b', 'c'], ['c']]);
  });

  it('tells the runner to stop once the turn is used up and the group holds minWrites', async () => {
    const groups: string[][] = [];
    const commits = new GroupCommit(
      (works, stop) => {
        const ran: string[] = [];
        for (const work of works) {
          if (ran.length > 0 && stop(ran.length)) break;
          ran.push(work.run() as string);
        }
        groups.push(ran);
        return ran.map((value) => ok(value));
      },
      { limits: { writeTurnMs: 0, minWrites: 2 } },
    );
    await Promise.all(['a', 'b', 'c', 'd', 'e'].map((name) => commits.submit(name, 1, () => name)));
    expect(groups).toEqual([['a', 'b'], ['c', 'd'], ['e']]);
  });

  it('runs everything queued before drain() resolves (the connection closes after it)', async () => {
    const runner = recordingRunner();
    const commits = new GroupCommit(runner.run, { limits: LIMITS });
    const pending = ['a', 'b', 'c', 'd'].map((name) => commits.submit(name, 1, () => name));
    const read = commits.read(() => 'read');
    await commits.drain();
    expect(runner.groups).toEqual([['a', 'b', 'c'], ['d']]);
    expect(await Promise.all([...pending, read])).toEqual(['a', 'b', 'c', 'd', 'read']);
  });

  it('lets the event loop turn between two groups, and between a group and a read', async () => {
    const runner = recordingRunner();
    const commits = new GroupCommit(runner.run, { limits: { maxDeliveries: 1 } });
    const order: string[] = [];
    const done = Promise.all([
      commits.submit('first', 1, () => order.push('first')),
      commits.submit('second', 1, () => order.push('second')),
      commits.read(() => order.push('read')),
    ]);
    // A timer is served between them, as an HTTP request would be.
    const ticks = setInterval(() => order.push('tick'), 0);
    await done;
    clearInterval(ticks);
    expect(order.filter((o) => o !== 'tick')).toEqual(['first', 'second', 'read']);
    expect(order.indexOf('tick')).toBeLessThan(order.indexOf('read'));
  });

  it('settles a write, and begins the next transaction, only once the commit is durable', async () => {
    const runner = recordingRunner();
    let syncDone: () => void = () => {};
    const syncs: string[] = [];
    const commits = new GroupCommit(runner.run, {
      makeDurable: () => {
        syncs.push(`sync after ${runner.groups.at(-1)?.join(',')}`);
        return new Promise<void>((resolve) => (syncDone = resolve));
      },
    });
    let written = false;
    const write = commits.submit('w', 1, () => 'w').then(() => (written = true));
    const read = commits.read(() => `read after ${syncs.length} sync`);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(runner.groups).toEqual([['w']]);
    expect(written).toBe(false);
    syncDone();
    await write;
    expect(await read).toBe('read after 1 sync');
  });

  it('rejects every write of a group whose commit could not be synced to disk', async () => {
    const runner = recordingRunner();
    const commits = new GroupCommit(runner.run, {
      makeDurable: () => Promise.reject(new Error('EIO: i/o error, fdatasync')),
    });
    const settled = await Promise.allSettled(['a', 'b'].map((name) => commits.submit(name, 1, () => name)));
    expect(settled.map((s) => s.status)).toEqual(['rejected', 'rejected']);
    expect(String((settled[0] as PromiseRejectedResult).reason)).toMatch(
      /syncing a commit to disk failed: EIO/,
    );
  });

  it('runs the upkeep after a group is answered, told its rows, and begins the next group only once it is done', async () => {
    const runner = recordingRunner();
    let upkeepDone: () => void = () => {};
    const upkeep: number[] = [];
    const commits = new GroupCommit(runner.run, {
      limits: LIMITS,
      afterCommit: (rows) => {
        upkeep.push(rows);
        return upkeep.length > 1 ? undefined : new Promise<void>((resolve) => (upkeepDone = resolve));
      },
    });
    const first = await Promise.all([commits.submit('a', 2, () => 'a'), commits.submit('b', 5, () => 'b')]);
    expect(first).toEqual(['a', 'b']); // answered before the upkeep finished
    expect(upkeep).toEqual([7]);
    const next = commits.submit('c', 1, () => 'c');
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(runner.groups).toEqual([['a', 'b']]);
    upkeepDone();
    expect(await next).toBe('c');
    expect(runner.groups).toEqual([['a', 'b'], ['c']]);
    expect(upkeep).toEqual([7, 1]);
  });
});
