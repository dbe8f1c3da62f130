import type { MaskedMethod } from '../diagnosis/mask.js';
import type { AuthMethodKind } from '../ports.js';
import type { QueueGroup } from './queue.js';
import type { AuditEvent, ResetRequest, RequestState, Review } from './request.js';
import type { TallyRow } from './statistics.js';
import type { Audience } from './timeline.js';

/** Limits checked in the same transaction that stores a new request, so racing submissions cannot pass both. */
export interface SubmissionLimits {
  /** Requests one filer may file since `since`. */
  dailyCap: number;
  since: Date;
}

/** What storing a new request did. */
export type CreateResult =
  | { kind: 'created'; request: ResetRequest }
  | { kind: 'subjectHasOpenRequest'; existing: ResetRequest }
  | { kind: 'filerCapReached'; filed: number };

/** The tenant-wide cap on resets started in an hour, checked in the transaction that starts one. */
export interface ExecutionCap {
  limit: number;
  /** Starts since then count. */
  since: Date;
}

/** What starting an execution did: started, refused at the cap, or the request moved on. */
export type ExecutionStart = 'started' | 'capped' | 'stale';

/** One change of a stored request (RequestRepository.compareAndSet). */
export interface RequestChange {
  id: string;
  /** The version the caller read; the change is refused when the stored one differs. */
  expectedVersion: number;
  /** The state after the change: the stored one when only the review changes. */
  to: RequestState;
  at: Date;
  event: AuditEvent;
  /** The review after the change; the stored review stays when absent. */
  review?: Review;
}

/** A request as first stored: everything but what the store assigns. */
export type RequestDraft = Omit<ResetRequest, 'reference' | 'version'>;

/** Outcome of checking the audit trail's hash chain. */
export type AuditVerification =
  { ok: true; events: number } | { ok: false; events: number; brokenAt: number; problem: string };

/** The newest event of the audit trail, as an anchor publishes it: its sequence, hash and signing key. */
export interface AuditHead {
  sequence: number;
  hash: string;
  /** The audit key's id; undefined for an event written before the trail was keyed. */
  keyId: string | undefined;
}

/** Why an anchor was published: the daily job, or an agent or lead who asked in the approval channel. */
export type AnchorTrigger = 'daily' | 'asked';

/** A head published in a tenant's approval channel and the log ('' as tenant: the log alone). */
export interface PublishedAnchor extends AuditHead {
  tenantId: string;
  at: Date;
  trigger: AnchorTrigger;
  /** Who asked, for an anchor asked for. */
  requestedBy: string | undefined;
}

/**
 * The audit trail beyond the events request changes append (RequestRepository): the anchors that
 * publish its head where the database's owner cannot rewrite it, and the retention of personal data.
 */
export interface AuditTrailRepository {
  /** The newest event, or undefined while the trail is empty. */
  head(): Promise<AuditHead | undefined>;
  /**
   * Records `anchor` as published and answers true. With `since` (the daily anchor) it records nothing and
   * answers false when the tenant has an anchor from `since` on (another instance took today's) or the trail
   * has not moved since the tenant's last one. The check and the insert are one transaction, serialised per
   * tenant, so instances racing for the day's anchor take it once between them.
   */
  takeAnchor(anchor: PublishedAnchor, since?: Date): Promise<boolean>;
  /** Tenants that chose an approval channel with `set approval channel`. */
  tenantsWithChannel(): Promise<string[]>;
  /**
   * Removes the contact details and notes of up to `limit` requests that finished (completed, rejected,
   * cancelled, expired) before `before`, each in one transaction with an audit event that records the
   * digest of what is left; returns how many. The trail's hashes cover digests, so it still verifies.
   */
  purgePersonalData(before: Date, at: Date, limit: number): Promise<number>;
}

/**
 * Requests and their audit trail. Every change is one atomic compare-and-set on (id, version)
 * together with one appended audit event; the trail is hash-chained so edits are detectable.
 * Every change also moves the statistics' counters (statistics.ts: tallyFiled, tallyTransition)
 * and keeps `pendingSince` (pendingSinceAfter) in that same transaction.
 */
