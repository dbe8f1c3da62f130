import type { Clock, CreatedTemporaryAccessPass } from '../../src/domain/ports.js';
import type { Handover, PassCourier } from '../../src/domain/requests/execution-service.js';
import type {
  AuditVerification,
  CreateResult,
  ExecutionCap,
  ExecutionError,
  ExecutionJob,
  ExecutionJobRepository,
  ExecutionProgress,
  ExecutionStart,
  PassCardClosing,
  PassCardRef,
  RequestChange,
  RequestDraft,
  RequestRepository,
  StatisticsRepository,
  SubmissionLimits,
} from '../../src/domain/requests/ports.js';
import { QUEUE_GROUPS, QUEUE_SECTIONS, type QueueGroup } from '../../src/domain/requests/queue.js';
import {
  OPEN_STATES,
  TRANSITIONS,
  formatReference,
  pendingSinceAfter,
  type AuditEvent,
  type RequestState,
  type ResetRequest,
} from '../../src/domain/requests/request.js';
import type { RequestNews, RequestNotifier } from '../../src/domain/requests/review-service.js';
import { tallyFiled, tallyTransition, type Tally, type TallyRow } from '../../src/domain/requests/statistics.js';
import { GENESIS_HASH, hashEvent, toWellFormed, verifyChain, type ChainedEvent } from '../../src/store/audit-chain.js';

/*
 * The request domain's ports in memory, for unit tests that run in milliseconds. Each behaves as
 * the SQLite repositories do (src/store/sqlite): every method does its work synchronously once
 * called, so a change is as atomic as SQLite's transaction, and what comes back is a copy that a
 * caller cannot change the store through.
 */

/** A clock that stands still until a test moves it. */
export class MovableClock implements Clock {
  private current: number;

  constructor(start: Date | string = '2026-11-24T09:00:00.000Z') {
    this.current = new Date(start).getTime();
  }

  now(): Date {
    return new Date(this.current);
  }

  /** Moves time forward by `ms` (back, when negative). */
  advance(ms: number): Date {
    this.current += ms;
    return this.now();
  }

  set(at: Date | string): void {
    this.current = new Date(at).getTime();
  }
}

/** One audit event with its place in the hash chain, as stored. */
type StoredEvent = ChainedEvent & { at: string };

/** A request as stored: the domain's request plus its sequence (references and "newest first" follow it). */
interface StoredRequest {
  sequence: number;
  request: ResetRequest;
}

/** A job as the store keeps it, including what the port does not show: its status once over, lease and due time. */
export interface StoredJob {
  requestId: string;
  tenantId: string;
  status: 'pending' | 'followUp' | 'done' | 'failed';
  progress: ExecutionProgress;
  attempts: number;
  nextAttemptAt: Date;
  leaseOwner: string | undefined;
  leaseUntil: Date | undefined;
  lastError: ExecutionError | undefined;
}

/**
 * The execution outbox in memory, with the leases of SqliteExecutionJobRepository: a job is
 * leased by one owner until its lease runs out; every later write names the owner and does
 * nothing once the job is another's. Jobs are written by InMemoryRequestRepository with the
 * approval (createInMemoryStore wires the two).
 */
export class InMemoryExecutionJobRepository implements ExecutionJobRepository {
  private readonly jobs = new Map<string, StoredJob>();

  /**
   * Writes the job of a request approved at `at`, or sets it to run again (a retry after "needs
   * attention"): the steps already done are kept, the attempts, lease and error are not.
   */
  enqueue(requestId: string, tenantId: string, at: Date): void {
    const existing = this.jobs.get(requestId);
    this.jobs.set(requestId, {
      requestId,
      tenantId,
      status: 'pending',
      progress: existing?.progress ?? {},
      attempts: 0,
      nextAttemptAt: at,
      leaseOwner: undefined,
      leaseUntil: undefined,
      lastError: undefined,
    });
  }

  async lease(owner: string, now: Date, until: Date, limit: number): Promise<ExecutionJob[]> {
    const due = [...this.jobs.values()]
      .filter(
        (job) =>
          (job.status === 'pending' || job.status === 'followUp') && job.nextAttemptAt <= now && isFree(job, now),
      )
      .sort((a, b) => a.nextAttemptAt.getTime() - b.nextAttemptAt.getTime())
      .slice(0, Math.max(0, limit));
    for (const job of due) Object.assign(job, { leaseOwner: owner, leaseUntil: until });
    return due.map(toJob);
  }

