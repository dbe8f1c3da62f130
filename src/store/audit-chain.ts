import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { AuditHead, AuditVerification } from '../domain/requests/ports.js';

/** The `previousHash` of the very first event: nothing came before it. */
export const GENESIS_HASH = '0'.repeat(64);

// Part of every hash input, so a future change of the format cannot be mistaken for this one.
const FORMAT = 'sih-audit-v1';
// Events written since schema version 9: HMAC-SHA-256 keyed with AUDIT_KEY, naming the key.
const KEYED_FORMAT = 'sih-audit-v2';
const PERSONAL_FORMAT = 'sih-personal-v1';
const SEAL_FORMAT = 'sih-keyed-from-v1';
const KEY_ID_FORMAT = 'sih-audit-key-id-v1';

/** A secret that signs audit events (AUDIT_KEY), and the id events record to name it. */
export interface AuditKey {
  id: string;
  secret: Buffer;
}

/** The key new events are signed with, and every key an event may name (the current one and earlier ones). */
export interface AuditKeyRing {
  current: AuditKey;
  byId: ReadonlyMap<string, AuditKey>;
}

/**
 * The key for a secret as configured. Its id is derived from the secret (the first 64 bits of an
 * HMAC of a fixed text), so rotating needs no second setting and an id never names two keys.
 */
export function auditKey(secret: string): AuditKey {
  const bytes = Buffer.from(secret, 'utf8');
  const id = `k${createHmac('sha256', bytes).update(KEY_ID_FORMAT).digest('hex').slice(0, 16)}`;
  return { id, secret: bytes };
}

/** A key ring from the current secret and the retired ones still needed to verify older events. */
export function auditKeyRing(current: string, previous: readonly string[] = []): AuditKeyRing {
  const key = auditKey(current);
  const byId = new Map(previous.map((secret) => auditKey(secret)).map((old) => [old.id, old] as const));
  byId.set(key.id, key);
  return { current: key, byId };
}

/** The fields of an audit event that its hash covers; `at` as stored (an ISO string) or as a Date. */
export interface HashableEvent {
  requestId: string;
  tenantId: string;
  actor: string;
  at: Date | string;
  from: string | null;
  to: string;
  reason: string;
  graphRequestId?: string | null;
  /** Signed events: the digest of the request's personal data after the event (personalDigest), or null. */
  personalDigest?: string | null;
}

/** One stored event as the verifier sees it: its fields, its place in the trail and both hashes. */
export interface ChainedEvent extends HashableEvent {
  sequence: number;
  previousHash: string;
  hash: string;
  /** The key that signed it; null (or absent) for events written before the trail was keyed (SHA-256 only). */
  keyId?: string | null;
}

/** Why verification stops at an event. */
export const CHAIN_PROBLEMS = {
  content: 'hash does not match its content',
  link: 'previous hash does not match the event before it',
  gap: 'sequence gap',
  unsigned: 'not signed with an audit key, though every event from the first signed one on must be',
  unknownKey: 'signed with a key that is neither AUDIT_KEY nor one of AUDIT_PREVIOUS_KEYS',
  personal: "the request's contact details or notes differ from those this event recorded",
  seal: 'where signing began is not sealed by an audit key, or the events before it were changed',
} as const;

/**
 * The seal of where signing began: the key's signature over the first sequence that must be signed and the hash of
 * the event before it (GENESIS_HASH when there is none). Moving the start, or rewriting the unsigned events before it
 * and recomputing their SHA-256, breaks it.
 */
export function sealKeyedFrom(key: AuditKey, keyedFrom: number, previousHash: string): string {
  return createHmac('sha256', key.secret)
    .update(JSON.stringify([SEAL_FORMAT, key.id, keyedFrom, previousHash]), 'utf8')
    .digest('hex');
}

/** What both formats hash of an event, in order: requestId, tenantId, actor, at, from, to, reason, graphRequestId. */
function eventFields(event: HashableEvent): unknown[] {
  const at = typeof event.at === 'string' ? event.at : event.at.toISOString();
  const { requestId, tenantId, actor, from, to, reason } = event;
  return [requestId, tenantId, actor, at, from, to, reason, event.graphRequestId ?? null];
}

