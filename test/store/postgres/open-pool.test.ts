import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../../src/logging/create-logger.js';
import { postgresMigrations } from '../../../src/store/postgres/migrations.js';
import { describeDatabase } from '../../../src/store/postgres/describe-database.js';
import {
  openPool,
  withTransaction,
  type PostgresPool,
  type PostgresSettings,
} from '../../../src/store/postgres/open-pool.js';
import { createTestDatabase, postgresTestServer, type TestDatabase } from '../../support/postgres-database.js';

const server = postgresTestServer();

/** A logger whose lines the test reads. */
function capturedLogger() {
  const lines: Record<string, unknown>[] = [];
  const logger = createLogger({ level: 'info' }, { write: (line: string) => lines.push(JSON.parse(line)) });
  return { logger, lines };
}

const settings = (url: string, overrides: Partial<PostgresSettings> = {}): PostgresSettings => ({
  url,
  poolSize: 4,
  statementTimeoutMs: 5_000,
  entraAuth: false,
  ...overrides,
});

describe.skipIf(server.url === undefined)('opening the PostgreSQL store', () => {
  let database: TestDatabase;
  const pools: PostgresPool[] = [];
  const open = async (...args: Parameters<typeof openPool>) => {
    const pool = await openPool(...args);
    pools.push(pool);
    return pool;
  };

  beforeAll(async () => {
    database = await createTestDatabase();
  });
  afterAll(async () => {
    await Promise.all(pools.map((pool) => pool.end()));
    await database?.drop();
  });

  it('migrates a new database once when two instances start together', async () => {
    const { logger, lines } = capturedLogger();
    const [first, second] = await Promise.all([
      open(settings(database.url), logger),
      open(settings(database.url), logger),
    ]);
    const applied = await first.query('SELECT version, name FROM schema_migrations ORDER BY version');
    expect(applied.rows).toEqual(postgresMigrations.map(({ version, name }) => ({ version, name })));
    expect(lines.filter((line) => line.msg === 'applied database migration')).toHaveLength(postgresMigrations.length);
    // Both serve the schema, and a third start finds nothing left to do.
    await second.query('SELECT key FROM bot_state');
    await open(settings(database.url), logger);
    expect(lines.filter((line) => line.msg === 'applied database migration')).toHaveLength(postgresMigrations.length);
  });

  it('refuses a database newer than the build in one sentence that names no password', async () => {
    const { logger } = capturedLogger();
    const future = await createTestDatabase();
    try {
      const newer = [...postgresMigrations, { version: 99, name: 'from the future', sql: 'SELECT 1' }];
      await open(settings(future.url), logger, { migrations: newer });
      const url = new URL(future.url);
      url.password = 'never-shown';
      const refusal = openPool(settings(url.toString()), logger);
      await expect(refusal).rejects.toThrow(
        `Database ${describeDatabase(future.url)} has schema version 99, newer than this build knows (${postgresMigrations.length}). Run a newer build or restore a backup.`,
      );
      await refusal.catch((error: Error) => expect(error.message).not.toContain('never-shown'));
    } finally {
      await future.drop();
    }
  });

  it('commits a transaction that resolves, rolls back one that throws, and returns the connection either way', async () => {
    const pool = await open(settings(database.url), capturedLogger().logger);
    const now = new Date();
    await withTransaction(pool, (client) =>
      client.query(`INSERT INTO bot_state (key, value, etag, updated_at) VALUES ('kept', '{}', 1, $1)`, [now]),
    );
    await expect(
      withTransaction(pool, async (client) => {
        await client.query(`INSERT INTO bot_state (key, value, etag, updated_at) VALUES ('undone', '{}', 1, $1)`, [
          now,
        ]);
        throw new Error('changed my mind');
      }),
    ).rejects.toThrow('changed my mind');
    const keys = await pool.query<{ key: string }>('SELECT key FROM bot_state ORDER BY key');
    expect(keys.rows.map((row) => row.key)).toEqual(['kept']);
    expect(pool.idleCount).toBe(pool.totalCount);
  });

  it('lets the server cancel a statement longer than the statement timeout', async () => {
    const pool = await open(settings(database.url, { statementTimeoutMs: 100 }), capturedLogger().logger);
    await expect(pool.query('SELECT pg_sleep(2)')).rejects.toThrow(/statement timeout/);
  });

  it('refuses to change or delete audit events and record views, as the SQLite schema does', async () => {
    const pool = await open(settings(database.url), capturedLogger().logger);
    await pool.query(
      `INSERT INTO request_events (sequence, request_id, tenant_id, actor, at, to_state, reason, previous_hash, hash)
       VALUES (1, 'r-1', 't-1', 'a-1', now(), 'submitted', 'filed', 'genesis', 'h-1')`,
    );
    await pool.query(
      `INSERT INTO record_views (tenant_id, record_id, viewer_id, audience, route, at)
       VALUES ('t-1', 'r-1', 'a-2', 'helpdesk', 'queue', now())`,
    );
    await expect(pool.query(`UPDATE request_events SET reason = 'rewritten'`)).rejects.toThrow(
      'request_events is append-only: events cannot be changed',
    );
    await expect(pool.query('DELETE FROM request_events')).rejects.toThrow(
      'request_events is append-only: events cannot be deleted',
    );
    await expect(pool.query('TRUNCATE request_events')).rejects.toThrow('request_events is append-only');
    await expect(pool.query(`UPDATE record_views SET viewer_id = 'someone'`)).rejects.toThrow(
      'record_views is append-only: views cannot be changed',
    );
    await expect(pool.query('DELETE FROM record_views')).rejects.toThrow(
      'record_views is append-only: views cannot be deleted',
    );
  });
});
