import { describe, expect, it } from 'vitest';
import { ServiceUnavailableError } from '../../../src/directory/directory-errors.js';
import { SimulatedDirectory, type DirectoryOperation } from '../../../src/directory/simulated-directory.js';
import type { RequestRepository } from '../../../src/domain/requests/ports.js';
import {
  MAX_TEXT_LENGTH,
  emptyReview,
  type RequestState,
  type ResetRequest,
  type VerificationMethod,
} from '../../../src/domain/requests/request.js';
import { ReviewFactsReader } from '../../../src/domain/requests/review-facts.js';
import {
  ReviewService,
  type ActionResult,
  type Actor,
  type Refusal,
  type RequestNews,
  type ReviewPolicy,
} from '../../../src/domain/requests/review-service.js';
import { systemClock } from '../../../src/domain/system-clock.js';
import { tenant } from '../../support/activities.js';
import { MovableClock, createInMemoryStore } from '../../support/in-memory-ports.js';
import { seedRequest } from '../../support/seed-requests.js';

/** The review's settings, with how privileged subjects are approved (which the facts reader applies). */
type Settings = ReviewPolicy & { privilegedApproval: 'twoApprovers' | 'manual' };
const person = (alias: string) => tenant.users.find((user) => user.userPrincipalName.split('@')[0] === alias)!;
const alex = person('alexw');
const isaiah = person('isaiahl');
const ken = person('ken.takahashi');
const patti = person('pattif');
const diego = person('diegos');
const megan = person('meganb');
const lynne = person('lynner');
const yuki = person('yuki.sato');
const shota = person('shota.yamada');
const TENANT = tenant.tenant.id;
const HELPDESK = tenant.groups.find((group) => group.purpose === 'helpdesk')!.id;
const ADMINS = tenant.groups.find((group) => group.purpose === 'admin')!.id;

/** No diagnoses kept: these requests were not applied for from one. */
const noDiagnoses = { find: async () => undefined };

const factsReader = (repository: RequestRepository, directory: SimulatedDirectory) =>
  new ReviewFactsReader({
    directory,
    repository,
    diagnoses: noDiagnoses,
    clock: systemClock,
    helpdeskGroupId: HELPDESK,
    privilegedApproval: 'twoApprovers',
  });

/**
 * The review service on the in-memory store, a clock that moves only when told and the demo
 * directory, which fails the operations `failing` names (the set may change during a test).
 */
function setUp(failing: ReadonlySet<DirectoryOperation> = new Set(), policyChanges: Partial<Settings> = {}) {
  const clock = new MovableClock(new Date());
  const { requests: repository, jobs } = createInMemoryStore();
  const directory = new SimulatedDirectory(tenant, clock, {
    failWith: (operation) => (failing.has(operation) ? new ServiceUnavailableError() : undefined),
  });
  const announced: RequestNews[] = [];
  const policy: Settings = {
    helpdeskGroupId: HELPDESK,
    adminGroupId: ADMINS,
    managerConfirmation: 'never',
    privilegedApproval: 'twoApprovers',
    expiryDays: 7,
    ...policyChanges,
  };
  /** A review service on this store and directory; another policy makes another service on them. */
  const serviceWith = (changes: Partial<Settings>) =>
    new ReviewService({
      repository,
      directory,
      facts: new ReviewFactsReader({
        directory,
        repository,
        diagnoses: noDiagnoses,
        clock,
        helpdeskGroupId: HELPDESK,
        privilegedApproval: { ...policy, ...changes }.privilegedApproval,
      }),
      clock,
      policy: { ...policy, ...changes },
      notifier: { announce: (_request, news) => announced.push(news) },
    });
  const review = serviceWith({});
  /** The request as stored now, with its audit trail. */
  const load = async (id: string) => ({
    request: (await repository.find(id))!,
    events: await repository.eventsOf(id),
  });
  return { repository, jobs, clock, review, serviceWith, announced, load };
}

const as = (person: { id: string }): Actor => ({ tenantId: TENANT, userId: person.id });
const cardOf = (request: ResetRequest) => ({ requestId: request.id, version: request.version });

