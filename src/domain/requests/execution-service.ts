import { maskMethod } from '../diagnosis/mask.js';
import { directoryFailure, isTransientFailure } from '../directory-failure.js';
import type { AuthMethod, Clock, CreatedTemporaryAccessPass, Directory } from '../ports.js';
import type {
  ExecutionError,
  ExecutionJob,
  ExecutionJobRepository,
  ExecutionProgress,
  HandoverRecipient,
  PassCardClosing,
  PassCardRef,
  RequestRepository,
} from './ports.js';
import {
  pendingSinceAfter,
  type AuditEvent,
  type RequestState,
  type ResetRequest,
  type VerificationMethod,
} from './request.js';
import { SYSTEM_ACTOR, type Actor, type RequestNotifier } from './review-service.js';

/** How approved resets are carried out; configured once. */
export interface ExecutionPolicy {
  passLifetimeMinutes: number;
  passUsableOnce: boolean;
  /**
   * `verifier`: the person who checked who the subject is (the manager who confirmed them, else
   * the verifying agent) gets an "Issue the pass now" card and issues the pass on that contact, so
   * it is made, and starts to run, on the call; `subject`: straight to the subject's 1:1 chat (a
   * lost phone may still show it), offered to the verifier when the subject has no chat.
   */
  passDelivery: 'verifier' | 'subject';
  /** Attempts before a request is left for agents as "needs attention". */
  maxAttempts: number;
  /** Executions a tenant may start in an hour; more wait, and the channel is told. */
  hourlyCap: number;
}

/** Who issues the pass on the verified contact. */
export interface Handover {
  kind: HandoverRecipient;
  userId: string;
  /** How they checked who the subject is; the cards' wording follows it. */
  verification: VerificationMethod;
}

/**
 * Hands passes over privately, one person's 1:1 chat at a time, and keeps the cards that showed
 * them honest. Each returns where its card is, or undefined when the person has no chat with the bot.
 */
export interface PassCourier {
  /** Sends the pass to the subject's own chat. */
  deliver(
    request: ResetRequest,
    pass: CreatedTemporaryAccessPass,
    /** An earlier pass for this request may have been sent before a crash; this one replaces it. */
    replacesEarlier: boolean,
  ): Promise<PassCardRef | undefined>;
  /** Offers the person who checked the subject's identity an "Issue the pass now" card; no pass in it. */
  offer(request: ResetRequest, handover: Handover, lifetimeInMinutes: number): Promise<PassCardRef | undefined>;
  /** Replaces a card that showed or offered a pass by one that says why it no longer does. */
  withdraw(request: ResetRequest, card: PassCardRef, why: PassCardClosing): Promise<void>;
}

/** What pressing "Issue the pass now" did. */
export type IssueResult =
  | {
      kind: 'issued';
      request: ResetRequest;
      /** Shown once, to the person who pressed; kept nowhere. */
      pass: CreatedTemporaryAccessPass;
      handover: Handover;
    }
  | { kind: 'refused'; refusal: IssueRefusal; request: ResetRequest | undefined }
  /** Graph could not make the pass now; the card stays, and pressing again tries again. */
  | { kind: 'failed'; request: ResetRequest; code: string; handover: Handover };

/** Why "Issue the pass now" did nothing; each refusal on a known request is audited. */
export type IssueRefusal =
  | 'tamperedCard'
  | 'unknownRequest'
  | 'notYours'
  | 'alreadyIssued'
  | 'busy'
  | 'notWaiting'
  /** Pressed after the offer's day was up. */
  | 'offerExpired';

export interface ExecutionServiceOptions {
  repository: RequestRepository;
  jobs: ExecutionJobRepository;
  directory: Directory;
  courier: PassCourier;
  notifier: RequestNotifier;
  clock: Clock;
  policy: ExecutionPolicy;
  /** This worker's name on the leases it holds. */
  owner: string;
  leaseMs: number;
  /** 0..1, for the jitter of retry delays (Math.random in production). */
  random: () => number;
  /** Told of each start and of how each run of a reset's steps ended (the metrics count them). */
  observe?: (event: ExecutionEvent) => void;
}

