import type Database from 'better-sqlite3';
import type { AuditHead, AuditTrailRepository, PublishedAnchor } from '../../domain/requests/ports.js';
import type { AuditEvent, RequestState } from '../../domain/requests/request.js';
import { SYSTEM_ACTOR } from '../../domain/requests/review-service.js';
import {
  CHAIN_PROBLEMS,
  GENESIS_HASH,
  checkChain,
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
import { groupCommitFor } from './group-commit.js';
import type { SqliteDatabase } from './open-database.js';

/** One stored event; `key_id` and `personal_digest` are absent in files from before schema version 9. */
export interface EventRow {
  sequence: number;
  request_id: string;
  tenant_id: string;
  actor: string;
  at: string;
  from_state: RequestState | null;
  to_state: RequestState | 'refused';
  reason: string;
  graph_request_id: string | null;
  previous_hash: string;
  hash: string;
  key_id?: string | null;
  personal_digest?: string | null;
}

/**
 * The audit trail in `request_events`: appending signed events (for the request repository, inside its
 * transactions), verifying and exporting them, anchors, and the retention of personal data. Reading works
 * on any file with a trail (schema version 3 on, opened read-only); writing needs the current schema and keys.
 */
export class SqliteAuditTrail implements AuditTrailRepository {
  private insertEvent: Database.Statement<[Required<EventRow>]> | undefined;
  private selectCounter: Database.Statement<[], number> | undefined;
  private selectLast: Database.Statement<[], Pick<EventRow, 'sequence' | 'hash' | 'key_id'>> | undefined;
  /** Whether this file's start of signing is sealed (checked once, then known). */
  private sealed = false;

  constructor(
    private readonly db: SqliteDatabase,
    private readonly keys: AuditKeyRing | undefined,
  ) {}

  /**
   * Signs and inserts one event; callers hold the write transaction that makes "last event" stable.
   * With `personal` (the request's application and review after the change) the event also records
   * their digest.
   */
  append(event: AuditEvent, personal?: PersonalRecord): void {
    const key = this.keys?.current;
    if (!key) throw new Error('the audit trail cannot be written without an audit key');
    this.seal();
    // The AUTOINCREMENT counter, not MAX(sequence): after someone deletes the newest events the
    // next event leaves a gap the verifier reports, instead of silently reusing their numbers.
    this.selectCounter ??= this.db
      .prepare<[], number>("SELECT seq FROM sqlite_sequence WHERE name = 'request_events'")
      .pluck();
    this.selectLast ??= this.db.prepare(
      'SELECT sequence, hash, key_id FROM request_events ORDER BY sequence DESC LIMIT 1',
    );
    this.insertEvent ??= this.db.prepare(
      `INSERT INTO request_events (sequence, request_id, tenant_id, actor, at, from_state, to_state, reason,
                                   graph_request_id, previous_hash, hash, key_id, personal_digest)
       VALUES (@sequence, @request_id, @tenant_id, @actor, @at, @from_state, @to_state, @reason,
               @graph_request_id, @previous_hash, @hash, @key_id, @personal_digest)`,
    );
    const sequence = (this.selectCounter.get() ?? 0) + 1;
    const previousHash = this.selectLast.get()?.hash ?? GENESIS_HASH;
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
    this.insertEvent.run({
      sequence,
      request_id: stored.requestId,
      tenant_id: stored.tenantId,
      actor: stored.actor,
      at: stored.at.toISOString(),
      from_state: stored.from,
      to_state: stored.to,
      reason: stored.reason,
      graph_request_id: stored.graphRequestId,
      previous_hash: previousHash,
      hash: signEvent(key, previousHash, sequence, stored),
      key_id: key.id,
      personal_digest: stored.personalDigest,
    });
  }

  /**
   * Seals where signing began with the current key, once per file: the bot does so when it starts, and the first
   * signed event does where it did not. A file already sealed is left as it is.
   */
  seal(): void {
    const key = this.keys?.current;
    if (this.sealed || !key || !this.isKeyed()) return;
    // Inside an event's transaction this is a savepoint; at start, a transaction of its own.
    this.db
      .transaction(() => {
        const chain = this.db
          .prepare<[], { keyed_from: number; seal: string | null }>('SELECT keyed_from, seal FROM audit_chain')
          .get();
        if (chain && chain.seal === null) {
          const before = this.hashAt(chain.keyed_from - 1);
          this.db
            .prepare('UPDATE audit_chain SET seal = ?, seal_key_id = ?')
            .run(sealKeyedFrom(key, chain.keyed_from, before ?? GENESIS_HASH), key.id);
        }
      })
      .immediate();
    this.sealed = true;
  }

  /** The hash of the event at `sequence`; GENESIS_HASH before the first; undefined when it is gone. */
  private hashAt(sequence: number): string | undefined {
    if (sequence < 1) return GENESIS_HASH;
    return this.db
      .prepare<[number], string>('SELECT hash FROM request_events WHERE sequence = ?')
      .pluck()
      .get(sequence);
  }

  /**
   * Re-computes the chain over every event (streamed from one snapshot), checks that each request's
   * contact details and notes are those its latest event recorded, and looks for `anchor` when given.
   */
  verify(anchor?: AuditAnchorPoint): ChainReport {
    const read = this.db.transaction((): ChainReport => {
      const keyed = this.isKeyed();
      const chain = keyed
        ? this.db
            .prepare<[], { keyed_from: number; seal: string | null; seal_key_id: string | null }>(
              'SELECT keyed_from, seal, seal_key_id FROM audit_chain',
            )
            .get()
        : undefined;
      // A keyed file without its row, or with keying moved to start later: everything from the first event on
      // must then be signed, which a trail rewritten as unsigned events is not.
      const keyedFrom = keyed ? (chain?.keyed_from ?? 1) : undefined;
      const rows = this.db.prepare<[], EventRow>('SELECT * FROM request_events ORDER BY sequence').iterate();
      const report = checkChain(mapIterable(rows, toChainedEvent), { keys: this.keys, keyedFrom, anchor });
      if (!report.verification.ok || !keyed) return report;
      if (!this.sealHolds(chain)) {
        // Reported at the last event before keying began, or at the trail's end when the start was moved past it.
        const brokenAt = Math.min(Math.max(1, (chain?.keyed_from ?? 1) - 1), Math.max(1, report.verification.events));
        return {
          ...report,
          verification: { ok: false, events: report.verification.events, brokenAt, problem: CHAIN_PROBLEMS.seal },
        };
      }
      const changed = this.firstChangedPersonalData();
      if (changed === undefined) return report;
      return {
        ...report,
        verification: {
          ok: false,
          events: report.verification.events,
          brokenAt: changed,
          problem: CHAIN_PROBLEMS.personal,
        },
      };
    });
    // Both reads from one snapshot, so an event appended meanwhile cannot make them disagree.
    return read.deferred();
  }

  /** The events with `since <= at < until`, in trail order, as `audit:export` writes them. */
  *exportEvents(since: Date, until: Date): Generator<ExportedEvent> {
    const rows = this.db
      .prepare<[string, string], EventRow & { reference: string | null }>(
        `SELECT e.*, r.reference FROM request_events e LEFT JOIN requests r ON r.id = e.request_id
          WHERE e.at >= ? AND e.at < ? ORDER BY e.sequence`,
      )
      .iterate(since.toISOString(), until.toISOString());
    for (const row of rows) {
      yield toExportedEvent({
        sequence: row.sequence,
        time: row.at,
        tenantId: row.tenant_id,
        actor: row.actor,
        requestId: row.request_id,
        reference: row.reference,
        from: row.from_state,
        to: row.to_state,
        reason: row.reason,
        graphRequestId: row.graph_request_id,
        keyId: row.key_id ?? null,
        previousHash: row.previous_hash,
        hash: row.hash,
      });
    }
  }

  async head(): Promise<AuditHead | undefined> {
    const row = this.db
      .prepare<[], Pick<EventRow, 'sequence' | 'hash' | 'key_id'>>(
        'SELECT sequence, hash, key_id FROM request_events ORDER BY sequence DESC LIMIT 1',
      )
      .get();
    return row && { sequence: row.sequence, hash: row.hash, keyId: row.key_id ?? undefined };
  }

  async takeAnchor(anchor: PublishedAnchor, since?: Date): Promise<boolean> {
    return groupCommitFor(this.db).run(() => {
      const last =
        since &&
        this.db
          .prepare<[string], { sequence: number; hash: string; at: string }>(
            'SELECT sequence, hash, at FROM audit_anchors WHERE tenant_id = ? ORDER BY at DESC LIMIT 1',
          )
          .get(anchor.tenantId);
      if (since && last && last.at >= since.toISOString()) return false;
      if (last && last.sequence === anchor.sequence && last.hash === anchor.hash) return false;
      this.db
        .prepare(
          `INSERT INTO audit_anchors (tenant_id, sequence, hash, key_id, at, kind, requested_by)
           VALUES (?, ?, ?, ?, ?, ?, ?)`,
        )
        .run(
          anchor.tenantId,
          anchor.sequence,
          anchor.hash,
          anchor.keyId ?? null,
          anchor.at.toISOString(),
          anchor.trigger,
          anchor.requestedBy ?? null,
        );
      return true;
    });
  }

  async tenantsWithChannel(): Promise<string[]> {
    return this.db.prepare<[], string>('SELECT tenant_id FROM approval_channels ORDER BY tenant_id').pluck().all();
  }

  async purgePersonalData(before: Date, at: Date, limit: number): Promise<number> {
    const states = FINISHED_STATES.map((state) => `'${state}'`).join(', ');
    // Spelled like the requests_to_purge index, so that it serves the query.
    const due = this.db
      .prepare<[string, number], string>(
        `SELECT id FROM requests WHERE purged_at IS NULL AND state IN (${states}) AND updated_at < ?
          ORDER BY updated_at LIMIT ?`,
      )
      .pluck()
      .all(before.toISOString(), limit);
    let purged = 0;
    for (const id of due) {
      if (await groupCommitFor(this.db).run(() => this.purgeOne(id, before, at))) purged += 1;
    }
    return purged;
  }

  /** Removes one request's personal data with its audit event; false when it no longer qualifies. */
  private purgeOne(id: string, before: Date, at: Date): boolean {
    const row = this.db
      .prepare<
        [string],
        {
          tenant_id: string;
          state: RequestState;
          application: string;
          review: string;
          updated_at: string;
          purged_at: string | null;
        }
      >('SELECT tenant_id, state, application, review, updated_at, purged_at FROM requests WHERE id = ?')
      .get(id);
    if (!row || row.purged_at !== null || row.updated_at >= before.toISOString()) return false;
    if (!(FINISHED_STATES as readonly string[]).includes(row.state)) return false;
    const { application, review } = withoutPersonalData(row);
    // updated_at stays: it dates the request's last change, which counts (e.g. resets in the last 90 days).
    this.db
      .prepare('UPDATE requests SET application = ?, review = ?, purged_at = ?, version = version + 1 WHERE id = ?')
      .run(application, review, at.toISOString(), id);
    this.append(
      {
        requestId: id,
        tenantId: row.tenant_id,
        actor: SYSTEM_ACTOR,
        at,
        from: row.state,
        to: row.state,
        reason: PURGE_REASON,
      },
      { application, review },
    );
    return true;
  }

  /**
   * Whether the start of signing is sealed by one of the keys over where it is and the event before it. The bot seals
   * it as it starts, right after the upgrade that keyed the trail; a trail with any event and no seal was tampered
   * with (or the bot never started after the upgrade, which its next start mends).
   */
  private sealHolds(chain: { keyed_from: number; seal: string | null; seal_key_id: string | null } | undefined) {
    if (!chain) return false;
    if (chain.seal === null || chain.seal_key_id === null) return this.hashAt(1) === undefined;
    const key = this.keys?.byId.get(chain.seal_key_id);
    const before = this.hashAt(chain.keyed_from - 1);
    return (
      key !== undefined && before !== undefined && sameDigest(chain.seal, sealKeyedFrom(key, chain.keyed_from, before))
    );
  }

  /** Whether the file has the keyed trail (schema version 9 on). */
  private isKeyed(): boolean {
    return (
      this.db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'audit_chain'").pluck().get() === 1
    );
  }

  /**
   * The sequence of the first event whose personal digest no longer matches its request's stored
   * application and review (someone changed a contact or a note without the trail), if any.
   */
  private firstChangedPersonalData(): number | undefined {
    const rows = this.db
      .prepare<
        [],
        { sequence: number; key_id: string | null; personal_digest: string; application: string; review: string }
      >(
        `SELECT e.sequence, e.key_id, e.personal_digest, r.application, r.review
           FROM requests r JOIN request_events e ON e.sequence = (
             SELECT MAX(x.sequence) FROM request_events x WHERE x.request_id = r.id AND x.personal_digest IS NOT NULL)
          ORDER BY e.sequence`,
      )
      .iterate();
    for (const row of rows) {
      const key = row.key_id === null ? undefined : this.keys?.byId.get(row.key_id);
      if (!key || !sameDigest(row.personal_digest, personalDigest(key, row.application, row.review))) {
        return row.sequence;
      }
    }
    return undefined;
  }
}

/** A stored row as the chain reads it. */
export function toChainedEvent(row: EventRow): ChainedEvent {
  // `at` stays the stored string: the hash covers what is stored, not what a Date makes of it.
  return {
    requestId: row.request_id,
    tenantId: row.tenant_id,
    actor: row.actor,
    at: row.at,
    from: row.from_state,
    to: row.to_state,
    reason: row.reason,
    graphRequestId: row.graph_request_id,
    personalDigest: row.personal_digest ?? null,
    sequence: row.sequence,
    previousHash: row.previous_hash,
    hash: row.hash,
    keyId: row.key_id ?? null,
  };
}

function* mapIterable<T, U>(items: Iterable<T>, map: (item: T) => U): Iterable<U> {
  for (const item of items) yield map(item);
}