/** Asserts a refusal that changed nothing, told nobody and left exactly one audit event naming it. */
async function expectRefused(
  { load, announced }: ReturnType<typeof setUp>,
  id: string,
  act: () => Promise<ActionResult>,
  expected: { refusal: Refusal; actor: { id: string }; what: string },
): Promise<void> {
  const before = await load(id);
  const announcements = announced.length;
  const result = await act();
  expect(announced).toHaveLength(announcements);
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

describe('claiming a claimed request', () => {
  it('refuses, and audits, a claim over another agent’s (a hand-over takes it over, on the record), and a second claim', async () => {
    const setup = setUp();
    const { repository, review, load } = setup;
    const id = await seedRequest(repository, { tenantId: TENANT, subjectId: alex.id });
    expect((await review.claim(as(isaiah), cardOf((await load(id)).request))).kind).toBe('done');
    const claimed = (await load(id)).request;
    await expectRefused(setup, id, () => review.claim(as(ken), cardOf(claimed)), {
      refusal: 'alreadyClaimed',
      actor: ken,
      what: 'claim',
    });
    await expectRefused(setup, id, () => review.claim(as(isaiah), cardOf(claimed)), {
      refusal: 'alreadyHandling',
      actor: isaiah,
      what: 'claim',
    });
    expect((await load(id)).request.review.claimedBy).toBe(isaiah.id);
  });
});

describe('an agent action from outside the approval channel', () => {
  it('is refused and audited under the request it named, and the answer carries nothing of the request', async () => {
    const setup = setUp();
    const { repository, review, load } = setup;
    const id = await seedRequest(repository, { tenantId: TENANT, subjectId: alex.id });
    const card = cardOf((await load(id)).request);
    await expectRefused(setup, id, () => review.refuseOutsideApprovalChannel(as(isaiah), 'handOver', card), {
      refusal: 'notApprovalChannel',
      actor: isaiah,
      what: 'hand over',
    });
    expect(await review.refuseOutsideApprovalChannel(as(isaiah), 'approve', card)).toEqual({
      kind: 'refused',
      refusal: 'notApprovalChannel',
      request: undefined,
    });
  });

  it("names another tenant's request only by the id on the card, as if it did not exist", async () => {
    const { repository, review } = setUp();
    const elsewhere = await seedRequest(repository, { tenantId: 'tenant-elsewhere', subjectId: alex.id });
    const result = await review.refuseOutsideApprovalChannel(as(isaiah), 'claim', { requestId: elsewhere, version: 2 });
    expect(result).toEqual({ kind: 'refused', refusal: 'notApprovalChannel', request: undefined });
    expect(repository.allEvents().at(-1)).toMatchObject({
      requestId: elsewhere,
      tenantId: TENANT,
      actor: isaiah.id,
      from: null,
      to: 'refused',
      reason: 'refused claim: notApprovalChannel',
    });
  });
});

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

  it('reads the helpdesk agents by name, less the subject and the filer, while it is open', async () => {
    const setup = setUp();
    const { repository, review, load } = setup;
    const id = await seedRequest(repository, { tenantId: TENANT, subjectId: ken.id });
    const names = async () => (await review.facts((await load(id)).request)).agents?.map((agent) => agent.displayName);
    expect(await names()).toEqual(['Isaiah Langer', 'Patti Fernandez']);
    // Whoever has it stays among the facts (they outlive a claim made on them); the card leaves them out.
    await review.claim(as(isaiah), cardOf((await load(id)).request));
    expect(await names()).toEqual(['Isaiah Langer', 'Patti Fernandez']);

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
      expect(await repository.compareAndSet({ id, expectedVersion: version, to, at, event })).toBe(true);
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

type Setup = ReturnType<typeof setUp>;
const DAY_MS = 86_400_000;
const verified = { verification: 'videoCall', verificationNote: 'Photo ID matched on a video call' };

let submittedCount = 0;

/** A request just filed (submitted, version 1), before routing: `subject`'s, filed by `filer`. */
async function submitted(
  { repository, clock }: Setup,
  subject: { id: string },
  { filer = subject, verification = 'videoCall' as VerificationMethod } = {},
): Promise<ResetRequest> {
  const now = clock.now();
  const id = `submitted-${++submittedCount}`;
  const created = await repository.create(
    {
      id,
      tenantId: TENANT,
      filerId: filer.id,
      application: {
        subjectId: subject.id,
        reason: 'lostPhone',
        lostMethodIds: [],
        verification,
        contact: '+65 9123 4567',
        note: '',
        diagnosisId: undefined,
      },
      state: 'submitted',
      review: emptyReview(),
      createdAt: now,
      updatedAt: now,
    },
    { requestId: id, tenantId: TENANT, actor: filer.id, at: now, from: null, to: 'submitted', reason: 'filed' },
    { dailyCap: 100, since: new Date(0) },
  );
  if (created.kind !== 'created') throw new Error(created.kind);
  return created.request;
}

/** A request waiting for `subject`'s manager to confirm (routed under the `always` policy). */
async function awaitingManager(setup: Setup, subject: { id: string }): Promise<ResetRequest> {
  const routed = await setup.serviceWith({ managerConfirmation: 'always' }).route(await submitted(setup, subject));
  expect(routed.state).toBe('awaiting_manager');
  return routed;
}

/** Moves a stored request along as the execution would, straight through the store. */
async function moveTo(setup: Setup, id: string, ...states: RequestState[]): Promise<void> {
  for (const to of states) {
    const request = (await setup.repository.find(id))!;
    const at = setup.clock.now();
    const event = { requestId: id, tenantId: TENANT, actor: 'system', at, from: request.state, to, reason: 'moved' };
    expect(await setup.repository.compareAndSet({ id, expectedVersion: request.version, to, at, event })).toBe(true);
  }
}

const stored = async (setup: Setup, id: string) => (await setup.load(id)).request;

describe('routing a new request', () => {
  it('sends it straight to review when policy never asks the manager', async () => {
    const setup = setUp();
    const { review, clock, announced, load } = setup;
    const request = await submitted(setup, alex);
    const routed = await review.route(request);
    expect(routed).toMatchObject({ state: 'pending_review', version: 2, pendingSince: clock.now() });
    expect(await stored(setup, request.id)).toEqual(routed);
    expect((await load(request.id)).events.at(-1)).toEqual({
      requestId: request.id,
      tenantId: TENANT,
      actor: 'system',
      at: clock.now(),
      from: 'submitted',
      to: 'pending_review',
      reason: 'sent for review',
    });
    expect(announced).toEqual([{ kind: 'submitted' }]);
  });

  it("asks the subject's manager first when policy always asks, and review waits for them", async () => {
    const setup = setUp(new Set(), { managerConfirmation: 'always' });
    const { review, clock, announced, load } = setup;
    const routed = await review.route(await submitted(setup, alex));
    expect(routed.state).toBe('awaiting_manager');
    expect(routed.pendingSince).toBeUndefined();
    expect(routed.review.manager).toEqual({ managerId: megan.id, status: 'waiting', note: undefined, at: clock.now() });
    expect(await stored(setup, routed.id)).toEqual(routed);
    expect((await load(routed.id)).events.at(-1)?.reason).toBe("waiting for the subject's manager to confirm");
    expect(announced).toEqual([{ kind: 'managerAsked' }]);
  });

  it('under onBehalf, asks the manager only for a request filed for someone else or verified through them', async () => {
    const setup = setUp(new Set(), { managerConfirmation: 'onBehalf' });
    const { review } = setup;
    expect((await review.route(await submitted(setup, alex))).state).toBe('pending_review');
    const throughManager = await submitted(setup, yuki, { verification: 'managerConfirmation' });
    expect((await review.route(throughManager)).state).toBe('awaiting_manager');
    // Megan filed for Diego, whose manager is Adele.
    const forSomeoneElse = await review.route(await submitted(setup, diego, { filer: megan }));
    expect(forSomeoneElse).toMatchObject({
      state: 'awaiting_manager',
      review: { manager: { managerId: diego.managerId } },
    });
  });

  it("counts the manager's own filing as their confirmation", async () => {
    const setup = setUp(new Set(), { managerConfirmation: 'onBehalf' });
    const routed = await setup.review.route(await submitted(setup, alex, { filer: megan }));
    expect(routed.state).toBe('pending_review');
    expect(routed.review.manager).toMatchObject({ managerId: megan.id, status: 'confirmed' });
    expect((await setup.load(routed.id)).events.at(-1)?.reason).toBe(
      "sent for review; the subject's manager filed it, which counts as their confirmation",
    );
    expect(setup.announced).toEqual([{ kind: 'submitted' }]);
  });

  it('sends it to review, saying so, when the manager cannot be found or the directory does not answer', async () => {
    const failing = new Set<DirectoryOperation>();
    const setup = setUp(failing, { managerConfirmation: 'always' });
    // Patti has no manager in the directory.
    const nobody = await setup.review.route(await submitted(setup, patti));
    failing.add('getUser');
    const unanswered = await setup.review.route(await submitted(setup, alex));
    for (const routed of [nobody, unanswered]) {
      expect(routed).toMatchObject({ state: 'pending_review', review: { manager: undefined } });
      expect((await setup.load(routed.id)).events.at(-1)?.reason).toBe(
        "sent for review; the subject's manager could not be found to confirm",
      );
    }
  });
});

describe('claiming', () => {
  it('claims for the clicking agent in one change with one event, and answers with the facts read for the card', async () => {
    const setup = setUp();
    const { repository, review, clock, announced, load } = setup;
    const id = await seedRequest(repository, { tenantId: TENANT, subjectId: alex.id, now: clock.now() });
    const before = await stored(setup, id);
    clock.advance(60_000);
    const result = await review.claim(as(isaiah), cardOf(before));
    expect(result).toMatchObject({ kind: 'done', news: { kind: 'claimed' }, request: { version: 3 } });
    const after = await load(id);
    expect(after.request).toEqual({
      ...before,
      version: 3,
      updatedAt: clock.now(),
      review: { ...before.review, claimedBy: isaiah.id, claimedAt: clock.now() },
    });
    expect(result.kind === 'done' && result.request).toEqual(after.request);
    expect(after.events.slice(-1)).toEqual([
      {
        requestId: id,
        tenantId: TENANT,
        actor: isaiah.id,
        at: clock.now(),
        from: 'pending_review',
        to: 'pending_review',
        reason: 'claimed',
      },
    ]);
    expect(announced).toEqual([{ kind: 'claimed' }]);
    // The card that answers names the subject and the new claimer without another round of reads.
    expect(result.facts?.subject?.id).toBe(alex.id);
    expect(result.facts?.names.get(isaiah.id)).toBe(isaiah.displayName);
  });

  it('lets one of two agents clicking the same card at once have it; the other is refused as stale, audited', async () => {
    const setup = setUp();
    const { repository, review, load } = setup;
    const id = await seedRequest(repository, { tenantId: TENANT, subjectId: alex.id, now: setup.clock.now() });
    const card = cardOf(await stored(setup, id));
    const results = await Promise.all([review.claim(as(isaiah), card), review.claim(as(ken), card)]);
    expect(results.map((result) => result.kind).sort()).toEqual(['done', 'refused']);
    const refused = results.find((result) => result.kind === 'refused');
    expect(refused).toMatchObject({ refusal: 'staleVersion' });
    const { request, events } = await load(id);
    expect(request.version).toBe(3);
    const winner = request.review.claimedBy;
    const loser = winner === isaiah.id ? ken.id : isaiah.id;
    expect(events.slice(-2)).toEqual([
      expect.objectContaining({ actor: winner, to: 'pending_review', reason: 'claimed' }),
      expect.objectContaining({ actor: loser, to: 'refused', reason: 'refused claim: staleVersion' }),
    ]);
    expect(setup.announced).toEqual([{ kind: 'claimed' }]);
  });
});

/** Each agent action as a card click, with input that would be accepted, and the words its refusals are audited with. */
const AGENT_ACTIONS = {
  claim: { what: 'claim', act: (s: Setup, who: Actor, card: object) => s.review.claim(who, card) },
  release: { what: 'release', act: (s: Setup, who: Actor, card: object) => s.review.release(who, card) },
  handOver: {
    what: 'hand over',
    act: (s: Setup, who: Actor, card: object) => s.review.handOver(who, card, { handOverTo: patti.id }),
  },
  askInfo: {
    what: 'ask for information',
    act: (s: Setup, who: Actor, card: object) => s.review.askInfo(who, card, { question: 'Which phone?' }),
  },
  approve: { what: 'approve', act: (s: Setup, who: Actor, card: object) => s.review.approve(who, card, verified) },
  reject: {
    what: 'reject',
    act: (s: Setup, who: Actor, card: object) => s.review.reject(who, card, { rejectReason: 'Not verified' }),
  },
  retry: { what: 'retry', act: (s: Setup, who: Actor, card: object) => s.review.retry(who, card) },
} as const;
type ActionName = keyof typeof AGENT_ACTIONS;
const ACTION_NAMES = Object.keys(AGENT_ACTIONS) as ActionName[];

/**
 * A request `action` would be taken on (its subject Alex, filed by `filer`): a failed one for a
 * retry, one Isaiah claimed for a release, else one pending review.
 */
async function requestFor(setup: Setup, action: ActionName, filer = alex): Promise<string> {
  const { repository, clock } = setup;
  const now = clock.now();
  if (action === 'retry') {
    const id = await seedRequest(repository, {
      tenantId: TENANT,
      subjectId: alex.id,
      filerId: filer.id,
      approverId: ken.id,
      now,
    });
    await moveTo(setup, id, 'executing', 'failed');
    return id;
  }
  const id = await seedRequest(repository, { tenantId: TENANT, subjectId: alex.id, filerId: filer.id, now });
  if (action === 'release')
    expect((await setup.review.claim(as(isaiah), cardOf(await stored(setup, id)))).kind).toBe('done');
  setup.announced.length = 0;
  return id;
}

describe('the checks every agent action makes', () => {
  it.each(ACTION_NAMES)(
    '%s: works for an agent with the current card (the checks below are what refuse it)',
    async (name) => {
      const setup = setUp();
      const id = await requestFor(setup, name);
      const before = await setup.load(id);
      const result = await AGENT_ACTIONS[name].act(setup, as(isaiah), cardOf(before.request));
      expect(result.kind).toBe('done');
      const after = await setup.load(id);
      expect(after.request.version).toBe(before.request.version + 1);
      expect(after.events.slice(before.events.length)).toEqual([expect.objectContaining({ actor: isaiah.id })]);
      expect(setup.announced).toHaveLength(1);
    },
  );

  it.each(ACTION_NAMES)('%s: refuses card data that names no request, audited under what it named', async (name) => {
    const setup = setUp();
    const { what, act } = AGENT_ACTIONS[name];
    for (const [requestId, named] of [
      [42, '42'],
      ['', ''],
      ['x'.repeat(101), 'x'.repeat(100)],
      [undefined, 'undefined'],
      // Written down by its kind: calling its own toString would throw before the refusal is recorded.
      [{ toString: 'x' }, '[object Object]'],
    ] as const) {
      const result = await act(setup, as(isaiah), { requestId, version: 2 });
      expect(result).toEqual({ kind: 'refused', refusal: 'tamperedCard', request: undefined });
      expect(setup.repository.allEvents().at(-1)).toEqual({
        requestId: named,
        tenantId: TENANT,
        actor: isaiah.id,
        at: setup.clock.now(),
        from: null,
        to: 'refused',
        reason: `refused ${what}: tamperedCard`,
      });
    }
    expect(setup.announced).toEqual([]);
  });

  it.each(ACTION_NAMES)('%s: answers an unknown request and another tenant’s alike, audited', async (name) => {
    const setup = setUp();
    const { what, act } = AGENT_ACTIONS[name];
    const elsewhere = await seedRequest(setup.repository, { tenantId: 'another-tenant', subjectId: alex.id });
    const before = await stored(setup, elsewhere);
    for (const requestId of ['no-such-request', elsewhere]) {
      const result = await act(setup, as(isaiah), { requestId, version: 2 });
      expect(result).toEqual({ kind: 'refused', refusal: 'unknownRequest', request: undefined });
      expect(setup.repository.allEvents().at(-1)).toEqual(
        expect.objectContaining({
          requestId,
          tenantId: TENANT,
          from: null,
          to: 'refused',
          reason: `refused ${what}: unknownRequest`,
        }),
      );
    }
    expect(await stored(setup, elsewhere)).toEqual(before);
  });

  it.each(ACTION_NAMES)('%s: refuses a card whose version is not a number', async (name) => {
    const setup = setUp();
    const id = await requestFor(setup, name);
    const { version } = await stored(setup, id);
    await expectRefused(
      setup,
      id,
      () => AGENT_ACTIONS[name].act(setup, as(isaiah), { requestId: id, version: String(version) }),
      {
        refusal: 'tamperedCard',
        actor: isaiah,
        what: AGENT_ACTIONS[name].what,
      },
    );
  });

  // Release is covered above, in "releasing a claim".
  it.each(ACTION_NAMES.filter((name) => name !== 'release'))(
    '%s: refuses someone outside the helpdesk group',
    async (name) => {
      const setup = setUp();
      const id = await requestFor(setup, name);
      await expectRefused(
        setup,
        id,
        async () => AGENT_ACTIONS[name].act(setup, as(diego), cardOf(await stored(setup, id))),
        {
          refusal: 'notAgent',
          actor: diego,
          what: AGENT_ACTIONS[name].what,
        },
      );
    },
  );

  it.each(ACTION_NAMES)('%s: refuses when the directory cannot say whether the clicker is an agent', async (name) => {
    const failing = new Set<DirectoryOperation>();
    const setup = setUp(failing);
    const id = await requestFor(setup, name);
    failing.add('checkMemberGroups');
    await expectRefused(
      setup,
      id,
      async () => AGENT_ACTIONS[name].act(setup, as(isaiah), cardOf(await stored(setup, id))),
      {
        refusal: 'directoryUnavailable',
        actor: isaiah,
        what: AGENT_ACTIONS[name].what,
      },
    );
  });

  it.each(ACTION_NAMES)('%s: refuses the agent whose own account it is, and the agent who filed it', async (name) => {
    const setup = setUp();
    const { what, act } = AGENT_ACTIONS[name];
    // Isaiah's own request: he may not act on it.
    const own = await seedRequest(setup.repository, { tenantId: TENANT, subjectId: isaiah.id, now: setup.clock.now() });
    await expectRefused(setup, own, async () => act(setup, as(isaiah), cardOf(await stored(setup, own))), {
      refusal: 'isSubject',
      actor: isaiah,
      what,
    });
    if (name === 'handOver') return; // Covered above, in "handing a request over".
    // Ken filed Alex's request (as if for a report): he may not decide it.
    const filed = await requestFor(setup, name, ken);
    await expectRefused(setup, filed, async () => act(setup, as(ken), cardOf(await stored(setup, filed))), {
      refusal: 'isFiler',
      actor: ken,
      what,
    });
  });

  it.each(ACTION_NAMES.filter((name) => name !== 'release'))('%s: refuses an old card', async (name) => {
    const setup = setUp();
    const id = await requestFor(setup, name);
    const old = cardOf(await stored(setup, id));
    // Someone else changed it since the card was drawn.
    if (name === 'retry') await moveTo(setup, id, 'approved', 'executing', 'failed');
    else await setup.review.askInfo(as(ken), old, { question: 'Anything else?' });
    setup.announced.length = 0;
    await expectRefused(setup, id, () => AGENT_ACTIONS[name].act(setup, as(isaiah), old), {
      refusal: 'staleVersion',
      actor: isaiah,
      what: AGENT_ACTIONS[name].what,
    });
  });

  it.each(ACTION_NAMES.filter((name) => name !== 'release'))(
    '%s: refuses a request in a state it cannot work in',
    async (name) => {
      const setup = setUp();
      const id =
        name === 'retry'
          ? await seedRequest(setup.repository, { tenantId: TENANT, subjectId: alex.id, now: setup.clock.now() })
          : await seedRequest(setup.repository, {
              tenantId: TENANT,
              subjectId: alex.id,
              approverId: ken.id,
              now: setup.clock.now(),
            });
      await expectRefused(
        setup,
        id,
        async () => AGENT_ACTIONS[name].act(setup, as(isaiah), cardOf(await stored(setup, id))),
        {
          refusal: 'wrongState',
          actor: isaiah,
          what: AGENT_ACTIONS[name].what,
        },
      );
    },
  );

  it('lets agents work on a request that waits for the manager, but not approve it', async () => {
    const setup = setUp();
    const waiting = await awaitingManager(setup, alex);
    setup.announced.length = 0;
    await expectRefused(setup, waiting.id, () => setup.review.approve(as(isaiah), cardOf(waiting), verified), {
      refusal: 'awaitingManager',
      actor: isaiah,
      what: 'approve',
    });
    expect((await setup.review.claim(as(isaiah), cardOf(waiting))).kind).toBe('done');
  });

  it('refuses to approve a request not yet sent for review', async () => {
    const setup = setUp();
    const unrouted = await submitted(setup, alex);
    await expectRefused(setup, unrouted.id, () => setup.review.approve(as(isaiah), cardOf(unrouted), verified), {
      refusal: 'wrongState',
      actor: isaiah,
      what: 'approve',
    });
  });
});

describe('asking the requester for information', () => {
  it('numbers the questions, keeps who asked and when, and announces each', async () => {
    const setup = setUp();
    const { repository, review, clock, announced, load } = setup;
    const id = await seedRequest(repository, { tenantId: TENANT, subjectId: alex.id, now: clock.now() });
    await review.askInfo(as(isaiah), cardOf(await stored(setup, id)), { question: '  Which phone did you lose?  ' });
    clock.advance(60_000);
    const second = await review.askInfo(as(ken), cardOf(await stored(setup, id)), { question: 'When?' });
    expect(second).toMatchObject({ kind: 'done', news: { kind: 'questionAsked', number: 2 } });
    const { request, events } = await load(id);
    expect(request.state).toBe('pending_review');
    expect(request.review.questions).toEqual([
      {
        number: 1,
        askedBy: isaiah.id,
        text: 'Which phone did you lose?',
        askedAt: new Date(clock.now().getTime() - 60_000),
        answer: undefined,
        answeredAt: undefined,
      },
      { number: 2, askedBy: ken.id, text: 'When?', askedAt: clock.now(), answer: undefined, answeredAt: undefined },
    ]);
    expect(events.slice(-2).map((event) => [event.actor, event.reason])).toEqual([
      [isaiah.id, 'asked the requester question 1'],
      [ken.id, 'asked the requester question 2'],
    ]);
    expect(announced).toEqual([
      { kind: 'questionAsked', number: 1 },
      { kind: 'questionAsked', number: 2 },
    ]);
  });

  it('returns the form for a blank or overlong question, storing and auditing nothing', async () => {
    const setup = setUp();
    const id = await seedRequest(setup.repository, { tenantId: TENANT, subjectId: alex.id, now: setup.clock.now() });
    const before = await setup.load(id);
    for (const [question, problem] of [
      ['   ', 'required'],
      ['?'.repeat(MAX_TEXT_LENGTH + 1), 'tooLong'],
      [undefined, 'required'],
    ] as const) {
      const result = await setup.review.askInfo(as(isaiah), cardOf(before.request), { question });
      expect(result).toMatchObject({
        kind: 'invalid',
        problems: { question: problem },
        values: { question: question ?? '' },
      });
    }
    expect(await setup.load(id)).toEqual(before);
    expect(setup.announced).toEqual([]);
  });
});

describe('approving', () => {
  it('approves after recording how identity was verified, and writes the execution job with the approval', async () => {
    const setup = setUp();
    const { repository, jobs, review, clock, announced, load } = setup;
    const id = await seedRequest(repository, { tenantId: TENANT, subjectId: alex.id, now: clock.now() });
    expect(jobs.inspect(id)).toBeUndefined();
    const result = await review.approve(as(isaiah), cardOf(await stored(setup, id)), {
      verification: ' inPerson ',
      verificationNote: '  Staff card checked at the desk  ',
    });
    expect(result).toMatchObject({ kind: 'done', news: { kind: 'approved' }, request: { state: 'approved' } });
    const { request, events } = await load(id);
    expect(request.state).toBe('approved');
    expect(request.review.approvals).toEqual([
      { agentId: isaiah.id, verification: 'inPerson', note: 'Staff card checked at the desk', at: clock.now() },
    ]);
    expect(events.at(-1)).toMatchObject({
      actor: isaiah.id,
      from: 'pending_review',
      to: 'approved',
      reason: 'approved, identity verified by inPerson',
    });
    expect(announced).toEqual([{ kind: 'approved' }]);
    expect(jobs.inspect(id)).toMatchObject({ status: 'pending', attempts: 0, nextAttemptAt: clock.now() });
  });

  it('returns the form when how identity was verified is missing, unknown or undocumented, storing nothing', async () => {
    const setup = setUp();
    const id = await seedRequest(setup.repository, { tenantId: TENANT, subjectId: alex.id, now: setup.clock.now() });
    const before = await setup.load(id);
    const cases = [
      [{ verificationNote: 'ok' }, { verification: 'required' }],
      [{ verification: 'telepathy', verificationNote: 'ok' }, { verification: 'invalid' }],
      [{ verification: 'videoCall', verificationNote: '  ' }, { verificationNote: 'required' }],
      [
        { verification: 'videoCall', verificationNote: 'x'.repeat(MAX_TEXT_LENGTH + 1) },
        { verificationNote: 'tooLong' },
      ],
      [{}, { verification: 'required', verificationNote: 'required' }],
    ] as const;
    for (const [input, problems] of cases) {
      const result = await setup.review.approve(as(isaiah), cardOf(before.request), input);
      expect(result).toMatchObject({ kind: 'invalid' });
      expect(result.kind === 'invalid' && result.problems).toEqual(problems);
    }
    expect(await setup.load(id)).toEqual(before);
    expect(setup.jobs.inspect(id)).toBeUndefined();
    expect(setup.announced).toEqual([]);
  });

  it('needs two different agents for a privileged subject under the two-approver policy', async () => {
    const setup = setUp();
    const { repository, jobs, review, load } = setup;
    const id = await seedRequest(repository, { tenantId: TENANT, subjectId: lynne.id, now: setup.clock.now() });
    await review.approve(as(isaiah), cardOf(await stored(setup, id)), { ...verified, verification: 'inPerson' });
    expect(jobs.inspect(id)).toBeUndefined();
    await expectRefused(setup, id, async () => review.approve(as(isaiah), cardOf(await stored(setup, id)), verified), {
      refusal: 'alreadyApprovedByYou',
      actor: isaiah,
      what: 'approve',
    });
    const second = await review.approve(as(ken), cardOf(await stored(setup, id)), verified);
    expect(second).toMatchObject({ kind: 'done', news: { kind: 'approved' } });
    const { request, events } = await load(id);
    expect(request.state).toBe('approved');
    expect(request.review.approvals.map((approval) => [approval.agentId, approval.verification])).toEqual([
      [isaiah.id, 'inPerson'],
      [ken.id, 'videoCall'],
    ]);
    expect(events.at(-1)).toMatchObject({
      actor: ken.id,
      to: 'approved',
      reason: 'approved, identity verified by videoCall',
    });
    expect(request.review.risksAtDecision).toContainEqual(expect.objectContaining({ kind: 'privilegedRole' }));
    expect(jobs.inspect(id)?.status).toBe('pending');
  });

  it('refuses a privileged subject under the manual policy, with the card’s facts saying so', async () => {
    const setup = setUp(new Set(), { privilegedApproval: 'manual' });
    const id = await seedRequest(setup.repository, { tenantId: TENANT, subjectId: lynne.id, now: setup.clock.now() });
    await expectRefused(
      setup,
      id,
      async () => setup.review.approve(as(isaiah), cardOf(await stored(setup, id)), verified),
      {
        refusal: 'manualOnly',
        actor: isaiah,
        what: 'approve',
      },
    );
    expect((await setup.review.facts(await stored(setup, id))).manualOnly).toBe(true);
    // An ordinary subject is approved as usual under that policy.
    const ordinary = await seedRequest(setup.repository, {
      tenantId: TENANT,
      subjectId: alex.id,
      now: setup.clock.now(),
    });
    expect((await setup.review.approve(as(isaiah), cardOf(await stored(setup, ordinary)), verified)).kind).toBe('done');
  });

  it('refuses to approve when the directory cannot say whether the subject holds a role, but still lets them reject', async () => {
    const setup = setUp(new Set(['getDirectoryRoles']));
    const id = await seedRequest(setup.repository, { tenantId: TENANT, subjectId: alex.id, now: setup.clock.now() });
    await expectRefused(
      setup,
      id,
      async () => setup.review.approve(as(isaiah), cardOf(await stored(setup, id)), verified),
      {
        refusal: 'directoryUnavailable',
        actor: isaiah,
        what: 'approve',
      },
    );
    const rejected = await setup.review.reject(as(isaiah), cardOf(await stored(setup, id)), {
      rejectReason: 'Call failed',
    });
    expect(rejected.kind).toBe('done');
  });
});

describe('rejecting', () => {
  it('rejects with the reason the requester will read', async () => {
    const setup = setUp();
    const { repository, review, clock, announced, load } = setup;
    const id = await seedRequest(repository, { tenantId: TENANT, subjectId: alex.id, now: clock.now() });
    const result = await review.reject(as(ken), cardOf(await stored(setup, id)), {
      rejectReason: '  Could not reach you  ',
    });
    expect(result).toMatchObject({ kind: 'done', news: { kind: 'rejected' }, request: { state: 'rejected' } });
    const { request, events } = await load(id);
    expect(request.review.rejection).toEqual({ by: ken.id, reason: 'Could not reach you', at: clock.now() });
    expect(events.at(-1)).toMatchObject({
      actor: ken.id,
      from: 'pending_review',
      to: 'rejected',
      reason: 'rejected by an agent',
    });
    expect(announced).toEqual([{ kind: 'rejected' }]);
    expect(setup.jobs.inspect(id)).toBeUndefined();
  });

  it('returns the form for a blank or overlong reason, storing nothing', async () => {
    const setup = setUp();
    const id = await seedRequest(setup.repository, { tenantId: TENANT, subjectId: alex.id, now: setup.clock.now() });
    const before = await setup.load(id);
    for (const [rejectReason, problem] of [
      [' ', 'required'],
      ['x'.repeat(MAX_TEXT_LENGTH + 1), 'tooLong'],
    ] as const) {
      expect(await setup.review.reject(as(ken), cardOf(before.request), { rejectReason })).toMatchObject({
        kind: 'invalid',
        problems: { rejectReason: problem },
        values: { rejectReason },
      });
    }
    expect(await setup.load(id)).toEqual(before);
  });
});

describe('sending a request that needs attention back', () => {
  it('returns it to approved and sets its job to run again, keeping the steps already done', async () => {
    const setup = setUp();
    const { jobs, review, clock, announced, load } = setup;
    const id = await requestFor(setup, 'approve');
    await review.approve(as(isaiah), cardOf(await stored(setup, id)), verified);
    // The worker got as far as revoking sessions, then gave up.
    await jobs.lease('worker', clock.now(), new Date(clock.now().getTime() + 60_000), 1);
    await jobs.saveProgress(id, 'worker', { sessionsRevoked: true }, new Date(clock.now().getTime() + 60_000));
    await jobs.finish(id, 'worker', 'failed');
    await moveTo(setup, id, 'executing', 'failed');
    announced.length = 0;
    clock.advance(DAY_MS);

    const result = await review.retry(as(ken), cardOf(await stored(setup, id)));
    expect(result).toMatchObject({ kind: 'done', news: { kind: 'retried' }, request: { state: 'approved' } });
    expect((await load(id)).events.at(-1)).toMatchObject({
      actor: ken.id,
      from: 'failed',
      to: 'approved',
      reason: 'sent back to be carried out again',
    });
    expect(announced).toEqual([{ kind: 'retried' }]);
    expect(jobs.inspect(id)).toMatchObject({
      status: 'pending',
      attempts: 0,
      nextAttemptAt: clock.now(),
      progress: { sessionsRevoked: true },
    });
  });
});

describe("the subject's manager answering", () => {
  it('confirms: the request goes to review, with the note kept', async () => {
    const setup = setUp();
    const { review, clock, announced, load } = setup;
    const waiting = await awaitingManager(setup, alex);
    announced.length = 0;
    clock.advance(60_000);
    const result = await review.answerAsManager(as(megan), waiting.id, true, { managerNote: '  Saw him today  ' });
    expect(result).toMatchObject({
      kind: 'done',
      news: { kind: 'managerConfirmed' },
      request: { state: 'pending_review' },
    });
    const { request, events } = await load(waiting.id);
    expect(request.review.manager).toEqual({
      managerId: megan.id,
      status: 'confirmed',
      note: 'Saw him today',
      at: clock.now(),
    });
    expect(request.pendingSince).toEqual(clock.now());
    expect(events.at(-1)).toMatchObject({
      actor: megan.id,
      from: 'awaiting_manager',
      to: 'pending_review',
      reason: 'confirmed by the manager',
    });
    expect(announced).toEqual([{ kind: 'managerConfirmed' }]);
  });

  it('declines: the request is rejected in the manager’s name, with their note as the reason', async () => {
    const setup = setUp();
    const { review, clock, announced, load } = setup;
    const waiting = await awaitingManager(setup, alex);
    announced.length = 0;
    const result = await review.answerAsManager(as(megan), waiting.id, false, { managerNote: 'He is on leave' });
    expect(result).toMatchObject({ kind: 'done', news: { kind: 'managerDeclined' }, request: { state: 'rejected' } });
    const { request, events } = await load(waiting.id);
    expect(request.review).toMatchObject({
      manager: { managerId: megan.id, status: 'declined', note: 'He is on leave' },
      rejection: { by: megan.id, reason: 'He is on leave', at: clock.now() },
    });
    expect(request.review.risksAtDecision).toBeDefined();
    expect(events.at(-1)).toMatchObject({ actor: megan.id, to: 'rejected', reason: 'declined by the manager' });
    expect(announced).toEqual([{ kind: 'managerDeclined' }]);

    // Without a note: no note kept, and the reason is empty.
    const other = await awaitingManager(setup, yuki);
    await review.answerAsManager(as(megan), other.id, false, {});
    expect((await stored(setup, other.id)).review).toMatchObject({
      manager: { note: undefined },
      rejection: { reason: '' },
    });
  });

  it('refuses, and audits, anyone but the manager asked, and a second answer', async () => {
    const setup = setUp();
    const { review } = setup;
    const waiting = await awaitingManager(setup, alex);
    setup.announced.length = 0;
    for (const [who, confirm] of [
      [ken, true],
      [alex, true],
      [patti, false],
    ] as const) {
      await expectRefused(setup, waiting.id, () => review.answerAsManager(as(who), waiting.id, confirm, {}), {
        refusal: 'notManager',
        actor: who,
        what: confirm ? 'confirm as manager' : 'decline as manager',
      });
    }
    // Nobody was asked to confirm this one.
    const unasked = await seedRequest(setup.repository, {
      tenantId: TENANT,
      subjectId: yuki.id,
      now: setup.clock.now(),
    });
    await expectRefused(setup, unasked, () => review.answerAsManager(as(megan), unasked, true, {}), {
      refusal: 'notManager',
      actor: megan,
      what: 'confirm as manager',
    });

    expect((await review.answerAsManager(as(megan), waiting.id, true, {})).kind).toBe('done');
    setup.announced.length = 0;
    for (const confirm of [true, false]) {
      await expectRefused(setup, waiting.id, () => review.answerAsManager(as(megan), waiting.id, confirm, {}), {
        refusal: 'alreadyAnswered',
        actor: megan,
        what: confirm ? 'confirm as manager' : 'decline as manager',
      });
    }
  });

  it('refuses card data that names no request or an unknown one, and returns the form for an overlong note', async () => {
    const setup = setUp();
    const { review } = setup;
    expect(await review.answerAsManager(as(megan), 7, true, {})).toMatchObject({ refusal: 'tamperedCard' });
    expect(setup.repository.allEvents().at(-1)).toMatchObject({
      requestId: '7',
      reason: 'refused confirm as manager: tamperedCard',
    });
    expect(await review.answerAsManager(as(megan), 'nope', false, {})).toMatchObject({ refusal: 'unknownRequest' });
    expect(setup.repository.allEvents().at(-1)).toMatchObject({
      requestId: 'nope',
      reason: 'refused decline as manager: unknownRequest',
    });

    const waiting = await awaitingManager(setup, alex);
    const before = await setup.load(waiting.id);
    const note = 'x'.repeat(MAX_TEXT_LENGTH + 1);
    expect(await review.answerAsManager(as(megan), waiting.id, true, { managerNote: note })).toMatchObject({
      kind: 'invalid',
      problems: { managerNote: 'tooLong' },
      values: { managerNote: note },
    });
    expect(await setup.load(waiting.id)).toEqual(before);
  });
});

describe("the requester answering an agent's question", () => {
  /** Megan's request for Yuki, pending review, with Isaiah's question 1. */
  async function asked(setup: Setup): Promise<string> {
    const id = await seedRequest(setup.repository, {
      tenantId: TENANT,
      subjectId: yuki.id,
      filerId: megan.id,
      now: setup.clock.now(),
    });
    await setup.review.askInfo(as(isaiah), cardOf(await stored(setup, id)), { question: 'Which phone?' });
    setup.announced.length = 0;
    return id;
  }

  it('keeps the answer with the question and announces it', async () => {
    const setup = setUp();
    const { review, clock, announced, load } = setup;
    const id = await asked(setup);
    clock.advance(60_000);
    const result = await review.answerQuestion(as(megan), id, 1, { answer: '  The Android one  ' });
    expect(result).toMatchObject({
      kind: 'done',
      news: { kind: 'questionAnswered', number: 1 },
      request: { state: 'pending_review' },
    });
    const { request, events } = await load(id);
    expect(request.review.questions[0]).toMatchObject({ answer: 'The Android one', answeredAt: clock.now() });
    expect(events.at(-1)).toMatchObject({
      actor: megan.id,
      from: 'pending_review',
      to: 'pending_review',
      reason: 'answered question 1',
    });
    expect(announced).toEqual([{ kind: 'questionAnswered', number: 1 }]);
  });

  it('refuses, and audits, anyone but the filer, a question that does not exist, and a second answer', async () => {
    const setup = setUp();
    const { review } = setup;
    const id = await asked(setup);
    const what = 'answer a question';
    // Yuki is the subject, but Megan filed it and was asked.
    for (const who of [yuki, isaiah]) {
      await expectRefused(setup, id, () => review.answerQuestion(as(who), id, 1, { answer: 'Mine' }), {
        refusal: 'notRequester',
        actor: who,
        what,
      });
    }
    for (const number of [2, '1', undefined]) {
      await expectRefused(setup, id, () => review.answerQuestion(as(megan), id, number, { answer: 'Mine' }), {
        refusal: 'tamperedCard',
        actor: megan,
        what,
      });
    }
    expect((await review.answerQuestion(as(megan), id, 1, { answer: 'First' })).kind).toBe('done');
    setup.announced.length = 0;
    await expectRefused(setup, id, () => review.answerQuestion(as(megan), id, 1, { answer: 'Again' }), {
      refusal: 'alreadyAnswered',
      actor: megan,
      what,
    });
    expect((await stored(setup, id)).review.questions[0]?.answer).toBe('First');
  });

  it('refuses an answer once the request is decided, and returns the form for a blank answer', async () => {
    const setup = setUp();
    const { review } = setup;
    const id = await asked(setup);
    const before = await setup.load(id);
    expect(await review.answerQuestion(as(megan), id, 1, { answer: '  ' })).toMatchObject({
      kind: 'invalid',
      problems: { answer: 'required' },
    });
    expect(await setup.load(id)).toEqual(before);
    await review.reject(as(isaiah), cardOf(before.request), { rejectReason: 'Duplicate' });
    setup.announced.length = 0;
    await expectRefused(setup, id, () => review.answerQuestion(as(megan), id, 1, { answer: 'Late' }), {
      refusal: 'alreadyAnswered',
      actor: megan,
      what: 'answer a question',
    });
  });
});

describe('cancelling', () => {
  it('lets the filer or the subject withdraw a request until it is carried out', async () => {
    const setup = setUp();
    const { repository, review, clock, announced, load } = setup;
    const pending = await seedRequest(repository, {
      tenantId: TENANT,
      subjectId: yuki.id,
      filerId: megan.id,
      now: clock.now(),
    });
    const result = await review.cancel(as(megan), pending);
    expect(result).toMatchObject({ kind: 'done', news: { kind: 'cancelled' }, request: { state: 'cancelled' } });
    expect((await load(pending)).events.at(-1)).toMatchObject({
      actor: megan.id,
      from: 'pending_review',
      to: 'cancelled',
      reason: 'cancelled by the requester',
    });
    const bySubject = await seedRequest(repository, {
      tenantId: TENANT,
      subjectId: yuki.id,
      filerId: megan.id,
      now: clock.now(),
    });
    expect((await review.cancel(as(yuki), bySubject)).kind).toBe('done');
    const approved = await seedRequest(repository, {
      tenantId: TENANT,
      subjectId: alex.id,
      approverId: isaiah.id,
      now: clock.now(),
    });
    expect((await review.cancel(as(alex), approved)).kind).toBe('done');
    const waiting = await awaitingManager(setup, shota);
    expect((await review.cancel(as(shota), waiting.id)).kind).toBe('done');
    expect(announced.filter((news) => news.kind === 'cancelled')).toHaveLength(4);
  });

  it('refuses, and audits, anyone else, and a request being or already carried out or closed', async () => {
    const setup = setUp();
    const { repository, review, clock } = setup;
    const id = await seedRequest(repository, {
      tenantId: TENANT,
      subjectId: yuki.id,
      filerId: megan.id,
      now: clock.now(),
    });
    for (const who of [isaiah, alex]) {
      await expectRefused(setup, id, () => review.cancel(as(who), id), {
        refusal: 'notRequester',
        actor: who,
        what: 'cancel',
      });
    }
    const executing = await seedRequest(repository, {
      tenantId: TENANT,
      subjectId: alex.id,
      approverId: isaiah.id,
      now: clock.now(),
    });
    await moveTo(setup, executing, 'executing');
    await expectRefused(setup, executing, () => review.cancel(as(alex), executing), {
      refusal: 'wrongState',
      actor: alex,
      what: 'cancel',
    });
    expect((await review.cancel(as(megan), id)).kind).toBe('done');
    setup.announced.length = 0;
    await expectRefused(setup, id, () => review.cancel(as(megan), id), {
      refusal: 'wrongState',
      actor: megan,
      what: 'cancel',
    });
  });

  it('refuses card data that names no request, and an unknown or another tenant’s request, audited', async () => {
    const setup = setUp();
    const { review } = setup;
    const elsewhere = await seedRequest(setup.repository, { tenantId: 'another-tenant', subjectId: alex.id });
    expect(await review.cancel(as(alex), { id: elsewhere })).toMatchObject({ refusal: 'tamperedCard' });
    for (const requestId of ['nope', elsewhere]) {
      expect(await review.cancel(as(alex), requestId)).toEqual({
        kind: 'refused',
        refusal: 'unknownRequest',
        request: undefined,
      });
      expect(setup.repository.allEvents().at(-1)).toMatchObject({
        requestId,
        tenantId: TENANT,
        reason: 'refused cancel: unknownRequest',
      });
    }
    expect((await stored(setup, elsewhere)).state).toBe('pending_review');
  });
});

describe('expiring requests nobody acted on', () => {
  it('expires open requests unchanged for the configured days, leaves the rest, and announces each', async () => {
    const setup = setUp();
    const { repository, review, clock, announced, load } = setup;
    const start = clock.now();
    const pending = await seedRequest(repository, { tenantId: TENANT, subjectId: alex.id, now: start });
    const waiting = await awaitingManager(setup, yuki);
    const approved = await seedRequest(repository, {
      tenantId: TENANT,
      subjectId: diego.id,
      approverId: isaiah.id,
      now: start,
    });
    clock.advance(DAY_MS);
    const recent = await seedRequest(repository, { tenantId: TENANT, subjectId: shota.id, now: clock.now() });
    announced.length = 0;

    clock.set(new Date(start.getTime() + 7 * DAY_MS));
    expect(await review.expireStale()).toBe(0);
    clock.advance(1);
    expect(await review.expireStale()).toBe(2);
    for (const id of [pending, waiting.id]) {
      const { request, events } = await load(id);
      expect(request.state).toBe('expired');
      expect(events.at(-1)).toMatchObject({
        actor: 'system',
        to: 'expired',
        at: clock.now(),
        reason: 'nobody acted on it for 7 days',
      });
    }
    expect((await stored(setup, approved)).state).toBe('approved');
    expect((await stored(setup, recent)).state).toBe('pending_review');
    expect(announced).toEqual([{ kind: 'expired' }, { kind: 'expired' }]);
    expect(await review.expireStale()).toBe(0);
  });

  it('expires at most `limit` at a time, oldest first', async () => {
    const setup = setUp();
    const { repository, review, clock } = setup;
    const first = await seedRequest(repository, { tenantId: TENANT, subjectId: alex.id, now: clock.now() });
    clock.advance(1_000);
    const second = await seedRequest(repository, { tenantId: TENANT, subjectId: diego.id, now: clock.now() });
    clock.advance(8 * DAY_MS);
    expect(await review.expireStale(1)).toBe(1);
    expect((await stored(setup, first)).state).toBe('expired');
    expect((await stored(setup, second)).state).toBe('pending_review');
  });
});

describe('choosing the approval channel', () => {
  it('allows members of the admin group, refuses and audits others, and says when the directory does not know', async () => {
    const failing = new Set<DirectoryOperation>();
    const setup = setUp(failing);
    const { review, repository, clock } = setup;
    expect(await review.mayChooseChannel(as(lynne), '19:channel')).toBe(true);
    expect(await review.mayChooseChannel(as(isaiah), '19:channel')).toBe(false);
    expect(repository.allEvents()).toEqual([
      {
        requestId: '-',
        tenantId: TENANT,
        actor: isaiah.id,
        at: clock.now(),
        from: null,
        to: 'refused',
        reason: 'refused set approval channel 19:channel: notAdmin',
      },
    ]);
    failing.add('checkMemberGroups');
    expect(await review.mayChooseChannel(as(isaiah), '19:channel')).toBe('unknown');
    expect(repository.allEvents()).toHaveLength(1);
  });
});
