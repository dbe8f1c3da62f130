import { describe, expect, it } from 'vitest';
import {
  CannotDeleteDefaultMethodError,
  MethodNotFoundError,
  ServiceUnavailableError,
  ThrottledError,
} from '../../../src/directory/directory-errors.js';
import { SimulatedDirectory, type DirectoryOperation } from '../../../src/directory/simulated-directory.js';
import {
  ExecutionService,
  PASS_CHECK_MS,
  PASS_OFFER_MS,
  type ExecutionPolicy,
} from '../../../src/domain/requests/execution-service.js';
import { emptyReview, type AuditEvent, type Review } from '../../../src/domain/requests/request.js';
import { tenant } from '../../support/activities.js';
import {
  MovableClock,
  RecordingNotifier,
  RecordingPassCourier,
  createInMemoryStore,
} from '../../support/in-memory-ports.js';

const TENANT = tenant.tenant.id;
const MINUTE_MS = 60_000;
const LEASE_MS = 120_000;
/** The pass lives 12 minutes: checks at 5 and 10 minutes, then one when it ends. */
const LIFETIME = 12;
const person = (alias: string) => tenant.users.find((user) => user.userPrincipalName.split('@')[0] === alias)!;
const alex = person('alexw');
const megan = person('meganb');
const isaiah = person('isaiahl');
const ken = person('ken.takahashi');
const diego = person('diegos');
// An administrator: without the privileged role the app may not change her methods (403).
const lynne = person('lynner');

const as = (user: { id: string }) => ({ tenantId: TENANT, userId: user.id });

/**
 * The execution service on the in-memory store and the demo directory, which throws the errors
 * queued with `fail` and lets a test act (`during`) when a directory call is made.
 */
