import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { Config } from '../config/load-config.js';
import { ConfigurationError } from '../errors.js';
import type { Logger } from '../logging/create-logger.js';
import { auditKeyRing, type AuditKeyRing } from './audit-chain.js';

/** The local key file: the database's path with this added. */
export const LOCAL_AUDIT_KEY_SUFFIX = '.audit-key';

/** Where local mode keeps its audit key: beside the SQLite file; undefined for an in-memory database. */
export function localAuditKeyPath(sqlitePath: string): string | undefined {
  return sqlitePath === ':memory:' ? undefined : `${resolve(sqlitePath)}${LOCAL_AUDIT_KEY_SUFFIX}`;
}

/**
 * The keys the bot signs with: AUDIT_KEY, or in local mode without it the key file beside the database,
 * created (and logged, without the key) on first start. loadConfig already refused production without
 * AUDIT_KEY; a key file that cannot be read or written stops the start with the setting to change.
 */
export function auditKeysFor(config: Config, logger: Logger): AuditKeyRing {
  const { key, previousKeys } = config.audit;
  if (key !== undefined) return auditKeyRing(key, previousKeys);
  if (config.mode.kind === 'production') {
    throw new ConfigurationError(['AUDIT_KEY is required in production mode.']);
  }
  const path = localAuditKeyPath(config.sqlitePath);
  if (!path) {
    const ring = auditKeyRing(randomBytes(32).toString('base64'), previousKeys);
    logger.warn({ keyId: ring.current.id }, 'audit key made for this run only: the database is in memory');
    return ring;
  }
  const { key: local, created } = readOrCreateKeyFile(path);
  const ring = auditKeyRing(local, previousKeys);
  if (created) {
    logger.warn(
      { keyFile: path, keyId: ring.current.id },
      'generated an audit key for local mode beside the database; production takes AUDIT_KEY from the environment',
    );
  }
  return ring;
}

/**
 * The local-mode keys of the database at `sqlitePath` (the key file beside it, created when missing), for
 * tools and tests that open a local database themselves. The bot itself uses auditKeysFor.
 */
export function localAuditKeys(sqlitePath: string): AuditKeyRing {
  const path = localAuditKeyPath(sqlitePath);
  return auditKeyRing(path === undefined ? randomBytes(32).toString('base64') : readOrCreateKeyFile(path).key);
}

/** The key in the file at `path`, made and written first when there is none. */
function readOrCreateKeyFile(path: string): { key: string; created: boolean } {
  const existing = readKeyFile(path);
  if (existing !== undefined) return { key: existing, created: false };
  const created = randomBytes(32).toString('base64');
  try {
    mkdirSync(dirname(path), { recursive: true });
    // `wx`: two processes starting at once on a new database do not overwrite each other's key.
    writeFileSync(path, `${created}\n`, { flag: 'wx', mode: 0o600 });
  } catch (error) {
    const raced = (error as NodeJS.ErrnoException).code === 'EEXIST' ? readKeyFile(path) : undefined;
    if (raced !== undefined) return { key: raced, created: false };
    throw new ConfigurationError([
      `Cannot write the local audit key file ${path} (${(error as Error).message}): check SQLITE_PATH, or set AUDIT_KEY.`,
    ]);
  }
  return { key: created, created: true };
}

/**
 * The keys to verify with, for the audit commands: AUDIT_KEY (with AUDIT_PREVIOUS_KEYS), else the local key
 * file beside `sqlitePath` when there is one; undefined when neither exists. Never creates a key.
 */
export function readAuditKeys(
  audit: Pick<Config['audit'], 'key' | 'previousKeys'>,
  sqlitePath: string,
): AuditKeyRing | undefined {
  if (audit.key !== undefined) return auditKeyRing(audit.key, audit.previousKeys);
  const path = localAuditKeyPath(sqlitePath);
  const local = path === undefined ? undefined : readKeyFile(path);
  return local === undefined ? undefined : auditKeyRing(local, audit.previousKeys);
}

/** The key in a local key file; undefined when there is no file. */
function readKeyFile(path: string): string | undefined {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new ConfigurationError([
      `Cannot read the local audit key file ${path} (${(error as Error).message}): check SQLITE_PATH, or set AUDIT_KEY.`,
    ]);
  }
  const key = text.trim();
  if (key.length < 32 || /[\s,]/.test(key)) {
    throw new ConfigurationError([
      `The local audit key file ${path} does not hold a key: restore it from a backup, or set AUDIT_KEY to the key that signed this database.`,
    ]);
  }
  return key;
}