/** A reset started, or how one run of its steps ended. */
export type ExecutionEvent =
  | 'started'
  | 'completed'
  | 'passOffered'
  | 'retrying'
  | 'needsAttention'
  | 'pausedByCap'
  /** Another worker took the job over and carries on. */
  | 'leaseLost';

/** A failure that no retry can fix; the request goes straight to "needs attention". */
class PermanentFailure extends Error {
  constructor(readonly detail: ExecutionError) {
    super(detail.message);
  }
}

const HOUR_MS = 3_600_000;
/** How long an "Issue the pass now" card waits to be pressed before the request needs attention. */
export const PASS_OFFER_MS = 24 * HOUR_MS;
/** While a pass can be used, how often the person's methods are read to tell it is used or no longer needed. */
export const PASS_CHECK_MS = 5 * 60_000;
const BASE_DELAY_MS = 2_000;
const MAX_DELAY_MS = 300_000;

/**
 * Carries out approved resets, each step once: read the subject's methods and plan the deletions
 * (a default phone last), delete them, revoke sign-in sessions, create a short single-use pass and
 * hand it privately to the subject or the verifying agent, then complete the request. Progress is
 * saved after every step, so a retry or another worker continues where the last one stopped. The
 * pass's value lives only in memory between its creation and its delivery.
 */
export class ExecutionService {
  constructor(private readonly options: ExecutionServiceOptions) {}

  /**
   * Leases the due jobs and runs them side by side (a wave of lost phones is not served one reset at a time); how
   * many it ran. The store counts each start against the hourly cap in the transaction that records it, so no
   * number of workers passes the cap.
   */
  async runDue(limit = 10): Promise<number> {
    const { jobs, owner, clock, leaseMs } = this.options;
    const now = clock.now();
    const leased = await jobs.lease(owner, now, new Date(now.getTime() + leaseMs), limit);
    const runs = await Promise.allSettled(leased.map((job) => this.run(job)));
    const failed = runs.find((run) => run.status === 'rejected');
    if (failed) throw failed.reason;
    return leased.length;
  }

  private async run(job: ExecutionJob): Promise<void> {
    if (job.status === 'followUp') return this.followUp(job);
    const { repository, jobs, owner } = this.options;
    let request = await repository.find(job.requestId);
    if (!request || (request.state !== 'approved' && request.state !== 'executing')) {
      // Cancelled (or otherwise moved on) before it ran: nothing to carry out.
      await jobs.finish(job.requestId, owner, 'done');
      return;
    }
    // Approved now, or again after "needs attention": an earlier offer of the pass no longer stands.
    const startedNow = request.state === 'approved';
    if (startedNow) {
      const started = await this.start(request);
      if (started === 'capped') return this.pause(job, request);
      if (!started) return;
      request = started;
      this.options.notifier.announce(request, { kind: 'executionStarted' });
      this.options.observe?.('started');
    }
    const progress: ExecutionProgress = { ...job.progress };
    let step = 'read methods';
    try {
      step = 'read methods';
      if (!progress.plan) {
        const methods = await this.options.directory.getAuthenticationMethods(subjectOf(request));
        progress.plan = planDeletions(request, methods);
        // What the person keeps, so that the follow-up can tell a method registered later from these.
        const planned = new Set(progress.plan.map((method) => method.id));
        progress.kept = methods.filter((method) => !planned.has(method.id)).map((method) => method.id);
        await this.save(request, progress);
      }
      step = 'delete methods';
      await this.deletePlanned(request, progress);
      step = 'revoke sessions';
      if (!progress.sessionsRevoked) {
        await this.options.directory.revokeSignInSessions(subjectOf(request));
        progress.sessionsRevoked = true;
        await this.save(request, progress);
        await this.record(request, 'sign-in sessions revoked');
      }
      step = 'issue pass';
      if (!progress.delivered) {
        const delivered =
          this.options.policy.passDelivery === 'subject' && !progress.handover
            ? await this.deliverToSubject(request, progress)
            : false;
        if (!delivered) return await this.offerHandover(job, request, progress, startedNow);
      }
    } catch (error) {
      // Another worker holds the job now and carries on from the saved progress.
      if (error instanceof LeaseLostError) return this.options.observe?.('leaseLost');
      return this.failAttempt(job, request, step, error);
    }
    await this.complete(request, progress);
  }

