import { createHash } from 'node:crypto';
import type { AuditVerification } from '../domain/requests/ports.js';

/** The `previousHash` of the very first event: nothing came before it. */
export const GENESIS_HASH = '0'.repeat(64);

// Part of every hash input, so a future change of the format cannot be mistaken for this one.
const FORMAT = 'sih-audit-v1';

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
}

/** One stored event as the verifier sees it: its fields, its place in the trail and both hashes. */
export interface ChainedEvent extends HashableEvent {
  sequence: number;
  previousHash: string;
  hash: string;
}

/** Why verification stops at an event. */
export const CHAIN_PROBLEMS = {
  content: 'hash does not match its content',
  link: 'previous hash does not match the event before it',
  gap: 'sequence gap',
} as const;

/**
 * The SHA-256 (hex) of one event chained to the one before it. The input is a JSON array in a
 * fixed order, `["sih-audit-v1", previousHash, sequence, requestId, tenantId, actor, at, from, to, reason,
 * graphRequestId]` (graphRequestId null when the event records no Graph call),
 * so the same event always hashes the same and no two different events share an input.
 */
export function hashEvent(previousHash: string, sequence: number, event: HashableEvent): string {
  const at = typeof event.at === 'string' ? event.at : event.at.toISOString();
  const canonical = JSON.stringify([
    FORMAT,
    previousHash,
    sequence,
    event.requestId,
    event.tenantId,
    event.actor,
    at,
    event.from,
    event.to,
    event.reason,
    event.graphRequestId ?? null,
  ]);
  return createHash('sha256').update(canonical, 'utf8').digest('hex');
}

/**
 * Re-computes the chain over stored events in sequence order and reports the first event that
 * does not fit. `events` counts the events examined, up to and including a broken one. Takes any
 * iterable so a store can stream a long trail instead of loading it whole.
 */
export function verifyChain(rows: Iterable<ChainedEvent>): AuditVerification {
  let events = 0;
  let previous: ChainedEvent | undefined;
  for (const row of rows) {
    events += 1;
    const broken = (problem: string): AuditVerification => ({ ok: false, events, brokenAt: row.sequence, problem });
    // Sequences are never reused (AUTOINCREMENT), so a gap means an event was removed.
    if (row.sequence !== (previous ? previous.sequence + 1 : 1)) return broken(CHAIN_PROBLEMS.gap);
    if (row.previousHash !== (previous ? previous.hash : GENESIS_HASH)) return broken(CHAIN_PROBLEMS.link);
    if (row.hash !== hashEvent(row.previousHash, row.sequence, row)) return broken(CHAIN_PROBLEMS.content);
    previous = row;
  }
  return { ok: true, events };
}

/**
 * The text with each unpaired UTF-16 surrogate replaced by U+FFFD. Stores encode text as UTF-8,
 * which cannot hold a lone surrogate, so an event must be hashed in the form that survives the
 * round trip; otherwise one crafted character in a reason would make an intact trail look broken.
 */
export function toWellFormed(text: string): string {
  return text.replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '\uFFFD');
}
