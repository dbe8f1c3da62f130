import { directoryFailure, isTransientFailure } from '../directory-failure.js';
import type { AuthMethod, Clock, CreatedTemporaryAccessPass, Directory } from '../ports.js';
import type {
  ExecutionError,
  ExecutionJob,
  ExecutionJobRepository,
  ExecutionProgress,
  PassRecipient,
  RequestRepository,
} from './ports.js';
import { pendingSinceAfter, type AuditEvent, type RequestState, type ResetRequest } from './request.js';
import { SYSTEM_ACTOR, type RequestNotifier } from './review-service.js';

/** How approved resets are carried out; configured once. */
export interface ExecutionPolicy {
  passLifetimeMinutes: number;
  passUsableOnce: boolean;
  /** `subject`: to the subject's 1:1 chat when they have one, else the verifying agent; `agent`: always the agent. */
  passDelivery: 'subject' | 'agent';
  /** Attempts before a request is left for agents as "needs attention". */
  maxAttempts: number;
  /** Executions a tenant may start in an hour; more wait, and the channel is told. */
  hourlyCap: number;
}

/** Hands a pass to one person privately; false when there is no private chat to reach them in. */
export interface PassCourier {
  deliver(
    request: ResetRequest,
    pass: CreatedTemporaryAccessPass,
    recipient: { kind: PassRecipient; userId: string },
    /** An earlier pass for this request may have been sent before a crash; this one replaces it. */
    replacesEarlier: boolean,
  ): Promise<boolean>;
}

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
}

/** A failure that no retry can fix; the request goes straight to "needs attention". */
class PermanentFailure extends Error {
  constructor(readonly detail: ExecutionError) {
    super(detail.message);
  }
}

const HOUR_MS = 3_600_000;
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

  /** Leases the due jobs and runs them one after another; how many it ran. */
  async runDue(limit = 10): Promise<number> {
    const { jobs, owner, clock, leaseMs } = this.options;
    const now = clock.now();
    const leased = await jobs.lease(owner, now, new Date(now.getTime() + leaseMs), limit);
    for (const job of leased) await this.run(job);
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
    if (request.state === 'approved') {
      if (await this.overHourlyCap(request)) return this.pause(job, request);
      request = await this.move(request, 'executing', 'execution started');
      if (!request) return;
      this.options.notifier.announce(request, { kind: 'executionStarted' });
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
      if (!progress.delivered) await this.issuePass(request, progress);
    } catch (error) {
      // Another worker holds the job now and carries on from the saved progress.
      if (error instanceof LeaseLostError) return;
      return this.failAttempt(job, request, step, error);
    }
    const done = await this.move(
      request,
      'completed',
      `reset completed; pass delivered to the ${progress.delivered!.to}`,
    );
    // Once the pass has run out, check that the person set up a new method.
    const passEnds = progress.pass
      ? new Date(Date.parse(progress.pass.createdAt) + progress.pass.lifetimeInMinutes * 60_000)
      : this.options.clock.now();
    await jobs.followUpAt(job.requestId, owner, passEnds);
    if (done) this.options.notifier.announce(done, { kind: 'completed', passTo: progress.delivered!.to });
  }

  /**
   * After the pass expired: a method the person did not have when the reset started means they
   * are back in; otherwise they are reminded and the channel is told. A directory failure is
   * tried again later, a few times.
   */
  private async followUp(job: ExecutionJob): Promise<void> {
    const { repository, jobs, owner, directory, clock, policy } = this.options;
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
    const known = new Set([...(job.progress.kept ?? []), ...(job.progress.deleted ?? [])]);
    const recovered = methods.some(
      (method) => method.kind !== 'password' && method.kind !== 'temporaryAccessPass' && !known.has(method.id),
    );
    await this.save(request, { ...job.progress, recovered });
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
   * Creates the pass and hands it over. A pass created by an attempt that stopped before delivery
   * is replaced by the new one (Graph keeps one per person), so only one pass is ever delivered.
   * If delivery fails, the new pass is deleted at once.
   */
  private async issuePass(request: ResetRequest, progress: ExecutionProgress): Promise<void> {
    const { directory, courier, policy } = this.options;
    const recipients = this.recipientsOf(request);
    // A pass made by an attempt that stopped before recording its delivery may have reached someone;
    // the new one replaces it in Graph, and its message says so.
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
    let deliveredTo: PassRecipient | undefined;
    try {
      for (const recipient of recipients) {
        if (await courier.deliver(request, pass, recipient, replacesEarlier)) {
          deliveredTo = recipient.kind;
          break;
        }
      }
    } catch {
      // The courier's error could carry the card it tried to send, and with it the pass: not kept.
      deliveredTo = undefined;
    }
    if (!deliveredTo) {
      await directory
        .deleteAuthenticationMethod(subjectOf(request), { id: pass.id, kind: 'temporaryAccessPass' })
        .catch(() => undefined);
      throw new PermanentFailure({
        step: 'deliver pass',
        status: undefined,
        code: 'passUndeliverable',
        message: 'The pass could not be delivered privately, so it was deleted.',
        graphRequestId: undefined,
      });
    }
    progress.delivered = { to: deliveredTo, at: this.options.clock.now().toISOString() };
    await this.save(request, progress);
    await this.record(
      request,
      `temporary access pass created (${pass.lifetimeInMinutes} min) and delivered to the ${deliveredTo}`,
    );
  }

  /** Who may receive the pass, in order: the subject (when policy allows), then the agent who verified them. */
  private recipientsOf(request: ResetRequest): Array<{ kind: PassRecipient; userId: string }> {
    const verifier = request.review.approvals.at(-1)?.agentId;
    const agent = verifier ? [{ kind: 'agent' as const, userId: verifier }] : [];
    return this.options.policy.passDelivery === 'subject'
      ? [{ kind: 'subject', userId: subjectOf(request) }, ...agent]
      : agent;
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
  }

  /** Throttling waits at least Retry-After; other failures back off exponentially, with jitter. */
  private delayMs(attempts: number, error: unknown): number {
    const exponential = Math.min(MAX_DELAY_MS, BASE_DELAY_MS * 2 ** (attempts - 1));
    const jittered = exponential / 2 + this.options.random() * (exponential / 2);
    const retryAfter = (error as { retryAfterSeconds?: unknown }).retryAfterSeconds;
    return typeof retryAfter === 'number' ? Math.max(retryAfter * 1_000, jittered) : jittered;
  }

  private async overHourlyCap(request: ResetRequest): Promise<boolean> {
    const since = new Date(this.options.clock.now().getTime() - HOUR_MS);
    return (await this.options.jobs.countStartedSince(request.tenantId, since)) >= this.options.policy.hourlyCap;
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
    const ok = await this.options.repository.compareAndSet(
      request.id,
      request.version,
      to,
      at,
      this.event(request, to, why, graphRequestId),
    );
    if (!ok) return undefined;
    const pendingSince = pendingSinceAfter(request.state, to, at, request.pendingSince);
    return { ...request, state: to, version: request.version + 1, updatedAt: at, pendingSince };
  }

  private event(request: ResetRequest, to: RequestState, why: string, graphRequestId?: string): AuditEvent {
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
    .map((method) => ({ id: method.id, kind: method.kind }));
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
