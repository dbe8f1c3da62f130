import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { EtagConflictError } from '../../src/errors.js';
import { createLogger } from '../../src/logging/create-logger.js';
import { closeDatabase, groupCommitFor } from '../../src/store/sqlite/group-commit.js';
import { openDatabase, type SqliteDatabase } from '../../src/store/sqlite/open-database.js';
import { SqliteStateStore } from '../../src/store/sqlite/sqlite-state-store.js';
import { tempSqlitePath } from '../support/bot-harness.js';

const silent = createLogger({ level: 'silent' });
const clock = { now: () => new Date('2026-11-25T09:00:00Z') };

describe('group commit', () => {
  const opened: Array<{ close(): unknown; open: boolean }> = [];
  const open = (path: string): SqliteDatabase => {
    const db = openDatabase(path, silent);
    db.exec('CREATE TABLE IF NOT EXISTS items (name TEXT PRIMARY KEY)');
    opened.push(db);
    return db;
  };
  /** A second connection to the same file, as another process would see it. */
  const observer = (path: string) => {
    const other = new Database(path, { readonly: true });
    opened.push(other);
    return () => other.prepare('SELECT name FROM items ORDER BY name').pluck().all();
  };
  afterEach(() => {
    for (const db of opened.splice(0)) if (db.open) db.close();
  });

  it('commits the writes of one event-loop turn together, and each caller gets its own result', async () => {
    const path = tempSqlitePath();
    const db = open(path);
    const seen = observer(path);
    const insert = db.prepare('INSERT INTO items (name) VALUES (?)');
    const commit = groupCommitFor(db);

    const writes = ['a', 'b', 'c'].map((name) => commit.run(() => insert.run(name).changes));
    // Queued, not yet committed: nobody else can see them.
    expect(seen()).toEqual([]);
    expect(await Promise.all(writes)).toEqual([1, 1, 1]);
    expect(seen()).toEqual(['a', 'b', 'c']);
  });

  it('rolls back only the write that failed; the others in its batch land', async () => {
    const path = tempSqlitePath();
    const db = open(path);
    const seen = observer(path);
    const insert = db.prepare('INSERT INTO items (name) VALUES (?)');
    const commit = groupCommitFor(db);

    const before = commit.run(() => insert.run('before'));
    const failing = commit.run(() => {
      insert.run('half-done');
      throw new Error('refused');
    });
    const after = commit.run(() => insert.run('after'));

    await expect(failing).rejects.toThrow('refused');
    await Promise.all([before, after]);
    expect(seen()).toEqual(['after', 'before']);
  });

  it('keeps eTag conflicts to the turn that lost, when two turns write the same state at once', async () => {
    const db = open(tempSqlitePath());
    const store = new SqliteStateStore(db, clock);
    await store.write({ conversation: { step: 'start' } });
    const { conversation } = await store.read(['conversation']);

    const first = store.write({ conversation: { ...conversation, step: 'first' } });
    const second = store.write({ conversation: { ...conversation, step: 'second' } });
    const other = store.write({ elsewhere: { step: 'untouched' } });

    await first;
    await expect(second).rejects.toBeInstanceOf(EtagConflictError);
    await other;
    const stored = await store.read(['conversation', 'elsewhere']);
    expect(stored.conversation).toMatchObject({ step: 'first', eTag: '2' });
    expect(stored.elsewhere).toMatchObject({ step: 'untouched' });
  });

  it('commits queued writes before the database closes', async () => {
    const path = tempSqlitePath();
    const db = open(path);
    const insert = db.prepare('INSERT INTO items (name) VALUES (?)');
    const queued = groupCommitFor(db).run(() => insert.run('last words'));

    closeDatabase(db);

    await queued;
    expect(observer(path)()).toEqual(['last words']);
  });

  it('rejects every write of a batch whose commit cannot happen', async () => {
    const db = open(tempSqlitePath());
    const insert = db.prepare('INSERT INTO items (name) VALUES (?)');
    const commit = groupCommitFor(db);
    const writes = [commit.run(() => insert.run('x')), commit.run(() => insert.run('y'))];

    db.close();

    for (const write of writes) await expect(write).rejects.toThrow(/not open/);
  });
});
