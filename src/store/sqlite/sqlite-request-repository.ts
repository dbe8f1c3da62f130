import type {
  AuditVerification,
  CreateResult,
  ExecutionCap,
  ExecutionStart,
  RequestChange,
  RequestDraft,
  RequestRepository,
  SubmissionLimits,
} from '../../domain/requests/ports.js';
import { QUEUE_GROUPS, QUEUE_SECTIONS, type QueueGroup } from '../../domain/requests/queue.js';
import { tallyFiled, tallyTransition } from '../../domain/requests/statistics.js';
import {
  OPEN_STATES,
  TRANSITIONS,
  formatReference,
  pendingSinceAfter,
  type AuditEvent,
  type RequestState,
  type ResetRequest,
} from '../../domain/requests/request.js';
import type { AuditKeyRing } from '../audit-chain.js';
import { localAuditKeys } from '../audit-keys.js';
import type { PersonalRecord } from '../personal-data.js';
import { parseApplication, parseReview } from '../request-json.js';
import { SqliteAuditTrail, type EventRow } from './sqlite-audit-trail.js';
import { groupCommitFor } from './group-commit.js';
import type Database from 'better-sqlite3';
import type { SqliteDatabase } from './open-database.js';
import { tallyWriterFor, type TallyWriter } from './sqlite-statistics-repository.js';

export interface RequestRow {
  id: string;
  reference: string;
  sequence: number;
  tenant_id: string;
  filer_id: string;
  subject_id: string;
  state: RequestState;
  version: number;
  application: string;
  review: string;
  claimed_by: string | null;
  pending_since: string | null;
  created_at: string;
  updated_at: string;
}

/** An event's own fields, without its place in the chain. */
type EventFields = Omit<EventRow, 'sequence' | 'previous_hash' | 'hash'>;

const OPEN_STATE_LIST = [...OPEN_STATES];

/**
 * How many of a tenant's requests started executing since a time: what the hourly cap counts, from the starts the
 * trail recorded (request_events_by_tenant_transition answers it). Parameters: tenant id, ISO time.
 */
export const STARTS_SINCE_SQL = `SELECT COUNT(DISTINCT request_id) FROM request_events
  WHERE tenant_id = ? AND to_state = 'executing' AND from_state = 'approved' AND at >= ?`;

/**
 * Reset requests in the `requests` table and their audit trail in `request_events`. Every write
 * runs in its own savepoint of a group commit, whose transaction is IMMEDIATE: better-sqlite3 is
 * synchronous, so callers in this process cannot interleave inside it, and taking the write lock
 * up front serialises other processes on the same file too (a deferred transaction would read,
 * then fail to upgrade under contention).
 */
export class SqliteRequestRepository implements RequestRepository {
  private readonly selectOne;
  private readonly selectByReference;
  private readonly selectOpenForSubject;
  private readonly countFiledSince;
  private readonly selectNextSequence;
  private readonly insertRequest;
  private readonly updateStateAndReview;
  private readonly selectUnchangedSince;
  private readonly countCompleted;
  private readonly countStartedSince;
  private readonly selectBySubject;
  private readonly selectForPerson;
  private readonly selectBySubjects;
  private readonly countQueue;
  private readonly selectQueueGroup: Record<QueueGroup, Database.Statement<[string, number], RequestRow>>;
  private readonly writeTallies: TallyWriter;
  private readonly trail: SqliteAuditTrail;
  private readonly selectEventsOf;
  private readonly createTransaction;
  private readonly compareAndSetTransaction;
  private readonly startTransaction;
  private readonly appendTransaction;
  private readonly enqueueExecution;

