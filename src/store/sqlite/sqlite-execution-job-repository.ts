import type {
  ExecutionError,
  ExecutionJob,
  ExecutionJobRepository,
  ExecutionProgress,
} from '../../domain/requests/ports.js';
import { groupCommitFor } from './group-commit.js';
import type { SqliteDatabase } from './open-database.js';

interface JobRow {
  request_id: string;
  tenant_id: string;
  status: 'pending' | 'followUp' | 'done' | 'failed';
  progress: string;
  attempts: number;
  next_attempt_at: string;
  lease_owner: string | null;
  lease_until: string | null;
  last_error: string | null;
}

/**
 * The execution outbox in `execution_jobs`. Leasing is one UPDATE … RETURNING inside an IMMEDIATE
 * transaction (the group commit's), so two workers, in one process or two on the same file, never
 * hold the same job at once; every later write names the owner and does nothing once the lease
 * has moved to another worker.
 */
export class SqliteExecutionJobRepository implements ExecutionJobRepository {
  private readonly leaseDue;
  private readonly updateProgress;
  private readonly release;
  private readonly close;
  private readonly scheduleFollowUp;
  private readonly selectOne;
  private readonly leaseOne;

  constructor(private readonly db: SqliteDatabase) {
    this.leaseDue = db.prepare<[{ owner: string; until: string; now: string; limit: number }], JobRow>(
      `UPDATE execution_jobs SET lease_owner = @owner, lease_until = @until, updated_at = @now
       WHERE request_id IN (
         SELECT request_id FROM execution_jobs
         WHERE status IN ('pending', 'followUp') AND next_attempt_at <= @now AND (lease_until IS NULL OR lease_until <= @now)
         ORDER BY next_attempt_at LIMIT @limit)
       RETURNING *`,
    );
    this.leaseOne = db.prepare<[{ id: string; owner: string; until: string; now: string }], JobRow>(
      `UPDATE execution_jobs SET lease_owner = @owner, lease_until = @until, updated_at = @now
       WHERE request_id = @id AND status = 'pending' AND (lease_until IS NULL OR lease_until <= @now)
       RETURNING *`,
    );
    this.updateProgress = db.prepare<[string, string, string, string, string]>(
      `UPDATE execution_jobs SET progress = ?, lease_until = ?, updated_at = ?
       WHERE request_id = ? AND lease_owner = ? AND status IN ('pending', 'followUp')`,
    );
    this.release = db.prepare<[string, number, string | null, string, string, string]>(
      `UPDATE execution_jobs SET next_attempt_at = ?, attempts = ?, last_error = ?, lease_owner = NULL,
         lease_until = NULL, updated_at = ?
       WHERE request_id = ? AND lease_owner = ? AND status IN ('pending', 'followUp')`,
    );
    this.scheduleFollowUp = db.prepare<[string, string, string, string]>(
      `UPDATE execution_jobs SET status = 'followUp', next_attempt_at = ?, attempts = 0, last_error = NULL,
         lease_owner = NULL, lease_until = NULL, updated_at = ?
       WHERE request_id = ? AND lease_owner = ?`,
    );
    this.close = db.prepare<[string, string | null, string, string, string]>(
      `UPDATE execution_jobs SET status = ?, last_error = ?, lease_owner = NULL, lease_until = NULL, updated_at = ?
       WHERE request_id = ? AND lease_owner = ?`,
    );
    this.selectOne = db.prepare<[string], JobRow>('SELECT * FROM execution_jobs WHERE request_id = ?');
  }

  async lease(owner: string, now: Date, until: Date, limit: number): Promise<ExecutionJob[]> {
    const rows = await groupCommitFor(this.db).run(() =>
      this.leaseDue.all({ owner, until: until.toISOString(), now: now.toISOString(), limit }),
    );
    return rows.map(toJob);
  }

  async saveProgress(
    requestId: string,
    owner: string,
    progress: ExecutionProgress,
    leaseUntil: Date,
  ): Promise<boolean> {
    const now = new Date().toISOString();
    const result = await groupCommitFor(this.db).run(() =>
      this.updateProgress.run(JSON.stringify(progress), leaseUntil.toISOString(), now, requestId, owner),
    );
    return result.changes === 1;
  }

  async retryLater(
    requestId: string,
    owner: string,
    at: Date,
    attempts: number,
    error: ExecutionError | undefined,
  ): Promise<void> {
    const now = new Date().toISOString();
    await groupCommitFor(this.db).run(() =>
      this.release.run(at.toISOString(), attempts, error ? JSON.stringify(error) : null, now, requestId, owner),
    );
  }

  async finish(requestId: string, owner: string, status: 'done' | 'failed', error?: ExecutionError): Promise<void> {
    const now = new Date().toISOString();
    await groupCommitFor(this.db).run(() =>
      this.close.run(status, error ? JSON.stringify(error) : null, now, requestId, owner),
    );
  }

  async followUpAt(requestId: string, owner: string, at: Date): Promise<void> {
    const now = new Date().toISOString();
    await groupCommitFor(this.db).run(() => this.scheduleFollowUp.run(at.toISOString(), now, requestId, owner));
  }

  async take(requestId: string, owner: string, now: Date, until: Date): Promise<ExecutionJob | undefined> {
    const row = await groupCommitFor(this.db).run(() =>
      this.leaseOne.get({ id: requestId, owner, until: until.toISOString(), now: now.toISOString() }),
    );
    return row && toJob(row);
  }

  async find(requestId: string): Promise<ExecutionJob | undefined> {
    const row = this.selectOne.get(requestId);
    return row && toJob(row);
  }
}

function toJob(row: JobRow): ExecutionJob {
  return {
    requestId: row.request_id,
    tenantId: row.tenant_id,
    status: row.status === 'followUp' ? 'followUp' : 'pending',
    attempts: row.attempts,
    progress: JSON.parse(row.progress) as ExecutionProgress,
    lastError: row.last_error === null ? undefined : (JSON.parse(row.last_error) as ExecutionError),
  };
}