export interface RequestRepository {
  /**
   * Stores a new request and its first audit event, and counts it in the statistics, in one
   * transaction that also checks that the subject has no open request and that the filer is under
   * the daily cap: the checks count what is stored in that same transaction, so submissions racing
   * on several instances never pass both. Assigns the reference and version 1. A refusal writes nothing.
   */
  create(draft: RequestDraft, event: AuditEvent, limits: SubmissionLimits): Promise<CreateResult>;
  /**
   * Moves the request from `expectedVersion` to `to` (version + 1), replacing its review when one
   * is given, and appends `event`, in one transaction. `to` may be the stored state when only the
   * review changes. False, with nothing written, when the stored version is not `expectedVersion`
   * or the move is not allowed from the stored state. The stored event's request, from and to
   * are taken from what actually happened, never from the caller's event.
   *
   * The outbox: when `to` is `approved`, the same transaction writes the request's execution job
   * (ExecutionJobRepository), due at `at`, or makes an earlier job pending again with its progress
   * kept (a retry after a failure), so an approval and its job land together or not at all.
   */
  compareAndSet(change: RequestChange): Promise<boolean>;
  /**
   * Starts carrying out an approved request within the tenant's hourly cap: counts the tenant's
   * requests that went from approved to executing since `cap.since` and, below `cap.limit`, moves
   * this one from approved (at `expectedVersion`) to executing with `event`, all in one
   * transaction, so that workers on several instances never start more than the cap between them.
   * `capped` and `stale` (no longer approved at that version) write nothing.
   */
  startExecution(
    id: string,
    expectedVersion: number,
    at: Date,
    event: AuditEvent,
    cap: ExecutionCap,
  ): Promise<ExecutionStart>;
  /**
   * Appends an event without changing a request (refusals are audited too). Like every event, it is
   * chained to the one before it under a lock on the trail's head, so that writers on several
   * instances never fork the chain.
   */
  appendEvent(event: AuditEvent): Promise<void>;
  find(id: string): Promise<ResetRequest | undefined>;
  findByReference(tenantId: string, reference: string): Promise<ResetRequest | undefined>;
  /** The subject's requests, newest first. */
  listBySubject(tenantId: string, subjectId: string, limit: number): Promise<ResetRequest[]>;
  /** Requests a person is the subject of or filed, newest first. */
  listForPerson(tenantId: string, userId: string, limit: number): Promise<ResetRequest[]>;
  /** Requests about any of these subjects (a manager's direct reports), newest first. */
  listBySubjects(tenantId: string, subjectIds: readonly string[], limit: number): Promise<ResetRequest[]>;
  /** The tenant's open requests by queue group (queue.ts): how many each holds and the oldest `perGroup` of them. */
  queue(tenantId: string, perGroup: number): Promise<Record<QueueGroup, { count: number; oldest: ResetRequest[] }>>;
  /** Requests in `states` whose last change was before `before`, oldest change first (for expiry). */
  listUnchangedSince(states: readonly RequestState[], before: Date, limit: number): Promise<ResetRequest[]>;
  /** How many of the subject's requests reached `completed` since `since`. */
  countCompletedSince(tenantId: string, subjectId: string, since: Date): Promise<number>;
  /** The audit events of one request, oldest first. */
  eventsOf(requestId: string): Promise<AuditEvent[]>;
  /** Re-computes the hash chain over every event. */
  verifyAuditChain(): Promise<AuditVerification>;
}

/** The channel of a tenant's helpdesk team where requests are decided. */
export interface ApprovalChannel {
  tenantId: string;
  teamId: string;
  channelId: string;
  /** The Bot Connector endpoint of the tenant's region, from the activity that set the channel. */
  serviceUrl: string;
  /** The language the channel's cards are written in. */
  locale: string;
  setBy: string;
  setAt: Date;
  /** Set when posting failed because the bot is no longer in the team; cleared when it works again. */
  unavailableSince: Date | undefined;
}

/** A request's card in the approval channel: enough to update it for everyone. */
export interface ChannelPost {
  requestId: string;
  tenantId: string;
  channelId: string;
  conversationId: string;
  messageId: string;
  serviceUrl: string;
  postedAt: Date;
}

/**
 * Where approval channels and their posted cards are kept. A new card is posted under a claim: several
 * instances (the one that files a request announces it, any other's backlog job finds it unposted) may each
 * read that a request has no card, and only the one holding the claim posts it.
 */