  async saveProgress(
    requestId: string,
    owner: string,
    progress: ExecutionProgress,
    leaseUntil: Date,
  ): Promise<boolean> {
    // As in SQLite, the owner named on the job decides, not whether its lease has run out.
    const job = this.held(requestId, owner, true);
    if (!job) return false;
    job.progress = asStored(progress);
    job.leaseUntil = leaseUntil;
    return true;
  }

  async retryLater(
    requestId: string,
    owner: string,
    at: Date,
    attempts: number,
    error: ExecutionError | undefined,
  ): Promise<void> {
    const job = this.held(requestId, owner, true);
    if (!job) return;
    Object.assign(job, {
      nextAttemptAt: at,
      attempts,
      lastError: error && asStored(error),
      leaseOwner: undefined,
      leaseUntil: undefined,
    });
  }

  async finish(requestId: string, owner: string, status: 'done' | 'failed', error?: ExecutionError): Promise<void> {
    const job = this.held(requestId, owner, false);
    if (!job) return;
    Object.assign(job, { status, lastError: error && asStored(error), leaseOwner: undefined, leaseUntil: undefined });
  }

  async followUpAt(requestId: string, owner: string, at: Date): Promise<void> {
    const job = this.held(requestId, owner, false);
    if (!job) return;
    Object.assign(job, {
      status: 'followUp',
      nextAttemptAt: at,
      attempts: 0,
      lastError: undefined,
      leaseOwner: undefined,
      leaseUntil: undefined,
    });
  }

  async take(requestId: string, owner: string, now: Date, until: Date): Promise<ExecutionJob | undefined> {
    const job = this.jobs.get(requestId);
    if (!job || job.status !== 'pending' || !isFree(job, now)) return undefined;
    Object.assign(job, { leaseOwner: owner, leaseUntil: until });
    return toJob(job);
  }

  async find(requestId: string): Promise<ExecutionJob | undefined> {
    const job = this.jobs.get(requestId);
    return job && toJob(job);
  }

  /** The job as stored, with what the port hides (done or failed, lease, due time); a copy. */
  inspect(requestId: string): StoredJob | undefined {
    const job = this.jobs.get(requestId);
    return job && structuredClone(job);
  }

  /** The job whose lease `owner` holds, for a write that names it; `running`: only while pending or following up. */
  private held(requestId: string, owner: string, running: boolean): StoredJob | undefined {
    const job = this.jobs.get(requestId);
    if (!job || job.leaseOwner !== owner) return undefined;
    if (running && job.status !== 'pending' && job.status !== 'followUp') return undefined;
    return job;
  }
}

/**
 * Requests and their hash-chained audit trail in memory, keeping RequestRepository's contract as
 * SqliteRequestRepository does: the open-request and daily limits checked with the creation,
 * compare-and-set on (id, version) within TRANSITIONS, one audit event per change whose request,
 * from and to are what happened, the execution job written with the approval, the statistics'
 * counters and `pendingSince` moved with every change.
 */
export class InMemoryRequestRepository implements RequestRepository, StatisticsRepository {
  private readonly requests = new Map<string, StoredRequest>();
  private readonly trail: StoredEvent[] = [];
  private readonly counters = new Map<string, TallyRow & { tenantId: string }>();

  /** `outbox` receives the execution job of every approval. */
  constructor(private readonly outbox?: Pick<InMemoryExecutionJobRepository, 'enqueue'>) {}