  /**
   * Someone pressed "Issue the pass now": only the person it was offered to, once, while the
   * request waits for it. The pass is made now, so its lifetime starts on the call, and it is
   * returned to be shown to them alone; the request is then done.
   */
  async issueOnCall(actor: Actor, requestId: unknown): Promise<IssueResult> {
    const { repository, jobs, directory, policy, clock, owner, leaseMs } = this.options;
    if (typeof requestId !== 'string' || requestId === '') {
      return { kind: 'refused', refusal: 'tamperedCard', request: undefined };
    }
    const found = await repository.find(requestId);
    if (!found || found.tenantId !== actor.tenantId)
      return { kind: 'refused', refusal: 'unknownRequest', request: undefined };
    const request = found;
    const refuse = async (refusal: IssueRefusal): Promise<IssueResult> => {
      await repository.appendEvent({
        ...this.event(request, 'refused', `refused pass issue: ${refusal}`),
        actor: actor.userId,
      });
      return { kind: 'refused', refusal, request };
    };
    const job = await jobs.find(request.id);
    const handover = job?.progress.handover;
    if (!handover || handover.userId !== actor.userId) return refuse('notYours');
    if (job.progress.delivered || request.state === 'completed') return refuse('alreadyIssued');
    if (request.state !== 'executing') return refuse('notWaiting');
    const now = clock.now();
    const offerEnds = new Date(Date.parse(handover.offeredAt) + PASS_OFFER_MS);
    // Past its time the offer is the worker's to close (needs attention), whatever the card still shows.
    if (now >= offerEnds) return refuse('offerExpired');
    const taken = await jobs.take(request.id, owner, now, new Date(now.getTime() + leaseMs));
    // A worker holds it, or another press is making the pass.
    if (!taken) return refuse('busy');
    if (taken.progress.delivered || taken.progress.handover?.userId !== actor.userId) {
      // Offered again to someone else meanwhile: give the job back as it was.
      await jobs.retryLater(request.id, owner, offerEnds, taken.attempts, taken.lastError);
      return refuse('busy');
    }
    const progress: ExecutionProgress = { ...taken.progress };
    const replacesEarlier = progress.pass !== undefined;
    let pass: CreatedTemporaryAccessPass;
    try {
      pass = await directory.createTemporaryAccessPass(subjectOf(request), {
        lifetimeInMinutes: policy.passLifetimeMinutes,
        isUsableOnce: policy.passUsableOnce,
      });
    } catch (error) {
      const detail = describe('issue pass', error);
      await jobs.retryLater(request.id, owner, offerEnds, taken.attempts, detail);
      await this.record(
        request,
        `the pass could not be created (${detail.code}); it can be issued again`,
        detail.graphRequestId,
      );
      return {
        kind: 'failed',
        request,
        code: detail.code,
        handover: { kind: handover.to, userId: handover.userId, verification: verificationOf(request) },
      };
    }
    progress.pass = {
      id: pass.id,
      createdAt: pass.startDateTime.toISOString(),
      lifetimeInMinutes: pass.lifetimeInMinutes,
    };
    progress.delivered = { to: handover.to, at: clock.now().toISOString() };
    progress.passCard = handover.card;
    try {
      await this.save(request, progress);
    } catch {
      // The lease moved on while Graph made the pass: another press or worker has it now, and
      // this pass, which nobody will see, must not stay usable.
      await directory
        .deleteAuthenticationMethod(subjectOf(request), { id: pass.id, kind: 'temporaryAccessPass' })
        .catch(() => undefined);
      return refuse('busy');
    }
    await repository.appendEvent({
      ...this.event(
        request,
        request.state,
        `temporary access pass created (${pass.lifetimeInMinutes} min) and issued by the ${handover.to} on the verified contact` +
          (replacesEarlier ? '; it replaces an earlier one' : ''),
      ),
      actor: actor.userId,
    });
    const done = await this.complete(request, progress);
    return {
      kind: 'issued',
      request: done ?? request,
      pass,
      handover: { kind: handover.to, userId: handover.userId, verification: verificationOf(request) },
    };
  }

