import type { StatisticsRepository } from '../../domain/requests/ports.js';
import { daysBetween, type TallyRow } from '../../domain/requests/statistics.js';
import { withSnapshot, type PostgresPool } from './open-pool.js';

/**
 * The statistics' counters in `request_tallies`, written in the transactions of what they count (the request and
 * diagnosis repositories, through writeTallies). Days are `YYYY-MM-DD` text, so a range is a text comparison.
 */
export class PostgresStatisticsRepository implements StatisticsRepository {
  constructor(private readonly pool: PostgresPool) {}

  async tallies(tenantId: string, from: string, to: string): Promise<{ totals: TallyRow[]; daily: TallyRow[] }> {
    // One snapshot, so both halves see the same counters even while another instance writes.
    return withSnapshot(this.pool, async (client) => {
      // SUM of integers is a bigint, which the driver returns as text.
      const totals = await client.query<TallyRow>(
        `SELECT '' AS day, metric, key, SUM(count)::integer AS count FROM request_tallies
          WHERE tenant_id = $1 AND day BETWEEN $2 AND $3 GROUP BY metric, key`,
        [tenantId, from, to],
      );
      // Looked up day by day through the key (tenant, day, metric, …): the range holds every metric's counters,
      // about thirty times as many as these two.
      const daily = await client.query<TallyRow>(
        `SELECT day, metric, key, count FROM request_tallies
          WHERE tenant_id = $1 AND day = ANY($2::text[]) AND metric IN ('filed', 'reached')`,
        [tenantId, daysBetween(from, to)],
      );
      return { totals: totals.rows, daily: daily.rows };
    });
  }
}
