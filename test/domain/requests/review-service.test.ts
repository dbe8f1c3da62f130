import { afterEach, describe, expect, it } from 'vitest';
import { ServiceUnavailableError } from '../../../src/directory/directory-errors.js';
import { SimulatedDirectory, type DirectoryOperation } from '../../../src/directory/simulated-directory.js';
import type { ResetRequest } from '../../../src/domain/requests/request.js';
import { ReviewFactsReader } from '../../../src/domain/requests/review-facts.js';
import {
  ReviewService,
  type ActionResult,
  type Actor,
  type Refusal,
  type RequestNews,
} from '../../../src/domain/requests/review-service.js';
import { systemClock } from '../../../src/domain/system-clock.js';
import { createLogger } from '../../../src/logging/create-logger.js';
import { closeDatabase } from '../../../src/store/sqlite/group-commit.js';
import { openDatabase, type SqliteDatabase } from '../../../src/store/sqlite/open-database.js';
import { SqliteRequestRepository } from '../../../src/store/sqlite/sqlite-request-repository.js';
import { tenant } from '../../support/activities.js';
import { people } from '../../support/approval-driver.js';
import { tempSqlitePath } from '../../support/bot-harness.js';
import { seedRequest } from '../../support/seed-requests.js';

const { alex, isaiah, ken, patti, diego, megan, lynne } = people;
const TENANT = tenant.tenant.id;
const HELPDESK = tenant.groups.find((group) => group.purpose === 'helpdesk')!.id;

const opened: SqliteDatabase[] = [];

const factsReader = (repository: SqliteRequestRepository, directory: SimulatedDirectory) =>
  new ReviewFactsReader({
    directory,
    repository,
    clock: systemClock,
    helpdeskGroupId: HELPDESK,
    privilegedApproval: 'twoApprovers',
  });
afterEach(() => {
  for (const db of opened.splice(0)) closeDatabase(db);
});

/** The review service on a real SQLite file and the demo directory, which fails the operations `failing` names. */
function setUp(failing: ReadonlySet<DirectoryOperation> = new Set()) {
  const db = openDatabase(tempSqlitePath(), createLogger({ level: 'silent' }));
  opened.push(db);
  const repository = new SqliteRequestRepository(db);
  const directory = new SimulatedDirectory(tenant, systemClock, {
    failWith: (operation) => (failing.has(operation) ? new ServiceUnavailableError() : undefined),
  });
  const announced: RequestNews[] = [];
  const review = new ReviewService({
    repository,
    directory,
    facts: factsReader(repository, directory),
    clock: systemClock,
    policy: {
      helpdeskGroupId: HELPDESK,
      adminGroupId: undefined,
      managerConfirmation: 'never',
      privilegedApproval: 'twoApprovers',
      expiryDays: 7,
    },
    notifier: { announce: (_request, news) => announced.push(news) },
  });
  /** The request as stored now, with its audit trail. */
  const load = async (id: string) => ({
    request: (await repository.find(id))!,
    events: await repository.eventsOf(id),
  });
  return { repository, review, announced, load };
}

const as = (person: { id: string }): Actor => ({ tenantId: TENANT, userId: person.id });
const cardOf = (request: ResetRequest) => ({ requestId: request.id, version: request.version });

/** Asserts a refusal that changed nothing and left exactly one audit event naming it. */
async function expectRefused(
  { load }: ReturnType<typeof setUp>,
  id: string,
  act: () => Promise<ActionResult>,
  expected: { refusal: Refusal; actor: { id: string }; what: string },
): Promise<void> {
  const before = await load(id);
  const result = await act();
  expect(result).toMatchObject({ kind: 'refused', refusal: expected.refusal });
  const after = await load(id);
  expect(after.request).toEqual(before.request);
  expect(after.events.slice(before.events.length)).toEqual([
    expect.objectContaining({
      actor: expected.actor.id,
      from: before.request.state,
      to: 'refused',
      reason: `refused ${expected.what}: ${expected.refusal}`,
    }),
  ]);
}

