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
import { parseApplication, parseReview } from '../request-json.js';
import { withSnapshot, withTransaction, type PostgresClient, type PostgresPool } from './open-pool.js';
import { lockFor, type PostgresAuditTrail } from './postgres-audit-trail.js';
import { tallyParameters, tallyUpsert, writeTallies } from './postgres-tallies.js';

/**
 * The statement that changes a locked request: its row ($1 to $6: state, review, claimed_by, pending_since, at, id),
 * the statistics' counters ($7 to $11, tallyParameters) and, for an approval, its execution job (for the tenant in
 * $7), each a part of one statement.
 */
function changeSql(queueExecution: boolean): string {
  const queued = `, queued AS (
    INSERT INTO execution_jobs (request_id, tenant_id, status, next_attempt_at, created_at, updated_at)
    VALUES ($6, $7, 'pending', $5, $5, $5)
    ON CONFLICT (request_id) DO UPDATE SET status = 'pending', attempts = 0,
      next_attempt_at = excluded.next_attempt_at, lease_owner = NULL, lease_until = NULL, last_error = NULL,
      updated_at = excluded.updated_at
  )`;
  return `WITH changed AS (
    UPDATE requests SET state = $1, review = $2, claimed_by = $3, pending_since = $4, version = version + 1,
      updated_at = $5 WHERE id = $6
  ), counted AS (
    ${tallyUpsert(7)}
  )${queueExecution ? queued : ''}
  SELECT 1`;
}

const CHANGE_SQL = changeSql(false);
const CHANGE_AND_QUEUE_SQL = changeSql(true);

/** A `requests` row as the driver returns it (bigint as text, timestamptz as a Date). */
export interface RequestRow {
  id: string;
  reference: string;
  sequence: string;
  tenant_id: string;
  filer_id: string;
  subject_id: string;
  state: RequestState;
  version: number;
  application: string;
  review: string;
  claimed_by: string | null;
  pending_since: Date | null;
  created_at: Date;
  updated_at: Date;
}

/** An event's fields as a timeline reads them. */
interface EventFields {
  request_id: string;
  tenant_id: string;
  actor: string;
  at: Date;
  from_state: RequestState | null;
  to_state: RequestState | 'refused';
  reason: string;
  graph_request_id: string | null;
}

/** A state list spelled out in SQL, so that the planner matches it against indexes and their predicates. */
const inList = (states: Iterable<string>) => [...states].map((state) => `'${state}'`).join(', ');

const OPEN_STATE_SQL = inList(OPEN_STATES);

/** The queue's counts per state and claim, from which each section's count is summed. */
const COUNT_QUEUE_SQL = `SELECT state, claimed_by IS NOT NULL AS claimed, COUNT(*) AS count FROM requests
  WHERE tenant_id = $1 AND state IN (${OPEN_STATE_SQL}) GROUP BY state, claimed`;

/**
 * One query per queue section, its states spelled out so that the planner can prove them open and read the index of
 * open requests (requests_open_by_sequence).
 */
export const QUEUE_GROUP_SQL = Object.fromEntries(
  QUEUE_GROUPS.map((group) => {
    const { states, claimed } = QUEUE_SECTIONS[group];
    const claimFilter = claimed === undefined ? '' : claimed ? 'AND claimed_by IS NOT NULL' : 'AND claimed_by IS NULL';
    return [
      group,
      `SELECT * FROM requests WHERE tenant_id = $1 AND state IN (${inList(states)}) ${claimFilter}
        ORDER BY sequence LIMIT $2`,
    ];
  }),
) as Record<QueueGroup, string>;

/**
 * Reset requests in `requests` and their audit trail in `request_events`, on PostgreSQL shared by several
 * instances. Every write is one transaction on one connection. Where SQLite relied on being the only writer
 * while it counted and then inserted, transaction-scoped advisory locks give the same guarantee across
 * instances: per tenant and subject (one open request), per tenant and filer (the daily cap), on numbering
 * (references without gaps or duplicates) and per tenant on starting executions (the hourly cap). A change
 * locks its request's row. Locks are always taken in that order, the audit trail's head row last, so two
 * transactions never wait for each other in a circle.
 */