export interface ApprovalChannelRepository {
  find(tenantId: string): Promise<ApprovalChannel | undefined>;
  /** Sets (or replaces) the tenant's channel; it counts as available. */
  save(channel: ApprovalChannel): Promise<void>;
  markUnavailable(tenantId: string, since: Date): Promise<void>;
  findPost(requestId: string): Promise<ChannelPost | undefined>;
  /**
   * Records that `owner` is posting the request's card to `channelId` until `until`, atomically: of instances
   * claiming at once, one gets it. True when nobody held the claim, `owner` held it already (a retry of its own;
   * the lease is renewed), or the holder's lease had run out by `now` (its instance died or gave up); false while
   * another owner's lease runs. Saving the post ends the claim.
   */
  claimPost(requestId: string, channelId: string, owner: string, now: Date, until: Date): Promise<boolean>;
  /** Stores the request's card (replacing any earlier one) and ends the claim on posting it to its channel. */
  savePost(post: ChannelPost): Promise<void>;
  /** Ids of the tenant's requests in `states` that have no card in `channelId` yet, oldest first. */
  unposted(tenantId: string, channelId: string, states: readonly RequestState[], limit: number): Promise<string[]>;
  /** Tenants with a request in `states` that was never posted anywhere. */
  tenantsWithUnposted(states: readonly RequestState[]): Promise<string[]>;
  /** The posted cards of these requests (those that have one). */
  findPosts(requestIds: readonly string[]): Promise<ChannelPost[]>;
}

/**
 * The steps of an execution done so far, recorded after each one so that a retry or a restart
 * continues where it stopped. It never holds a pass value.
 */
export interface ExecutionProgress {
  /**
   * The methods to delete, in the order Graph accepts, chosen when the methods were first read;
   * each with how it was shown (masked), so that cards can name it once it is gone.
   */
  plan?: Array<{ id: string; kind: AuthMethodKind; shown?: MaskedMethod }>;
  /** Ids of the methods the person kept then, so that a method registered later can be told apart. */
  kept?: string[];
  /** Ids of planned methods that are gone (deleted now, or already gone). */
  deleted?: string[];
  sessionsRevoked?: boolean;
  /**
   * The pass is to be issued on the verified contact: who was offered the "Issue the pass now"
   * card, when, and where that card is.
   */
  handover?: { to: HandoverRecipient; userId: string; offeredAt: string; card: PassCardRef | undefined };
  /** The pass made for delivery: its id and lifetime, never its value. */
  pass?: { id: string; createdAt: string; lifetimeInMinutes: number };
  /** Where the pass went. */
  delivered?: { to: PassRecipient; at: string };
  /** The message that shows the pass, to withdraw once the pass is used or has expired. */
  passCard?: PassCardRef;
  /** Why that message no longer shows the pass, once it has been withdrawn. */
  passCardClosed?: PassCardClosing;
  /** After the pass expired: whether the person had registered a new method by then. */
  recovered?: boolean;
}

/**
 * Who receives the pass: the subject in their 1:1 chat, or the person who checked who they are
 * (the verifying agent, or the manager who confirmed them), who gives it on the verified contact.
 */
export type PassRecipient = 'subject' | HandoverRecipient;

/** Who issues the pass on the verified contact. */
export type HandoverRecipient = 'agent' | 'manager';

/** A message in a person's 1:1 chat with the bot. */
export interface PassCardRef {
  userId: string;
  activityId: string;
}

/** Why a card that showed a pass no longer does. */
export type PassCardClosing = 'used' | 'recovered' | 'expired' | 'withdrawn';

/** Why the last attempt failed, as shown to agents: the step, and Graph's status, code and request id. */
export interface ExecutionError {
  step: string;
  status: number | undefined;
  code: string;
  message: string;
  graphRequestId: string | undefined;
}

/** An approved request's execution, leased to one worker at a time. */
export interface ExecutionJob {
  requestId: string;
  tenantId: string;
  /** `pending`: the reset is to be carried out; `followUp`: done, the recovery check is due once the pass expired. */
  status: 'pending' | 'followUp';
  attempts: number;
  progress: ExecutionProgress;
  lastError: ExecutionError | undefined;
}

/**
 * The execution outbox. A job is written in the transaction of its approval (RequestRepository.compareAndSet),
 * never on its own. Every change after that is made by the worker that holds the job's lease, and does nothing
 * once the lease is another's.
 */
