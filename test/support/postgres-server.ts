import pg from 'pg';
import type { TestProject } from 'vitest/node';
import { DEBIAN_PROGRAMS, findPrograms, startCluster } from './postgres-cluster.js';

/** What the test files learn about the test PostgreSQL server: where it is, or why there is none. */
export type PostgresTestServer = { url: string } | { url: undefined; skipReason: string };

declare module 'vitest' {
  export interface ProvidedContext {
    postgres: PostgresTestServer;
  }
}

/**
 * vitest globalSetup: the PostgreSQL server the store tests run on. TEST_DATABASE_URL when set (a role that may
 * create databases); otherwise a throwaway cluster (initdb + pg_ctl) in a temporary folder on a free loopback
 * port, stopped and deleted when the run ends, however it ends. Without PostgreSQL programs the PostgreSQL tests
 * are skipped with the reason shown, except in CI (CI set), where the run fails instead: CI must never skip them
 * silently.
 */
export default async function setup(project: TestProject): Promise<(() => Promise<void>) | undefined> {
  const given = process.env.TEST_DATABASE_URL;
  if (given) {
    await checkReachable(given);
    project.provide('postgres', { url: given });
    return undefined;
  }
  const programs = findPrograms();
  if (!programs) {
    const skipReason = `no PostgreSQL programs (initdb, pg_ctl) on PATH or under ${DEBIAN_PROGRAMS}/*/bin, and TEST_DATABASE_URL is not set`;
    if (process.env.CI) throw new Error(`CI must run the PostgreSQL tests, but there are ${skipReason}.`);
    process.stderr.write(`\nPostgreSQL tests are skipped: ${skipReason}.\n\n`);
    project.provide('postgres', { url: undefined, skipReason });
    return undefined;
  }
  // fsync off: the data is thrown away.
  const cluster = await startCluster(programs, { durable: false, prefix: 'sign-in-help-pg-' });
  project.provide('postgres', { url: cluster.url });
  return cluster.stop;
}

async function checkReachable(url: string): Promise<void> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 10_000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
  } catch (error) {
    // The URL may hold a password: name the setting, not its value.
    throw new Error(`TEST_DATABASE_URL cannot be reached: ${(error as Error).message}`, { cause: error });
  } finally {
    await client.end().catch(() => undefined);
  }
}