export class PostgresRequestRepository implements RequestRepository {
  /**
   * `trail` is the store's audit trail, which appends every event inside this repository's transactions: one
   * per store, so that the seal is checked once and signing follows one key ring.
   */
  constructor(
    private readonly pool: PostgresPool,
    private readonly trail: PostgresAuditTrail,
  ) {}

  async create(draft: RequestDraft, event: AuditEvent, limits: SubmissionLimits): Promise<CreateResult> {
    const { tenantId, filerId } = draft;
    const subjectId = draft.application.subjectId;
    return withTransaction(this.pool, async (client) => {
      await lockFor(client, 'subject', JSON.stringify([tenantId, subjectId]));
      await lockFor(client, 'filer', JSON.stringify([tenantId, filerId]));
      // Each statement sees what committed before it began: under the locks, every racing filing for this
      // subject or by this filer has committed or waits for this one.
      const existing = await client.query<RequestRow>(
        `SELECT * FROM requests WHERE tenant_id = $1 AND subject_id = $2 AND state IN (${OPEN_STATE_SQL})
          ORDER BY sequence DESC LIMIT 1`,
        [tenantId, subjectId],
      );
      if (existing.rows[0]) return { kind: 'subjectHasOpenRequest', existing: toRequest(existing.rows[0]) };
      const counted = await client.query<{ count: string }>(
        'SELECT COUNT(*) AS count FROM requests WHERE tenant_id = $1 AND filer_id = $2 AND created_at >= $3',
        [tenantId, filerId, limits.since],
      );
      const filed = Number(counted.rows[0]!.count);
      if (filed >= limits.dailyCap) return { kind: 'filerCapReached', filed };

      // A sequence object would leave a gap for every rolled-back filing; the next number is read under a lock.
      await lockFor(client, 'numbering', 'requests');
      const next = await client.query<{ sequence: string }>(
        'SELECT COALESCE(MAX(sequence), 0) + 1 AS sequence FROM requests',
      );
      const sequence = Number(next.rows[0]!.sequence);
      const application = JSON.stringify(draft.application);
      const review = JSON.stringify(draft.review);
      const inserted = await client.query<RequestRow>(
        `INSERT INTO requests (id, reference, sequence, tenant_id, filer_id, subject_id, state, version, application,
                               review, claimed_by, pending_since, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, 1, $8, $9, $10, $11, $12, $13) RETURNING *`,
        [
          draft.id,
          formatReference(sequence),
          sequence,
          tenantId,
          filerId,
          subjectId,
          draft.state,
          application,
          review,
          draft.review.claimedBy ?? null,
          pendingSinceAfter(null, draft.state, draft.createdAt, undefined) ?? null,
          draft.createdAt,
          draft.updatedAt,
        ],
      );
      const row = inserted.rows[0]!;
      await writeTallies(client, tenantId, tallyFiled(draft.createdAt));
      await this.trail.append(
        client,
        { ...event, requestId: row.id, tenantId, from: null, to: row.state },
        { application, review },
      );
      // Answer with what was stored, exactly as `find` will return it later.
      return { kind: 'created', request: toRequest(row) };
    });
  }

  /**
   * Also false, with nothing written, when TRANSITIONS does not allow the stored state to become `to`. The
   * event is stored with the request's id, its stored state as `from` and `to`, so the trail records what
   * happened even if the caller's event said otherwise.
   */
  async compareAndSet(change: RequestChange): Promise<boolean> {
    return withTransaction(this.pool, (client) => this.change(client, change));
  }

