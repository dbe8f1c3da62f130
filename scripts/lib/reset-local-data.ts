import { existsSync, rmSync } from 'node:fs';
import { resolve } from 'node:path';

/**
 * The files of a local SQLite database: the database and what SQLite keeps beside it (write-ahead
 * log, shared memory, rollback journal). The simulated directory's changes are inside the database.
 */
export function localDataFiles(sqlitePath: string, base: string = process.cwd()): string[] {
  if (sqlitePath === ':memory:') return [];
  const file = resolve(base, sqlitePath);
  return [file, `${file}-wal`, `${file}-shm`, `${file}-journal`];
}

/**
 * `npm run dev -- --reset`: deletes the local demo's data (requests, conversations, the simulated
 * directory's changes) so the next start is the demo tenant as written. Returns the files deleted.
 */
export function resetLocalData(sqlitePath: string, base?: string): string[] {
  const present = localDataFiles(sqlitePath, base).filter((file) => existsSync(file));
  for (const file of present) rmSync(file, { force: true });
  return present;
}

/** What `npm run dev` was asked for on its command line. */
export interface DevOptions {
  reset: boolean;
}

/** Reads `npm run dev -- [--reset]`; throws with the usage for anything else. */
export function parseDevArguments(args: readonly string[]): DevOptions {
  const unknown = args.filter((arg) => arg !== '--reset');
  if (unknown.length > 0) {
    throw new Error(
      `unknown argument ${unknown.map((arg) => `"${arg}"`).join(', ')}. ` +
        'Usage: npm run dev [-- --reset]   (--reset deletes the local demo data first and starts clean)',
    );
  }
  return { reset: args.includes('--reset') };
}