  async create(draft: RequestDraft, event: AuditEvent, limits: SubmissionLimits): Promise<CreateResult> {
    const { tenantId, filerId } = draft;
    const existing = this.newestFirst().find(
      ({ request }) =>
        request.tenantId === tenantId &&
        request.application.subjectId === draft.application.subjectId &&
        OPEN_STATES.has(request.state),
    );
    if (existing) return { kind: 'subjectHasOpenRequest', existing: structuredClone(existing.request) };
    const filed = [...this.requests.values()].filter(
      ({ request }) =>
        request.tenantId === tenantId && request.filerId === filerId && request.createdAt >= limits.since,
    ).length;
    if (filed >= limits.dailyCap) return { kind: 'filerCapReached', filed };

    const sequence = Math.max(0, ...[...this.requests.values()].map((stored) => stored.sequence)) + 1;
    const request: ResetRequest = {
      ...structuredClone(draft),
      reference: formatReference(sequence),
      version: 1,
      pendingSince: pendingSinceAfter(null, draft.state, draft.createdAt, undefined),
    };
    this.requests.set(request.id, { sequence, request });
    this.tally(tenantId, tallyFiled(draft.createdAt));
    this.append({ ...event, requestId: request.id, tenantId, from: null, to: request.state });
    return { kind: 'created', request: structuredClone(request) };
  }

  async compareAndSet({ id, expectedVersion, to, at, event, review }: RequestChange): Promise<boolean> {
    const stored = this.requests.get(id)?.request;
    if (!stored || stored.version !== expectedVersion) return false;
    // Staying in the same state is a review-only change, never a way round TRANSITIONS.
    const stays = to === stored.state && review !== undefined;
    if (!stays && !TRANSITIONS[stored.state].includes(to)) return false;
    const from = stored.state;
    const newReview = review === undefined ? stored.review : structuredClone(review);
    Object.assign(stored, {
      state: to,
      review: newReview,
      version: stored.version + 1,
      updatedAt: new Date(at),
      pendingSince: pendingSinceAfter(from, to, at, stored.pendingSince),
    });
    this.append({ ...event, requestId: id, tenantId: stored.tenantId, from, to });
    this.tally(
      stored.tenantId,
      tallyTransition({ createdAt: stored.createdAt, from, to, at, actor: event.actor, review: newReview }),
    );
    if (to === 'approved') this.outbox?.enqueue(id, stored.tenantId, at);
    return true;
  }

  async startExecution(
    id: string,
    expectedVersion: number,
    at: Date,
    event: AuditEvent,
    cap: ExecutionCap,
  ): Promise<ExecutionStart> {
    const stored = this.requests.get(id)?.request;
    if (!stored || stored.version !== expectedVersion || stored.state !== 'approved') return 'stale';
    const since = cap.since.toISOString();
    const started = this.trail.filter(
      (row) => row.tenantId === stored.tenantId && row.from === 'approved' && row.to === 'executing' && row.at >= since,
    );
    if (new Set(started.map((row) => row.requestId)).size >= cap.limit) return 'capped';
    return (await this.compareAndSet({ id, expectedVersion, to: 'executing', at, event })) ? 'started' : 'stale';
  }

  async appendEvent(event: AuditEvent): Promise<void> {
    this.append(event);
  }

  async find(id: string): Promise<ResetRequest | undefined> {
    const stored = this.requests.get(id);
    return stored && structuredClone(stored.request);
  }

  async findByReference(tenantId: string, reference: string): Promise<ResetRequest | undefined> {
    return this.select((request) => request.tenantId === tenantId && request.reference === reference, 1)[0];
  }

  async listBySubject(tenantId: string, subjectId: string, limit: number): Promise<ResetRequest[]> {
    return this.select(
      (request) => request.tenantId === tenantId && request.application.subjectId === subjectId,
      limit,
    );
  }

  async listForPerson(tenantId: string, userId: string, limit: number): Promise<ResetRequest[]> {
    return this.select(
      (request) =>
        request.tenantId === tenantId && (request.application.subjectId === userId || request.filerId === userId),
      limit,
    );
  }

  async listBySubjects(tenantId: string, subjectIds: readonly string[], limit: number): Promise<ResetRequest[]> {
    const subjects = new Set(subjectIds);
    return this.select(
      (request) => request.tenantId === tenantId && subjects.has(request.application.subjectId),
      limit,
    );
  }