  async startExecution(
    id: string,
    expectedVersion: number,
    at: Date,
    event: AuditEvent,
    cap: ExecutionCap,
  ): Promise<ExecutionStart> {
    return withTransaction(this.pool, async (client) => {
      const tenant = await client.query<{ tenant_id: string }>('SELECT tenant_id FROM requests WHERE id = $1', [id]);
      const tenantId = tenant.rows[0]?.tenant_id;
      if (tenantId === undefined) return 'stale';
      // Counting and starting under the tenant's lock: another instance's start either is counted or waits.
      await lockFor(client, 'executionStarts', tenantId);
      const stored = await client.query<RequestRow>('SELECT * FROM requests WHERE id = $1 FOR UPDATE', [id]);
      const row = stored.rows[0];
      if (!row || row.version !== expectedVersion || row.state !== 'approved') return 'stale';
      const counted = await client.query<{ count: string }>(
        `SELECT COUNT(DISTINCT request_id) AS count FROM request_events
          WHERE tenant_id = $1 AND to_state = 'executing' AND from_state = 'approved' AND at >= $2`,
        [tenantId, cap.since],
      );
      if (Number(counted.rows[0]!.count) >= cap.limit) return 'capped';
      return (await this.change(client, { id, expectedVersion, to: 'executing', at, event })) ? 'started' : 'stale';
    });
  }

  async appendEvent(event: AuditEvent): Promise<void> {
    await withTransaction(this.pool, (client) => this.trail.append(client, event));
  }

  async find(id: string): Promise<ResetRequest | undefined> {
    const { rows } = await this.pool.query<RequestRow>('SELECT * FROM requests WHERE id = $1', [id]);
    return rows[0] && toRequest(rows[0]);
  }

  async findByReference(tenantId: string, reference: string): Promise<ResetRequest | undefined> {
    const { rows } = await this.pool.query<RequestRow>(
      'SELECT * FROM requests WHERE tenant_id = $1 AND reference = $2',
      [tenantId, reference],
    );
    return rows[0] && toRequest(rows[0]);
  }

  async listBySubject(tenantId: string, subjectId: string, limit: number): Promise<ResetRequest[]> {
    const { rows } = await this.pool.query<RequestRow>(
      'SELECT * FROM requests WHERE tenant_id = $1 AND subject_id = $2 ORDER BY sequence DESC LIMIT $3',
      [tenantId, subjectId, limit],
    );
    return rows.map(toRequest);
  }

  async listForPerson(tenantId: string, userId: string, limit: number): Promise<ResetRequest[]> {
    const { rows } = await this.pool.query<RequestRow>(
      `SELECT * FROM requests WHERE tenant_id = $1 AND (subject_id = $2 OR filer_id = $2)
        ORDER BY sequence DESC LIMIT $3`,
      [tenantId, userId, limit],
    );
    return rows.map(toRequest);
  }

  async listBySubjects(tenantId: string, subjectIds: readonly string[], limit: number): Promise<ResetRequest[]> {
    if (subjectIds.length === 0) return [];
    const { rows } = await this.pool.query<RequestRow>(
      'SELECT * FROM requests WHERE tenant_id = $1 AND subject_id = ANY($2::text[]) ORDER BY sequence DESC LIMIT $3',
      [tenantId, subjectIds, limit],
    );
    return rows.map(toRequest);
  }

  async queue(
    tenantId: string,
    perGroup: number,
  ): Promise<Record<QueueGroup, { count: number; oldest: ResetRequest[] }>> {
    // Counts and lists from one snapshot, so a section never lists more than it counts.
    return withSnapshot(this.pool, async (client) => {
      const counts = (
        await client.query<{ state: RequestState; claimed: boolean; count: string }>(COUNT_QUEUE_SQL, [tenantId])
      ).rows;
      const sections = [];
      for (const group of QUEUE_GROUPS) {
        const { states, claimed } = QUEUE_SECTIONS[group];
        const count = counts
          .filter((row) => states.includes(row.state) && (claimed === undefined || row.claimed === claimed))
          .reduce((sum, row) => sum + Number(row.count), 0);
        const oldest = (await client.query<RequestRow>(QUEUE_GROUP_SQL[group], [tenantId, perGroup])).rows;
        sections.push([group, { count, oldest: oldest.map(toRequest) }] as const);
      }
      return Object.fromEntries(sections) as Record<QueueGroup, { count: number; oldest: ResetRequest[] }>;
    });
  }