describe('releasing a claim', () => {
  it('lets the agent who claimed the request release it, in one change with one audit event', async () => {
    const setup = setUp();
    const { repository, review, announced, load } = setup;
    const id = await seedRequest(repository, { tenantId: TENANT, subjectId: alex.id });
    const claimed = await review.claim(as(isaiah), cardOf((await load(id)).request));
    expect(claimed.kind).toBe('done');

    const before = await load(id);
    const released = await review.release(as(isaiah), cardOf(before.request));
    expect(released).toMatchObject({ kind: 'done', news: { kind: 'released' } });
    const after = await load(id);
    expect(after.request.review.claimedBy).toBeUndefined();
    expect(after.request.review.claimedAt).toBeUndefined();
    expect(after.request.state).toBe('pending_review');
    expect(after.request.version).toBe(before.request.version + 1);
    expect(after.events.slice(before.events.length)).toEqual([
      expect.objectContaining({
        actor: isaiah.id,
        from: 'pending_review',
        to: 'pending_review',
        reason: 'released the claim',
      }),
    ]);
    expect(announced.at(-1)).toEqual({ kind: 'released' });
    // Someone else can claim it again.
    expect((await review.claim(as(ken), cardOf(after.request))).kind).toBe('done');
  });

  it('refuses, and audits, a release by another agent, of an unclaimed request, from an old card or by a non-agent', async () => {
    const setup = setUp();
    const { repository, review, load } = setup;
    const id = await seedRequest(repository, { tenantId: TENANT, subjectId: alex.id });
    const unclaimed = (await load(id)).request;
    await expectRefused(setup, id, () => review.release(as(isaiah), cardOf(unclaimed)), {
      refusal: 'notClaimer',
      actor: isaiah,
      what: 'release',
    });
    await review.claim(as(isaiah), cardOf(unclaimed));
    const claimed = (await load(id)).request;
    await expectRefused(setup, id, () => review.release(as(ken), cardOf(claimed)), {
      refusal: 'notClaimer',
      actor: ken,
      what: 'release',
    });
    await expectRefused(setup, id, () => review.release(as(isaiah), cardOf(unclaimed)), {
      refusal: 'staleVersion',
      actor: isaiah,
      what: 'release',
    });
    await expectRefused(setup, id, () => review.release(as(diego), cardOf(claimed)), {
      refusal: 'notAgent',
      actor: diego,
      what: 'release',
    });
  });

  it('refuses a release once the request is decided', async () => {
    const setup = setUp();
    const { repository, review, load } = setup;
    const id = await seedRequest(repository, { tenantId: TENANT, subjectId: alex.id, approverId: isaiah.id });
    const approved = (await load(id)).request;
    await expectRefused(setup, id, () => review.release(as(isaiah), cardOf(approved)), {
      refusal: 'wrongState',
      actor: isaiah,
      what: 'release',
    });
  });
});