  /** The pass is delivered: the request is done, and its card is watched until the pass is used or runs out. */
  private async complete(request: ResetRequest, progress: ExecutionProgress): Promise<ResetRequest | undefined> {
    const { jobs, owner, clock } = this.options;
    const to = progress.delivered!.to;
    const done = await this.move(request, 'completed', `reset completed; pass delivered to the ${to}`);
    await jobs.followUpAt(request.id, owner, nextCheck(progress, clock.now()));
    if (done) this.options.notifier.announce(done, { kind: 'completed', passTo: to });
    this.options.observe?.('completed');
    return done;
  }

  /**
   * While the pass can be used, and once it has run out: a method the person did not have when
   * the reset started means they are back in. The card that showed the pass stops showing it as
   * soon as the pass is used, no longer needed or expired. Once it has expired without a new
   * method, the person is reminded and the channel is told. A directory failure is tried again later.
   */
  private async followUp(job: ExecutionJob): Promise<void> {
    const { repository, jobs, owner, directory, clock, policy, courier } = this.options;
    const request = await repository.find(job.requestId);
    if (!request || request.state !== 'completed') {
      await jobs.finish(job.requestId, owner, 'done');
      return;
    }
    let methods: AuthMethod[];
    try {
      methods = await directory.getAuthenticationMethods(subjectOf(request));
    } catch (error) {
      const attempts = job.attempts + 1;
      if (attempts >= policy.maxAttempts) {
        await this.record(request, `recovery check gave up: ${describe('check recovery', error).code}`);
        await jobs.finish(job.requestId, owner, 'done');
      } else {
        const at = new Date(clock.now().getTime() + 15 * 60_000);
        await jobs.retryLater(job.requestId, owner, at, attempts, describe('check recovery', error));
      }
      return;
    }
    const progress: ExecutionProgress = { ...job.progress };
    const now = clock.now();
    const known = new Set([...(progress.kept ?? []), ...(progress.deleted ?? [])]);
    const recovered = methods.some(
      (method) => method.kind !== 'password' && method.kind !== 'temporaryAccessPass' && !known.has(method.id),
    );
    const expired = now >= passEndsOf(progress, now);
    const passId = progress.pass?.id;
    const passUsable = methods.some((method) => method.id === passId && method.isUsable !== false);
    if (progress.passCard && !progress.passCardClosed && (recovered || expired || !passUsable)) {
      const why: PassCardClosing = recovered ? 'recovered' : expired ? 'expired' : 'used';
      // The card is a courtesy; the pass itself works or not whatever happens to it.
      await courier.withdraw(request, progress.passCard, why).catch(() => undefined);
      progress.passCardClosed = why;
    }
    if (!recovered && !expired) {
      await this.save(request, progress);
      await jobs.followUpAt(job.requestId, owner, nextCheck(progress, now));
      return;
    }
    await this.save(request, { ...progress, recovered });
    await this.record(
      request,
      recovered ? 'recovered: a new method is registered' : 'not recovered: no new method once the pass expired',
    );
    await jobs.finish(job.requestId, owner, 'done');
    this.options.notifier.announce(request, { kind: recovered ? 'recovered' : 'notRecovered' });
  }

  /** Deletes each planned method still there; one already gone counts as deleted. */
  private async deletePlanned(request: ResetRequest, progress: ExecutionProgress): Promise<void> {
    const deleted = new Set(progress.deleted ?? []);
    for (const method of progress.plan ?? []) {
      if (deleted.has(method.id)) continue;
      try {
        await this.options.directory.deleteAuthenticationMethod(subjectOf(request), method);
      } catch (error) {
        const failure = directoryFailure(error);
        // Gone already (an earlier attempt deleted it, or the person did): that is what this step wants.
        if (failure?.status !== 404 || failure.code !== METHOD_NOT_FOUND) {
          // Graph keeps a default phone while the person has methods the application did not list.
          if (failure?.status === 400) throw new PermanentFailure(describe('delete methods', error));
          throw error;
        }
      }
      deleted.add(method.id);
      progress.deleted = [...deleted];
      await this.save(request, progress);
      await this.record(request, `deleted ${method.kind} method ${method.id}`);
    }
  }

