import type { RequestState } from '../../src/domain/requests/request.js';
import type { PostgresPool } from '../../src/store/postgres/open-pool.js';

/** A request row as the request repository would have stored it; only what a test names differs. */
export interface RequestRowSeed {
  id: string;
  tenantId: string;
  state: RequestState;
  /** Orders a tenant's requests (oldest first), as the request repository assigns it. */
  sequence: number;
  at?: Date;
  pendingSince?: Date;
}

/**
 * Writes request rows with plain SQL, for tests of the repositories that read or lease around them without
 * going through the request repository.
 */
export async function insertRequests(pool: PostgresPool, seeds: readonly RequestRowSeed[]): Promise<void> {
  for (const seed of seeds) {
    const at = seed.at ?? new Date('2026-11-24T09:00:00.000Z');
    const application = {
      subjectId: `subject-${seed.id}`,
      reason: 'lostPhone',
      lostMethodIds: [],
      verification: 'videoCall',
      contact: '+65 8123 0000',
      note: '',
    };
    await pool.query(
      `INSERT INTO requests (id, reference, sequence, tenant_id, filer_id, subject_id, state, version, application,
                             created_at, updated_at, pending_since)
       VALUES ($1, $2, $3, $4, $5, $5, $6, 1, $7, $8, $8, $9)`,
      [
        seed.id,
        `REF-${seed.sequence}`,
        seed.sequence,
        seed.tenantId,
        application.subjectId,
        seed.state,
        JSON.stringify(application),
        at,
        seed.pendingSince ?? null,
      ],
    );
  }
}

/**
 * Writes the execution job of each request as an approval does (RequestRepository.compareAndSet): pending,
 * due at `dueAt`, leased to nobody.
 */
export async function insertExecutionJobs(
  pool: PostgresPool,
  jobs: ReadonlyArray<{ requestId: string; tenantId: string; dueAt: Date }>,
): Promise<void> {
  for (const job of jobs) {
    await pool.query(
      `INSERT INTO execution_jobs (request_id, tenant_id, status, next_attempt_at, created_at, updated_at)
       VALUES ($1, $2, 'pending', $3, $3, $3)`,
      [job.requestId, job.tenantId, job.dueAt],
    );
  }
}
