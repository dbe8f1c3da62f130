import type { DiagnosisResult } from '../../domain/ports.js';
import type { StatisticsRepository } from '../../domain/requests/ports.js';
import type { RequestState, Review } from '../../domain/requests/request.js';
import {
  daysBetween,
  tallyDiagnosis,
  tallyFiled,
  tallyTransition,
  type Tally,
  type TallyRow,
} from '../../domain/requests/statistics.js';
import type { SqliteDatabase } from './open-database.js';

/** Adds tallies to the counters; run it inside the transaction of the change they count. */
export type TallyWriter = (tenantId: string, tallies: readonly Tally[]) => void;

const writers = new WeakMap<SqliteDatabase, TallyWriter>();

/** The tally writer of one database (its statement prepared once). */
export function tallyWriterFor(db: SqliteDatabase): TallyWriter {
  let writer = writers.get(db);
  if (!writer) {
    const upsert = db.prepare<[string, string, string, string, number]>(
      `INSERT INTO request_tallies (tenant_id, day, metric, key, count) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (tenant_id, day, metric, key) DO UPDATE SET count = count + excluded.count`,
    );
    writer = (tenantId, tallies) => {
      for (const tally of tallies) upsert.run(tenantId, tally.day, tally.metric, tally.key, tally.delta);
    };
    writers.set(db, writer);
  }
  return writer;
}

/** The statistics' counters in `request_tallies`. */
export class SqliteStatisticsRepository implements StatisticsRepository {
  private readonly selectTotals;
  private readonly selectDaily;
  private readonly read;

  constructor(db: SqliteDatabase) {
    this.selectTotals = db.prepare<[string, string, string], TallyRow>(
      `SELECT '' AS day, metric, key, SUM(count) AS count FROM request_tallies
        WHERE tenant_id = ? AND day BETWEEN ? AND ? GROUP BY metric, key`,
    );
    // Looked up day by day through the key (tenant, day, metric, …): the range holds every metric's counters, about
    // thirty times as many as these two.
    this.selectDaily = db.prepare<[string, string], TallyRow>(
      `SELECT day, metric, key, count FROM request_tallies
        WHERE tenant_id = ? AND day IN (SELECT value FROM json_each(?)) AND metric IN ('filed', 'reached')`,
    );
    // One read transaction, so both halves see the same counters even while another instance writes.
    this.read = db.transaction((tenantId: string, from: string, to: string) => ({
      totals: this.selectTotals.all(tenantId, from, to),
      daily: this.selectDaily.all(tenantId, JSON.stringify(daysBetween(from, to))),
    }));
  }

  async tallies(tenantId: string, from: string, to: string): Promise<{ totals: TallyRow[]; daily: TallyRow[] }> {
    return this.read.deferred(tenantId, from, to);
  }
}

/**
 * Fills the counters from what the database already holds (the migration that introduced them):
 * every filing, every state change in the audit trail and every diagnosis, counted as they would
 * have been when they happened.
 */
export function backfillTallies(db: SqliteDatabase): void {
  const write = tallyWriterFor(db);
  const requests = db
    .prepare<[], { id: string; tenant_id: string; created_at: string; review: string }>(
      'SELECT id, tenant_id, created_at, review FROM requests',
    )
    .all();
  const events = db.prepare<[string], { actor: string; at: string; from_state: RequestState; to_state: RequestState }>(
    `SELECT actor, at, from_state, to_state FROM request_events
      WHERE request_id = ? AND to_state <> 'refused' AND from_state IS NOT NULL ORDER BY sequence`,
  );
  for (const request of requests) {
    const createdAt = new Date(request.created_at);
    const stored = JSON.parse(request.review) as { manager?: Review['manager'] };
    // Only the manager's answer decides how a rejection counts; the rest of the review is not needed.
    const review = { manager: stored.manager } as Review;
    write(request.tenant_id, tallyFiled(createdAt));
    for (const event of events.all(request.id)) {
      const tallies = tallyTransition({
        createdAt,
        from: event.from_state,
        to: event.to_state,
        at: new Date(event.at),
        actor: event.actor,
        review,
      });
      write(request.tenant_id, tallies);
    }
  }
  const diagnoses = db.prepare<
    [],
    { tenant_id: string; started_at: string; result: DiagnosisResult; outcome: string | null }
  >('SELECT tenant_id, started_at, result, outcome FROM diagnoses');
  // Read whole: better-sqlite3 runs no write while a read is still being iterated.
  for (const diagnosis of diagnoses.all()) {
    write(
      diagnosis.tenant_id,
      tallyDiagnosis(undefined, {
        startedAt: new Date(diagnosis.started_at),
        result: diagnosis.result,
        outcome: diagnosis.outcome ?? undefined,
      }),
    );
  }
}
