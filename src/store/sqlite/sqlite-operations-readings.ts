import type { OperationsReadings } from '../../domain/requests/ports.js';
import { OPEN_STATES } from '../../domain/requests/request.js';
import type { SqliteDatabase } from './open-database.js';
import { STARTS_SINCE_SQL } from './sqlite-request-repository.js';

/**
 * What the metrics read when they are scraped, each from an index: the open requests by state (bounded by the
 * backlog, not by history), the longest wait for review, and the hourly cap's own count for each tenant.
 */
export class SqliteOperationsReadings implements OperationsReadings {
  private readonly countInState;
  private readonly oldestPending;
  private readonly countStartedSince;

  constructor(
    db: SqliteDatabase,
    /** The tenants whose executions count against a cap (ALLOWED_TENANTS, or the demo tenant). */
    private readonly tenants: readonly string[],
  ) {
    this.countInState = db.prepare<[string], number>('SELECT COUNT(*) FROM requests WHERE state = ?').pluck();
    this.oldestPending = db
      .prepare<[], string | null>(
        "SELECT MIN(pending_since) FROM requests WHERE state = 'pending_review' AND pending_since IS NOT NULL",
      )
      .pluck();
    // The same count as the cap's.
    this.countStartedSince = db.prepare<[string, string], number>(STARTS_SINCE_SQL).pluck();
  }

  async openRequestsByState(): Promise<Record<string, number>> {
    return Object.fromEntries([...OPEN_STATES].map((state) => [state, this.countInState.get(state) ?? 0]));
  }

  async oldestPendingReviewSince(): Promise<Date | undefined> {
    const since = this.oldestPending.get();
    return since ? new Date(since) : undefined;
  }

  async mostExecutionsStartedSince(since: Date): Promise<number> {
    const at = since.toISOString();
    return Math.max(0, ...this.tenants.map((tenantId) => this.countStartedSince.get(tenantId, at) ?? 0));
  }
}
