import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import type { ConversationAddress } from '../../src/domain/ports.js';
import { createLogger } from '../../src/logging/create-logger.js';
import { migrations } from '../../src/store/sqlite/migrations.js';
import { openDatabase, type SqliteDatabase } from '../../src/store/sqlite/open-database.js';
import { SqliteConversationAddressRepository } from '../../src/store/sqlite/sqlite-conversation-address-repository.js';
import { tempSqlitePath } from '../support/bot-harness.js';

const silent = createLogger({ level: 'silent' });

describe('SQLite storage: the file, its migrations and its indexes', () => {
  const opened: SqliteDatabase[] = [];
  const open = (path = tempSqlitePath()) => {
    const db = openDatabase(path, silent);
    opened.push(db);
    return db;
  };
  afterEach(() => {
    for (const db of opened.splice(0)) if (db.open) db.close();
  });

  it('creates the file in WAL mode with every migration applied', () => {
    const path = tempSqlitePath();
    const db = open(path);
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('user_version', { simple: true })).toBe(migrations.at(-1)!.version);
    const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").pluck().all();
    expect(tables).toEqual(expect.arrayContaining(['bot_state', 'conversation_addresses']));
  });

  it('applies only the migrations a database has not had yet', () => {
    const path = tempSqlitePath();
    open(path).close();
    const extended = [
      ...migrations,
      { version: 99, name: 'test table', sql: 'CREATE TABLE later (x INTEGER) STRICT;' },
    ];
    const db = openDatabase(path, silent, extended);
    opened.push(db);
    expect(db.pragma('user_version', { simple: true })).toBe(99);
    expect(db.prepare("SELECT COUNT(*) FROM sqlite_master WHERE name = 'later'").pluck().get()).toBe(1);
  });

  it('refuses a database written by a newer build', () => {
    const path = tempSqlitePath();
    const raw = new Database(path);
    raw.pragma('user_version = 1000');
    raw.close();
    expect(() => openDatabase(path, silent)).toThrow(/newer than this build knows/);
  });

  it('moves the addresses of a database from before migration 10 under their tenant, where they are found', async () => {
    const path = tempSqlitePath();
    const before = openDatabase(
      path,
      silent,
      migrations.filter((migration) => migration.version < 10),
    );
    const insert = before.prepare(
      `INSERT INTO conversation_addresses (key, kind, tenant_id, aad_object_id, team_id, locale, reference, updated_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    insert.run('user:abc', 'personal', 't1', 'abc', null, 'ja-JP', '{"serviceUrl":"https://a/"}', '2026-11-24T09:00Z');
    insert.run(
      'channel:19:c',
      'channel',
      't1',
      null,
      'team-1',
      null,
      '{"serviceUrl":"https://b/"}',
      '2026-11-24T08:00Z',
    );
    before.close();

    const db = open(path);
    const repository = new SqliteConversationAddressRepository(db);
    expect(await repository.find('t1', 'user:abc')).toEqual({
      key: 'user:abc',
      kind: 'personal',
      tenantId: 't1',
      aadObjectId: 'abc',
      teamId: undefined,
      locale: 'ja-JP',
      reference: { serviceUrl: 'https://a/' },
      updatedAt: new Date('2026-11-24T09:00Z'),
    });
    expect((await repository.latestForTenant('t1', 'team-1'))?.key).toBe('channel:19:c');
    expect((await repository.latestForTenant('t1'))?.key).toBe('user:abc');
    // Saved again in another tenant, the moved row stays as it was.
    await repository.save({ ...(await repository.find('t1', 'user:abc'))!, tenantId: 't2', locale: 'en-US' });
    expect((await repository.find('t1', 'user:abc'))?.locale).toBe('ja-JP');
    expect(db.prepare('SELECT COUNT(*) FROM conversation_addresses').pluck().get()).toBe(3);
  });

  it("finds a team's latest address through its own index, however many personal chats are newer", async () => {
    const db = open();
    const repository = new SqliteConversationAddressRepository(db);
    const at = (minute: number) => new Date(Date.UTC(2026, 10, 24, 9, minute));
    const base = {
      kind: 'personal' as ConversationAddress['kind'],
      tenantId: 't1',
      aadObjectId: undefined,
      teamId: undefined as string | undefined,
      locale: 'en-US',
      reference: { serviceUrl: 'https://a/' },
    };
    await repository.save({ ...base, key: 'channel:old', kind: 'channel', teamId: 'team-1', updatedAt: at(0) });
    await repository.save({ ...base, key: 'channel:new', kind: 'channel', teamId: 'team-1', updatedAt: at(1) });
    for (let i = 0; i < 50; i += 1) await repository.save({ ...base, key: `user:${i}`, updatedAt: at(2 + i) });

    expect((await repository.latestForTenant('t1', 'team-1'))?.key).toBe('channel:new');
    expect((await repository.latestForTenant('t1'))?.key).toBe('user:49');
    expect(await repository.latestForTenant('t1', 'team-2')).toBeUndefined();
    const plan = db
      .prepare<[], { detail: string }>(
        "EXPLAIN QUERY PLAN SELECT * FROM conversation_addresses WHERE tenant_id = 't1' AND team_id = 'team-1' ORDER BY updated_at DESC LIMIT 1",
      )
      .all()
      .map((row) => row.detail)
      .join('; ');
    expect(plan).toContain('conversation_addresses_by_team');
    expect(plan).not.toContain('TEMP B-TREE');
  });
});
