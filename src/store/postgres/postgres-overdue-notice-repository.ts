import type { OverdueNotice, OverdueNoticeRepository } from '../../domain/requests/ports.js';
import type { ResetRequest } from '../../domain/requests/request.js';
import type { PostgresPool } from './open-pool.js';
import { toRequest, type RequestRow } from './postgres-request-repository.js';

/**
 * The overdue notices of requests in `overdue_notices`: taken with a lease, then marked sent. Taking is
 * one INSERT … ON CONFLICT DO UPDATE: when two instances take a notice at once, the second waits for the
 * first's row and then sees its lease, so one of them holds it.
 */
export class PostgresOverdueNoticeRepository implements OverdueNoticeRepository {
  constructor(private readonly pool: PostgresPool) {}

  async due(kind: OverdueNotice, before: Date, now: Date, limit: number): Promise<ResetRequest[]> {
    const { rows } = await this.pool.query<RequestRow>(
      `SELECT r.* FROM requests r
        WHERE r.state = 'pending_review' AND r.pending_since < $1
          AND NOT EXISTS (SELECT 1 FROM overdue_notices n
                           WHERE n.request_id = r.id AND n.kind = $2
                             AND (n.sent_at IS NOT NULL OR n.lease_until > $3))
        ORDER BY r.pending_since LIMIT $4`,
      [before, kind, now, limit],
    );
    return rows.map(toRequest);
  }

  async take(requestId: string, kind: OverdueNotice, owner: string, now: Date, until: Date): Promise<boolean> {
    // Taken when new, or when the last taker's lease ran out before it was sent.
    const { rowCount } = await this.pool.query(
      `INSERT INTO overdue_notices (request_id, kind, owner, lease_until) VALUES ($1, $2, $3, $4)
       ON CONFLICT (request_id, kind) DO UPDATE SET owner = excluded.owner, lease_until = excluded.lease_until
        WHERE overdue_notices.sent_at IS NULL AND overdue_notices.lease_until <= $5`,
      [requestId, kind, owner, until, now],
    );
    return rowCount === 1;
  }

  async markSent(requestId: string, kind: OverdueNotice, owner: string, at: Date): Promise<void> {
    await this.pool.query(
      'UPDATE overdue_notices SET sent_at = $1 WHERE request_id = $2 AND kind = $3 AND owner = $4 AND sent_at IS NULL',
      [at, requestId, kind, owner],
    );
  }
}