/**
 * The SHA-256 (hex) of one event chained to the one before it. The input is a JSON array in a
 * fixed order, `["sih-audit-v1", previousHash, sequence, requestId, tenantId, actor, at, from, to, reason,
 * graphRequestId]` (graphRequestId null when the event records no Graph call),
 * so the same event always hashes the same and no two different events share an input.
 */
export function hashEvent(previousHash: string, sequence: number, event: HashableEvent): string {
  const canonical = JSON.stringify([FORMAT, previousHash, sequence, ...eventFields(event)]);
  return createHash('sha256').update(canonical, 'utf8').digest('hex');
}

/**
 * The HMAC-SHA-256 (hex) of one event, keyed with `key`: `["sih-audit-v2", keyId, previousHash, sequence,
 * requestId, tenantId, actor, at, from, to, reason, graphRequestId, personalDigest]`. Without the key, nobody
 * who can write the database can compute it, so an edited event cannot be given a hash that fits.
 */
export function signEvent(key: AuditKey, previousHash: string, sequence: number, event: HashableEvent): string {
  const canonical = JSON.stringify([
    KEYED_FORMAT,
    key.id,
    previousHash,
    sequence,
    ...eventFields(event),
    event.personalDigest ?? null,
  ]);
  return createHmac('sha256', key.secret).update(canonical, 'utf8').digest('hex');
}

/**
 * The digest of a request's personal data (its application and review as stored, which hold the contact
 * details and every note), keyed so that a phone number cannot be found from it by trying them all. Events
 * carry this digest, never the data: when the retention period removes the data, the chain still verifies.
 */
export function personalDigest(key: AuditKey, application: string, review: string): string {
  return createHmac('sha256', key.secret)
    .update(JSON.stringify([PERSONAL_FORMAT, application, review]), 'utf8')
    .digest('hex');
}

/** Whether two hex digests are equal, in time that does not depend on where they differ. */
export function sameDigest(a: string, b: string): boolean {
  return a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b));
}

/** What a published anchor says: the trail had this event, with this hash. */
export interface AuditAnchorPoint {
  sequence: number;
  hash: string;
}

/** Whether the trail still holds a published anchor. */
export type AnchorCheck =
  /** The event at the anchor's sequence has the anchor's hash. */
  | { kind: 'contained' }
  /**
   * The event at the anchor's sequence has another hash (`hash`), or no event has that sequence any more
   * (undefined): the history up to the anchor was rewritten.
   */
  | { kind: 'rewritten'; hash: string | undefined }
  /** The trail ends before the anchor: `missing` events up to it are gone (the last `lastSequence`). */
  | { kind: 'missing'; lastSequence: number; missing: number };

export interface ChainCheckOptions {
  /** The keys events may be signed with; without them no signed event verifies. */
  keys?: AuditKeyRing | undefined;
  /** Events from this sequence on must be signed (the first sequence after the trail was keyed). */
  keyedFrom?: number | undefined;
  /** A published anchor to look for. */
  anchor?: AuditAnchorPoint | undefined;
}

/** The verification, plus what the command reports beside it. */
export interface ChainReport {
  verification: AuditVerification;
  /** The last event that verified: what an anchor would publish now. */
  head: AuditHead | undefined;
  /** Events that verified as written before keying (SHA-256 only). */
  unsigned: number;
  /** Present when an anchor was given. */
  anchor?: AnchorCheck;
}

/**
 * Re-computes the chain over stored events in sequence order and reports the first event that
 * does not fit. `events` counts the events examined, up to and including a broken one. Takes any
 * iterable so a store can stream a long trail instead of loading it whole. Events without a key id
 * are checked as written before keying (SHA-256), and only where they come before every signed
 * one and before `keyedFrom`, so a signed event cannot be passed off as an unsigned one.
 */
export function checkChain(rows: Iterable<ChainedEvent>, options: ChainCheckOptions = {}): ChainReport {
  const check = new ChainCheck(options);
  for (const row of rows) if (!check.add(row)) break;
  return check.report();
}

/**
 * checkChain one event at a time, for a store that reads its trail asynchronously (in pages): `add` each event in
 * sequence order while it answers true, then take the `report`.
 */
