import { describe, expect, it } from 'vitest';
import { SimulatedDirectory } from '../../../src/directory/simulated-directory.js';
import { ExecutionService, type PassCourier } from '../../../src/domain/requests/execution-service.js';
import type { RequestNews } from '../../../src/domain/requests/review-service.js';
import type { RequestRepository } from '../../../src/domain/requests/ports.js';
import { alex, isaiah, policy, RecordingCourier, tenant } from '../../support/execution-outbox-fixtures.js';
import { seedRequest } from '../../support/seed-requests.js';
import { databasesPerTest, storeBackends } from '../../support/store-backends.js';

describe.each(storeBackends())('the execution outbox ($name)', (backend) => {
  const openDatabase = databasesPerTest(backend);

  /** Bot instances on one database: each its own connection, repositories and worker. */
  async function instances(count: number, directory: SimulatedDirectory, courier: PassCourier, news: RequestNews[]) {
    const database = await openDatabase();
    const stores = [database.store];
    while (stores.length < count) stores.push(await database.another());
    return stores.map((store, index) => {
      const repository = store.requests;
      const jobs = store.executionJobs;
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
      return { repository, jobs, execution };
    });
  }

  /** A request for `subjectId`, filed and approved by Isaiah, as the review would leave it. */
  const approved = (repository: RequestRepository, subjectId: string, lostMethodIds: string[]) =>
    seedRequest(repository, { tenantId: tenant.tenant.id, subjectId, lostMethodIds, approverId: isaiah.id });

  it('carries a request out once when two instances run their workers at the same moment', async () => {
    const directory = new SimulatedDirectory(tenant, { now: () => new Date() });
    const courier = new RecordingCourier();
    const news: RequestNews[] = [];
    const [first, second] = await instances(2, directory, courier, news);
    const lost = (await directory.getAuthenticationMethods(alex.id))
      .filter((m) => m.kind !== 'password')
      .map((m) => m.id);
    const id = await approved(first!.repository, alex.id, lost);

    const ran = await Promise.all([first!.execution.runDue(), second!.execution.runDue()]);

    expect(ran.sort()).toEqual([0, 1]);
    expect(courier.delivered).toEqual([{ requestId: id, to: 'subject', value: expect.any(String) }]);
    expect(directory.sessionRevocations(alex.id)).toHaveLength(1);
    expect((await first!.repository.find(id))?.state).toBe('completed');
    const events = await first!.repository.eventsOf(id);
    expect(events.filter((event) => event.to === 'executing' && event.from === 'approved')).toHaveLength(1);
    expect(events.filter((event) => event.reason.startsWith('deleted '))).toHaveLength(lost.length);
    expect(news.map((item) => item.kind)).toEqual(['executionStarted', 'completed']);
    // Neither instance finds anything left to do.
    expect(await Promise.all([first!.execution.runDue(), second!.execution.runDue()])).toEqual([0, 0]);
  });

  it('pauses at the hourly cap, tells the channel once, and starts nothing more', async () => {
    const directory = new SimulatedDirectory(tenant, { now: () => new Date() });
    const courier = new RecordingCourier();
    const news: RequestNews[] = [];
    const [one] = await instances(1, directory, courier, news);
    const subjects = tenant.users.filter((user) => user.directoryRoles.length === 0).slice(0, 3);
    const ids = [];
    for (const subject of subjects) ids.push(await approved(one!.repository, subject.id, []));

    await one!.execution.runDue();
    await one!.execution.runDue();

    const states = await Promise.all(ids.map(async (id) => (await one!.repository.find(id))!.state));
    expect(states.filter((state) => state === 'completed')).toHaveLength(policy.hourlyCap);
    expect(states.filter((state) => state === 'approved')).toHaveLength(1);
    expect(news.filter((item) => item.kind === 'executionPaused')).toEqual([{ kind: 'executionPaused', cap: 2 }]);
    expect(courier.delivered).toHaveLength(policy.hourlyCap);
  });

  it('starts no more than the hourly cap when several instances start jobs at the same moment', async () => {
    const directory = new SimulatedDirectory(tenant, { now: () => new Date() });
    const courier = new RecordingCourier();
    const news: RequestNews[] = [];
    const workers = await instances(4, directory, courier, news);
    const subjects = tenant.users.filter((user) => user.directoryRoles.length === 0).slice(0, 4);
    const ids = [];
    for (const subject of subjects) ids.push(await approved(workers[0]!.repository, subject.id, []));

    // One job each, all counted against the same hour before any of them has started.
    expect(await Promise.all(workers.map(({ execution }) => execution.runDue(1)))).toEqual([1, 1, 1, 1]);

    const states = await Promise.all(ids.map(async (id) => (await workers[0]!.repository.find(id))!.state));
    expect(states.filter((state) => state === 'completed')).toHaveLength(policy.hourlyCap);
    expect(states.filter((state) => state === 'approved')).toHaveLength(ids.length - policy.hourlyCap);
    expect(news.filter((item) => item.kind === 'executionStarted')).toHaveLength(policy.hourlyCap);
    expect(courier.delivered).toHaveLength(policy.hourlyCap);
    const starts = (await Promise.all(ids.map((id) => workers[0]!.repository.eventsOf(id))))
      .flat()
      .filter((event) => event.from === 'approved' && event.to === 'executing');
    expect(starts).toHaveLength(policy.hourlyCap);
  });
});
