import { randomBytes } from 'node:crypto';
import { inject } from 'vitest';
import { createDatabase, type CreatedDatabase } from './postgres-cluster.js';
import type { PostgresTestServer } from './postgres-server.js';

/** A database of its own for one test file, on the test server (test/support/postgres-server.ts). */
export type TestDatabase = CreatedDatabase;

/** The test PostgreSQL server, or why there is none (then the PostgreSQL tests are skipped). */
export function postgresTestServer(): PostgresTestServer {
  return inject('postgres');
}

/** Makes a uniquely named, empty database on the test server; the caller drops it when done. */
export async function createTestDatabase(): Promise<TestDatabase> {
  const server = postgresTestServer();
  if (server.url === undefined) throw new Error(`no test PostgreSQL server: ${server.skipReason}`);
  return createDatabase(server.url, `sign_in_help_test_${process.pid}_${randomBytes(4).toString('hex')}`);
}