  /**
   * Creates the pass and sends it to the subject's own chat. A pass created by an attempt that
   * stopped before delivery is replaced by the new one (Graph keeps one per person), so only one
   * pass is ever delivered. False when the subject has no chat (or it failed): the pass is then
   * deleted at once, and the person who verified them is offered to issue one instead.
   */
  private async deliverToSubject(request: ResetRequest, progress: ExecutionProgress): Promise<boolean> {
    const { directory, courier, policy } = this.options;
    const replacesEarlier = progress.pass !== undefined;
    const pass = await directory.createTemporaryAccessPass(subjectOf(request), {
      lifetimeInMinutes: policy.passLifetimeMinutes,
      isUsableOnce: policy.passUsableOnce,
    });
    progress.pass = {
      id: pass.id,
      createdAt: pass.startDateTime.toISOString(),
      lifetimeInMinutes: pass.lifetimeInMinutes,
    };
    await this.save(request, progress);
    // The courier's error could carry the card it tried to send, and with it the pass: not kept.
    const card = await courier.deliver(request, pass, replacesEarlier).catch(() => undefined);
    if (!card) {
      await directory
        .deleteAuthenticationMethod(subjectOf(request), { id: pass.id, kind: 'temporaryAccessPass' })
        .catch(() => undefined);
      progress.pass = undefined;
      await this.save(request, progress);
      await this.record(request, 'the subject has no chat to receive the pass; it was deleted');
      return false;
    }
    progress.delivered = { to: 'subject', at: this.options.clock.now().toISOString() };
    progress.passCard = card;
    await this.save(request, progress);
    await this.record(
      request,
      `temporary access pass created (${pass.lifetimeInMinutes} min) and delivered to the subject`,
    );
    return true;
  }

  /**
   * Offers the person who checked who the subject is (the manager who confirmed them, else the
   * verifying agent) an "Issue the pass now" card, and parks the job until they press it or the
   * offer runs out. A job woken when the offer ran out unpressed needs attention.
   */
  private async offerHandover(
    job: ExecutionJob,
    request: ResetRequest,
    progress: ExecutionProgress,
    startedNow: boolean,
  ): Promise<void> {
    const { jobs, owner, clock, courier, policy } = this.options;
    const earlier = progress.handover;
    if (earlier && !startedNow) {
      const offerEnds = Date.parse(earlier.offeredAt) + PASS_OFFER_MS;
      if (clock.now().getTime() < offerEnds) {
        // Woken early (a worker took the job over): the offer stands.
        await jobs.retryLater(job.requestId, owner, new Date(offerEnds), job.attempts, undefined);
        return;
      }
      if (earlier.card) await courier.withdraw(request, earlier.card, 'withdrawn').catch(() => undefined);
      progress.handover = { ...earlier, card: undefined };
      await this.save(request, progress);
      throw new PermanentFailure({
        step: 'issue pass',
        status: undefined,
        code: 'passNotIssued',
        message: 'Nobody pressed "Issue the pass now" in time.',
        graphRequestId: undefined,
      });
    }
    if (earlier?.card) await courier.withdraw(request, earlier.card, 'withdrawn').catch(() => undefined);
    const verification = verificationOf(request);
    for (const candidate of handoverCandidates(request)) {
      const card = await courier.offer(request, { ...candidate, verification }, policy.passLifetimeMinutes);
      if (!card) continue;
      const offeredAt = clock.now();
      progress.handover = { to: candidate.kind, userId: candidate.userId, offeredAt: offeredAt.toISOString(), card };
      await this.save(request, progress);
      await this.record(request, `the ${candidate.kind} who verified the subject was offered to issue the pass`);
      await jobs.retryLater(
        job.requestId,
        owner,
        new Date(offeredAt.getTime() + PASS_OFFER_MS),
        job.attempts,
        undefined,
      );
      this.options.notifier.announce(request, { kind: 'passOffered', to: candidate.kind });
      this.options.observe?.('passOffered');
      return;
    }
    throw new PermanentFailure({
      step: 'issue pass',
      status: undefined,
      code: 'passUndeliverable',
      message: 'Nobody who verified the subject has a chat with the bot to issue the pass in.',
      graphRequestId: undefined,
    });
  }

