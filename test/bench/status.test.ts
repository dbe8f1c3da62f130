import { afterEach, describe, expect, it, vi } from 'vitest';
import { openBenchPostgres, type BenchPostgres } from '../../bench/postgres.js';
import type { Verdict } from '../../bench/report.js';
import { postgresTestServer } from '../support/postgres-database.js';

/*
 * The status bench's runs and their verdicts, on populations small enough for a test: SQLite at its own population
 * (BENCH_STATUS_REQUESTS), and the comparison of SQLite with PostgreSQL at BENCH_STATUS_COMPARE_REQUESTS.
 */

const AT_SCALE = 400;
const COMPARED = 300;

/** The bench's status part with these populations and few samples (read when bench/status.ts is loaded). */
async function statusBench() {
  vi.stubEnv('BENCH_STATUS_REQUESTS', String(AT_SCALE));
  vi.stubEnv('BENCH_STATUS_COMPARE_REQUESTS', String(COMPARED));
  vi.stubEnv('BENCH_STATUS_SAMPLES', '20');
  vi.stubEnv('BENCH_STATUS_DB', '');
  vi.resetModules();
  return import('../../bench/status.js');
}

/** Each verdict's name and the population its figure names. */
const named = (verdicts: readonly Verdict[]) => verdicts.map(({ what, figure }) => [what, figure.split(':')[0]]);

let postgres: BenchPostgres | undefined;
afterEach(async () => {
  await postgres?.close();
  postgres = undefined;
  vi.unstubAllEnvs();
  vi.restoreAllMocks();
});

describe('the status bench', () => {
  it('measures SQLite alone at its population when there is no PostgreSQL', async () => {
    const printed = vi.spyOn(console, 'log').mockImplementation(() => undefined);
    const { runStatusBench } = await statusBench();

    const verdicts = await runStatusBench(undefined, { atScale: true });

    expect(named(verdicts)).toEqual([['status queries', `${AT_SCALE} requests`]]);
    expect(printed.mock.calls.flat().join('\n')).not.toContain('PostgreSQL');
  }, 60_000);

  describe.skipIf(postgresTestServer().url === undefined)('with PostgreSQL', () => {
    async function open(): Promise<BenchPostgres> {
      vi.stubEnv('BENCH_DATABASE_URL', postgresTestServer().url!);
      const opened = await openBenchPostgres();
      if (typeof opened === 'string') throw new Error(opened);
      return (postgres = opened);
    }

    it("measures SQLite at its population beside PostgreSQL's copy of it, then both seeded at the smaller one", async () => {
      const printed = vi.spyOn(console, 'log').mockImplementation(() => undefined);
      const { runStatusBench } = await statusBench();

      const verdicts = await runStatusBench(await open(), { atScale: true });

      expect(named(verdicts)).toEqual([
        [`status queries at ${AT_SCALE}, SQLite`, `${AT_SCALE} requests`],
        [`status queries at ${AT_SCALE}, PostgreSQL`, `${AT_SCALE} requests`],
        [`status queries at ${COMPARED}, SQLite`, `${COMPARED} requests`],
        [`status queries at ${COMPARED}, PostgreSQL`, `${COMPARED} requests`],
      ]);
      const output = printed.mock.calls.flat().join('\n');
      expect(output).toContain(`status queries, SQLite beside PostgreSQL over ${AT_SCALE} stored requests`);
      // Every request was copied, and the copy is the same trail: it verifies with the file's key.
      expect(output).toContain(`  requests: ${AT_SCALE} rows in`);
      expect(output).toMatch(/the copy's audit trail verifies: [\d,]+ events, chain intact/);
      expect(output).toContain(`status queries, SQLite beside PostgreSQL over ${COMPARED} stored requests`);
      // Both rows of each query in the comparison's table.
      expect(output).toMatch(/^status SIH-… \(agent\) +SQLite .*\nstatus SIH-… \(agent\) +PostgreSQL /m);
    }, 120_000);

    it('measures SQLite alone at its population with BENCH_STATUS_POSTGRES_COPY=off', async () => {
      vi.spyOn(console, 'log').mockImplementation(() => undefined);
      vi.stubEnv('BENCH_STATUS_POSTGRES_COPY', 'off');
      const { runStatusBench } = await statusBench();

      const verdicts = await runStatusBench(await open(), { atScale: true });

      expect(named(verdicts).map(([what]) => what)).toEqual([
        'status queries',
        `status queries at ${COMPARED}, SQLite`,
        `status queries at ${COMPARED}, PostgreSQL`,
      ]);
    }, 120_000);

    it('compares the backends alone for BENCH_ONLY=postgres, without the SQLite population', async () => {
      vi.spyOn(console, 'log').mockImplementation(() => undefined);
      const { runStatusBench } = await statusBench();

      const verdicts = await runStatusBench(await open(), { atScale: false });

      expect(named(verdicts)).toEqual([
        [`status queries at ${COMPARED}, SQLite`, `${COMPARED} requests`],
        [`status queries at ${COMPARED}, PostgreSQL`, `${COMPARED} requests`],
      ]);
    }, 120_000);
  });
});
