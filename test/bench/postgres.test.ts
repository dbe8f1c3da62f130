import { readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import pg from 'pg';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { openBenchPostgres, type BenchPostgres } from '../../bench/postgres.js';
import { findPrograms } from '../support/postgres-cluster.js';
import { postgresTestServer } from '../support/postgres-database.js';

/** The bench's cluster folders in the temporary folder right now. */
const benchFolders = () => new Set(readdirSync(tmpdir()).filter((name) => name.startsWith('sign-in-help-bench-pg-')));

async function query<T extends pg.QueryResultRow>(url: string, sql: string): Promise<T[]> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5_000 });
  await client.connect();
  try {
    return (await client.query<T>(sql)).rows;
  } finally {
    await client.end();
  }
}

/** The databases on the server `url` points into. */
async function databases(url: string): Promise<string[]> {
  return (await query<{ datname: string }>(url, 'SELECT datname FROM pg_database')).map((row) => row.datname);
}

const opened: BenchPostgres[] = [];
async function open(): Promise<BenchPostgres> {
  const postgres = await openBenchPostgres();
  if (typeof postgres === 'string') throw new Error(postgres);
  opened.push(postgres);
  return postgres;
}

afterEach(async () => {
  for (const postgres of opened.splice(0)) await postgres.close();
  vi.unstubAllEnvs();
});

describe.skipIf(!findPrograms())('the bench on a throwaway PostgreSQL cluster', () => {
  it('measures with fsync on, and leaves no server, folder or signal handler behind once closed', async () => {
    vi.stubEnv('BENCH_DATABASE_URL', '');
    const before = benchFolders();
    const handlers = process.listenerCount('SIGINT');
    const postgres = await open();
    expect(process.listenerCount('SIGINT')).toBe(handlers + 1);
    const url = await postgres.database('probe');

    expect(await query(url, 'SHOW fsync')).toEqual([{ fsync: 'on' }]);
    expect(await query(url, 'SHOW synchronous_commit')).toEqual([{ synchronous_commit: 'on' }]);
    await postgres.close();

    await expect(query(url, 'SELECT 1')).rejects.toThrow();
    expect([...benchFolders()].filter((folder) => !before.has(folder))).toEqual([]);
    expect(process.listenerCount('SIGINT')).toBe(handlers);
  }, 60_000);
});

describe.skipIf(postgresTestServer().url === undefined)('the bench on BENCH_DATABASE_URL', () => {
  it('drops the databases it made and leaves the server running', async () => {
    const server = postgresTestServer().url!;
    vi.stubEnv('BENCH_DATABASE_URL', server);
    const postgres = await open();
    expect(postgres.label).not.toContain('@');
    const url = await postgres.database('probe');
    const name = new URL(url).pathname.slice(1);
    expect(await databases(server)).toContain(name);

    await postgres.close();

    expect(await databases(server)).not.toContain(name);
  });
});