  private async failAttempt(job: ExecutionJob, request: ResetRequest, step: string, error: unknown): Promise<void> {
    const { jobs, owner, policy, clock } = this.options;
    const detail = error instanceof PermanentFailure ? error.detail : describe(step, error);
    const attempts = job.attempts + 1;
    const transient = !(error instanceof PermanentFailure) && isTransient(error);
    if (transient && attempts < policy.maxAttempts) {
      const at = new Date(clock.now().getTime() + this.delayMs(attempts, error));
      await jobs.retryLater(job.requestId, owner, at, attempts, detail);
      await this.record(
        request,
        `attempt ${attempts} failed at "${step}" (${detail.code}); retrying`,
        detail.graphRequestId,
      );
      this.options.observe?.('retrying');
      return;
    }
    const failed = await this.move(
      request,
      'failed',
      `needs attention: "${step}" failed after ${attempts} attempt(s): ${detail.status ?? ''} ${detail.code}`.replace(
        /\s+/g,
        ' ',
      ),
      detail.graphRequestId,
    );
    await jobs.finish(job.requestId, owner, 'failed', detail);
    if (failed) this.options.notifier.announce(failed, { kind: 'failed', step: detail.step, code: detail.code });
    this.options.observe?.('needsAttention');
  }

  /** Throttling waits at least Retry-After; other failures back off exponentially, with jitter. */
  private delayMs(attempts: number, error: unknown): number {
    const exponential = Math.min(MAX_DELAY_MS, BASE_DELAY_MS * 2 ** (attempts - 1));
    const jittered = exponential / 2 + this.options.random() * (exponential / 2);
    const retryAfter = (error as { retryAfterSeconds?: unknown }).retryAfterSeconds;
    return typeof retryAfter === 'number' ? Math.max(retryAfter * 1_000, jittered) : jittered;
  }

  /**
   * Moves an approved request to executing unless the tenant started `hourlyCap` resets in the last hour: the
   * request as it is now, `capped`, or undefined when someone else changed it first.
   */
  private async start(request: ResetRequest): Promise<ResetRequest | 'capped' | undefined> {
    const at = this.options.clock.now();
    const cap = { limit: this.options.policy.hourlyCap, since: new Date(at.getTime() - HOUR_MS) };
    const event = this.event(request, 'executing', 'execution started');
    const started = await this.options.repository.startExecution(request.id, request.version, at, event, cap);
    if (started === 'capped') return 'capped';
    if (started === 'stale') return undefined;
    const pendingSince = pendingSinceAfter(request.state, 'executing', at, request.pendingSince);
    return { ...request, state: 'executing', version: request.version + 1, updatedAt: at, pendingSince };
  }

  /** The hourly cap is reached: the job waits a few minutes, and the channel hears about it once. */
  private async pause(job: ExecutionJob, request: ResetRequest): Promise<void> {
    const { jobs, owner, clock, policy } = this.options;
    const alreadyPaused = job.lastError?.code === 'hourlyCap';
    await jobs.retryLater(job.requestId, owner, new Date(clock.now().getTime() + 5 * 60_000), job.attempts, {
      step: 'start',
      status: undefined,
      code: 'hourlyCap',
      message: `The hourly cap of ${policy.hourlyCap} resets is reached.`,
      graphRequestId: undefined,
    });
    if (!alreadyPaused) this.options.notifier.announce(request, { kind: 'executionPaused', cap: policy.hourlyCap });
    this.options.observe?.('pausedByCap');
  }

  private async save(request: ResetRequest, progress: ExecutionProgress): Promise<void> {
    const { jobs, owner, clock, leaseMs } = this.options;
    const held = await jobs.saveProgress(request.id, owner, progress, new Date(clock.now().getTime() + leaseMs));
    // Another worker took the job over (this one was too slow): stop here rather than act twice.
    if (!held) throw new LeaseLostError(request.id);
  }

  private async record(request: ResetRequest, why: string, graphRequestId?: string): Promise<void> {
    await this.options.repository.appendEvent(this.event(request, request.state, why, graphRequestId));
  }

