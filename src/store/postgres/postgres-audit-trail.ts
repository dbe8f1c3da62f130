import type { AuditHead, AuditTrailRepository, PublishedAnchor } from '../../domain/requests/ports.js';
import type { AuditEvent, RequestState } from '../../domain/requests/request.js';
import { SYSTEM_ACTOR } from '../../domain/requests/review-service.js';
import {
  CHAIN_PROBLEMS,
  ChainCheck,
  GENESIS_HASH,
  personalDigest,
  sameDigest,
  sealKeyedFrom,
  signEvent,
  toWellFormed,
  type AuditAnchorPoint,
  type AuditKeyRing,
  type ChainReport,
  type ChainedEvent,
} from '../audit-chain.js';
import { toExportedEvent, type ExportedEvent } from '../audit-export.js';
import { FINISHED_STATES, PURGE_REASON, withoutPersonalData, type PersonalRecord } from '../personal-data.js';
import { withSnapshot, withTransaction, type PostgresClient, type PostgresPool } from './open-pool.js';

/** One stored event as the driver returns it (bigint as text, timestamptz as a Date). */
interface EventRow {
  sequence: string;
  request_id: string;
  tenant_id: string;
  actor: string;
  at: Date;
  from_state: RequestState | null;
  to_state: RequestState | 'refused';
  reason: string;
  graph_request_id: string | null;
  previous_hash: string;
  hash: string;
  key_id: string | null;
  personal_digest: string | null;
}

/** The one row that says where keying began and seals it. */
interface ChainRow {
  keyed_from: string;
  seal: string | null;
  seal_key_id: string | null;
}

/** How many rows one query of a long read (verify, export) fetches; the next continues after the last. */
const PAGE_SIZE = 2_000;

/**
 * The first keys of pg_advisory_xact_lock(int, int): one space per kind of thing the PostgreSQL store
 * locks, the second key naming the thing (hashtext of its id). Spaces keep a tenant's lock from being
 * mistaken for a subject's with the same hash.
 */
const LOCK_SPACES = { subject: 1, filer: 2, numbering: 3, executionStarts: 4, anchors: 5 } as const;

/** Takes the transaction-scoped advisory lock on `name` in `space`; it is released at commit or rollback. */
export async function lockFor(client: PostgresClient, space: keyof typeof LOCK_SPACES, name: string): Promise<void> {
  await client.query('SELECT pg_advisory_xact_lock($1, hashtext($2))', [LOCK_SPACES[space], name]);
}

/**
 * The audit trail in `request_events` on PostgreSQL, shared by every instance: appending signed events (for the
 * request repository, inside its transactions), verifying and exporting them, anchors, and the retention of
 * personal data. Appends take their sequence and the hash to chain to from the locked `audit_head` row, so that
 * instances writing at once get consecutive numbers, each event chained to the one committed before it.
 */
export class PostgresAuditTrail implements AuditTrailRepository {
  /** Whether where signing began is sealed (checked once, then known). */
  private sealed = false;

  /** `keys` sign new events and verify old ones; without them the trail can be read and exported only. */
  constructor(
    private readonly pool: PostgresPool,
    private readonly keys: AuditKeyRing | undefined,
  ) {}

  /**
   * Signs and inserts one event in the caller's transaction. The head row stays locked until that transaction
   * ends, so nobody else appends in between: the event after it chains to this one. With `personal` (the
   * request's application and review after the change) the event also records their digest.
   */
  async append(client: PostgresClient, event: AuditEvent, personal?: PersonalRecord): Promise<void> {
    const key = this.keys?.current;
    if (!key) throw new Error('the audit trail cannot be written without an audit key');
    if (!this.sealed) await this.sealIn(client);
    // Locks the head until this transaction ends; it holds the last number handed out and the hash of the event
    // that took it, committed by whichever instance wrote it.
    const head = await client.query<{ last_sequence: string; last_hash: string }>(
      'UPDATE audit_head SET last_sequence = last_sequence + 1 WHERE id = 1 RETURNING last_sequence, last_hash',
    );
    if (head.rows.length !== 1) throw new Error('the audit trail has no head row (audit_head): the schema was changed');
    const sequence = Number(head.rows[0]!.last_sequence);
    const previousHash = head.rows[0]!.last_hash;
    // Hash exactly what the database will give back, or an odd character would break the chain.
    const stored = {
      ...event,
      requestId: toWellFormed(event.requestId),
      tenantId: toWellFormed(event.tenantId),
      actor: toWellFormed(event.actor),
      reason: toWellFormed(event.reason),
      graphRequestId: event.graphRequestId === undefined ? null : toWellFormed(event.graphRequestId),
      personalDigest: personal ? personalDigest(key, personal.application, personal.review) : null,
    };
    // The event and the head's hash in one statement: the next append chains to this event.
    await client.query(
      `WITH head AS (UPDATE audit_head SET last_hash = $11 WHERE id = 1)
       INSERT INTO request_events (sequence, request_id, tenant_id, actor, at, from_state, to_state, reason,
                                   graph_request_id, previous_hash, hash, key_id, personal_digest)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)`,
      [
        sequence,
        stored.requestId,
        stored.tenantId,
        stored.actor,
        stored.at,
        stored.from,
        stored.to,
        stored.reason,
        stored.graphRequestId,
        previousHash,
        signEvent(key, previousHash, sequence, stored),
        key.id,
        stored.personalDigest,
      ],
    );
  }