  /**
   * `keys` sign the audit trail (AUDIT_KEY; earlier keys in the ring only verify). Without them, the
   * local-mode key file beside the database file is used (created when missing): the bot passes its keys.
   */
  constructor(
    private readonly db: SqliteDatabase,
    keys: AuditKeyRing = localAuditKeys(db.name),
  ) {
    this.trail = new SqliteAuditTrail(db, keys);
    this.selectOne = db.prepare<[string], RequestRow>('SELECT * FROM requests WHERE id = ?');
    this.selectByReference = db.prepare<[string, string], RequestRow>(
      'SELECT * FROM requests WHERE tenant_id = ? AND reference = ?',
    );
    this.selectOpenForSubject = db.prepare<[string, string, ...string[]], RequestRow>(
      `SELECT * FROM requests WHERE tenant_id = ? AND subject_id = ?
         AND state IN (${OPEN_STATE_LIST.map(() => '?').join(', ')})
       ORDER BY sequence DESC LIMIT 1`,
    );
    this.countFiledSince = db
      .prepare<[string, string, string], number>(
        'SELECT COUNT(*) FROM requests WHERE tenant_id = ? AND filer_id = ? AND created_at >= ?',
      )
      .pluck();
    this.selectNextSequence = db.prepare<[], number>('SELECT COALESCE(MAX(sequence), 0) + 1 FROM requests').pluck();
    this.insertRequest = db.prepare<[RequestRow]>(
      `INSERT INTO requests (id, reference, sequence, tenant_id, filer_id, subject_id, state, version, application,
                             review, claimed_by, pending_since, created_at, updated_at)
       VALUES (@id, @reference, @sequence, @tenant_id, @filer_id, @subject_id, @state, @version, @application,
               @review, @claimed_by, @pending_since, @created_at, @updated_at)`,
    );
    this.updateStateAndReview = db.prepare<
      [RequestState, string, string | null, string | null, string, string, number]
    >(
      `UPDATE requests SET state = ?, review = ?, claimed_by = ?, pending_since = ?, version = version + 1,
         updated_at = ? WHERE id = ? AND version = ?`,
    );
    this.selectUnchangedSince = db.prepare<[string, string, number], RequestRow>(
      `SELECT * FROM requests WHERE updated_at < ? AND state IN (SELECT value FROM json_each(?))
       ORDER BY updated_at LIMIT ?`,
    );
    this.countCompleted = db
      .prepare<[string, string, string], number>(
        `SELECT COUNT(*) FROM requests
          WHERE tenant_id = ? AND subject_id = ? AND state = 'completed' AND updated_at >= ?`,
      )
      .pluck();
    this.countStartedSince = db.prepare<[string, string], number>(STARTS_SINCE_SQL).pluck();
    this.selectBySubject = db.prepare<[string, string, number], RequestRow>(
      'SELECT * FROM requests WHERE tenant_id = ? AND subject_id = ? ORDER BY sequence DESC LIMIT ?',
    );
    this.selectForPerson = db.prepare<[string, string, string, number], RequestRow>(
      `SELECT * FROM requests WHERE tenant_id = ? AND (subject_id = ? OR filer_id = ?)
       ORDER BY sequence DESC LIMIT ?`,
    );
    // The newest few are picked from the (tenant, subject, sequence) index alone; only those rows are read.
    this.selectBySubjects = db.prepare<[string, string, number], RequestRow>(
      `SELECT * FROM requests WHERE rowid IN (
         SELECT rowid FROM requests WHERE tenant_id = ? AND subject_id IN (SELECT value FROM json_each(?))
          ORDER BY sequence DESC LIMIT ?)
       ORDER BY sequence DESC`,
    );
    const inList = (states: readonly string[]) => states.map((state) => `'${state}'`).join(', ');
    this.countQueue = db.prepare<[string], { state: RequestState; claimed: number; count: number }>(
      `SELECT state, claimed_by IS NOT NULL AS claimed, COUNT(*) AS count FROM requests
        WHERE tenant_id = ? AND state IN (${inList(OPEN_STATE_LIST)}) GROUP BY state, claimed`,
    );
    // One statement per section, its states spelled out so that the (tenant, state, sequence) index serves it.
    this.selectQueueGroup = Object.fromEntries(
      QUEUE_GROUPS.map((group) => {
        const { states, claimed } = QUEUE_SECTIONS[group];
        const claimFilter =
          claimed === undefined ? '' : claimed ? 'AND claimed_by IS NOT NULL' : 'AND claimed_by IS NULL';
        return [
          group,
          db.prepare<[string, number], RequestRow>(
            `SELECT * FROM requests WHERE tenant_id = ? AND state IN (${inList(states)}) ${claimFilter}
              ORDER BY sequence LIMIT ?`,
          ),
        ];
      }),
    ) as Record<QueueGroup, Database.Statement<[string, number], RequestRow>>;
    this.writeTallies = tallyWriterFor(db);
    this.enqueueExecution = db.prepare<[{ request_id: string; tenant_id: string; at: string }]>(
      `INSERT INTO execution_jobs (request_id, tenant_id, status, next_attempt_at, created_at, updated_at)
       VALUES (@request_id, @tenant_id, 'pending', @at, @at, @at)
       ON CONFLICT (request_id) DO UPDATE SET status = 'pending', attempts = 0, next_attempt_at = excluded.next_attempt_at,
         lease_owner = NULL, lease_until = NULL, last_error = NULL, updated_at = excluded.updated_at`,
    );
    // Only what an event says, so that the request_events_timeline index answers it alone.
    this.selectEventsOf = db.prepare<[string], EventFields>(
      `SELECT request_id, tenant_id, actor, at, from_state, to_state, reason, graph_request_id
         FROM request_events WHERE request_id = ? ORDER BY sequence`,
    );

    this.createTransaction = db.transaction(
      (draft: RequestDraft, event: AuditEvent, limits: SubmissionLimits): CreateResult => {
        const { tenantId, filerId } = draft;
        const existing = this.selectOpenForSubject.get(tenantId, draft.application.subjectId, ...OPEN_STATE_LIST);
        if (existing) return { kind: 'subjectHasOpenRequest', existing: toRequest(existing) };
        const filed = this.countFiledSince.get(tenantId, filerId, limits.since.toISOString()) ?? 0;
        if (filed >= limits.dailyCap) return { kind: 'filerCapReached', filed };

        const sequence = this.selectNextSequence.get() ?? 1;
        const row: RequestRow = {
          id: draft.id,
          reference: formatReference(sequence),
          sequence,
          tenant_id: tenantId,
          filer_id: filerId,
          subject_id: draft.application.subjectId,
          state: draft.state,
          version: 1,
          application: JSON.stringify(draft.application),
          review: JSON.stringify(draft.review),
          claimed_by: draft.review.claimedBy ?? null,
          pending_since: pendingSinceAfter(null, draft.state, draft.createdAt, undefined)?.toISOString() ?? null,
          created_at: draft.createdAt.toISOString(),
          updated_at: draft.updatedAt.toISOString(),
        };
        this.insertRequest.run(row);
        this.writeTallies(tenantId, tallyFiled(draft.createdAt));
        this.append(
          { ...event, requestId: row.id, tenantId: row.tenant_id, from: null, to: row.state },
          { application: row.application, review: row.review },
        );
        // Answer with what was stored, exactly as `find` will return it later.
        return { kind: 'created', request: toRequest(row) };
      },
    );

    this.compareAndSetTransaction = db.transaction(
      ({ id, expectedVersion, to, at, event, review }: RequestChange): boolean => {
        // The stored row decides what the change is from, never the caller's copy of it.
        const stored = this.selectOne.get(id);
        if (!stored || stored.version !== expectedVersion) return false;
        // Staying in the same state is a review-only change (a claim, a question), never a way round TRANSITIONS.
        const stays = to === stored.state && review !== undefined;
        if (!stays && !TRANSITIONS[stored.state].includes(to)) return false;
        const storedReview = review === undefined ? stored.review : JSON.stringify(review);
        const newReview = review ?? parseReview(stored.review);
        const pendingSince = pendingSinceAfter(
          stored.state,
          to,
          at,
          stored.pending_since === null ? undefined : new Date(stored.pending_since),
        );
        const changed = this.updateStateAndReview.run(
          to,
          storedReview,
          newReview.claimedBy ?? null,
          pendingSince?.toISOString() ?? null,
          at.toISOString(),
          id,
          expectedVersion,
        ).changes;
        if (changed !== 1) return false;
        // The event records the digest of the contact details and notes as they now stand.
        this.append(
          { ...event, requestId: id, tenantId: stored.tenant_id, from: stored.state, to },
          { application: stored.application, review: storedReview },
        );
        this.writeTallies(
          stored.tenant_id,
          tallyTransition({
            createdAt: new Date(stored.created_at),
            from: stored.state,
            to,
            at,
            actor: event.actor,
            review: newReview,
          }),
        );
        // The outbox: approval and its execution job land together or not at all. A retry after a
        // failure keeps the steps already done.
        if (to === 'approved')
          this.enqueueExecution.run({ request_id: id, tenant_id: stored.tenant_id, at: at.toISOString() });
        return true;
      },
    );

    // Counting and starting in one write transaction: another instance's start either is counted or waits for it.
    this.startTransaction = db.transaction(
      (id: string, expectedVersion: number, at: Date, event: AuditEvent, cap: ExecutionCap): ExecutionStart => {
        const stored = this.selectOne.get(id);
        if (!stored || stored.version !== expectedVersion || stored.state !== 'approved') return 'stale';
        const started = this.countStartedSince.get(stored.tenant_id, cap.since.toISOString()) ?? 0;
        if (started >= cap.limit) return 'capped';
        return this.compareAndSetTransaction({ id, expectedVersion, to: 'executing', at, event }) ? 'started' : 'stale';
      },
    );

    this.appendTransaction = db.transaction((event: AuditEvent) => this.append(event));
  }