  async listUnchangedSince(states: readonly RequestState[], before: Date, limit: number): Promise<ResetRequest[]> {
    const { rows } = await this.pool.query<RequestRow>(
      'SELECT * FROM requests WHERE updated_at < $1 AND state = ANY($2::text[]) ORDER BY updated_at LIMIT $3',
      [before, states, limit],
    );
    return rows.map(toRequest);
  }

  async countCompletedSince(tenantId: string, subjectId: string, since: Date): Promise<number> {
    const { rows } = await this.pool.query<{ count: string }>(
      `SELECT COUNT(*) AS count FROM requests
        WHERE tenant_id = $1 AND subject_id = $2 AND state = 'completed' AND updated_at >= $3`,
      [tenantId, subjectId, since],
    );
    return Number(rows[0]!.count);
  }

  async eventsOf(requestId: string): Promise<AuditEvent[]> {
    const { rows } = await this.pool.query<EventFields>(
      `SELECT request_id, tenant_id, actor, at, from_state, to_state, reason, graph_request_id
         FROM request_events WHERE request_id = $1 ORDER BY sequence`,
      [requestId],
    );
    return rows.map(toAuditEvent);
  }

  async verifyAuditChain(): Promise<AuditVerification> {
    return (await this.trail.verify()).verification;
  }

  /**
   * compareAndSet in the caller's transaction. The request's row is locked first: a racing change of the
   * same version waits here, then reads the version this one wrote and changes nothing.
   */
  private async change(client: PostgresClient, { id, expectedVersion, to, at, event, review }: RequestChange) {
    // The stored row decides what the change is from, never the caller's copy of it.
    const { rows } = await client.query<RequestRow>('SELECT * FROM requests WHERE id = $1 FOR UPDATE', [id]);
    const stored = rows[0];
    if (!stored || stored.version !== expectedVersion) return false;
    // Staying in the same state is a review-only change (a claim, a question), never a way round TRANSITIONS.
    const stays = to === stored.state && review !== undefined;
    if (!stays && !TRANSITIONS[stored.state].includes(to)) return false;
    const storedReview = review === undefined ? stored.review : JSON.stringify(review);
    const newReview = review ?? parseReview(stored.review);
    const pendingSince = pendingSinceAfter(stored.state, to, at, stored.pending_since ?? undefined);
    // The row, the statistics' counters and, on approval, the execution job (the outbox: approval and its job land
    // together or not at all; a retry after a failure keeps the steps already done), in one statement.
    await client.query(to === 'approved' ? CHANGE_AND_QUEUE_SQL : CHANGE_SQL, [
      to,
      storedReview,
      newReview.claimedBy ?? null,
      pendingSince ?? null,
      at,
      id,
      ...tallyParameters(
        stored.tenant_id,
        tallyTransition({
          createdAt: stored.created_at,
          from: stored.state,
          to,
          at,
          actor: event.actor,
          review: newReview,
        }),
      ),
    ]);
    // The event records the digest of the contact details and notes as they now stand. Appended last: the
    // trail's head, which every write needs, stays locked only until the commit.
    await this.trail.append(
      client,
      { ...event, requestId: id, tenantId: stored.tenant_id, from: stored.state, to },
      { application: stored.application, review: storedReview },
    );
    return true;
  }
}

/** A stored request row as the domain reads it. */
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
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    pendingSince: row.pending_since ?? undefined,
  };
}

function toAuditEvent(row: EventFields): AuditEvent {
  return {
    requestId: row.request_id,
    tenantId: row.tenant_id,
    actor: row.actor,
    at: row.at,
    from: row.from_state,
    to: row.to_state,
    reason: row.reason,
    ...(row.graph_request_id === null ? {} : { graphRequestId: row.graph_request_id }),
  };
}
