import pg from 'pg';
import { createLogger } from '../../src/logging/create-logger.js';
import { openPool, type PostgresPool } from '../../src/store/postgres/open-pool.js';
import { createTestDatabase, type TestDatabase } from './postgres-database.js';

/**
 * A test database with two pools on it, as two bot instances would have, and a third connection for the
 * tests themselves that bypasses the schema's triggers (session_replication_role = replica), as someone
 * holding the database could: to rewrite the audit trail, and to empty the tables between tests.
 */
export interface PostgresInstances {
  pools: [PostgresPool, PostgresPool];
  /** Runs SQL with the triggers off. */
  asAttacker(sql: string, params?: unknown[]): Promise<pg.QueryResult>;
  /**
   * Opens every connection both pools may hold, so that racing calls run at the same moment instead of one after
   * the other as connections come up.
   */
  warm(): Promise<void>;
  /** Empties every table the request repository and audit trail write, and resets the trail's head. */
  reset(): Promise<void>;
  close(): Promise<void>;
}

/** Opens a new test database (every migration applied) and two pools on it. */
export async function openPostgresInstances(): Promise<PostgresInstances> {
  const database: TestDatabase = await createTestDatabase();
  const settings = { url: database.url, poolSize: 8, statementTimeoutMs: 10_000, entraAuth: false };
  const silent = createLogger({ level: 'silent' });
  const pools: [PostgresPool, PostgresPool] = [await openPool(settings, silent), await openPool(settings, silent)];
  const attacker = new pg.Client({ connectionString: database.url });
  await attacker.connect();
  await attacker.query('SET session_replication_role = replica');
  return {
    pools,
    asAttacker: (sql, params = []) => attacker.query(sql, params),
    async warm() {
      await Promise.all(
        pools.flatMap((pool) => Array.from({ length: settings.poolSize }, () => pool.query('SELECT pg_sleep(0.02)'))),
      );
    },
    async reset() {
      await attacker.query(
        `TRUNCATE request_events, requests, execution_jobs, request_tallies, audit_anchors, approval_channels;
         DELETE FROM audit_head;
         INSERT INTO audit_head (id, last_sequence) VALUES (1, 0);
         DELETE FROM audit_chain;
         INSERT INTO audit_chain (id, keyed_from) VALUES (1, 1);`,
      );
    },
    async close() {
      await attacker.end();
      await Promise.all(pools.map((pool) => pool.end()));
      await database.drop();
    },
  };
}
