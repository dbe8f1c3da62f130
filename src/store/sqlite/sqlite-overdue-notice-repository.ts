import type { OverdueNotice, OverdueNoticeRepository } from '../../domain/requests/ports.js';
import type { ResetRequest } from '../../domain/requests/request.js';
import { groupCommitFor } from './group-commit.js';
import type { SqliteDatabase } from './open-database.js';
import { toRequest, type RequestRow } from './sqlite-request-repository.js';

/** The overdue notices of requests in `overdue_notices`: taken with a lease, then marked sent. */
export class SqliteOverdueNoticeRepository implements OverdueNoticeRepository {
  private readonly selectDue;
  private readonly upsertTaken;
  private readonly updateSent;

  constructor(private readonly db: SqliteDatabase) {
    this.selectDue = db.prepare<{ kind: OverdueNotice; before: string; now: string; limit: number }, RequestRow>(
      `SELECT r.* FROM requests r
          WHERE r.state = 'pending_review' AND r.pending_since < @before
            AND NOT EXISTS (SELECT 1 FROM overdue_notices n
                             WHERE n.request_id = r.id AND n.kind = @kind
                               AND (n.sent_at IS NOT NULL OR n.lease_until > @now))
          ORDER BY r.pending_since LIMIT @limit`,
    );
    // Taken when new, or when the last taker's lease ran out before it was sent.
    this.upsertTaken = db.prepare<{ id: string; kind: OverdueNotice; owner: string; now: string; until: string }>(
      `INSERT INTO overdue_notices (request_id, kind, owner, lease_until) VALUES (@id, @kind, @owner, @until)
       ON CONFLICT (request_id, kind) DO UPDATE SET owner = excluded.owner, lease_until = excluded.lease_until
        WHERE overdue_notices.sent_at IS NULL AND overdue_notices.lease_until <= @now`,
    );
    this.updateSent = db.prepare<[string, string, OverdueNotice, string]>(
      'UPDATE overdue_notices SET sent_at = ? WHERE request_id = ? AND kind = ? AND owner = ? AND sent_at IS NULL',
    );
  }

  async due(kind: OverdueNotice, before: Date, now: Date, limit: number): Promise<ResetRequest[]> {
    return this.selectDue.all({ kind, before: before.toISOString(), now: now.toISOString(), limit }).map(toRequest);
  }

  async take(requestId: string, kind: OverdueNotice, owner: string, now: Date, until: Date): Promise<boolean> {
    const taken = await groupCommitFor(this.db).run(
      () =>
        this.upsertTaken.run({ id: requestId, kind, owner, now: now.toISOString(), until: until.toISOString() })
          .changes,
    );
    return taken === 1;
  }

  async markSent(requestId: string, kind: OverdueNotice, owner: string, at: Date): Promise<void> {
    await groupCommitFor(this.db).run(() => this.updateSent.run(at.toISOString(), requestId, kind, owner));
  }
}
