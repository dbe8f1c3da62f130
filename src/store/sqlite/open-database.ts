import { existsSync, mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import Database from 'better-sqlite3';
import type { Logger } from '../../logging/create-logger.js';
import { migrations as allMigrations, type Migration } from './migrations.js';

export type SqliteDatabase = Database.Database;

/**
 * Opens (creating if needed) the SQLite file in WAL mode and applies pending migrations in
 * one transaction each. A database newer than this code is refused rather than guessed at.
 */
export function openDatabase(
  path: string,
  logger: Logger,
  migrations: readonly Migration[] = allMigrations,
): SqliteDatabase {
  const file = path === ':memory:' ? path : resolve(path);
  if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');

  const current = db.pragma('user_version', { simple: true }) as number;
  const latest = migrations.at(-1)?.version ?? 0;
  if (current > latest) {
    db.close();
    throw new Error(
      `Database ${file} has schema version ${current}, newer than this build knows (${latest}). Run a newer build or restore a backup.`,
    );
  }
  for (const migration of migrations.filter((m) => m.version > current)) {
    db.transaction(() => {
      db.exec(migration.sql);
      migration.run?.(db);
      db.pragma(`user_version = ${migration.version}`);
    })();
    logger.info({ version: migration.version, migration: migration.name }, 'applied database migration');
  }
  return db;
}

/**
 * Why an existing file at `path` cannot be the bot's database (not SQLite at all, or a schema newer than this
 * build), found by reading it only; undefined when it can, or when there is no file yet.
 */
export function existingDatabaseProblem(
  path: string,
  migrations: readonly Migration[] = allMigrations,
): string | undefined {
  if (path === ':memory:' || !existsSync(path)) return undefined;
  let db: Database.Database | undefined;
  try {
    db = new Database(resolve(path), { readonly: true, fileMustExist: true });
    // The first read is where SQLite notices a file that is not a database.
    const version = db.pragma('user_version', { simple: true }) as number;
    const latest = migrations.at(-1)?.version ?? 0;
    return version > latest
      ? `it has schema version ${version}, newer than this build knows (${latest}): run a newer build or restore a backup`
      : undefined;
  } catch (error) {
    return (error as Error).message;
  } finally {
    db?.close();
  }
}
