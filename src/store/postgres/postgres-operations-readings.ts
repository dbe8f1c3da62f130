import type { OperationsReadings } from '../../domain/requests/ports.js';
import { OPEN_STATES } from '../../domain/requests/request.js';
import type { PostgresPool } from './open-pool.js';

/**
 * What the metrics read when they are scraped, each from an index: the open requests by state (bounded by the
 * backlog, not by history), the longest wait for review, and the hourly cap's own count for each tenant.
 */
export class PostgresOperationsReadings implements OperationsReadings {
  constructor(
    private readonly pool: PostgresPool,
    /** The tenants whose executions count against a cap (ALLOWED_TENANTS, or the demo tenant). */
    private readonly tenants: readonly string[],
  ) {}

  async openRequestsByState(): Promise<Record<string, number>> {
    const { rows } = await this.pool.query<{ state: string; count: string }>(
      'SELECT state, COUNT(*) AS count FROM requests WHERE state = ANY($1) GROUP BY state',
      [[...OPEN_STATES]],
    );
    const counted = new Map(rows.map((row) => [row.state, Number(row.count)]));
    return Object.fromEntries([...OPEN_STATES].map((state) => [state, counted.get(state) ?? 0]));
  }

  async oldestPendingReviewSince(): Promise<Date | undefined> {
    const { rows } = await this.pool.query<{ since: Date | null }>(
      "SELECT MIN(pending_since) AS since FROM requests WHERE state = 'pending_review' AND pending_since IS NOT NULL",
    );
    return rows[0]?.since ?? undefined;
  }

  async mostExecutionsStartedSince(since: Date): Promise<number> {
    // The same count as the cap's (PostgresRequestRepository.startExecution), for every tenant at once.
    const { rows } = await this.pool.query<{ count: string }>(
      `SELECT COUNT(DISTINCT request_id) AS count FROM request_events
        WHERE tenant_id = ANY($1) AND to_state = 'executing' AND from_state = 'approved' AND at >= $2
        GROUP BY tenant_id`,
      [this.tenants, since],
    );
    return Math.max(0, ...rows.map((row) => Number(row.count)));
  }
}
