import { randomBytes } from 'node:crypto';
import { describeDatabase } from '../src/store/postgres/describe-database.js';
import { createDatabase, findPrograms, startCluster, type CreatedDatabase } from '../test/support/postgres-cluster.js';

/** The PostgreSQL server the bench measures on, with a database per bot or population. */
export interface BenchPostgres {
  /** Where, as the tables name it (never a password). */
  label: string;
  /** A new, empty database (dropped by close()); its URL. */
  database(purpose: string): Promise<string>;
  /** Drops the databases made, and stops and deletes the cluster the bench started. */
  close(): Promise<void>;
}

/**
 * The server for the PostgreSQL scenarios: BENCH_DATABASE_URL when set (a role that may create databases),
 * otherwise a throwaway cluster started with the PostgreSQL programs found on the machine (as the tests find
 * them), with fsync on as in production. A string says why there is none. The cluster is gone when close()
 * returns, or when the bench is interrupted (Ctrl-C, SIGTERM) or killed. BENCH_POSTGRES=off measures SQLite alone
 * (for profiling one backend).
 */
export async function openBenchPostgres(): Promise<BenchPostgres | string> {
  if (process.env.BENCH_POSTGRES === 'off') return 'BENCH_POSTGRES=off';
  const given = process.env.BENCH_DATABASE_URL || undefined;
  const programs = given ? undefined : findPrograms();
  if (!given && !programs) {
    return 'no PostgreSQL programs (initdb, pg_ctl) on PATH or under /usr/lib/postgresql/*/bin, and BENCH_DATABASE_URL is not set';
  }
  const cluster = programs && (await startCluster(programs, { durable: true, prefix: 'sign-in-help-bench-pg-' }));
  const serverUrl = given ?? cluster!.url;
  const made: CreatedDatabase[] = [];
  let closing: Promise<void> | undefined;
  const close = () =>
    (closing ??= (async () => {
      process.off('SIGINT', interrupted);
      process.off('SIGTERM', interrupted);
      try {
        // On a cluster of its own the databases go with it.
        if (!cluster) for (const database of made.splice(0)) await database.drop();
      } finally {
        await cluster?.stop();
      }
    })());
  // Exits as the signal would have, once the cluster is gone.
  const interrupted = (signal: NodeJS.Signals) => {
    void close().finally(() => process.exit(signal === 'SIGINT' ? 130 : 143));
  };
  process.once('SIGINT', interrupted);
  process.once('SIGTERM', interrupted);
  return {
    label: given
      ? `BENCH_DATABASE_URL (${describeDatabase(given)})`
      : 'a throwaway cluster on this machine, fsync on (production durability)',
    async database(purpose) {
      const database = await createDatabase(
        serverUrl,
        `sign_in_help_bench_${purpose}_${randomBytes(3).toString('hex')}`,
      );
      made.push(database);
      return database.url;
    },
    close,
  };
}