  /**
   * Seals where signing began with the current key, once per database: the bot does so when it starts, and the
   * first signed event does where it did not. A database already sealed is left as it is.
   */
  async seal(): Promise<void> {
    if (this.sealed || !this.keys) return;
    await withTransaction(this.pool, (client) => this.sealIn(client));
  }

  /** seal() in the caller's transaction; the chain row is locked, so two instances starting together seal once. */
  private async sealIn(client: PostgresClient): Promise<void> {
    const key = this.keys?.current;
    if (!key) return;
    const { rows } = await client.query<ChainRow>('SELECT keyed_from, seal FROM audit_chain WHERE id = 1 FOR UPDATE');
    const chain = rows[0];
    if (chain && chain.seal === null) {
      const keyedFrom = Number(chain.keyed_from);
      const before = (await hashAt(client, keyedFrom - 1)) ?? GENESIS_HASH;
      await client.query('UPDATE audit_chain SET seal = $1, seal_key_id = $2 WHERE id = 1', [
        sealKeyedFrom(key, keyedFrom, before),
        key.id,
      ]);
    }
    this.sealed = true;
  }

  /**
   * Re-computes the chain over every event (read page by page from one snapshot), checks that each request's
   * contact details and notes are those its latest event recorded, and looks for `anchor` when given.
   */
  async verify(anchor?: AuditAnchorPoint): Promise<ChainReport> {
    return withSnapshot(this.pool, async (client) => {
      const chain = (await client.query<ChainRow>('SELECT keyed_from, seal, seal_key_id FROM audit_chain')).rows[0];
      // Without its row, or with keying moved to start later, every event from the first on must be signed.
      const keyedFrom = chain ? Number(chain.keyed_from) : 1;
      const check = new ChainCheck({ keys: this.keys, keyedFrom, anchor });
      for await (const row of eventPages(client)) if (!check.add(toChainedEvent(row))) break;
      const report = check.report();
      if (!report.verification.ok) return report;
      const { events } = report.verification;
      if (!(await this.sealHolds(client, chain))) {
        // Reported at the last event before keying began, or at the trail's end when the start was moved past it.
        const brokenAt = Math.min(Math.max(1, (chain ? Number(chain.keyed_from) : 1) - 1), Math.max(1, events));
        return { ...report, verification: { ok: false, events, brokenAt, problem: CHAIN_PROBLEMS.seal } };
      }
      const changed = await this.firstChangedPersonalData(client);
      if (changed === undefined) return report;
      return { ...report, verification: { ok: false, events, brokenAt: changed, problem: CHAIN_PROBLEMS.personal } };
    });
  }

