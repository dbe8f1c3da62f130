import { afterEach, describe, expect, it } from 'vitest';
import { SimulatedDirectory } from '../../src/directory/simulated-directory.js';
import { ExecutionService, type PassCourier } from '../../src/domain/requests/execution-service.js';
import type { RequestNews } from '../../src/domain/requests/review-service.js';
import { createLogger } from '../../src/logging/create-logger.js';
import { closeDatabase } from '../../src/store/sqlite/group-commit.js';
import { openDatabase, type SqliteDatabase } from '../../src/store/sqlite/open-database.js';
import { SqliteExecutionJobRepository } from '../../src/store/sqlite/sqlite-execution-job-repository.js';
import { SqliteRequestRepository } from '../../src/store/sqlite/sqlite-request-repository.js';
import { tempSqlitePath } from '../support/bot-harness.js';
import { alex, isaiah, policy, RecordingCourier, tenant } from '../support/execution-outbox-fixtures.js';
import { seedRequest } from '../support/seed-requests.js';

describe('the execution outbox on one SQLite file', () => {
  const opened: SqliteDatabase[] = [];
  afterEach(() => {
    for (const db of opened.splice(0)) if (db.open) closeDatabase(db);
  });

  /** Two bot instances on one database file: each its own connection, repositories and worker. */
  function instances(count: number, directory: SimulatedDirectory, courier: PassCourier, news: RequestNews[]) {
    const path = tempSqlitePath();
    return Array.from({ length: count }, (_, index) => {
      const db = openDatabase(path, createLogger({ level: 'silent' }));
      opened.push(db);
      const repository = new SqliteRequestRepository(db);
      const jobs = new SqliteExecutionJobRepository(db);
      const execution = new ExecutionService({
        repository,
        jobs,
        directory,
        courier,
        notifier: { announce: (_request, item) => news.push(item) },
        clock: { now: () => new Date() },
        policy,
        owner: `instance-${index}`,
        leaseMs: 60_000,
        random: () => 0.5,
      });
      return { db, repository, jobs, execution };
    });
  }

  it('writes the job in the same transaction as the approval: a failure in between leaves neither', async () => {
    const directory = new SimulatedDirectory(tenant, { now: () => new Date() });
    const [one] = instances(1, directory, new RecordingCourier(), []);
    const { db, repository, jobs } = one!;
    const id = await seedRequest(repository, { tenantId: tenant.tenant.id, subjectId: alex.id });
    const pending = (await repository.find(id))!;
    const trail = await repository.eventsOf(id);
    const at = new Date();
    const event = { requestId: id, tenantId: pending.tenantId, actor: isaiah.id, at, reason: 'approved' };
    const approval = { agentId: isaiah.id, verification: 'videoCall' as const, note: '', at };
    const review = { ...pending.review, approvals: [approval] };
    const approve = () =>
      repository.compareAndSet({
        id,
        expectedVersion: pending.version,
        to: 'approved',
        at,
        event: { ...event, from: pending.state, to: 'approved' },
        review,
      });
    // The job's insert fails after the state has changed and the event has been appended, in the same write.
    db.exec(`CREATE TEMP TRIGGER execution_job_fails BEFORE INSERT ON execution_jobs
             BEGIN SELECT RAISE(ABORT, 'injected: the job could not be written'); END`);

    await expect(approve()).rejects.toThrow(/injected/);

    // Seen from another connection, as another instance would: neither the approval nor the job is there.
    const other = openDatabase(db.name, createLogger({ level: 'silent' }));
    opened.push(other);
    const seen = new SqliteRequestRepository(other);
    expect(await seen.find(id)).toStrictEqual(pending);
    expect(await seen.eventsOf(id)).toEqual(trail);
    expect(await new SqliteExecutionJobRepository(other).find(id)).toBeUndefined();
    expect(await seen.verifyAuditChain()).toMatchObject({ ok: true });

    db.exec('DROP TRIGGER execution_job_fails');
    expect(await approve()).toBe(true);
    expect((await seen.find(id))!.state).toBe('approved');
    expect(await jobs.find(id)).toMatchObject({ requestId: id, attempts: 0, progress: {} });
  });
});
