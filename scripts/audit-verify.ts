import { resolve } from 'node:path';
import Database from 'better-sqlite3';
import { loadConfig } from '../src/config/load-config.js';
import type { AuditVerification } from '../src/domain/requests/ports.js';
import { ConfigurationError } from '../src/errors.js';
import { projectRoot } from '../src/project-root.js';
import { migrations } from '../src/store/sqlite/migrations.js';
import { SqliteRequestRepository } from '../src/store/sqlite/sqlite-request-repository.js';
import { isMainModule } from './lib/is-main-module.js';

/** The schema version that introduced the audit trail; older files have nothing to verify. */
export const AUDIT_SCHEMA_VERSION = 3;

/** The database cannot be checked at all (missing, unreadable, or a schema this build does not verify). */
export class AuditTrailUnavailableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AuditTrailUnavailableError';
  }
}

/**
 * Re-computes the audit trail's hash chain in the SQLite file at `sqlitePath`. Opens the file
 * read-only and applies no migrations, so checking a trail can never change it.
 */
export async function verifyAuditTrail(sqlitePath: string): Promise<AuditVerification> {
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
  try {
    const latest = migrations.at(-1)?.version ?? 0;
    if (version < AUDIT_SCHEMA_VERSION) {
      throw new AuditTrailUnavailableError(
        `Database ${file} has schema version ${version}; the audit trail arrived in version ${AUDIT_SCHEMA_VERSION}. Start the bot once with this build to upgrade it, then run audit:verify again.`,
      );
    }
    if (version > latest) {
      throw new AuditTrailUnavailableError(
        `Database ${file} has schema version ${version}, newer than this build knows (${latest}): verify it with the build that wrote it.`,
      );
    }
    return await new SqliteRequestRepository(db).verifyAuditChain();
  } finally {
    db.close();
  }
}

/** The one line the command prints for a result. */
export function describeVerification(result: AuditVerification): string {
  const count = `${result.events} ${result.events === 1 ? 'event' : 'events'}`;
  return result.ok
    ? `Audit trail OK: ${count}, chain intact.`
    : `Audit trail BROKEN at event #${result.brokenAt}: ${result.problem}. ${count} checked.`;
}

if (isMainModule(import.meta.url)) {
  // sysexits.h: 78 is EX_CONFIG, 66 is EX_NOINPUT; 1 is kept for a broken chain alone.
  try {
    const config = loadConfig(process.env, { dotenvDir: projectRoot });
    const result = await verifyAuditTrail(config.sqlitePath);
    console.log(describeVerification(result));
    process.exitCode = result.ok ? 0 : 1;
  } catch (error) {
    if (error instanceof ConfigurationError) {
      console.error(`${error.message}\nSee .env.example for every setting.`);
      process.exitCode = 78;
    } else if (error instanceof AuditTrailUnavailableError) {
      console.error(error.message);
      process.exitCode = 66;
    } else {
      throw error;
    }
  }
}
