import type { Tally } from '../../domain/requests/statistics.js';
import type { PostgresClient } from './open-pool.js';

/**
 * The upsert that adds tallies to the statistics' counters, with the tenant and the four arrays of
 * `tallyParameters` as parameters $1 to $5 (numbered from `first` instead: `tallyUpsert(6)` reads $6 to $10), so
 * that a caller can run it as one part of a larger statement.
 */
export function tallyUpsert(first = 1): string {
  const [tenant, days, metrics, keys, deltas] = [0, 1, 2, 3, 4].map((at) => `$${first + at}`);
  return `INSERT INTO request_tallies (tenant_id, day, metric, key, count)
     SELECT ${tenant}, day, metric, key, delta
       FROM unnest(${days}::text[], ${metrics}::text[], ${keys}::text[], ${deltas}::integer[]) AS tally (day, metric, key, delta)
     ON CONFLICT (tenant_id, day, metric, key) DO UPDATE SET count = request_tallies.count + excluded.count`;
}

/**
 * The parameters of `tallyUpsert`: the tallies for one counter summed first (an upsert may not touch one row twice),
 * in a fixed order, so that two transactions lock the counters they share in the same order and never wait for each
 * other in a circle. No tallies give empty arrays, which add nothing.
 */
export function tallyParameters(
  tenantId: string,
  tallies: readonly Tally[],
): [string, string[], string[], string[], number[]] {
  const summed = new Map<string, Tally>();
  for (const tally of tallies) {
    const name = JSON.stringify([tally.day, tally.metric, tally.key]);
    const seen = summed.get(name);
    summed.set(name, seen ? { ...seen, delta: seen.delta + tally.delta } : tally);
  }
  const rows = [...summed.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([, tally]) => tally);
  return [
    tenantId,
    rows.map((tally) => tally.day),
    rows.map((tally) => tally.metric),
    rows.map((tally) => tally.key),
    rows.map((tally) => tally.delta),
  ];
}

/** The upsert on its own, its parameters numbered from $1. */
const TALLY_UPSERT = tallyUpsert();

/** Adds tallies to the statistics' counters in the caller's transaction, in one statement (none: no statement). */
export async function writeTallies(client: PostgresClient, tenantId: string, tallies: readonly Tally[]): Promise<void> {
  if (tallies.length === 0) return;
  await client.query(TALLY_UPSERT, tallyParameters(tenantId, tallies));
}