  /** The events with `since <= at < until`, in trail order, as `audit:export` writes them (read from one snapshot). */
  async *exportEvents(since: Date, until: Date): AsyncGenerator<ExportedEvent> {
    const client = await this.pool.connect();
    let finished = false;
    try {
      await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
      let after = 0;
      for (;;) {
        const { rows } = await client.query<EventRow & { reference: string | null }>(
          `SELECT e.*, r.reference FROM request_events e LEFT JOIN requests r ON r.id = e.request_id
            WHERE e.at >= $1 AND e.at < $2 AND e.sequence > $3 ORDER BY e.sequence LIMIT $4`,
          [since, until, after, PAGE_SIZE],
        );
        for (const row of rows) {
          yield toExportedEvent({
            sequence: Number(row.sequence),
            time: row.at.toISOString(),
            tenantId: row.tenant_id,
            actor: row.actor,
            requestId: row.request_id,
            reference: row.reference,
            from: row.from_state,
            to: row.to_state,
            reason: row.reason,
            graphRequestId: row.graph_request_id,
            keyId: row.key_id,
            previousHash: row.previous_hash,
            hash: row.hash,
          });
        }
        if (rows.length < PAGE_SIZE) break;
        after = Number(rows.at(-1)!.sequence);
      }
      await client.query('COMMIT');
      finished = true;
    } finally {
      // A reader that stopped early leaves the transaction open: that connection is closed, not reused.
      client.release(finished ? undefined : true);
    }
  }

  async head(): Promise<AuditHead | undefined> {
    const { rows } = await this.pool.query<Pick<EventRow, 'sequence' | 'hash' | 'key_id'>>(
      'SELECT sequence, hash, key_id FROM request_events ORDER BY sequence DESC LIMIT 1',
    );
    const row = rows[0];
    return row && { sequence: Number(row.sequence), hash: row.hash, keyId: row.key_id ?? undefined };
  }

  async takeAnchor(anchor: PublishedAnchor, since?: Date): Promise<boolean> {
    return withTransaction(this.pool, async (client) => {
      // Instances deciding about the same tenant's anchor take turns: the second sees the first's row.
      await lockFor(client, 'anchors', anchor.tenantId);
      const last = since
        ? (
            await client.query<{ sequence: string; hash: string; at: Date }>(
              'SELECT sequence, hash, at FROM audit_anchors WHERE tenant_id = $1 ORDER BY at DESC LIMIT 1',
              [anchor.tenantId],
            )
          ).rows[0]
        : undefined;
      if (since && last && last.at >= since) return false;
      if (last && Number(last.sequence) === anchor.sequence && last.hash === anchor.hash) return false;
      await client.query(
        `INSERT INTO audit_anchors (tenant_id, sequence, hash, key_id, at, kind, requested_by)
         VALUES ($1, $2, $3, $4, $5, $6, $7)`,
        [
          anchor.tenantId,
          anchor.sequence,
          anchor.hash,
          anchor.keyId ?? null,
          anchor.at,
          anchor.trigger,
          anchor.requestedBy ?? null,
        ],
      );
      return true;
    });
  }

  async tenantsWithChannel(): Promise<string[]> {
    // COLLATE "C": byte order, as SQLite sorts, whatever the database's locale.
    const { rows } = await this.pool.query<{ tenant_id: string }>(
      'SELECT tenant_id FROM approval_channels ORDER BY tenant_id COLLATE "C"',
    );
    return rows.map((row) => row.tenant_id);
  }

  async purgePersonalData(before: Date, at: Date, limit: number): Promise<number> {
    // The states spelled out like the requests_to_purge index's predicate, so that the planner can use it.
    const states = FINISHED_STATES.map((state) => `'${state}'`).join(', ');
    const { rows } = await this.pool.query<{ id: string }>(
      `SELECT id FROM requests WHERE purged_at IS NULL AND state IN (${states}) AND updated_at < $1
        ORDER BY updated_at LIMIT $2`,
      [before, limit],
    );
    let purged = 0;
    for (const { id } of rows) {
      if (await withTransaction(this.pool, (client) => this.purgeOne(client, id, before, at))) purged += 1;
    }
    return purged;
  }

  /** Removes one request's personal data with its audit event; false when it no longer qualifies. */
  private async purgeOne(client: PostgresClient, id: string, before: Date, at: Date): Promise<boolean> {
    const { rows } = await client.query<{
      tenant_id: string;
      state: RequestState;
      application: string;
      review: string;
      updated_at: Date;
      purged_at: Date | null;
    }>('SELECT tenant_id, state, application, review, updated_at, purged_at FROM requests WHERE id = $1 FOR UPDATE', [
      id,
    ]);
    const row = rows[0];
    if (!row || row.purged_at !== null || row.updated_at >= before) return false;
    if (!(FINISHED_STATES as readonly string[]).includes(row.state)) return false;
    const left = withoutPersonalData(row);
    // updated_at stays: it dates the request's last change, which counts (e.g. resets in the last 90 days).
    await client.query(
      'UPDATE requests SET application = $1, review = $2, purged_at = $3, version = version + 1 WHERE id = $4',
      [left.application, left.review, at, id],
    );
    await this.append(
      client,
      {
        requestId: id,
        tenantId: row.tenant_id,
        actor: SYSTEM_ACTOR,
        at,
        from: row.state,
        to: row.state,
        reason: PURGE_REASON,
      },
      left,
    );
    return true;
  }

