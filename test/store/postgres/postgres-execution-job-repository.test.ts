import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { ExecutionError, ExecutionJob } from '../../../src/domain/requests/ports.js';
import { createLogger } from '../../../src/logging/create-logger.js';
import { openPool, type PostgresPool } from '../../../src/store/postgres/open-pool.js';
import { PostgresExecutionJobRepository } from '../../../src/store/postgres/postgres-execution-job-repository.js';
import { createTestDatabase, postgresTestServer, type TestDatabase } from '../../support/postgres-database.js';
import { insertExecutionJobs, insertRequests } from '../../support/postgres-rows.js';

const TENANT = 'tenant-1';
const MINUTE = 60_000;
const T0 = new Date('2026-11-24T09:00:00.000Z');
const at = (minutes: number) => new Date(T0.getTime() + minutes * MINUTE);
const error: ExecutionError = {
  step: 'delete method',
  status: 503,
  code: 'serviceNotAvailable',
  message: 'Graph was busy',
  graphRequestId: 'graph-1',
};

/** Two instances on one database: each its own pool and repository, as two bot processes would have. */
let database: TestDatabase;
let pools: PostgresPool[] = [];
let first: PostgresExecutionJobRepository;
let second: PostgresExecutionJobRepository;

describe.skipIf(postgresTestServer().url === undefined)('the execution outbox on PostgreSQL', () => {
  beforeAll(async () => {
    database = await createTestDatabase();
    const settings = { url: database.url, poolSize: 6, statementTimeoutMs: 5_000, entraAuth: false };
    const silent = createLogger({ level: 'silent' });
    pools = [await openPool(settings, silent), await openPool(settings, silent)];
    first = new PostgresExecutionJobRepository(pools[0]!);
    second = new PostgresExecutionJobRepository(pools[1]!);
  });

  afterAll(async () => {
    await Promise.all(pools.map((pool) => pool.end()));
    await database?.drop();
  });

  beforeEach(async () => {
    await pools[0]!.query('TRUNCATE execution_jobs, requests');
  });

  /** Approved requests with their jobs, the nth due at `dueAt(n)` (all due at T0 unless told). */
  async function approved(count: number, dueAt: (index: number) => Date = () => T0): Promise<string[]> {
    const ids = Array.from({ length: count }, (_, index) => `req-${String(index + 1).padStart(3, '0')}`);
    await insertRequests(
      pools[0]!,
      ids.map((id, index) => ({ id, tenantId: TENANT, state: 'approved', sequence: index + 1 })),
    );
    await insertExecutionJobs(
      pools[0]!,
      ids.map((requestId, index) => ({ requestId, tenantId: TENANT, dueAt: dueAt(index) })),
    );
    return ids;
  }

  const idsOf = (jobs: readonly ExecutionJob[]) => jobs.map((job) => job.requestId);

  async function leaseOwner(requestId: string): Promise<string | null> {
    const { rows } = await pools[0]!.query<{ lease_owner: string | null }>(
      'SELECT lease_owner FROM execution_jobs WHERE request_id = $1',
      [requestId],
    );
    return rows[0]!.lease_owner;
  }

  describe('leased to one worker at a time', () => {
    it('leases the due jobs, longest due first, up to the limit, and leaves those not due yet', async () => {
      const [a, b, c] = await approved(3, (index) => at([-1, -2, 1][index]!));

      const leased = await first.lease('one', T0, at(5), 10);

      expect(leased).toEqual([
        { requestId: b, tenantId: TENANT, status: 'pending', attempts: 0, progress: {}, lastError: undefined },
        { requestId: a, tenantId: TENANT, status: 'pending', attempts: 0, progress: {}, lastError: undefined },
      ]);
      expect(await second.lease('two', T0, at(5), 10)).toEqual([]);
      expect(idsOf(await second.lease('two', at(1), at(5), 10))).toEqual([c]);
    });

    it('leases no more than the limit', async () => {
      const ids = await approved(3, (index) => at(index - 3));

      expect(idsOf(await first.lease('one', T0, at(1), 2))).toEqual(ids.slice(0, 2));
      expect(idsOf(await first.lease('one', T0, at(1), 2))).toEqual(ids.slice(2));
    });

    it('leaves a live lease alone and takes over one that ran out', async () => {
      const [id] = await approved(1);
      expect(idsOf(await first.lease('one', T0, at(1), 10))).toEqual([id]);

      expect(await second.lease('two', at(0.5), at(1.5), 10)).toEqual([]);
      expect(idsOf(await second.lease('two', at(1), at(2), 10))).toEqual([id]);
      expect(await leaseOwner(id!)).toBe('two');
    });

    it('records progress only for the lease owner, and the progress extends the lease', async () => {
      const [id] = await approved(1);
      await first.lease('one', T0, at(1), 10);
      const progress = { plan: [{ id: 'm1', kind: 'phone' as const }], deleted: ['m1'] };

      expect(await second.saveProgress(id!, 'two', { sessionsRevoked: true }, at(5))).toBe(false);
      expect(await first.saveProgress(id!, 'one', progress, at(5))).toBe(true);

      expect((await first.find(id!))?.progress).toEqual(progress);
      // Extended to five minutes: a minute later it is still held.
      expect(await second.lease('two', at(2), at(3), 10)).toEqual([]);
      expect(idsOf(await second.lease('two', at(5), at(6), 10))).toEqual([id]);
    });

    it('gives a job back to run again at a later time, counting the attempt and keeping the error', async () => {
      const [id] = await approved(1);
      await first.lease('one', T0, at(1), 10);

      await second.retryLater(id!, 'two', at(3), 7, undefined);
      expect(await first.find(id!)).toMatchObject({ attempts: 0, lastError: undefined });
      await first.retryLater(id!, 'one', at(10), 1, error);

      expect(await first.find(id!)).toMatchObject({ attempts: 1, lastError: error });
      expect(await leaseOwner(id!)).toBeNull();
      expect(await second.lease('two', at(9), at(11), 10)).toEqual([]);
      expect(await second.lease('two', at(10), at(11), 10)).toEqual([
        { requestId: id, tenantId: TENANT, status: 'pending', attempts: 1, progress: {}, lastError: error },
      ]);
    });

    it('finishes a job for its owner only, and a finished job is never leased or taken again', async () => {
      const [done, failed] = await approved(2);
      await first.lease('one', T0, at(1), 10);

      await second.finish(done!, 'two', 'done');
      expect(await leaseOwner(done!)).toBe('one');
      await first.finish(done!, 'one', 'done');
      await first.finish(failed!, 'one', 'failed', error);

      expect(await first.find(failed!)).toMatchObject({ lastError: error });
      expect(await first.saveProgress(done!, 'one', { sessionsRevoked: true }, at(5))).toBe(false);
      expect(await second.lease('two', at(60), at(61), 10)).toEqual([]);
      expect(await second.take(done!, 'two', at(60), at(61))).toBeUndefined();
    });

    it('waits for the recovery check as a follow-up that is leased when due, never taken out of turn', async () => {
      const [id] = await approved(1);
      await first.lease('one', T0, at(1), 10);
      await first.retryLater(id!, 'one', T0, 2, error);
      await first.lease('one', T0, at(1), 10);

      await second.followUpAt(id!, 'two', at(60));
      expect(await first.find(id!)).toMatchObject({ status: 'pending', attempts: 2 });
      await first.followUpAt(id!, 'one', at(60));

      expect(await first.find(id!)).toMatchObject({ status: 'followUp', attempts: 0, lastError: undefined });
      expect(await second.take(id!, 'button', at(61), at(62))).toBeUndefined();
      expect(await second.lease('two', at(59), at(62), 10)).toEqual([]);
      expect(await second.lease('two', at(60), at(62), 10)).toMatchObject([{ requestId: id, status: 'followUp' }]);
      expect(await second.saveProgress(id!, 'two', { recovered: true }, at(63))).toBe(true);
    });

    it('takes a job out of turn only while no worker holds a live lease on it', async () => {
      const [id] = await approved(1, () => at(30));

      // Not due yet: a person's button still takes it.
      expect(await first.take(id!, 'button', T0, at(1))).toMatchObject({ requestId: id, status: 'pending' });
      expect(await second.take(id!, 'other', at(0.5), at(1.5))).toBeUndefined();
      expect(await second.lease('worker', at(30), at(31), 10)).toMatchObject([{ requestId: id }]);
      expect(await first.take(id!, 'button', at(30.5), at(31.5))).toBeUndefined();
      expect(await first.take(id!, 'button', at(31), at(32))).toMatchObject({ requestId: id });
      expect(await leaseOwner(id!)).toBe('button');
      expect(await first.take('unknown', 'button', T0, at(1))).toBeUndefined();
      expect(await first.find('unknown')).toBeUndefined();
    });
  });

  describe('with two instances at once', () => {
    it('leases each of 100 due jobs to one worker when two instances lease them at the same moment', async () => {
      const ids = await approved(100);
      /** A worker that leases small batches until nothing is left, as the execution worker's loop does. */
      const drain = async (jobs: PostgresExecutionJobRepository, owner: string) => {
        const leased: string[] = [];
        for (;;) {
          const batch = await jobs.lease(owner, T0, at(1), 3);
          if (batch.length === 0) return { owner, leased };
          leased.push(...idsOf(batch));
        }
      };

      const workers = await Promise.all(
        [first, second].flatMap((jobs, instance) =>
          [0, 1, 2].map((worker) => drain(jobs, `instance-${instance}-worker-${worker}`)),
        ),
      );

      const all = workers.flatMap((worker) => worker.leased);
      expect(all).toHaveLength(100);
      expect(new Set(all)).toEqual(new Set(ids));
      // Both instances got work, and each job's lease is the worker's that was handed it.
      expect(workers.filter((worker) => worker.owner.startsWith('instance-0')).flatMap((w) => w.leased)).not.toEqual(
        [],
      );
      expect(workers.filter((worker) => worker.owner.startsWith('instance-1')).flatMap((w) => w.leased)).not.toEqual(
        [],
      );
      const { rows } = await pools[0]!.query<{ request_id: string; lease_owner: string }>(
        'SELECT request_id, lease_owner FROM execution_jobs',
      );
      const owners = new Map(rows.map((row) => [row.request_id, row.lease_owner]));
      for (const worker of workers) for (const id of worker.leased) expect(owners.get(id)).toBe(worker.owner);
    });

    it('gives a job to one of two instances that lease all due jobs at once', async () => {
      const ids = await approved(100);

      const [one, two] = await Promise.all([first.lease('one', T0, at(1), 100), second.lease('two', T0, at(1), 100)]);

      expect(idsOf(one!).filter((id) => idsOf(two!).includes(id))).toEqual([]);
      expect(new Set([...idsOf(one!), ...idsOf(two!)])).toEqual(new Set(ids));
    });

    it('gives a job to one of a worker leasing it and a person taking it at the same moment', async () => {
      const ids = await approved(30);

      const [leased, ...taken] = await Promise.all([
        first.lease('worker', T0, at(1), 30),
        ...ids.map((id) => second.take(id, `button-${id}`, T0, at(1))),
      ]);

      const takenIds = taken.filter((job) => job !== undefined).map((job) => job.requestId);
      expect(idsOf(leased as ExecutionJob[]).filter((id) => takenIds.includes(id))).toEqual([]);
      expect(new Set([...idsOf(leased as ExecutionJob[]), ...takenIds])).toEqual(new Set(ids));
    });

    it('hands a lease that ran out to the other instance, after which the first owner changes nothing', async () => {
      const [id] = await approved(1);
      expect(idsOf(await first.lease('one', T0, at(1), 10))).toEqual([id]);
      expect(await first.saveProgress(id!, 'one', { plan: [{ id: 'm1', kind: 'phone' }] }, at(1))).toBe(true);

      // The first instance stalled past its lease; the second takes the job over and continues.
      expect(await second.lease('two', at(2), at(3), 10)).toMatchObject([
        { requestId: id, progress: { plan: [{ id: 'm1', kind: 'phone' }] } },
      ]);
      expect(await second.saveProgress(id!, 'two', { deleted: ['m1'] }, at(4))).toBe(true);

      expect(await first.saveProgress(id!, 'one', { sessionsRevoked: true }, at(5))).toBe(false);
      await first.retryLater(id!, 'one', at(2), 1, error);
      await first.followUpAt(id!, 'one', at(2));
      await first.finish(id!, 'one', 'failed', error);
      expect(await second.find(id!)).toEqual({
        requestId: id,
        tenantId: TENANT,
        status: 'pending',
        attempts: 0,
        progress: { deleted: ['m1'] },
        lastError: undefined,
      });
      expect(await leaseOwner(id!)).toBe('two');
    });
  });
});
