import { describe, expect, it } from 'vitest';
import type { ExecutionError, ExecutionJob, RequestRepository } from '../../../src/domain/requests/ports.js';
import { seedRequest } from '../../support/seed-requests.js';
import { databasesPerTest, storeBackends } from '../../support/store-backends.js';

const TENANT = 'tenant-1';
const T0 = new Date('2026-11-24T09:00:00.000Z');
const at = (minutes: number) => new Date(T0.getTime() + minutes * 60_000);
const error: ExecutionError = {
  step: 'delete method',
  status: 503,
  code: 'serviceNotAvailable',
  message: 'Graph was busy',
  graphRequestId: 'graph-1',
};
const idsOf = (jobs: readonly ExecutionJob[]) => jobs.map((job) => job.requestId);

describe.each(storeBackends())('execution jobs and their leases ($name)', (backend) => {
  const openDatabase = databasesPerTest(backend);

  /** Two bot instances on one database, each with its own connection. */
  const setUp = async () => {
    const database = await openDatabase();
    const other = await database.another();
    return { requests: database.store.requests, first: database.store.executionJobs, second: other.executionJobs };
  };

  /** Approved requests, whose jobs the approval wrote, the nth due at `dueAt(n)`. */
  async function approved(requests: RequestRepository, dueAt: readonly Date[]): Promise<string[]> {
    const ids: string[] = [];
    for (const [index, now] of dueAt.entries()) {
      ids.push(
        await seedRequest(requests, { tenantId: TENANT, subjectId: `subject-${index}`, approverId: 'agent', now }),
      );
    }
    return ids;
  }

  it('leases the due jobs, longest due first, up to the limit; a live lease is left alone, a lapsed one taken over', async () => {
    const { requests, first, second } = await setUp();
    const [a, b, c] = await approved(requests, [at(-1), at(-2), at(1)]);

    expect(await first.lease('one', T0, at(5), 1)).toEqual([
      { requestId: b, tenantId: TENANT, status: 'pending', attempts: 0, progress: {}, lastError: undefined },
    ]);
    expect(idsOf(await first.lease('one', T0, at(5), 10))).toEqual([a]);
    expect(await second.lease('two', T0, at(5), 10)).toEqual([]);
    expect(idsOf(await second.lease('two', at(1), at(5), 10))).toEqual([c]);
    // Which comes first among jobs leased together is not part of the contract.
    expect(idsOf(await second.lease('two', at(5), at(6), 10)).sort()).toEqual([a, b, c].sort());
  });

  it('lets only the lease owner record progress, give the job back, follow up or finish it', async () => {
    const { requests, first, second } = await setUp();
    const [id] = await approved(requests, [T0]);
    await first.lease('one', T0, at(1), 10);

    expect(await second.saveProgress(id!, 'two', { sessionsRevoked: true }, at(5))).toBe(false);
    await second.retryLater(id!, 'two', at(3), 7, error);
    await second.followUpAt(id!, 'two', at(3));
    await second.finish(id!, 'two', 'failed', error);
    expect(await second.find(id!)).toEqual({
      requestId: id,
      tenantId: TENANT,
      status: 'pending',
      attempts: 0,
      progress: {},
      lastError: undefined,
    });

    expect(await first.saveProgress(id!, 'one', { deleted: ['m1'] }, at(5))).toBe(true);
    // The progress extended the lease to five minutes.
    expect(await second.lease('two', at(2), at(3), 10)).toEqual([]);
    await first.retryLater(id!, 'one', at(10), 1, error);
    expect(await second.lease('two', at(9), at(11), 10)).toEqual([]);
    expect(await second.lease('two', at(10), at(11), 10)).toEqual([
      {
        requestId: id,
        tenantId: TENANT,
        status: 'pending',
        attempts: 1,
        progress: { deleted: ['m1'] },
        lastError: error,
      },
    ]);
    // The first owner's lease has moved on: it changes nothing any more.
    expect(await first.saveProgress(id!, 'one', { sessionsRevoked: true }, at(12))).toBe(false);
  });

  it('waits for the recovery check as a follow-up, then is over for good once finished', async () => {
    const { requests, first, second } = await setUp();
    const [id] = await approved(requests, [T0]);
    await first.lease('one', T0, at(1), 10);

    await first.followUpAt(id!, 'one', at(60));
    expect(await first.find(id!)).toMatchObject({ status: 'followUp', attempts: 0, lastError: undefined });
    expect(await second.take(id!, 'button', at(61), at(62))).toBeUndefined();
    expect(await second.lease('two', at(59), at(62), 10)).toEqual([]);
    expect(await second.lease('two', at(60), at(62), 10)).toMatchObject([{ requestId: id, status: 'followUp' }]);

    await second.finish(id!, 'two', 'done');
    expect(await second.saveProgress(id!, 'two', { recovered: true }, at(63))).toBe(false);
    expect(await first.lease('one', at(600), at(601), 10)).toEqual([]);
    expect(await first.take(id!, 'button', at(600), at(601))).toBeUndefined();
  });

  it('takes a job out of turn only while no worker holds a live lease on it', async () => {
    const { requests, first, second } = await setUp();
    const [id] = await approved(requests, [at(30)]);

    expect(await first.take(id!, 'button', T0, at(1))).toMatchObject({ requestId: id, status: 'pending' });
    expect(await second.take(id!, 'other', at(0.5), at(1.5))).toBeUndefined();
    expect(idsOf(await second.lease('worker', at(30), at(31), 10))).toEqual([id]);
    expect(await first.take(id!, 'button', at(30.5), at(31.5))).toBeUndefined();
    expect(await first.take(id!, 'button', at(31), at(32))).toMatchObject({ requestId: id });
    expect(await first.take('unknown', 'button', T0, at(1))).toBeUndefined();
    expect(await first.find('unknown')).toBeUndefined();
  });

  it('leases each due job to one worker when two instances lease them at the same moment', async () => {
    const { requests, first, second } = await setUp();
    const ids = await approved(
      requests,
      Array.from({ length: 40 }, () => T0),
    );
    const drain = async (jobs: typeof first, owner: string) => {
      const leased: string[] = [];
      for (let batch = await jobs.lease(owner, T0, at(1), 3); batch.length > 0;) {
        leased.push(...idsOf(batch));
        batch = await jobs.lease(owner, T0, at(1), 3);
      }
      return leased;
    };

    const leased = await Promise.all([drain(first, 'one'), drain(second, 'two'), drain(first, 'three')]);

    expect(leased.flat()).toHaveLength(ids.length);
    expect(new Set(leased.flat())).toEqual(new Set(ids));
  });
});