export class ChainCheck {
  private readonly keys: AuditKeyRing | undefined;
  private readonly keyedFrom: number;
  private readonly anchor: AuditAnchorPoint | undefined;
  private events = 0;
  private unsigned = 0;
  private signedSeen = false;
  private previous: ChainedEvent | undefined;
  private broken: AuditVerification | undefined;
  private last: number | undefined;
  private atAnchor: string | undefined;

  constructor(options: ChainCheckOptions = {}) {
    this.keys = options.keys;
    this.keyedFrom = options.keyedFrom ?? Number.POSITIVE_INFINITY;
    this.anchor = options.anchor;
  }

  /** Examines the next event; false once no later event can change the report. */
  add(row: ChainedEvent): boolean {
    const { anchor } = this;
    this.last = row.sequence;
    if (anchor && row.sequence === anchor.sequence) this.atAnchor = row.hash;
    // After a break only the anchor is still looked for.
    if (this.broken) return anchor !== undefined && row.sequence < anchor.sequence;
    this.events += 1;
    const problem = problemOf(row, this.previous, this.keys, this.signedSeen || row.sequence >= this.keyedFrom);
    if (problem) {
      this.broken = { ok: false, events: this.events, brokenAt: row.sequence, problem };
      return anchor !== undefined && row.sequence < anchor.sequence;
    }
    if (row.keyId) this.signedSeen = true;
    else this.unsigned += 1;
    this.previous = row;
    return true;
  }

  report(): ChainReport {
    const { anchor, previous, atAnchor } = this;
    const report: ChainReport = {
      verification: this.broken ?? { ok: true, events: this.events },
      head: previous && { sequence: previous.sequence, hash: previous.hash, keyId: previous.keyId ?? undefined },
      unsigned: this.unsigned,
    };
    if (anchor) {
      if (atAnchor === undefined) {
        const lastSequence = this.last ?? 0;
        report.anchor =
          lastSequence < anchor.sequence
            ? { kind: 'missing', lastSequence, missing: anchor.sequence - lastSequence }
            : // The trail goes past the anchor but has no event with its number: it was removed.
              { kind: 'rewritten', hash: undefined };
      } else {
        report.anchor = atAnchor === anchor.hash ? { kind: 'contained' } : { kind: 'rewritten', hash: atAnchor };
      }
    }
    return report;
  }
}

/** Why `row` does not fit after `previous`, or undefined when it does. */
function problemOf(
  row: ChainedEvent,
  previous: ChainedEvent | undefined,
  keys: AuditKeyRing | undefined,
  mustBeSigned: boolean,
): string | undefined {
  // Sequences are never reused (AUTOINCREMENT), so a gap means an event was removed.
  if (row.sequence !== (previous ? previous.sequence + 1 : 1)) return CHAIN_PROBLEMS.gap;
  if (row.previousHash !== (previous ? previous.hash : GENESIS_HASH)) return CHAIN_PROBLEMS.link;
  if (!row.keyId) {
    if (mustBeSigned) return CHAIN_PROBLEMS.unsigned;
    return row.hash === hashEvent(row.previousHash, row.sequence, row) ? undefined : CHAIN_PROBLEMS.content;
  }
  const key = keys?.byId.get(row.keyId);
  if (!key) return `${CHAIN_PROBLEMS.unknownKey} (${row.keyId})`;
  return sameDigest(row.hash, signEvent(key, row.previousHash, row.sequence, row)) ? undefined : CHAIN_PROBLEMS.content;
}

/** The verification alone (see checkChain). */
export function verifyChain(rows: Iterable<ChainedEvent>, options: ChainCheckOptions = {}): AuditVerification {
  return checkChain(rows, options).verification;
}

/**
 * The text with each unpaired UTF-16 surrogate, and each NUL, replaced by U+FFFD. Stores encode text as UTF-8,
 * which cannot hold a lone surrogate, and PostgreSQL's text cannot hold NUL at all, so an event must be hashed in
 * the form that survives the round trip in every backend; otherwise one crafted character in a reason would make an
 * intact trail look broken, or one backend keep what the other cannot. (Events SQLite stored with a NUL before
 * this still verify: verification reads the stored text.)
 */
export function toWellFormed(text: string): string {
  return text
    .replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '\uFFFD')
    .replaceAll('\u0000', '\uFFFD');
}
