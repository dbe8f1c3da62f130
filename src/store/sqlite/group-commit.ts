import type { SqliteDatabase } from './open-database.js';

interface Queued {
  write: () => unknown;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

type Outcome = { ok: true; value: unknown } | { ok: false; error: unknown };

/**
 * Group commit for one database: writes queued during the same turn of the event loop commit together in one
 * transaction, so concurrent conversations share a commit (a WAL append and its bookkeeping) instead of paying one
 * each. Every write runs in its own savepoint: one that throws is rolled back alone and only its caller sees the
 * error. A caller's promise settles only after the commit, so an awaited write is as durable as a direct one.
 */
export class GroupCommit {
  private queued: Queued[] = [];
  private scheduled = false;
  /** The batch's transaction, and each write's savepoint in it: built once, not on every commit. */
  private readonly commitBatch;
  private readonly inSavepoint;

  constructor(db: SqliteDatabase) {
    // Nested inside the batch, better-sqlite3 runs a transaction function as a savepoint.
    this.inSavepoint = db.transaction((write: () => unknown) => write());
    this.commitBatch = db.transaction((batch: readonly Queued[], outcomes: Outcome[]) => {
      for (const item of batch) {
        try {
          outcomes.push({ ok: true, value: this.inSavepoint(item.write) });
        } catch (error) {
          outcomes.push({ ok: false, error });
        }
      }
    });
  }

  /** Runs `write` (synchronous statements on this database) in the next group commit. */
  run<T>(write: () => T): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.queued.push({ write, resolve: resolve as (value: unknown) => void, reject });
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => this.flush());
      }
    });
  }

  /** Commits what is queued now; call before closing the database. */
  flush(): void {
    this.scheduled = false;
    const batch = this.queued;
    this.queued = [];
    if (batch.length === 0) return;
    const outcomes: Outcome[] = [];
    try {
      // IMMEDIATE: the write lock is taken up front, so another process on the file waits rather than failing
      // to upgrade a read lock halfway through.
      this.commitBatch.immediate(batch, outcomes);
    } catch (error) {
      // The commit itself failed (disk full, database closed): none of the batch landed.
      for (const item of batch) item.reject(error);
      return;
    }
    batch.forEach((item, index) => {
      const outcome = outcomes[index]!;
      if (outcome.ok) item.resolve(outcome.value);
      else item.reject(outcome.error);
    });
  }
}

const commits = new WeakMap<SqliteDatabase, GroupCommit>();

/** The group commit shared by every repository on `db`. */
export function groupCommitFor(db: SqliteDatabase): GroupCommit {
  let commit = commits.get(db);
  if (!commit) {
    commit = new GroupCommit(db);
    commits.set(db, commit);
  }
  return commit;
}

/** Commits queued writes, then closes the database. */
export function closeDatabase(db: SqliteDatabase): void {
  if (db.open) groupCommitFor(db).flush();
  db.close();
}