  async queue(
    tenantId: string,
    perGroup: number,
  ): Promise<Record<QueueGroup, { count: number; oldest: ResetRequest[] }>> {
    const oldestFirst = this.newestFirst()
      .reverse()
      .map(({ request }) => request);
    return Object.fromEntries(
      QUEUE_GROUPS.map((group) => {
        const { states, claimed } = QUEUE_SECTIONS[group];
        const inGroup = oldestFirst.filter(
          (request) =>
            request.tenantId === tenantId &&
            states.includes(request.state) &&
            (claimed === undefined || (request.review.claimedBy !== undefined) === claimed),
        );
        return [group, { count: inGroup.length, oldest: structuredClone(inGroup.slice(0, perGroup)) }];
      }),
    ) as Record<QueueGroup, { count: number; oldest: ResetRequest[] }>;
  }

  async listUnchangedSince(states: readonly RequestState[], before: Date, limit: number): Promise<ResetRequest[]> {
    return structuredClone(
      [...this.requests.values()]
        .map(({ request }) => request)
        .filter((request) => request.updatedAt < before && states.includes(request.state))
        .sort((a, b) => a.updatedAt.getTime() - b.updatedAt.getTime())
        .slice(0, limit),
    );
  }

  async countCompletedSince(tenantId: string, subjectId: string, since: Date): Promise<number> {
    return [...this.requests.values()].filter(
      ({ request }) =>
        request.tenantId === tenantId &&
        request.application.subjectId === subjectId &&
        request.state === 'completed' &&
        request.updatedAt >= since,
    ).length;
  }

  async eventsOf(requestId: string): Promise<AuditEvent[]> {
    return this.trail.filter((event) => event.requestId === requestId).map(toAuditEvent);
  }

  async verifyAuditChain(): Promise<AuditVerification> {
    return verifyChain(this.trail);
  }

  async tallies(tenantId: string, from: string, to: string): Promise<{ totals: TallyRow[]; daily: TallyRow[] }> {
    const rows = [...this.counters.values()].filter(
      (row) => row.tenantId === tenantId && row.day >= from && row.day <= to,
    );
    const totals = new Map<string, TallyRow>();
    for (const row of rows) {
      const key = `${row.metric}\u0000${row.key}`;
      const total = totals.get(key) ?? { day: '', metric: row.metric, key: row.key, count: 0 };
      totals.set(key, { ...total, count: total.count + row.count });
    }
    const daily = rows
      .filter((row) => row.metric === 'filed' || row.metric === 'reached')
      .map(({ day, metric, key, count }) => ({ day, metric, key, count }));
    return { totals: [...totals.values()], daily };
  }

  /** Every event of the trail, oldest first, those of no request (`-`) included. */
  allEvents(): AuditEvent[] {
    return this.trail.map(toAuditEvent);
  }

  /** The stored requests matching `test`, newest first, up to `limit`; copies. */
  private select(test: (request: ResetRequest) => boolean, limit: number): ResetRequest[] {
    return structuredClone(
      this.newestFirst()
        .map(({ request }) => request)
        .filter(test)
        .slice(0, Math.max(0, limit)),
    );
  }

  private newestFirst(): StoredRequest[] {
    return [...this.requests.values()].sort((a, b) => b.sequence - a.sequence);
  }

  /** Hashes and appends one event, in the form SQLite would give it back. */
  private append(event: AuditEvent): void {
    const sequence = this.trail.length + 1;
    const previousHash = this.trail.at(-1)?.hash ?? GENESIS_HASH;
    const stored = {
      requestId: toWellFormed(event.requestId),
      tenantId: toWellFormed(event.tenantId),
      actor: toWellFormed(event.actor),
      at: event.at.toISOString(),
      from: event.from,
      to: event.to,
      reason: toWellFormed(event.reason),
      graphRequestId: event.graphRequestId === undefined ? null : toWellFormed(event.graphRequestId),
    };
    this.trail.push({ ...stored, sequence, previousHash, hash: hashEvent(previousHash, sequence, stored) });
  }

  private tally(tenantId: string, tallies: readonly Tally[]): void {
    for (const { day, metric, key, delta } of tallies) {
      const id = [tenantId, day, metric, key].join('\u0000');
      const row = this.counters.get(id) ?? { tenantId, day, metric, key, count: 0 };
      this.counters.set(id, { ...row, count: row.count + delta });
    }
  }
}