describe('handing a request over', () => {
  it('lets the claimer hand it to another agent, and any agent take it over, each audited with who from and to', async () => {
    const setup = setUp();
    const { repository, review, announced, load } = setup;
    const id = await seedRequest(repository, { tenantId: TENANT, subjectId: alex.id });
    await review.claim(as(isaiah), cardOf((await load(id)).request));

    const before = await load(id);
    const handed = await review.handOver(as(isaiah), cardOf(before.request), { handOverTo: ken.id });
    expect(handed).toMatchObject({
      kind: 'done',
      news: { kind: 'handedOver', by: isaiah.id, to: ken.id, from: isaiah.id },
    });
    const after = await load(id);
    expect(after.request.review.claimedBy).toBe(ken.id);
    expect(after.request.review.claimedAt).toBeInstanceOf(Date);
    expect(after.events.slice(before.events.length)).toEqual([
      expect.objectContaining({ actor: isaiah.id, reason: `handed over from ${isaiah.id} to ${ken.id}` }),
    ]);

    // Ken is away: Patti takes it over herself.
    const taken = await review.handOver(as(patti), cardOf(after.request), { handOverTo: ` ${patti.id} ` });
    expect(taken).toMatchObject({
      kind: 'done',
      news: { kind: 'handedOver', by: patti.id, to: patti.id, from: ken.id },
    });
    const now = await load(id);
    expect(now.request.review.claimedBy).toBe(patti.id);
    expect(now.events.at(-1)).toMatchObject({ actor: patti.id, reason: `took over from ${ken.id}` });
    expect(announced.map((news) => news.kind)).toEqual(['claimed', 'handedOver', 'handedOver']);

    // Nobody had it: handing it over assigns it.
    const other = await seedRequest(repository, { tenantId: TENANT, subjectId: diego.id });
    await review.handOver(as(patti), cardOf((await load(other)).request), { handOverTo: isaiah.id });
    expect((await load(other)).events.at(-1)).toMatchObject({ actor: patti.id, reason: `handed over to ${isaiah.id}` });
  });

  it('refuses, and audits, handing it to someone outside the helpdesk, to its subject or filer, or to whoever has it', async () => {
    const setup = setUp();
    const { repository, review, load } = setup;
    // Patti (an agent) filed for Isaiah (an agent, her report); Ken claimed it.
    const id = await seedRequest(repository, { tenantId: TENANT, subjectId: isaiah.id, filerId: patti.id });
    await review.claim(as(ken), cardOf((await load(id)).request));
    const card = cardOf((await load(id)).request);
    const handOver = (to: string) => () => review.handOver(as(ken), card, { handOverTo: to });
    const what = 'hand over';

    await expectRefused(setup, id, handOver(diego.id), { refusal: 'targetNotAgent', actor: ken, what });
    await expectRefused(setup, id, handOver('00000000-0000-4000-8000-00000000beef'), {
      refusal: 'targetNotAgent',
      actor: ken,
      what,
    });
    await expectRefused(setup, id, handOver(isaiah.id), { refusal: 'targetNotEligible', actor: ken, what });
    await expectRefused(setup, id, handOver(patti.id), { refusal: 'targetNotEligible', actor: ken, what });
    await expectRefused(setup, id, handOver(ken.id), { refusal: 'alreadyHandling', actor: ken, what });
    await expectRefused(setup, id, handOver('x'.repeat(101)), { refusal: 'tamperedCard', actor: ken, what });
    // The filer cannot hand it over either (nor the subject), as for every agent action.
    await expectRefused(setup, id, () => review.handOver(as(patti), card, { handOverTo: patti.id }), {
      refusal: 'isFiler',
      actor: patti,
      what,
    });

    // Nothing chosen: the form again, nothing stored and nothing audited.
    const before = await load(id);
    expect(await review.handOver(as(ken), card, { handOverTo: '  ' })).toMatchObject({
      kind: 'invalid',
      problems: { handOverTo: 'required' },
    });
    expect(await load(id)).toEqual(before);
  });

  it('refuses when the directory cannot say whether the new claimer is an agent', async () => {
    const setup = setUp();
    const { repository, load } = setup;
    const id = await seedRequest(repository, { tenantId: TENANT, subjectId: alex.id });
    const card = cardOf((await load(id)).request);
    // Membership of the clicker is read first, so only the second look-up fails.
    let calls = 0;
    const flaky = new SimulatedDirectory(tenant, systemClock, {
      failWith: (operation) =>
        operation === 'checkMemberGroups' && ++calls === 2 ? new ServiceUnavailableError() : undefined,
    });
    const review = new ReviewService({
      repository,
      directory: flaky,
      facts: factsReader(repository, flaky),
      clock: systemClock,
      policy: {
        helpdeskGroupId: HELPDESK,
        adminGroupId: undefined,
        managerConfirmation: 'never',
        privilegedApproval: 'twoApprovers',
        expiryDays: 7,
      },
      notifier: { announce: () => undefined },
    });
    await expectRefused(setup, id, () => review.handOver(as(isaiah), card, { handOverTo: ken.id }), {
      refusal: 'directoryUnavailable',
      actor: isaiah,
      what: 'hand over',
    });
  });

  it('offers the helpdesk agents by name, less the subject, the filer and whoever has it, while it is open', async () => {
    const setup = setUp();
    const { repository, review, load } = setup;
    const id = await seedRequest(repository, { tenantId: TENANT, subjectId: ken.id });
    const names = async () => (await review.facts((await load(id)).request)).agents?.map((agent) => agent.displayName);
    expect(await names()).toEqual(['Isaiah Langer', 'Patti Fernandez']);
    await review.claim(as(isaiah), cardOf((await load(id)).request));
    expect(await names()).toEqual(['Patti Fernandez']);

    const decided = await seedRequest(repository, { tenantId: TENANT, subjectId: alex.id, approverId: isaiah.id });
    expect((await review.facts((await load(decided)).request)).agents).toBeUndefined();
    const down = setUp(new Set(['getGroupMembers']));
    const other = await seedRequest(down.repository, { tenantId: TENANT, subjectId: megan.id });
    expect((await down.review.facts((await down.load(other)).request)).agents).toBeUndefined();
  });
});