export interface ExecutionJobRepository {
  /**
   * Leases up to `limit` jobs that are due at `now` to `owner` until `until`, atomically: workers on
   * several instances leasing at the same moment never get the same job. A job leased by a worker
   * whose lease has not run out is left alone; an expired lease (the worker died) is taken over.
   */
  lease(owner: string, now: Date, until: Date, limit: number): Promise<ExecutionJob[]>;
  /** Records progress and extends the lease; false when the lease is no longer `owner`'s. */
  saveProgress(requestId: string, owner: string, progress: ExecutionProgress, leaseUntil: Date): Promise<boolean>;
  /** Gives the job back to run again at `at`, counting `attempts`. */
  retryLater(
    requestId: string,
    owner: string,
    at: Date,
    attempts: number,
    error: ExecutionError | undefined,
  ): Promise<void>;
  /** The job is over: done, or failed (the request needs attention). */
  finish(requestId: string, owner: string, status: 'done' | 'failed', error?: ExecutionError): Promise<void>;
  /** The reset is done; the recovery check is due at `at`. */
  followUpAt(requestId: string, owner: string, at: Date): Promise<void>;
  /**
   * Leases one job now, out of turn (a person pressed a button for it), if it is still to be
   * carried out and no worker holds it; the job, or undefined.
   */
  take(requestId: string, owner: string, now: Date, until: Date): Promise<ExecutionJob | undefined>;
  find(requestId: string): Promise<ExecutionJob | undefined>;
}

/** The statistics' counters, kept by the request and diagnosis repositories as things change. */
export interface StatisticsRepository {
  /**
   * The tenant's counters from day `from` to day `to` (UTC, `YYYY-MM-DD`, both included): each
   * counter summed over the days (day ''), and day by day for `filed` and `reached`.
   */
  tallies(tenantId: string, from: string, to: string): Promise<{ totals: TallyRow[]; daily: TallyRow[] }>;
}

/** How someone came to see a request that is not theirs. */
export type ViewRoute = 'status' | 'team' | 'queue' | 'diagnosis' | 'oldCard';

/** One look at someone else's request (or diagnosis): who, which, when and as whom. */
export interface RecordView {
  tenantId: string;
  /** A request's id, or a diagnosis's id for `diagnosis`. */
  recordId: string;
  viewerId: string;
  audience: Audience;
  route: ViewRoute;
  at: Date;
}

/** The record of who looked at whose request; append-only. */
export interface ViewLog {
  /** Appends the views, all in one transaction. */
  record(views: readonly RecordView[]): Promise<void>;
  /** The views of one record, oldest first. */
  viewsOf(recordId: string): Promise<RecordView[]>;
}

/**
 * What the metrics read from the store when they are scraped; each answer comes from an index and
 * stays cheap however many requests are stored.
 */
export interface OperationsReadings {
  /** How many requests are in each open state (finished ones are counted by `stats`, not here). */
  openRequestsByState(): Promise<Record<string, number>>;
  /** Since when the request that has waited longest for review has waited, if any waits. */
  oldestPendingReviewSince(): Promise<Date | undefined>;
  /**
   * Executions started since `since` by the tenant that started most (the hourly cap is per tenant),
   * counted as the cap counts them (RequestRepository.startExecution).
   */
  mostExecutionsStartedSince(since: Date): Promise<number>;
}

/** The two notices a request that waits too long for review gets: the channel, then the leads. */
export type OverdueNotice = 'reminder' | 'escalation';

/**
 * Which overdue notices went out. Taking a notice is atomic, so among instances and restarts one
 * sender holds it at a time; it is marked sent after it went out, so only a sender that dies between
 * sending and marking (its lease then runs out) can make it go out twice.
 */
export interface OverdueNoticeRepository {
  /**
   * Requests in pending_review since before `before` with no `kind` notice sent or being sent at `now`
   * (a taking whose lease ran out counts as not being sent), longest waiting first.
   */
  due(kind: OverdueNotice, before: Date, now: Date, limit: number): Promise<ResetRequest[]>;
  /** Takes the notice for `owner` until `until`; false when it was sent or another owner holds it. */
  take(requestId: string, kind: OverdueNotice, owner: string, now: Date, until: Date): Promise<boolean>;
  /** The notice went out; it is never due again. */
  markSent(requestId: string, kind: OverdueNotice, owner: string, at: Date): Promise<void>;
}