/** The request repository and execution outbox sharing one store, as the SQLite ones share a file. */
export function createInMemoryStore(): { requests: InMemoryRequestRepository; jobs: InMemoryExecutionJobRepository } {
  const jobs = new InMemoryExecutionJobRepository();
  const requests = new InMemoryRequestRepository(jobs);
  return { requests, jobs };
}

/** Remembers every announcement, in order. */
export class RecordingNotifier implements RequestNotifier {
  readonly announced: Array<{ request: ResetRequest; news: RequestNews }> = [];

  announce(request: ResetRequest, news: RequestNews): void {
    this.announced.push({ request: structuredClone(request), news });
  }

  /** The kinds of news announced so far, in order. */
  kinds(): Array<RequestNews['kind']> {
    return this.announced.map(({ news }) => news.kind);
  }
}

/** What a RecordingPassCourier was asked to do, in order. */
export type CourierCall =
  | {
      kind: 'deliver';
      request: ResetRequest;
      pass: CreatedTemporaryAccessPass;
      replacesEarlier: boolean;
      card: PassCardRef | undefined;
    }
  | {
      kind: 'offer';
      request: ResetRequest;
      handover: Handover;
      lifetimeInMinutes: number;
      card: PassCardRef | undefined;
    }
  | { kind: 'withdraw'; request: ResetRequest; card: PassCardRef; why: PassCardClosing };

/**
 * A pass courier that records what it is asked and sends nothing. A person has a chat with the
 * bot unless listed in `withoutChat`; a card is then "sent" and named `card-1`, `card-2`…
 */
export class RecordingPassCourier implements PassCourier {
  readonly calls: CourierCall[] = [];
  /** People with no chat with the bot: nothing can be delivered or offered to them. */
  readonly withoutChat = new Set<string>();
  private cards = 0;

  async deliver(
    request: ResetRequest,
    pass: CreatedTemporaryAccessPass,
    replacesEarlier: boolean,
  ): Promise<PassCardRef | undefined> {
    const card = this.send(request.application.subjectId);
    this.calls.push({ kind: 'deliver', request: structuredClone(request), pass, replacesEarlier, card });
    return card;
  }

  async offer(request: ResetRequest, handover: Handover, lifetimeInMinutes: number): Promise<PassCardRef | undefined> {
    const card = this.send(handover.userId);
    this.calls.push({ kind: 'offer', request: structuredClone(request), handover, lifetimeInMinutes, card });
    return card;
  }

  async withdraw(request: ResetRequest, card: PassCardRef, why: PassCardClosing): Promise<void> {
    this.calls.push({ kind: 'withdraw', request: structuredClone(request), card, why });
  }

  /** The calls of one kind, in order. */
  callsOf<K extends CourierCall['kind']>(kind: K): Array<Extract<CourierCall, { kind: K }>> {
    return this.calls.filter((call): call is Extract<CourierCall, { kind: K }> => call.kind === kind);
  }

  private send(userId: string): PassCardRef | undefined {
    if (this.withoutChat.has(userId)) return undefined;
    this.cards += 1;
    return { userId, activityId: `card-${this.cards}` };
  }
}

function isFree(job: StoredJob, now: Date): boolean {
  return job.leaseUntil === undefined || job.leaseUntil <= now;
}

/** The job as the port shows it: a job that is over reads as pending, as SQLite's does. */
function toJob(job: StoredJob): ExecutionJob {
  return {
    requestId: job.requestId,
    tenantId: job.tenantId,
    status: job.status === 'followUp' ? 'followUp' : 'pending',
    attempts: job.attempts,
    progress: asStored(job.progress),
    lastError: job.lastError && asStored(job.lastError),
  };
}

/** A value as JSON stores it (undefined fields dropped), as the SQLite outbox keeps progress and errors. */
function asStored<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}

function toAuditEvent(event: StoredEvent): AuditEvent {
  return {
    requestId: event.requestId,
    tenantId: event.tenantId,
    actor: event.actor,
    at: new Date(event.at),
    from: event.from as RequestState | null,
    to: event.to as AuditEvent['to'],
    reason: event.reason,
    ...(event.graphRequestId === null || event.graphRequestId === undefined
      ? {}
      : { graphRequestId: event.graphRequestId }),
  };
}
