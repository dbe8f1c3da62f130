import type { Config } from '../config/load-config.js';
import { createDatabaseTokenSource } from '../directory/database-token.js';
import type { Clock } from '../domain/ports.js';
import { ConfigurationError } from '../errors.js';
import type { Logger } from '../logging/create-logger.js';
import type { AuditKeyRing } from './audit-chain.js';
import { openPostgresStore } from './postgres/postgres-store.js';
import { openDatabase, type SqliteDatabase } from './sqlite/open-database.js';
import { sqliteStore } from './sqlite/sqlite-store.js';
import type { Store } from './store.js';

/** What every backend needs besides its settings: the keys that sign the audit trail, and the clock. */
export interface StoreOptions {
  auditKeys: AuditKeyRing;
  clock: Clock;
}

/**
 * The bot's store, migrated and with its audit trail sealed: PostgreSQL when DATABASE_URL is set (several
 * instances share it), otherwise the SQLite file at SQLITE_PATH. A database that cannot be used stops
 * the start with a ConfigurationError naming the setting.
 */
export async function createStore(config: Config, logger: Logger, options: StoreOptions): Promise<Store> {
  if (config.database) {
    const entraToken = config.database.entraAuth ? createDatabaseTokenSource() : undefined;
    return openPostgresStore(config.database, logger, { ...options, entraToken });
  }
  return sqliteStore(openConfiguredDatabase(config, logger), options);
}

/** The database at SQLITE_PATH, migrated; a file SQLite cannot use stops the start with the setting's name. */
function openConfiguredDatabase(config: Config, logger: Logger): SqliteDatabase {
  try {
    return openDatabase(config.sqlitePath, logger);
  } catch (error) {
    throw new ConfigurationError([
      `SQLITE_PATH "${config.sqlitePath}" cannot be opened as the bot's database: ${(error as Error).message}`,
    ]);
  }
}
