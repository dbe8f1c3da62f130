import { resolve } from 'node:path';
import Database from 'better-sqlite3';
import type { Config } from '../config/load-config.js';
import { createDatabaseTokenSource } from '../directory/database-token.js';
import type { Logger } from '../logging/create-logger.js';
import type { AuditAnchorPoint, AuditKeyRing, ChainReport } from './audit-chain.js';
import type { ExportedEvent } from './audit-export.js';
import { postgresMigrations } from './postgres/migrations.js';
import { describeDatabase } from './postgres/describe-database.js';
import { openReadOnlyPool, withSnapshot, type PostgresPool } from './postgres/open-pool.js';
import { PostgresAuditTrail } from './postgres/postgres-audit-trail.js';
import { migrations } from './sqlite/migrations.js';
import { SqliteAuditTrail } from './sqlite/sqlite-audit-trail.js';

/** The schema version that introduced the audit trail on SQLite; older files have nothing to verify. */
const SQLITE_AUDIT_SCHEMA_VERSION = 3;

/** PostgreSQL's first schema version already holds the audit trail. */
const POSTGRES_AUDIT_SCHEMA_VERSION = 1;

/**
 * Where the audit trail is, as the bot decides it: the PostgreSQL database when `database` (DATABASE_URL) is set,
 * otherwise the SQLite file at `sqlitePath`. A bare string is the path of a SQLite file.
 */
export type AuditSource = string | Pick<Config, 'sqlitePath' | 'database'>;

/** The events `exportEvents` reads: `since <= time < until`. */
export interface AuditRange {
  since: Date;
  until: Date;
}

/** The audit trail as the audit commands read it, whichever backend holds it: read only, never written. */
export interface AuditReader {
  /** Re-computes the chain (and the personal data digests), looking for `anchor` when given. */
  verify(anchor?: AuditAnchorPoint): Promise<ChainReport>;
  /** The events in `range`, in trail order, as `audit:export` writes them. */
  exportEvents(range: AuditRange): AsyncIterable<ExportedEvent>;
  close(): Promise<void>;
}

/** The database cannot be checked at all (missing, unreachable, or a schema this build does not verify). */
export class AuditTrailUnavailableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AuditTrailUnavailableError';
  }
}

/** The SQLite path of a source: the database itself, or where local mode keeps its audit key file. */
export function sqlitePathOf(source: AuditSource): string {
  return typeof source === 'string' ? source : source.sqlitePath;
}

/**
 * Opens the audit trail of `source` for reading, applying no migrations, after checking that its schema holds an
 * audit trail this build reads. SQLite is opened read-only; on PostgreSQL every session is read-only. Checking or
 * exporting a trail can never change it. `keys` verify signed events; `logger` hears of connections lost.
 */
export async function openAuditReader(
  source: AuditSource,
  keys: AuditKeyRing | undefined,
  logger: Logger,
): Promise<AuditReader> {
  if (typeof source !== 'string' && source.database) {
    const { database } = source;
    const entraToken = database.entraAuth ? createDatabaseTokenSource() : undefined;
    const pool = openReadOnlyPool(database, logger, entraToken);
    try {
      await checkPostgresSchema(pool, describeDatabase(database.url));
    } catch (error) {
      await pool.end();
      throw error;
    }
    const trail = new PostgresAuditTrail(pool, keys);
    return {
      verify: (anchor) => trail.verify(anchor),
      exportEvents: (range) => trail.exportEvents(range.since, range.until),
      close: () => pool.end(),
    };
  }
  const db = openSqliteTrail(sqlitePathOf(source));
  const trail = new SqliteAuditTrail(db, keys);
  return {
    verify: async (anchor) => trail.verify(anchor),
    async *exportEvents(range) {
      yield* trail.exportEvents(range.since, range.until);
    },
    close: async () => {
      db.close();
    },
  };
}

/** Opens the SQLite file at `sqlitePath` read-only, after checking its schema version (`user_version`). */
function openSqliteTrail(sqlitePath: string): Database.Database {
  const file = resolve(sqlitePath);
  let db: Database.Database | undefined;
  let version: number;
  try {
    db = new Database(file, { readonly: true, fileMustExist: true });
    // The first read is where SQLite notices a file that is not a database at all.
    version = db.pragma('user_version', { simple: true }) as number;
  } catch (error) {
    db?.close();
    throw new AuditTrailUnavailableError(
      `Cannot read the database ${file} (${(error as Error).message}): check SQLITE_PATH.`,
    );
  }
  const problem = schemaProblem(file, version, SQLITE_AUDIT_SCHEMA_VERSION, migrations.at(-1)?.version ?? 0);
  if (problem) {
    db.close();
    throw new AuditTrailUnavailableError(problem);
  }
  return db;
}

/**
 * Reads the schema version recorded in `schema_migrations` (0 without the table) in a read-only transaction and
 * refuses a database this build does not verify. The database is named as `host:port/database`, never by its URL.
 */
async function checkPostgresSchema(pool: PostgresPool, database: string): Promise<void> {
  let version: number;
  try {
    version = await withSnapshot(pool, async (client) => {
      const table = await client.query<{ present: boolean }>(
        "SELECT to_regclass('schema_migrations') IS NOT NULL AS present",
      );
      if (!table.rows[0]?.present) return 0;
      const { rows } = await client.query<{ version: number | null }>(
        'SELECT MAX(version) AS version FROM schema_migrations',
      );
      return rows[0]?.version ?? 0;
    });
  } catch (error) {
    throw new AuditTrailUnavailableError(
      `Cannot read the database ${database} (${(error as Error).message}): check DATABASE_URL.`,
    );
  }
  const problem = schemaProblem(
    database,
    version,
    POSTGRES_AUDIT_SCHEMA_VERSION,
    postgresMigrations.at(-1)?.version ?? 0,
  );
  if (problem) throw new AuditTrailUnavailableError(problem);
}

/** Why a database at schema `version` cannot be checked by this build, in one sentence; undefined when it can. */
function schemaProblem(database: string, version: number, auditVersion: number, latest: number): string | undefined {
  if (version < auditVersion) {
    return `Database ${database} has schema version ${version}; the audit trail arrived in version ${auditVersion}. Start the bot once with this build to upgrade it, then run audit:verify again.`;
  }
  if (version > latest) {
    return `Database ${database} has schema version ${version}, newer than this build knows (${latest}): verify it with the build that wrote it.`;
  }
  return undefined;
}