  async create(draft: RequestDraft, event: AuditEvent, limits: SubmissionLimits): Promise<CreateResult> {
    return groupCommitFor(this.db).run(() => this.createTransaction(draft, event, limits));
  }

  /**
   * Also false, with nothing written, when TRANSITIONS does not allow the stored state to become
   * `to`. The event is stored with the request's id, its stored state as `from` and `to`, so the
   * trail records what happened even if the caller's event said otherwise.
   */
  async compareAndSet(change: RequestChange): Promise<boolean> {
    return groupCommitFor(this.db).run(() => this.compareAndSetTransaction(change));
  }

  async startExecution(
    id: string,
    expectedVersion: number,
    at: Date,
    event: AuditEvent,
    cap: ExecutionCap,
  ): Promise<ExecutionStart> {
    return groupCommitFor(this.db).run(() => this.startTransaction(id, expectedVersion, at, event, cap));
  }

  async listUnchangedSince(states: readonly RequestState[], before: Date, limit: number): Promise<ResetRequest[]> {
    return this.selectUnchangedSince.all(before.toISOString(), JSON.stringify(states), limit).map(toRequest);
  }

  async countCompletedSince(tenantId: string, subjectId: string, since: Date): Promise<number> {
    return this.countCompleted.get(tenantId, subjectId, since.toISOString()) ?? 0;
  }