describe('risk signals kept with the decision', () => {
  it('stores the signals seen when it was approved or rejected, which the reset does not change afterwards', async () => {
    const { repository, review, load } = setUp();
    const id = await seedRequest(repository, { tenantId: TENANT, subjectId: alex.id });
    const live = (await review.facts((await load(id)).request)).risks;
    expect(live.length).toBeGreaterThan(0);
    const approved = await review.approve(as(isaiah), cardOf((await load(id)).request), {
      verification: 'videoCall',
      verificationNote: 'Passport matched on a video call',
    });
    expect(approved.kind).toBe('done');
    // Read back from the store: kept in the review, as they were.
    const stored = (await load(id)).request.review.risksAtDecision;
    expect(stored).toEqual(live);
    // The reset completes: the live signals now count it, the kept ones do not change.
    for (const [from, to] of [
      ['approved', 'executing'],
      ['executing', 'completed'],
    ] as const) {
      const at = new Date();
      const { version } = (await load(id)).request;
      const event = { requestId: id, tenantId: TENANT, actor: 'system', at, from, to, reason: 'carried out' };
      expect(await repository.compareAndSet(id, version, to, at, event)).toBe(true);
    }
    const completed = (await load(id)).request;
    expect((await review.facts(completed)).risks).toContainEqual({ kind: 'recentResets', count: 1 });
    expect(completed.review.risksAtDecision).toEqual(live);
    expect(live).not.toContainEqual(expect.objectContaining({ kind: 'recentResets' }));

    const rejectedId = await seedRequest(repository, { tenantId: TENANT, subjectId: diego.id });
    const beforeRejection = (await review.facts((await load(rejectedId)).request)).risks;
    await review.reject(as(ken), cardOf((await load(rejectedId)).request), { rejectReason: 'Could not reach them' });
    expect((await load(rejectedId)).request.review.risksAtDecision).toEqual(beforeRejection);
  });

  it('keeps none while a second approval is still needed', async () => {
    const { repository, review, load } = setUp();
    const id = await seedRequest(repository, { tenantId: TENANT, subjectId: lynne.id });
    const first = await review.approve(as(isaiah), cardOf((await load(id)).request), {
      verification: 'inPerson',
      verificationNote: 'Staff card checked',
    });
    expect(first).toMatchObject({ kind: 'done', news: { kind: 'approvalRecorded' } });
    expect((await load(id)).request.review.risksAtDecision).toBeUndefined();
  });
});
