import type {
  ExecutionError,
  ExecutionJob,
  ExecutionJobRepository,
  ExecutionProgress,
} from '../../domain/requests/ports.js';
import type { PostgresPool } from './open-pool.js';

interface JobRow {
  request_id: string;
  tenant_id: string;
  status: 'pending' | 'followUp' | 'done' | 'failed';
  progress: string;
  attempts: number;
  last_error: string | null;
}

/**
 * Leases the due jobs: the rows are locked as they are chosen, and rows another instance is leasing at
 * that moment are skipped rather than waited for (SKIP LOCKED), so two workers never lease one job. A row
 * leased and committed meanwhile is re-checked once locked, and its new lease_until keeps it out. The
 * locking CTE runs once; the outer SELECT puts the leased jobs back in the order they were due.
 */
const LEASE_DUE_SQL = `
  WITH due AS (
    SELECT request_id FROM execution_jobs
     WHERE status IN ('pending', 'followUp') AND next_attempt_at <= $3 AND (lease_until IS NULL OR lease_until <= $3)
     ORDER BY next_attempt_at LIMIT $4
       FOR UPDATE SKIP LOCKED
  ), leased AS (
    UPDATE execution_jobs j SET lease_owner = $1, lease_until = $2, updated_at = $3
      FROM due WHERE j.request_id = due.request_id
    RETURNING j.*
  )
  SELECT * FROM leased ORDER BY next_attempt_at, request_id`;

/**
 * The execution outbox in `execution_jobs`, shared by every instance on the database. Each write is one
 * statement that names the lease's owner (or, to lease, that the lease is free or ran out): PostgreSQL
 * re-checks such a condition on the row's newest version after waiting for its lock, so a write by a
 * worker whose lease has moved to another one changes nothing.
 */
export class PostgresExecutionJobRepository implements ExecutionJobRepository {
  constructor(private readonly pool: PostgresPool) {}

  async lease(owner: string, now: Date, until: Date, limit: number): Promise<ExecutionJob[]> {
    const { rows } = await this.pool.query<JobRow>(LEASE_DUE_SQL, [owner, until, now, limit]);
    return rows.map(toJob);
  }

  async saveProgress(
    requestId: string,
    owner: string,
    progress: ExecutionProgress,
    leaseUntil: Date,
  ): Promise<boolean> {
    const { rowCount } = await this.pool.query(
      `UPDATE execution_jobs SET progress = $1, lease_until = $2, updated_at = $3
        WHERE request_id = $4 AND lease_owner = $5 AND status IN ('pending', 'followUp')`,
      [JSON.stringify(progress), leaseUntil, new Date(), requestId, owner],
    );
    return rowCount === 1;
  }

  async retryLater(
    requestId: string,
    owner: string,
    at: Date,
    attempts: number,
    error: ExecutionError | undefined,
  ): Promise<void> {
    await this.pool.query(
      `UPDATE execution_jobs SET next_attempt_at = $1, attempts = $2, last_error = $3, lease_owner = NULL,
              lease_until = NULL, updated_at = $4
        WHERE request_id = $5 AND lease_owner = $6 AND status IN ('pending', 'followUp')`,
      [at, attempts, error ? JSON.stringify(error) : null, new Date(), requestId, owner],
    );
  }

  async finish(requestId: string, owner: string, status: 'done' | 'failed', error?: ExecutionError): Promise<void> {
    await this.pool.query(
      `UPDATE execution_jobs SET status = $1, last_error = $2, lease_owner = NULL, lease_until = NULL, updated_at = $3
        WHERE request_id = $4 AND lease_owner = $5`,
      [status, error ? JSON.stringify(error) : null, new Date(), requestId, owner],
    );
  }

  async followUpAt(requestId: string, owner: string, at: Date): Promise<void> {
    await this.pool.query(
      `UPDATE execution_jobs SET status = 'followUp', next_attempt_at = $1, attempts = 0, last_error = NULL,
              lease_owner = NULL, lease_until = NULL, updated_at = $2
        WHERE request_id = $3 AND lease_owner = $4`,
      [at, new Date(), requestId, owner],
    );
  }

  async take(requestId: string, owner: string, now: Date, until: Date): Promise<ExecutionJob | undefined> {
    // A worker leasing this row at the same moment holds its lock: this waits for it, then finds the lease taken.
    const { rows } = await this.pool.query<JobRow>(
      `UPDATE execution_jobs SET lease_owner = $1, lease_until = $2, updated_at = $3
        WHERE request_id = $4 AND status = 'pending' AND (lease_until IS NULL OR lease_until <= $3)
       RETURNING *`,
      [owner, until, now, requestId],
    );
    return rows[0] && toJob(rows[0]);
  }

  async find(requestId: string): Promise<ExecutionJob | undefined> {
    const { rows } = await this.pool.query<JobRow>('SELECT * FROM execution_jobs WHERE request_id = $1', [requestId]);
    return rows[0] && toJob(rows[0]);
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