  async appendEvent(event: AuditEvent): Promise<void> {
    await groupCommitFor(this.db).run(() => this.appendTransaction(event));
  }

  async find(id: string): Promise<ResetRequest | undefined> {
    const row = this.selectOne.get(id);
    return row ? toRequest(row) : undefined;
  }

  async findByReference(tenantId: string, reference: string): Promise<ResetRequest | undefined> {
    const row = this.selectByReference.get(tenantId, reference);
    return row ? toRequest(row) : undefined;
  }

  async listBySubject(tenantId: string, subjectId: string, limit: number): Promise<ResetRequest[]> {
    return this.selectBySubject.all(tenantId, subjectId, limit).map(toRequest);
  }

  async listForPerson(tenantId: string, userId: string, limit: number): Promise<ResetRequest[]> {
    return this.selectForPerson.all(tenantId, userId, userId, limit).map(toRequest);
  }

  async listBySubjects(tenantId: string, subjectIds: readonly string[], limit: number): Promise<ResetRequest[]> {
    if (subjectIds.length === 0) return [];
    return this.selectBySubjects.all(tenantId, JSON.stringify(subjectIds), limit).map(toRequest);
  }

  async queue(
    tenantId: string,
    perGroup: number,
  ): Promise<Record<QueueGroup, { count: number; oldest: ResetRequest[] }>> {
    const read = this.db.transaction(() => {
      const counts = this.countQueue.all(tenantId);
      return Object.fromEntries(
        QUEUE_GROUPS.map((group) => {
          const { states, claimed } = QUEUE_SECTIONS[group];
          const count = counts
            .filter((row) => states.includes(row.state) && (claimed === undefined || Boolean(row.claimed) === claimed))
            .reduce((sum, row) => sum + row.count, 0);
          return [group, { count, oldest: this.selectQueueGroup[group].all(tenantId, perGroup).map(toRequest) }];
        }),
      ) as Record<QueueGroup, { count: number; oldest: ResetRequest[] }>;
    });
    // Counts and lists from one snapshot, so a section never lists more than it counts.
    return read.deferred();
  }

  async eventsOf(requestId: string): Promise<AuditEvent[]> {
    return this.selectEventsOf.all(requestId).map(toAuditEvent);
  }

  async verifyAuditChain(): Promise<AuditVerification> {
    return this.trail.verify().verification;
  }

  /**
   * Signs and inserts one event (SqliteAuditTrail.append); callers hold the write transaction that makes
   * "last event" stable. `personal`: the request's application and review after the change, whose digest
   * the event records. Every write of those columns must come with an event that has it.
   */
  private append(event: AuditEvent, personal?: PersonalRecord): void {
    this.trail.append(event, personal);
  }
}

/** A stored request row (`SELECT *` from `requests`) as the domain reads it. */
export function toRequest(row: RequestRow): ResetRequest {
  return {
    id: row.id,
    reference: row.reference,
    tenantId: row.tenant_id,
    filerId: row.filer_id,
    application: parseApplication(row.application),
    state: row.state,
    review: parseReview(row.review),
    version: row.version,
    createdAt: new Date(row.created_at),
    updatedAt: new Date(row.updated_at),
    pendingSince: row.pending_since === null ? undefined : new Date(row.pending_since),
  };
}

function toAuditEvent(row: EventFields): AuditEvent {
  return {
    requestId: row.request_id,
    tenantId: row.tenant_id,
    actor: row.actor,
    at: new Date(row.at),
    from: row.from_state,
    to: row.to_state,
    reason: row.reason,
    ...(row.graph_request_id === null ? {} : { graphRequestId: row.graph_request_id }),
  };
}
