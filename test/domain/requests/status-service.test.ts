import { afterEach, describe, expect, it } from 'vitest';
import { ServiceUnavailableError } from '../../../src/directory/directory-errors.js';
import { SimulatedDirectory, type DirectoryOperation } from '../../../src/directory/simulated-directory.js';
import { StatusService } from '../../../src/domain/requests/status-service.js';
import { systemClock } from '../../../src/domain/system-clock.js';
import { createLogger } from '../../../src/logging/create-logger.js';
import { closeDatabase } from '../../../src/store/sqlite/group-commit.js';
import { openDatabase, type SqliteDatabase } from '../../../src/store/sqlite/open-database.js';
import { SqliteApprovalChannelRepository } from '../../../src/store/sqlite/sqlite-approval-channel-repository.js';
import { SqliteDiagnosisRepository } from '../../../src/store/sqlite/sqlite-diagnosis-repository.js';
import { SqliteExecutionJobRepository } from '../../../src/store/sqlite/sqlite-execution-job-repository.js';
import { SqliteRequestRepository } from '../../../src/store/sqlite/sqlite-request-repository.js';
import { SqliteStatisticsRepository } from '../../../src/store/sqlite/sqlite-statistics-repository.js';
import { SqliteViewLog } from '../../../src/store/sqlite/sqlite-view-log.js';
import { tenant } from '../../support/activities.js';
import { people } from '../../support/approval-driver.js';
import { tempSqlitePath } from '../../support/bot-harness.js';
import { seedRequest } from '../../support/seed-requests.js';

const { alex, megan, isaiah, patti, diego, yuki } = people;
const TENANT = tenant.tenant.id;
const group = (purpose: string) => tenant.groups.find((candidate) => candidate.purpose === purpose)!.id;

const opened: SqliteDatabase[] = [];
afterEach(() => {
  for (const db of opened.splice(0)) closeDatabase(db);
});

/** The status service on a real SQLite file and the demo directory, which fails the operations `failing` names. */
function setUp(failing: ReadonlySet<DirectoryOperation> = new Set()) {
  const db = openDatabase(tempSqlitePath(), createLogger({ level: 'silent' }));
  opened.push(db);
  const repository = new SqliteRequestRepository(db);
  const views = new SqliteViewLog(db);
  const directory = new SimulatedDirectory(tenant, systemClock, {
    failWith: (operation) => (failing.has(operation) ? new ServiceUnavailableError() : undefined),
  });
  const status = new StatusService({
    repository,
    jobs: new SqliteExecutionJobRepository(db),
    statistics: new SqliteStatisticsRepository(db),
    diagnoses: new SqliteDiagnosisRepository(db),
    channels: new SqliteApprovalChannelRepository(db),
    views,
    directory,
    clock: systemClock,
    policy: { helpdeskGroupId: group('helpdesk'), leadGroupId: group('lead'), reviewSlaMs: 8 * 3_600_000 },
  });
  return { repository, views, status };
}

const viewer = (person: { id: string }) => ({ tenantId: TENANT, userId: person.id });

describe('who may see a request', () => {
  it('shows it to the requester, their manager and the helpdesk, each as their audience, and no one else', async () => {
    const { repository, views, status } = setUp();
    const id = await seedRequest(repository, { tenantId: TENANT, subjectId: alex.id });
    const { reference } = (await repository.find(id))!;
    const audienceOf = async (person: { id: string }) => {
      const lookup = await status.status(viewer(person), reference);
      return lookup.kind === 'shown' ? lookup.status.audience : lookup.kind;
    };
    expect(await audienceOf(alex)).toBe('requester');
    expect(await audienceOf(megan)).toBe('manager');
    expect(await audienceOf(isaiah)).toBe('helpdesk');
    expect(await audienceOf(patti)).toBe('helpdesk');
    expect(await audienceOf(diego)).toBe('notFound');
    // 佐藤 由紀 shares Alex's manager, which gives her nothing.
    expect(await audienceOf(yuki)).toBe('notFound');
    expect((await views.viewsOf(id)).map((view) => [view.viewerId, view.audience])).toEqual([
      [megan.id, 'manager'],
      [isaiah.id, 'helpdesk'],
      [patti.id, 'helpdesk'],
    ]);
  });

  it("gives the same answer for someone else's request and a missing one while the directory is down, and still shows the requester theirs", async () => {
    const { repository, status } = setUp(new Set(['checkMemberGroups', 'getDirectReports']));
    const id = await seedRequest(repository, { tenantId: TENANT, subjectId: alex.id });
    const { reference } = (await repository.find(id))!;
    expect(await status.status(viewer(diego), reference)).toEqual({ kind: 'directoryUnavailable' });
    expect(await status.status(viewer(diego), 'SIH-999999')).toEqual({ kind: 'directoryUnavailable' });
    expect((await status.status(viewer(alex), reference)).kind).toBe('shown');
    expect(await status.team(viewer(megan))).toEqual({ kind: 'directoryUnavailable' });
    expect(await status.queue(viewer(isaiah))).toEqual({ kind: 'directoryUnavailable' });
    expect(await status.statistics(viewer(patti), 30)).toEqual({ kind: 'directoryUnavailable' });
    expect((await repository.eventsOf('-')).map((event) => event.reason)).toEqual([
      'refused status SIH-999999: directoryUnavailable',
      'refused queue: directoryUnavailable',
      'refused statistics 30: directoryUnavailable',
    ]);
  });

  it('keeps the queue to agents and leads, and the statistics to leads', async () => {
    const { status } = setUp();
    expect((await status.queue(viewer(isaiah))).kind).toBe('shown');
    expect((await status.queue(viewer(patti))).kind).toBe('shown');
    expect((await status.queue(viewer(megan))).kind).toBe('notAllowed');
    expect((await status.statistics(viewer(patti), 7)).kind).toBe('shown');
    expect((await status.statistics(viewer(isaiah), 7)).kind).toBe('notAllowed');
    expect((await status.diagnosis(viewer(alex), 'DX-00000000')).kind).toBe('notAllowed');
    expect((await status.diagnosis(viewer(isaiah), 'DX-00000000')).kind).toBe('notFound');
    expect((await status.diagnosis(viewer(isaiah), 'DX-nothex!')).kind).toBe('notFound');
  });

  it("lists a manager's direct reports' requests only, and says when there are no reports", async () => {
    const { repository, status } = setUp();
    const alexs = await seedRequest(repository, { tenantId: TENANT, subjectId: alex.id });
    await seedRequest(repository, { tenantId: TENANT, subjectId: diego.id });
    const team = await status.team(viewer(megan));
    expect(team.kind === 'shown' && team.requests.map((request) => request.id)).toEqual([alexs]);
    expect(team.kind === 'shown' && team.requests[0]!.cancellable).toBe(false);
    expect(await status.team(viewer(alex))).toEqual({ kind: 'noReports' });
  });
});
