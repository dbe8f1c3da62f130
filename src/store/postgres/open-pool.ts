import pg from 'pg';
import { parse } from 'pg-connection-string';
import type { Logger } from '../../logging/create-logger.js';
import { describeDatabase } from './describe-database.js';
import { postgresMigrations, type PostgresMigration } from './migrations.js';

export type PostgresPool = pg.Pool;
export type PostgresClient = pg.PoolClient;

/** How the bot reaches its PostgreSQL database (DATABASE_* settings). */
export interface PostgresSettings {
  /** postgres://user[:password]@host[:port]/database[?sslmode=...]; holds a password: never log it whole. */
  url: string;
  /** Connections each instance keeps at most. */
  poolSize: number;
  /** The server cancels a statement running longer than this (ms). */
  statementTimeoutMs: number;
  /** Sign in with an Entra token (Azure Database for PostgreSQL) instead of a password. */
  entraAuth: boolean;
}

export interface OpenPoolOptions {
  /** The schema to bring the database to; all of it unless a test wants less. */
  migrations?: readonly PostgresMigration[];
  /**
   * The password of each new connection when `entraAuth` is set: an Entra access token
   * (src/directory/database-token.ts; the store itself holds no Azure identity).
   */
  entraToken?: () => Promise<string>;
}

/** How long opening one connection may take; a database that cannot be reached fails readiness, not hangs it. */
const CONNECT_TIMEOUT_MS = 10_000;

/**
 * The advisory lock instances take around reading and applying migrations, so that two starting together
 * apply each migration once. A fixed number: every build must use the same one.
 */
const MIGRATION_LOCK_KEY = 7_412_930_118;

/**
 * Opens a pool to the database in `settings.url` (sslmode in the URL honoured) and brings its schema up to
 * date. A database newer than this build is refused rather than guessed at.
 */
export async function openPool(
  settings: PostgresSettings,
  logger: Logger,
  options: OpenPoolOptions = {},
): Promise<PostgresPool> {
  const database = describeDatabase(settings.url);
  const pool = new pg.Pool(poolConfig(settings, options.entraToken));
  // A connection that breaks while idle is dropped from the pool; without a listener it would end the process.
  pool.on('error', (error) => {
    logger.warn({ err: error, database }, 'database connection lost');
  });
  try {
    await migrate(pool, database, logger, options.migrations ?? postgresMigrations);
  } catch (error) {
    await pool.end();
    throw error;
  }
  return pool;
}

/**
 * Opens a pool to the database in `settings.url` as openPool does, but touches no schema and makes every session
 * read-only (`default_transaction_read_only`): for the audit commands, which must never change what they check.
 */
export function openReadOnlyPool(
  settings: PostgresSettings,
  logger: Logger,
  entraToken?: () => Promise<string>,
): PostgresPool {
  const database = describeDatabase(settings.url);
  const pool = new pg.Pool(poolConfig(settings, entraToken));
  pool.on('error', (error) => {
    logger.warn({ err: error, database }, 'database connection lost');
  });
  // Queued on the new connection ahead of whatever its first caller sends. A SET rather than the `options` startup
  // parameter, which connection poolers such as PgBouncer refuse.
  pool.on('connect', (client) => {
    client.query('SET default_transaction_read_only = on').catch((error: unknown) => {
      logger.warn({ err: error, database }, 'could not make a database session read-only');
    });
  });
  return pool;
}

/** The driver's settings: the URL's parts, with the token source in place of the password under Entra sign-in. */
function poolConfig(settings: PostgresSettings, entraToken: (() => Promise<string>) | undefined): pg.PoolConfig {
  // Parsed here rather than passed as connectionString: the driver would let the URL's (empty) password
  // override the token source.
  const { password, ...connection } = parse(settings.url);
  const base = {
    ...(connection as pg.PoolConfig),
    max: settings.poolSize,
    statement_timeout: settings.statementTimeoutMs,
    connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
    application_name: 'sign-in-help',
  };
  if (!settings.entraAuth) return { ...base, password: password || undefined };
  if (!entraToken) throw new Error('DATABASE_ENTRA_AUTH is true but no Entra token source was given to the store');
  return { ...base, password: entraToken };
}

/**
 * Runs `work` in one transaction on one connection: committed when it resolves, rolled back when it throws,
 * and the connection returned to the pool either way.
 */
export function withTransaction<T>(pool: PostgresPool, work: (client: PostgresClient) => Promise<T>): Promise<T> {
  return inTransaction(pool, 'BEGIN', work);
}

/**
 * Runs `work` in one read-only transaction that sees one snapshot of the database throughout (REPEATABLE READ), so
 * that several reads agree with each other while other instances write.
 */
export function withSnapshot<T>(pool: PostgresPool, work: (client: PostgresClient) => Promise<T>): Promise<T> {
  return inTransaction(pool, 'BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY', work);
}

async function inTransaction<T>(
  pool: PostgresPool,
  begin: string,
  work: (client: PostgresClient) => Promise<T>,
): Promise<T> {
  const client = await pool.connect();
  let broken: Error | undefined;
  try {
    await client.query(begin);
    const result = await work(client);
    await client.query('COMMIT');
    return result;
  } catch (error) {
    try {
      await client.query('ROLLBACK');
    } catch (rollbackError) {
      // A connection that cannot even roll back is not handed to the next caller.
      broken = rollbackError as Error;
    }
    throw error;
  } finally {
    client.release(broken);
  }
}

/**
 * Applies pending migrations, each in its own transaction, holding an advisory lock so that instances starting
 * together wait for one another instead of applying a migration twice.
 */
async function migrate(
  pool: PostgresPool,
  database: string,
  logger: Logger,
  migrations: readonly PostgresMigration[],
): Promise<void> {
  const client = await pool.connect();
  try {
    // Waiting for another instance's migrations, or a long migration, must not hit the statement timeout;
    // the connection is discarded afterwards rather than returned with this setting.
    await client.query('SET statement_timeout = 0');
    await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
    await client.query(
      `CREATE TABLE IF NOT EXISTS schema_migrations (
         version    integer PRIMARY KEY,
         name       text NOT NULL,
         applied_at timestamptz NOT NULL DEFAULT now()
       )`,
    );
    const { rows } = await client.query<{ version: number | null }>(
      'SELECT MAX(version) AS version FROM schema_migrations',
    );
    const current = rows[0]?.version ?? 0;
    const latest = migrations.at(-1)?.version ?? 0;
    if (current > latest) {
      throw new Error(
        `Database ${database} has schema version ${current}, newer than this build knows (${latest}). Run a newer build or restore a backup.`,
      );
    }
    for (const migration of migrations.filter((m) => m.version > current)) {
      await client.query('BEGIN');
      try {
        await client.query(migration.sql);
        await client.query('INSERT INTO schema_migrations (version, name) VALUES ($1, $2)', [
          migration.version,
          migration.name,
        ]);
        await client.query('COMMIT');
      } catch (error) {
        await client.query('ROLLBACK');
        throw error;
      }
      logger.info({ version: migration.version, migration: migration.name }, 'applied database migration');
    }
  } finally {
    // Ending the session also releases the advisory lock.
    client.release(true);
  }
}