function setUp(policy: Partial<ExecutionPolicy> = {}) {
  const clock = new MovableClock();
  const { requests, jobs } = createInMemoryStore();
  const faults = new Map<DirectoryOperation, Error[]>();
  const calls: Array<{ operation: DirectoryOperation; id: string }> = [];
  let during: ((operation: DirectoryOperation) => void) | undefined;
  const directory = new SimulatedDirectory(tenant, clock, {
    failWith: (operation, id) => {
      calls.push({ operation, id });
      during?.(operation);
      return faults.get(operation)?.shift();
    },
  });
  const courier = new RecordingPassCourier();
  const notifier = new RecordingNotifier();
  const jitter = { value: 0.5 };
  const worker = (owner: string) =>
    new ExecutionService({
      repository: requests,
      jobs,
      directory,
      courier,
      notifier,
      clock,
      policy: {
        passLifetimeMinutes: LIFETIME,
        passUsableOnce: true,
        passDelivery: 'verifier',
        maxAttempts: 3,
        hourlyCap: 10,
        ...policy,
      },
      owner,
      leaseMs: LEASE_MS,
      random: () => jitter.value,
    });
  let ids = 0;

  /**
   * A request for `subject`'s every method, approved by Isaiah after `verification` (the manager
   * confirmed it first when that is how), which writes its job; its id.
   */
  async function approved(
    subject: { id: string },
    {
      verification = 'videoCall' as const,
      managerId,
    }: { verification?: Review['approvals'][number]['verification']; managerId?: string } = {},
  ): Promise<string> {
    const id = `request-${++ids}`;
    const now = clock.now();
    const methods = await directory.getAuthenticationMethods(subject.id);
    calls.length = 0;
    const event = (from: AuditEvent['from'], to: AuditEvent['to']): AuditEvent => ({
      requestId: id,
      tenantId: TENANT,
      actor: isaiah.id,
      at: now,
      from,
      to,
      reason: 'set up',
    });
    const created = await requests.create(
      {
        id,
        tenantId: TENANT,
        filerId: subject.id,
        application: {
          subjectId: subject.id,
          reason: 'lostPhone',
          lostMethodIds: methods.filter((method) => method.kind !== 'password').map((method) => method.id),
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
      event(null, 'submitted'),
      { dailyCap: 100, since: new Date(0) },
    );
    expect(created.kind).toBe('created');
    expect(
      await requests.compareAndSet({
        id,
        expectedVersion: 1,
        to: 'pending_review',
        at: now,
        event: event('submitted', 'pending_review'),
      }),
    ).toBe(true);
    const review: Review = {
      ...emptyReview(),
      approvals: [{ agentId: isaiah.id, verification, note: 'checked', at: now }],
      manager: managerId ? { managerId, status: 'confirmed', note: undefined, at: now } : undefined,
    };
    expect(
      await requests.compareAndSet({
        id,
        expectedVersion: 2,
        to: 'approved',
        at: now,
        event: event('pending_review', 'approved'),
        review,
      }),
    ).toBe(true);
    return id;
  }

  /** The reasons of the request's audit events after the set-up's three. */
  const reasons = async (id: string) => (await requests.eventsOf(id)).slice(3).map((event) => event.reason);
  const stateOf = async (id: string) => (await requests.find(id))?.state;
  const fail = (operation: DirectoryOperation, ...errors: Error[]) =>
    faults.set(operation, [...(faults.get(operation) ?? []), ...errors]);
  const setDuring = (hook: typeof during) => {
    during = hook;
  };
  const countOf = (operation: DirectoryOperation) => calls.filter((call) => call.operation === operation).length;
  /** The subject's methods other than the password, by kind. */
  const kindsOf = async (subject: { id: string }) =>
    (await directory.getAuthenticationMethods(subject.id))
      .map((method) => method.kind)
      .filter((kind) => kind !== 'password');

  return {
    clock,
    requests,
    jobs,
    directory,
    courier,
    notifier,
    jitter,
    service: worker('worker-1'),
    worker,
    approved,
    reasons,
    stateOf,
    fail,
    setDuring,
    countOf,
    kindsOf,
  };
}

type Setup = ReturnType<typeof setUp>;

/** Runs the worker and parks the request with an offer to Isaiah; the offered card. */
async function offered(setup: Setup, id: string) {
  expect(await setup.service.runDue()).toBe(1);
  expect(await setup.stateOf(id)).toBe('executing');
  const offer = setup.courier.callsOf('offer').at(-1);
  expect(offer?.request.id).toBe(id);
  return offer!;
}

describe('carrying out an approved reset, the pass issued by the verifier (PASS_DELIVERY=verifier)', () => {
  it('deletes the lost methods, revokes sessions and offers the verifying agent the pass, parking the job', async () => {
    const setup = setUp();
    const { clock, jobs, directory, courier, notifier, service, reasons } = setup;
    const id = await setup.approved(alex);
    const start = clock.now();

    const offer = await offered(setup, id);
    expect(offer).toMatchObject({
      handover: { kind: 'agent', userId: isaiah.id, verification: 'videoCall' },
      lifetimeInMinutes: LIFETIME,
      card: { userId: isaiah.id },
    });
    // Nothing to sign in with yet: no pass is made until the agent is on the call.
    expect(await setup.kindsOf(alex)).toEqual([]);
    expect(directory.sessionRevocations(alex.id)).toEqual([start]);
    expect(courier.callsOf('deliver')).toEqual([]);
    expect(await reasons(id)).toEqual([
      'execution started',
      expect.stringMatching(/^deleted microsoftAuthenticator method /),
      expect.stringMatching(/^deleted phone method /),
      'sign-in sessions revoked',
      'the agent who verified the subject was offered to issue the pass',
    ]);
    expect(notifier.announced.map(({ news }) => news)).toEqual([
      { kind: 'executionStarted' },
      { kind: 'passOffered', to: 'agent' },
    ]);
    const job = jobs.inspect(id)!;
    expect(job).toMatchObject({ status: 'pending', leaseOwner: undefined, attempts: 0 });
    expect(job.nextAttemptAt).toEqual(new Date(start.getTime() + PASS_OFFER_MS));
    expect(job.progress.handover).toEqual({
      to: 'agent',
      userId: isaiah.id,
      offeredAt: start.toISOString(),
      card: offer.card,
    });
    // Parked: the worker leaves it alone until the offer runs out.
    clock.advance(PASS_OFFER_MS - 1);
    expect(await service.runDue()).toBe(0);
  });

  it('makes the pass when the offered agent presses, completes the request and shows the pass to them alone', async () => {
    const setup = setUp();
    const { clock, requests, jobs, notifier, service, directory } = setup;
    const id = await setup.approved(alex);
    const offer = await offered(setup, id);
    const pressedAt = clock.advance(10 * MINUTE_MS);

    const result = await service.issueOnCall(as(isaiah), id);
    expect(result).toMatchObject({
      kind: 'issued',
      request: { id, state: 'completed' },
      pass: { lifetimeInMinutes: LIFETIME, isUsableOnce: true, startDateTime: pressedAt },
      handover: { kind: 'agent', userId: isaiah.id, verification: 'videoCall' },
    });
    if (result.kind !== 'issued') return;
    expect(await setup.stateOf(id)).toBe('completed');
    expect(await setup.kindsOf(alex)).toEqual(['temporaryAccessPass']);
    const events = await requests.eventsOf(id);
    expect(events.slice(-2)).toEqual([
      expect.objectContaining({
        actor: isaiah.id,
        from: 'executing',
        to: 'executing',
        reason: `temporary access pass created (${LIFETIME} min) and issued by the agent on the verified contact`,
      }),
      expect.objectContaining({
        actor: 'system',
        from: 'executing',
        to: 'completed',
        reason: 'reset completed; pass delivered to the agent',
      }),
    ]);
    expect(notifier.announced.at(-1)?.news).toEqual({ kind: 'completed', passTo: 'agent' });
    const job = jobs.inspect(id)!;
    expect(job.status).toBe('followUp');
    expect(job.nextAttemptAt).toEqual(new Date(pressedAt.getTime() + PASS_CHECK_MS));
    expect(job.progress).toMatchObject({
      delivered: { to: 'agent', at: pressedAt.toISOString() },
      passCard: offer.card,
      pass: { id: result.pass.id, createdAt: pressedAt.toISOString(), lifetimeInMinutes: LIFETIME },
    });
    // The value is shown once and kept nowhere: not in the job, not in the audit trail.
    const kept = JSON.stringify([jobs.inspect(id), requests.allEvents(), notifier.announced]);
    expect(kept).not.toContain(result.pass.value);
    expect(directory.sessionRevocations(alex.id)).toHaveLength(1);
  });

  it('checks every PASS_CHECK_MS while the pass can be used, then when it ends: not back in, so the card is withdrawn and people told', async () => {
    const setup = setUp();
    const { clock, jobs, courier, notifier, service, reasons } = setup;
    const id = await setup.approved(alex);
    const offer = await offered(setup, id);
    const pressedAt = clock.now();
    expect((await service.issueOnCall(as(isaiah), id)).kind).toBe('issued');
    const at = (minutes: number) => new Date(pressedAt.getTime() + minutes * MINUTE_MS);

    clock.set(at(5));
    expect(await service.runDue()).toBe(1);
    expect(jobs.inspect(id)?.nextAttemptAt).toEqual(at(10));
    clock.set(at(10));
    expect(await service.runDue()).toBe(1);
    // Fewer than PASS_CHECK_MS left: the next look is when the pass ends.
    expect(jobs.inspect(id)?.nextAttemptAt).toEqual(at(LIFETIME));
    expect(courier.callsOf('withdraw')).toEqual([]);
    clock.set(new Date(at(LIFETIME).getTime() - 1));
    expect(await service.runDue()).toBe(0);

    clock.set(at(LIFETIME));
    expect(await service.runDue()).toBe(1);
    expect(courier.callsOf('withdraw')).toEqual([expect.objectContaining({ card: offer.card, why: 'expired' })]);
    expect((await reasons(id)).at(-1)).toBe('not recovered: no new method once the pass expired');
    expect(notifier.kinds().at(-1)).toBe('notRecovered');
    expect(jobs.inspect(id)).toMatchObject({
      status: 'done',
      progress: { passCardClosed: 'expired', recovered: false },
    });
    clock.advance(PASS_OFFER_MS);
    expect(await service.runDue()).toBe(0);
  });

  it('withdraws the card as soon as the person has registered a new method, and records that they are back in', async () => {
    const setup = setUp();
    const { clock, jobs, courier, notifier, service, directory, reasons } = setup;
    const id = await setup.approved(alex);
    const offer = await offered(setup, id);
    await service.issueOnCall(as(isaiah), id);
    directory.registerMethod(alex.id, { kind: 'microsoftAuthenticator', displayName: 'New phone', isDefault: true });

    clock.advance(PASS_CHECK_MS);
    expect(await service.runDue()).toBe(1);
    expect(courier.callsOf('withdraw')).toEqual([expect.objectContaining({ card: offer.card, why: 'recovered' })]);
    expect((await reasons(id)).at(-1)).toBe('recovered: a new method is registered');
    expect(notifier.kinds().at(-1)).toBe('recovered');
    expect(jobs.inspect(id)).toMatchObject({
      status: 'done',
      progress: { passCardClosed: 'recovered', recovered: true },
    });
  });

  it('withdraws the card once the pass no longer works, and still checks for a new method when it would have ended', async () => {
    const setup = setUp();
    const { clock, jobs, courier, service, directory, reasons } = setup;
    const id = await setup.approved(alex);
    await offered(setup, id);
    const pressedAt = clock.now();
    const issued = await service.issueOnCall(as(isaiah), id);
    if (issued.kind !== 'issued') throw new Error(issued.kind);
    // Signed in with it and gone: Graph no longer lists a usable pass.
    await directory.deleteAuthenticationMethod(alex.id, { id: issued.pass.id, kind: 'temporaryAccessPass' });

    clock.advance(PASS_CHECK_MS);
    expect(await service.runDue()).toBe(1);
    expect(courier.callsOf('withdraw')).toEqual([expect.objectContaining({ why: 'used' })]);
    expect(jobs.inspect(id)).toMatchObject({ status: 'followUp', progress: { passCardClosed: 'used' } });
    expect(jobs.inspect(id)?.nextAttemptAt).toEqual(new Date(pressedAt.getTime() + LIFETIME * MINUTE_MS));

    clock.set(new Date(pressedAt.getTime() + LIFETIME * MINUTE_MS));
    expect(await service.runDue()).toBe(1);
    // Withdrawn once only.
    expect(courier.callsOf('withdraw')).toHaveLength(1);
    expect((await reasons(id)).at(-1)).toBe('not recovered: no new method once the pass expired');
  });

  it('offers the pass to the manager who confirmed the subject first, and to the agent when the manager has no chat', async () => {
    const setup = setUp();
    const first = await setup.approved(alex, { verification: 'managerConfirmation', managerId: megan.id });
    expect((await offered(setup, first)).handover).toEqual({
      kind: 'manager',
      userId: megan.id,
      verification: 'managerConfirmation',
    });
    expect(setup.notifier.announced.at(-1)?.news).toEqual({ kind: 'passOffered', to: 'manager' });
    expect((await setup.service.issueOnCall(as(isaiah), first)).kind).toBe('refused');
    expect((await setup.service.issueOnCall(as(megan), first)).kind).toBe('issued');

    const other = setUp();
    other.courier.withoutChat.add(megan.id);
    const second = await other.approved(alex, { verification: 'managerConfirmation', managerId: megan.id });
    expect((await offered(other, second)).handover).toMatchObject({ kind: 'agent', userId: isaiah.id });
  });

  it('needs attention when nobody who verified the subject has a chat to issue the pass in', async () => {
    const setup = setUp();
    setup.courier.withoutChat.add(isaiah.id);
    const id = await setup.approved(alex);
    expect(await setup.service.runDue()).toBe(1);
    expect(await setup.stateOf(id)).toBe('failed');
    expect((await setup.reasons(id)).at(-1)).toBe(
      'needs attention: "issue pass" failed after 1 attempt(s): passUndeliverable',
    );
    expect(setup.jobs.inspect(id)).toMatchObject({ status: 'failed', lastError: { code: 'passUndeliverable' } });
  });

  it('needs attention when the offer is not pressed within PASS_OFFER_MS, withdrawing the offer', async () => {
    const setup = setUp();
    const { clock, jobs, courier, notifier, service } = setup;
    const id = await setup.approved(alex);
    const offer = await offered(setup, id);

    clock.advance(PASS_OFFER_MS);
    expect(await service.runDue()).toBe(1);
    expect(courier.callsOf('withdraw')).toEqual([expect.objectContaining({ card: offer.card, why: 'withdrawn' })]);
    expect(await setup.stateOf(id)).toBe('failed');
    expect((await setup.reasons(id)).at(-1)).toBe(
      'needs attention: "issue pass" failed after 1 attempt(s): passNotIssued',
    );
    expect(notifier.announced.at(-1)?.news).toEqual({ kind: 'failed', step: 'issue pass', code: 'passNotIssued' });
    expect(jobs.inspect(id)).toMatchObject({
      status: 'failed',
      lastError: { step: 'issue pass', code: 'passNotIssued' },
      progress: { handover: { userId: isaiah.id } },
    });
    expect(jobs.inspect(id)?.progress.handover?.card).toBeUndefined();
    // No pass was ever made.
    expect(await setup.kindsOf(alex)).toEqual([]);
  });

  it('lets the offer stand when the job is woken before the offer runs out', async () => {
    const setup = setUp();
    const { clock, jobs, courier, service } = setup;
    const id = await setup.approved(alex);
    const offeredAt = clock.now();
    await offered(setup, id);
    // Another worker makes the job due again at once (as after a crash before it was parked).
    clock.advance(MINUTE_MS);
    const taken = await jobs.take(id, 'worker-2', clock.now(), new Date(clock.now().getTime() + LEASE_MS));
    await jobs.retryLater(id, 'worker-2', clock.now(), taken!.attempts, undefined);

    expect(await service.runDue()).toBe(1);
    expect(courier.callsOf('offer')).toHaveLength(1);
    expect(courier.callsOf('withdraw')).toEqual([]);
    expect(jobs.inspect(id)?.nextAttemptAt).toEqual(new Date(offeredAt.getTime() + PASS_OFFER_MS));
    expect((await service.issueOnCall(as(isaiah), id)).kind).toBe('issued');
  });

  it('offers again, without repeating the reset, when a request whose offer ran out is sent back', async () => {
    const setup = setUp();
    const { clock, requests, courier, service } = setup;
    const id = await setup.approved(alex);
    const first = await offered(setup, id);
    clock.advance(PASS_OFFER_MS);
    await service.runDue();
    const failed = (await requests.find(id))!;
    const retried = await requests.compareAndSet({
      id,
      expectedVersion: failed.version,
      to: 'approved',
      at: clock.now(),
      event: {
        requestId: id,
        tenantId: TENANT,
        actor: ken.id,
        at: clock.now(),
        from: 'failed',
        to: 'approved',
        reason: 'sent back',
      },
      review: failed.review,
    });
    expect(retried).toBe(true);

    expect(await service.runDue()).toBe(1);
    const second = courier.callsOf('offer').at(-1)!;
    expect(second.card).not.toEqual(first.card);
    expect(courier.callsOf('withdraw')).toEqual([expect.objectContaining({ card: first.card, why: 'withdrawn' })]);
    expect(await setup.stateOf(id)).toBe('executing');
    // Methods were deleted and sessions revoked the first time; only the offer is made again.
    expect(setup.countOf('deleteAuthenticationMethod')).toBe(2);
    expect(setup.countOf('revokeSignInSessions')).toBe(1);
    expect((await service.issueOnCall(as(isaiah), id)).kind).toBe('issued');
  });
});

describe('pressing "Issue the pass now"', () => {
  it('refuses card data that names no request, and an unknown or another tenant’s request, auditing nothing it cannot place', async () => {
    const setup = setUp();
    const { requests, service } = setup;
    const id = await setup.approved(alex);
    await offered(setup, id);
    const before = requests.allEvents().length;
    for (const tampered of [undefined, 42, '', { id }]) {
      expect(await service.issueOnCall(as(isaiah), tampered)).toEqual({
        kind: 'refused',
        refusal: 'tamperedCard',
        request: undefined,
      });
    }
    expect(await service.issueOnCall(as(isaiah), 'request-404')).toEqual({
      kind: 'refused',
      refusal: 'unknownRequest',
      request: undefined,
    });
    expect(await service.issueOnCall({ tenantId: 'another-tenant', userId: isaiah.id }, id)).toMatchObject({
      refusal: 'unknownRequest',
      request: undefined,
    });
    expect(requests.allEvents()).toHaveLength(before);
  });

  /** Presses as `who`, expecting `refusal` audited on the request and nothing else changed. */
  async function expectRefusedIssue(setup: Setup, id: string, who: { id: string }, refusal: string) {
    const before = await setup.requests.find(id);
    const events = (await setup.requests.eventsOf(id)).length;
    const result = await setup.service.issueOnCall(as(who), id);
    expect(result).toMatchObject({ kind: 'refused', refusal, request: { id } });
    expect(await setup.requests.find(id)).toEqual(before);
    expect((await setup.requests.eventsOf(id)).slice(events)).toEqual([
      {
        requestId: id,
        tenantId: TENANT,
        actor: who.id,
        at: setup.clock.now(),
        from: before?.state,
        to: 'refused',
        reason: `refused pass issue: ${refusal}`,
      },
    ]);
  }

  it('refuses, and audits, a press by anyone but the person it was offered to, or before any offer', async () => {
    const setup = setUp();
    const id = await setup.approved(alex);
    await expectRefusedIssue(setup, id, isaiah, 'notYours');
    await offered(setup, id);
    await expectRefusedIssue(setup, id, ken, 'notYours');
    await expectRefusedIssue(setup, id, alex, 'notYours');
    expect(await setup.kindsOf(alex)).toEqual([]);
  });

  it('refuses, and audits, a second press once the pass is issued, without making another', async () => {
    const setup = setUp();
    const id = await setup.approved(alex);
    await offered(setup, id);
    const issued = await setup.service.issueOnCall(as(isaiah), id);
    await expectRefusedIssue(setup, id, isaiah, 'alreadyIssued');
    expect(setup.countOf('createTemporaryAccessPass')).toBe(1);
    expect((await setup.directory.getAuthenticationMethods(alex.id)).map((method) => method.id)).toContain(
      issued.kind === 'issued' ? issued.pass.id : 'none',
    );
  });

  it('refuses, and audits, a press once the request no longer waits for the pass', async () => {
    const setup = setUp();
    const id = await setup.approved(alex);
    await offered(setup, id);
    setup.clock.advance(PASS_OFFER_MS);
    await setup.service.runDue();
    expect(await setup.stateOf(id)).toBe('failed');
    await expectRefusedIssue(setup, id, isaiah, 'notWaiting');
  });

  it('refuses, and audits, a press after the offer ran out, before the worker has closed it', async () => {
    const setup = setUp();
    const id = await setup.approved(alex);
    await offered(setup, id);
    setup.clock.advance(PASS_OFFER_MS);
    await expectRefusedIssue(setup, id, isaiah, 'offerExpired');
    expect(
      (await setup.directory.getAuthenticationMethods(alex.id)).filter(
        (method) => method.kind === 'temporaryAccessPass',
      ),
    ).toEqual([]);
  });

  it('deletes a pass nobody will see when the job moved to another worker while Graph made it', async () => {
    const setup = setUp();
    const id = await setup.approved(alex);
    await offered(setup, id);
    setup.setDuring((operation) => {
      if (operation !== 'createTemporaryAccessPass') return;
      setup.setDuring(undefined);
      // This press was too slow: its lease ran out, and another worker took the job.
      setup.clock.advance(LEASE_MS + 1);
      const now = setup.clock.now();
      void setup.jobs.take(id, 'worker-2', now, new Date(now.getTime() + LEASE_MS));
    });
    expect(await setup.service.issueOnCall(as(isaiah), id)).toMatchObject({ kind: 'refused', refusal: 'busy' });
    expect(
      (await setup.directory.getAuthenticationMethods(alex.id)).filter(
        (method) => method.kind === 'temporaryAccessPass',
      ),
    ).toEqual([]);
  });

  it('refuses, and audits, a press while a worker or another press holds the job', async () => {
    const setup = setUp();
    const id = await setup.approved(alex);
    await offered(setup, id);
    const now = setup.clock.now();
    await setup.jobs.take(id, 'worker-2', now, new Date(now.getTime() + LEASE_MS));
    await expectRefusedIssue(setup, id, isaiah, 'busy');
    expect(setup.countOf('createTemporaryAccessPass')).toBe(0);
    // Once that lease has run out, the press works.
    setup.clock.advance(LEASE_MS);
    expect((await setup.service.issueOnCall(as(isaiah), id)).kind).toBe('issued');
  });

  it('refuses, and audits, a press whose job another worker took while Graph made the pass', async () => {
    const setup = setUp();
    const { clock, jobs } = setup;
    const id = await setup.approved(alex);
    await offered(setup, id);
    setup.setDuring((operation) => {
      if (operation !== 'createTemporaryAccessPass') return;
      const later = new Date(clock.now().getTime() + LEASE_MS);
      void jobs.take(id, 'worker-2', later, new Date(later.getTime() + LEASE_MS));
    });
    await expectRefusedIssue(setup, id, isaiah, 'busy');
    expect(await setup.stateOf(id)).toBe('executing');
    expect(jobs.inspect(id)?.progress.delivered).toBeUndefined();
  });

  it('keeps the card when Graph cannot make the pass, and pressing again makes it', async () => {
    const setup = setUp();
    const { clock, jobs, courier, service } = setup;
    const id = await setup.approved(alex);
    const offer = await offered(setup, id);
    const offeredAt = clock.now();
    clock.advance(MINUTE_MS);
    setup.fail('createTemporaryAccessPass', new ServiceUnavailableError());

    const result = await service.issueOnCall(as(isaiah), id);
    expect(result).toMatchObject({
      kind: 'failed',
      request: { id, state: 'executing' },
      code: 'serviceNotAvailable',
      handover: { kind: 'agent', userId: isaiah.id },
    });
    expect((await setup.reasons(id)).at(-1)).toBe(
      'the pass could not be created (serviceNotAvailable); it can be issued again',
    );
    // Still parked until the offer runs out, no longer held, the card untouched.
    expect(jobs.inspect(id)).toMatchObject({ leaseOwner: undefined, lastError: { code: 'serviceNotAvailable' } });
    expect(jobs.inspect(id)?.nextAttemptAt).toEqual(new Date(offeredAt.getTime() + PASS_OFFER_MS));
    expect(courier.callsOf('withdraw')).toEqual([]);
    expect(await setup.kindsOf(alex)).toEqual([]);

    const again = await service.issueOnCall(as(isaiah), id);
    expect(again).toMatchObject({ kind: 'issued', request: { state: 'completed' } });
    expect(jobs.inspect(id)?.progress.passCard).toEqual(offer.card);
  });
});

describe('carrying out an approved reset, the pass sent to the subject (PASS_DELIVERY=subject)', () => {
  it('makes the pass and delivers it to the subject’s chat, completing the request', async () => {
    const setup = setUp({ passDelivery: 'subject' });
    const { jobs, courier, notifier, service } = setup;
    const id = await setup.approved(alex);
    expect(await service.runDue()).toBe(1);

    expect(await setup.stateOf(id)).toBe('completed');
    const [delivery] = courier.callsOf('deliver');
    expect(delivery).toMatchObject({ request: { id }, replacesEarlier: false, card: { userId: alex.id } });
    expect(courier.callsOf('offer')).toEqual([]);
    expect(await setup.kindsOf(alex)).toEqual(['temporaryAccessPass']);
    expect((await setup.reasons(id)).slice(-2)).toEqual([
      `temporary access pass created (${LIFETIME} min) and delivered to the subject`,
      'reset completed; pass delivered to the subject',
    ]);
    expect(notifier.kinds()).toEqual(['executionStarted', 'completed']);
    expect(notifier.announced.at(-1)?.news).toEqual({ kind: 'completed', passTo: 'subject' });
    expect(jobs.inspect(id)).toMatchObject({
      status: 'followUp',
      progress: { delivered: { to: 'subject' }, passCard: delivery!.card, pass: { id: delivery!.pass.id } },
    });
    expect(JSON.stringify([jobs.inspect(id), setup.requests.allEvents()])).not.toContain(delivery!.pass.value);
  });

  it('deletes the pass and offers it to the verifier instead when the subject has no chat', async () => {
    const setup = setUp({ passDelivery: 'subject' });
    const { courier, service } = setup;
    courier.withoutChat.add(alex.id);
    const id = await setup.approved(alex);
    expect(await service.runDue()).toBe(1);

    expect(courier.callsOf('deliver')).toEqual([expect.objectContaining({ card: undefined })]);
    expect(await setup.kindsOf(alex)).toEqual([]);
    expect((await setup.reasons(id)).slice(-2)).toEqual([
      'the subject has no chat to receive the pass; it was deleted',
      'the agent who verified the subject was offered to issue the pass',
    ]);
    expect(setup.jobs.inspect(id)?.progress.pass).toBeUndefined();
    expect(await setup.stateOf(id)).toBe('executing');

    const issued = await service.issueOnCall(as(isaiah), id);
    expect(issued).toMatchObject({ kind: 'issued', handover: { kind: 'agent' } });
    expect(await setup.kindsOf(alex)).toEqual(['temporaryAccessPass']);
  });
});

describe('failures while carrying out a reset', () => {
  it('backs off exponentially with jitter on a transient failure, and continues where it stopped', async () => {
    const setup = setUp();
    const { clock, jobs, service, jitter } = setup;
    const id = await setup.approved(alex);
    setup.fail('revokeSignInSessions', new ServiceUnavailableError(), new ServiceUnavailableError());
    const start = clock.now();

    expect(await service.runDue()).toBe(1);
    // 2 s for the first retry, half of it fixed and half jittered (0.5 here).
    expect(jobs.inspect(id)).toMatchObject({
      attempts: 1,
      leaseOwner: undefined,
      lastError: { step: 'revoke sessions', status: 503, code: 'serviceNotAvailable' },
    });
    expect(jobs.inspect(id)?.nextAttemptAt).toEqual(new Date(start.getTime() + 1_500));
    expect((await setup.reasons(id)).at(-1)).toBe(
      'attempt 1 failed at "revoke sessions" (serviceNotAvailable); retrying',
    );
    expect(await setup.stateOf(id)).toBe('executing');

    clock.advance(1_499);
    expect(await service.runDue()).toBe(0);
    clock.advance(1);
    jitter.value = 1;
    expect(await service.runDue()).toBe(1);
    // The second retry waits 4 s at most.
    expect(jobs.inspect(id)?.attempts).toBe(2);
    expect(jobs.inspect(id)?.nextAttemptAt).toEqual(new Date(clock.now().getTime() + 4_000));

    clock.advance(4_000);
    expect(await service.runDue()).toBe(1);
    expect(await setup.stateOf(id)).toBe('executing');
    expect(setup.courier.callsOf('offer')).toHaveLength(1);
    // The methods were deleted once; the work before the failing step was not repeated.
    expect(setup.countOf('getAuthenticationMethods')).toBe(1);
    expect(setup.countOf('deleteAuthenticationMethod')).toBe(2);
    expect(setup.notifier.kinds().filter((kind) => kind === 'executionStarted')).toHaveLength(1);
  });

  it('waits at least as long as Graph’s Retry-After when throttled', async () => {
    const setup = setUp();
    const id = await setup.approved(alex);
    setup.fail('getAuthenticationMethods', new ThrottledError(30));
    const start = setup.clock.now();
    await setup.service.runDue();
    expect(setup.jobs.inspect(id)).toMatchObject({ attempts: 1, lastError: { status: 429, code: 'TooManyRequests' } });
    expect(setup.jobs.inspect(id)?.nextAttemptAt).toEqual(new Date(start.getTime() + 30_000));
  });

  it('needs attention after the last attempt, recording the step and Graph’s answer, never reporting success', async () => {
    const setup = setUp();
    const { clock, jobs, notifier, service } = setup;
    const id = await setup.approved(alex);
    setup.fail('getAuthenticationMethods', ...[1, 2, 3].map(() => new ServiceUnavailableError()));
    for (let attempt = 1; attempt <= 3; attempt += 1) {
      expect(await service.runDue()).toBe(1);
      clock.advance(MINUTE_MS);
    }
    expect(await setup.stateOf(id)).toBe('failed');
    expect((await setup.reasons(id)).slice(1)).toEqual([
      'attempt 1 failed at "read methods" (serviceNotAvailable); retrying',
      'attempt 2 failed at "read methods" (serviceNotAvailable); retrying',
      'needs attention: "read methods" failed after 3 attempt(s): 503 serviceNotAvailable',
    ]);
    expect(jobs.inspect(id)).toMatchObject({ status: 'failed', lastError: { step: 'read methods', status: 503 } });
    expect(notifier.kinds()).toEqual(['executionStarted', 'failed']);
    expect(notifier.announced.at(-1)?.news).toEqual({
      kind: 'failed',
      step: 'read methods',
      code: 'serviceNotAvailable',
    });
    expect(await service.runDue()).toBe(0);
  });

  it('needs attention at once when Graph refuses for good: 403 for an administrator, 400 for a default method', async () => {
    const forbidden = setUp();
    const admin = await forbidden.approved(lynne);
    expect(await forbidden.service.runDue()).toBe(1);
    expect(await forbidden.stateOf(admin)).toBe('failed');
    expect((await forbidden.reasons(admin)).at(-1)).toBe(
      'needs attention: "delete methods" failed after 1 attempt(s): 403 Authorization_RequestDenied',
    );

    const refused = setUp();
    const id = await refused.approved(alex);
    refused.fail('deleteAuthenticationMethod', new CannotDeleteDefaultMethodError());
    expect(await refused.service.runDue()).toBe(1);
    expect(await refused.stateOf(id)).toBe('failed');
    expect((await refused.reasons(id)).at(-1)).toBe(
      'needs attention: "delete methods" failed after 1 attempt(s): 400 badRequest',
    );
    expect(refused.jobs.inspect(id)).toMatchObject({
      status: 'failed',
      attempts: 0,
      lastError: { step: 'delete methods', status: 400 },
    });
  });

  it('counts a method that is already gone as deleted', async () => {
    const setup = setUp();
    const id = await setup.approved(alex);
    setup.fail('deleteAuthenticationMethod', new MethodNotFoundError('gone'));
    expect(await setup.service.runDue()).toBe(1);
    expect(await setup.stateOf(id)).toBe('executing');
    expect(setup.jobs.inspect(id)?.progress.deleted).toHaveLength(2);
  });

  it('stops without acting again when another worker took the job over, which carries on from the saved steps', async () => {
    const setup = setUp();
    const { clock, jobs, requests, service } = setup;
    const id = await setup.approved(alex);
    // The worker is slow: while it revokes sessions its lease runs out and worker-2 takes the job.
    setup.setDuring((operation) => {
      if (operation !== 'revokeSignInSessions') return;
      setup.setDuring(undefined);
      clock.advance(LEASE_MS);
      void jobs.lease('worker-2', clock.now(), new Date(clock.now().getTime() + LEASE_MS), 10);
    });
    expect(await service.runDue()).toBe(1);
    expect(jobs.inspect(id)?.leaseOwner).toBe('worker-2');
    expect(await setup.stateOf(id)).toBe('executing');
    const reasons = await setup.reasons(id);
    expect(reasons.filter((reason) => /failed|needs attention|revoked/.test(reason))).toEqual([]);
    expect(setup.courier.calls).toEqual([]);

    // Worker-2 dies too; a third worker takes the expired lease over and finishes from the saved plan.
    clock.advance(LEASE_MS);
    expect(await setup.worker('worker-3').runDue()).toBe(1);
    expect(setup.countOf('getAuthenticationMethods')).toBe(1);
    expect(setup.countOf('deleteAuthenticationMethod')).toBe(2);
    expect(setup.courier.callsOf('offer')).toHaveLength(1);
    expect(
      (await requests.eventsOf(id)).filter((event) => event.to === 'executing' && event.from === 'approved'),
    ).toHaveLength(1);
  });

  it('does nothing for a request cancelled before its job ran', async () => {
    const setup = setUp();
    const { clock, requests } = setup;
    const id = await setup.approved(alex);
    const at = clock.now();
    const event: AuditEvent = {
      requestId: id,
      tenantId: TENANT,
      actor: alex.id,
      at,
      from: 'approved',
      to: 'cancelled',
      reason: 'cancelled',
    };
    expect(await requests.compareAndSet({ id, expectedVersion: 3, to: 'cancelled', at, event })).toBe(true);
    expect(await setup.service.runDue()).toBe(1);
    expect(setup.jobs.inspect(id)?.status).toBe('done');
    expect(await setup.stateOf(id)).toBe('cancelled');
    expect(setup.countOf('deleteAuthenticationMethod')).toBe(0);
    expect(setup.notifier.announced).toEqual([]);
  });

  it('retries a recovery check the directory could not answer, and gives up after the last attempt', async () => {
    const setup = setUp();
    const { clock, jobs, service } = setup;
    const id = await setup.approved(alex);
    await offered(setup, id);
    await service.issueOnCall(as(isaiah), id);
    clock.advance(PASS_CHECK_MS);
    setup.fail('getAuthenticationMethods', ...[1, 2, 3].map(() => new ServiceUnavailableError()));
    expect(await service.runDue()).toBe(1);
    expect(jobs.inspect(id)).toMatchObject({ status: 'followUp', attempts: 1 });
    expect(jobs.inspect(id)?.nextAttemptAt).toEqual(new Date(clock.now().getTime() + 15 * MINUTE_MS));
    clock.advance(15 * MINUTE_MS);
    await service.runDue();
    clock.advance(15 * MINUTE_MS);
    await service.runDue();
    expect(jobs.inspect(id)?.status).toBe('done');
    expect((await setup.reasons(id)).at(-1)).toBe('recovery check gave up: serviceNotAvailable');
  });
});

describe('several due resets', () => {
  it('carries them out side by side: the second is read before the first read has answered', async () => {
    const setup = setUp();
    const { directory } = setup;
    const first = await setup.approved(alex);
    const second = await setup.approved(diego);
    // Each read of methods waits until both have been asked (or two seconds, when they run one after another).
    const seen: string[] = [];
    let bothAsked!: () => void;
    const together = new Promise<void>((resolve) => (bothAsked = resolve));
    const read = directory.getAuthenticationMethods.bind(directory);
    directory.getAuthenticationMethods = async (userId) => {
      seen.push(`asked ${userId}`);
      if (seen.length === 2) bothAsked();
      await Promise.race([together, new Promise((resolve) => setTimeout(resolve, 2_000))]);
      seen.push(`answered ${userId}`);
      return read(userId);
    };

    expect(await setup.service.runDue()).toBe(2);
    expect(seen.slice(0, 2).sort()).toEqual([`asked ${alex.id}`, `asked ${diego.id}`].sort());
    expect([await setup.stateOf(first), await setup.stateOf(second)]).toEqual(['executing', 'executing']);
    expect(
      setup.courier
        .callsOf('offer')
        .map((offer) => offer.request.id)
        .sort(),
    ).toEqual([first, second].sort());
  });

  it('reports a job that failed unexpectedly after the others have run', async () => {
    const setup = setUp();
    const first = await setup.approved(alex);
    const second = await setup.approved(diego);
    const broken = new Error('the store went away');
    const find = setup.requests.find.bind(setup.requests);
    setup.requests.find = async (id) => (id === first ? Promise.reject(broken) : find(id));

    await expect(setup.service.runDue()).rejects.toBe(broken);
    expect(await setup.stateOf(second)).toBe('executing');
  });
});

describe('the hourly cap', () => {
  it('pauses executions past the cap, tells the channel once, and starts them when the hour has passed', async () => {
    const setup = setUp({ hourlyCap: 1 });
    const { clock, jobs, notifier, service } = setup;
    const first = await setup.approved(alex);
    const second = await setup.approved(diego);
    const start = clock.now();

    expect(await service.runDue()).toBe(2);
    expect(await setup.stateOf(first)).toBe('executing');
    expect(await setup.stateOf(second)).toBe('approved');
    expect(jobs.inspect(second)).toMatchObject({ attempts: 0, lastError: { step: 'start', code: 'hourlyCap' } });
    expect(jobs.inspect(second)?.nextAttemptAt).toEqual(new Date(start.getTime() + 5 * MINUTE_MS));
    const paused = notifier.announced.filter(({ news }) => news.kind === 'executionPaused');
    expect(paused).toEqual([
      { request: expect.objectContaining({ id: second }), news: { kind: 'executionPaused', cap: 1 } },
    ]);

    // Still within the hour: paused again, without telling anyone twice.
    clock.advance(5 * MINUTE_MS);
    expect(await service.runDue()).toBe(1);
    expect(await setup.stateOf(second)).toBe('approved');
    expect(notifier.kinds().filter((kind) => kind === 'executionPaused')).toHaveLength(1);

    clock.set(new Date(start.getTime() + 60 * MINUTE_MS + 1));
    expect(await service.runDue()).toBe(1);
    expect(await setup.stateOf(second)).toBe('executing');
  });
});