  private async move(
    request: ResetRequest,
    to: RequestState,
    why: string,
    graphRequestId?: string,
  ): Promise<ResetRequest | undefined> {
    const at = this.options.clock.now();
    const ok = await this.options.repository.compareAndSet({
      id: request.id,
      expectedVersion: request.version,
      to,
      at,
      event: this.event(request, to, why, graphRequestId),
    });
    if (!ok) return undefined;
    const pendingSince = pendingSinceAfter(request.state, to, at, request.pendingSince);
    return { ...request, state: to, version: request.version + 1, updatedAt: at, pendingSince };
  }

  private event(request: ResetRequest, to: AuditEvent['to'], why: string, graphRequestId?: string): AuditEvent {
    return {
      requestId: request.id,
      tenantId: request.tenantId,
      actor: SYSTEM_ACTOR,
      at: this.options.clock.now(),
      from: request.state,
      to,
      reason: why,
      ...(graphRequestId ? { graphRequestId } : {}),
    };
  }
}

/** The worker no longer holds the job's lease; another worker carries on. */
export class LeaseLostError extends Error {
  constructor(requestId: string) {
    super(`the execution lease of ${requestId} moved to another worker`);
  }
}

function subjectOf(request: ResetRequest): string {
  return request.application.subjectId;
}

/** How the last approver checked who the subject is. */
function verificationOf(request: ResetRequest): VerificationMethod {
  return request.review.approvals.at(-1)?.verification ?? request.application.verification;
}

/**
 * Who may issue the pass, in order: the manager when identity was confirmed through them, then
 * the agent who verified the subject.
 */
export function handoverCandidates(request: ResetRequest): Array<{ kind: HandoverRecipient; userId: string }> {
  const approval = request.review.approvals.at(-1);
  const manager = request.review.manager;
  const byManager =
    approval?.verification === 'managerConfirmation' && manager?.status === 'confirmed'
      ? [{ kind: 'manager' as const, userId: manager.managerId }]
      : [];
  return [...byManager, ...(approval ? [{ kind: 'agent' as const, userId: approval.agentId }] : [])];
}

/** When the pass stops working (now, when there is none). */
function passEndsOf(progress: ExecutionProgress, now: Date): Date {
  const pass = progress.pass;
  return pass ? new Date(Date.parse(pass.createdAt) + pass.lifetimeInMinutes * 60_000) : now;
}

/** The next look at the person's methods: every few minutes while the pass can be used, and when it ends. */
function nextCheck(progress: ExecutionProgress, now: Date): Date {
  const ends = passEndsOf(progress, now);
  const soon = new Date(now.getTime() + PASS_CHECK_MS);
  return progress.passCard && !progress.passCardClosed && soon < ends ? soon : ends;
}

/**
 * The methods to delete: the ones the application says are lost, still registered, never the
 * password; phones before other kinds are not needed, but a default phone goes last, because
 * Graph refuses to delete it while anything else is registered.
 */
export function planDeletions(
  request: ResetRequest,
  methods: readonly AuthMethod[],
): NonNullable<ExecutionProgress['plan']> {
  const lost = new Set(request.application.lostMethodIds);
  const planned = methods.filter((method) => lost.has(method.id) && method.kind !== 'password');
  const defaultPhoneLast = (method: AuthMethod) => (method.kind === 'phone' && method.isDefault ? 1 : 0);
  return [...planned]
    .sort((a, b) => defaultPhoneLast(a) - defaultPhoneLast(b))
    .map((method) => ({ id: method.id, kind: method.kind, shown: maskMethod(method) }));
}

/** Graph's code for a method that does not exist (directory-errors.ts, MethodNotFoundError). */
const METHOD_NOT_FOUND = 'itemNotFound';

/** Throttling (429), a failing or timed-out service (5xx) and network errors are worth another attempt. */
function isTransient(error: unknown): boolean {
  const failure = directoryFailure(error);
  if (failure) return isTransientFailure(failure);
  return !(error instanceof LeaseLostError);
}

function describe(step: string, error: unknown): ExecutionError {
  const failure = directoryFailure(error);
  if (failure) {
    return {
      step,
      status: failure.status,
      code: failure.code,
      message: failure.message,
      graphRequestId: failure.requestId,
    };
  }
  return {
    step,
    status: undefined,
    code: 'unexpected',
    message: error instanceof Error ? error.message : String(error),
    graphRequestId: undefined,
  };
}
