/**
 * The disk sync of a COMMIT, off the event loop. In WAL mode a commit is durable once the WAL file's frames
 * (the commit frame last) are on disk: that is all synchronous=FULL adds to synchronous=NORMAL, which otherwise
 * syncs the WAL only before a checkpoint (and the database after it). So the connection runs with NORMAL, and
 * after each COMMIT this fdatasyncs the WAL through libuv's thread pool while the event loop serves requests.
 * The store resolves no write and begins no transaction before it is done (group-commit.ts), so what callers see
 * is what FULL gives them: acknowledged means on disk.
 *
 * The WAL is opened once, at the first commit, and kept: SQLite removes or replaces it only when the last
 * connection to the database closes or leaves WAL mode, which cannot happen while this one is open. Its folder
 * is synced once too, as SQLite does for a journal it creates: a file whose directory entry is not on disk can
 * vanish with everything in it.
 */
import { open, type FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';

export class WalSync {
  readonly #walPath: string;
  #wal: Promise<FileHandle> | undefined;

  constructor(databasePath: string) {
    this.#walPath = `${databasePath}-wal`;
  }

  async sync(): Promise<void> {
    const wal = (this.#wal ??= openWal(this.#walPath));
    try {
      await (await wal).datasync();
    } catch (error) {
      // Opened afresh by the next sync, in case the handle itself is what failed.
      if (this.#wal === wal) this.#wal = undefined;
      void (await wal.catch(() => undefined))?.close().catch(() => undefined);
      throw error;
    }
  }

  async close(): Promise<void> {
    const wal = this.#wal;
    this.#wal = undefined;
    await (await wal?.catch(() => undefined))?.close();
  }
}

async function openWal(path: string): Promise<FileHandle> {
  const handle = await open(path, 'r+');
  try {
    const folder = await open(dirname(path), 'r');
    try {
      await folder.sync();
    } finally {
      await folder.close();
    }
    return handle;
  } catch (error) {
    await handle.close();
    throw error;
  }
}
