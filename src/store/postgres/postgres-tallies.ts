import type { Tally } from '../../domain/requests/statistics.js';
import type { PostgresClient } from './open-pool.js';

/**
 * Adds tallies to the statistics' counters in the caller's transaction: one statement, the tallies for one
 * counter summed first (an upsert may not touch one row twice), in a fixed order, so that two transactions
 * lock the counters they share in the same order and never wait for each other in a circle.
 */
export async function writeTallies(client: PostgresClient, tenantId: string, tallies: readonly Tally[]): Promise<void> {
  const summed = new Map<string, Tally>();
  for (const tally of tallies) {
    const name = JSON.stringify([tally.day, tally.metric, tally.key]);
    const seen = summed.get(name);
    summed.set(name, seen ? { ...seen, delta: seen.delta + tally.delta } : tally);
  }
  if (summed.size === 0) return;
  const rows = [...summed.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([, tally]) => tally);
  await client.query(
    `INSERT INTO request_tallies (tenant_id, day, metric, key, count)
     SELECT $1, day, metric, key, delta FROM unnest($2::text[], $3::text[], $4::text[], $5::integer[])
       AS tally (day, metric, key, delta)
     ON CONFLICT (tenant_id, day, metric, key) DO UPDATE SET count = request_tallies.count + excluded.count`,
    [
      tenantId,
      rows.map((tally) => tally.day),
      rows.map((tally) => tally.metric),
      rows.map((tally) => tally.key),
      rows.map((tally) => tally.delta),
    ],
  );
}