  /**
   * Whether the start of signing is sealed by one of the keys over where it is and the event before it. The bot
   * seals it as it starts; a trail with any event and no seal was tampered with.
   */
  private async sealHolds(client: PostgresClient, chain: ChainRow | undefined): Promise<boolean> {
    if (!chain) return false;
    if (chain.seal === null || chain.seal_key_id === null) return (await hashAt(client, 1)) === undefined;
    const key = this.keys?.byId.get(chain.seal_key_id);
    const keyedFrom = Number(chain.keyed_from);
    const before = await hashAt(client, keyedFrom - 1);
    return key !== undefined && before !== undefined && sameDigest(chain.seal, sealKeyedFrom(key, keyedFrom, before));
  }

  /**
   * The sequence of the first event whose personal digest no longer matches its request's stored application and
   * review (someone changed a contact or a note without the trail), if any. Requests are read page by page in id
   * order, each with the latest event that recorded a digest.
   */
  private async firstChangedPersonalData(client: PostgresClient): Promise<number | undefined> {
    let first: number | undefined;
    let after = '';
    for (;;) {
      const { rows } = await client.query<{
        id: string;
        application: string;
        review: string;
        sequence: string;
        key_id: string | null;
        personal_digest: string;
      }>(
        `SELECT r.id, r.application, r.review, e.sequence, e.key_id, e.personal_digest
           FROM requests r CROSS JOIN LATERAL (
             SELECT x.sequence, x.key_id, x.personal_digest FROM request_events x
              WHERE x.request_id = r.id AND x.personal_digest IS NOT NULL ORDER BY x.sequence DESC LIMIT 1) e
          WHERE r.id > $1 ORDER BY r.id LIMIT $2`,
        [after, PAGE_SIZE],
      );
      for (const row of rows) {
        const key = row.key_id === null ? undefined : this.keys?.byId.get(row.key_id);
        const sequence = Number(row.sequence);
        const changed = !key || !sameDigest(row.personal_digest, personalDigest(key, row.application, row.review));
        if (changed && (first === undefined || sequence < first)) first = sequence;
      }
      if (rows.length < PAGE_SIZE) return first;
      after = rows.at(-1)!.id;
    }
  }
}

/** The hash of the event at `sequence`; GENESIS_HASH before the first; undefined when it is gone. */
async function hashAt(client: PostgresClient, sequence: number): Promise<string | undefined> {
  if (sequence < 1) return GENESIS_HASH;
  const { rows } = await client.query<{ hash: string }>('SELECT hash FROM request_events WHERE sequence = $1', [
    sequence,
  ]);
  return rows[0]?.hash;
}

/** Every event in sequence order, a page per query, in the caller's (snapshot) transaction. */
async function* eventPages(client: PostgresClient): AsyncGenerator<EventRow> {
  let after = 0;
  for (;;) {
    const { rows } = await client.query<EventRow>(
      'SELECT * FROM request_events WHERE sequence > $1 ORDER BY sequence LIMIT $2',
      [after, PAGE_SIZE],
    );
    yield* rows;
    if (rows.length < PAGE_SIZE) return;
    after = Number(rows.at(-1)!.sequence);
  }
}

/** A stored row as the chain reads it; `at` as the ISO string the hash covers (a millisecond Date stores exactly). */
function toChainedEvent(row: EventRow): ChainedEvent {
  return {
    requestId: row.request_id,
    tenantId: row.tenant_id,
    actor: row.actor,
    at: row.at.toISOString(),
    from: row.from_state,
    to: row.to_state,
    reason: row.reason,
    graphRequestId: row.graph_request_id,
    personalDigest: row.personal_digest,
    sequence: Number(row.sequence),
    previousHash: row.previous_hash,
    hash: row.hash,
    keyId: row.key_id,
  };
}
