import type { RequestState } from '../domain/requests/request.js';

/** One line of `npm run audit:export`: an event as a SIEM reads it. */
export interface ExportedEvent {
  sequence: number;
  /** When, in UTC (ISO 8601). */
  time: string;
  tenantId: string;
  /** Who: an Entra object id, or `system`. */
  actor: string;
  /** What: a state change, a change within a state (a claim, a question, a purge), or a refusal. */
  kind: 'transition' | 'update' | 'refusal';
  requestId: string;
  /** The request's readable reference; null for refusals about an id that names no request. */
  reference: string | null;
  from: RequestState | null;
  to: RequestState | 'refused';
  reason: string;
  /** For a refusal: why it was refused (the part of the reason after "refused <action>: "). */
  refusal: string | null;
  graphRequestId: string | null;
  /** The audit key that signed the event; null for events from before the trail was keyed. */
  keyId: string | null;
  previousHash: string;
  hash: string;
}

/** A stored event as either store reads it, with its request's reference. */
export type ExportableEvent = Omit<ExportedEvent, 'kind' | 'refusal'>;

/** The exported form of a stored event: its kind, and a refusal's reason on its own. */
export function toExportedEvent(event: ExportableEvent): ExportedEvent {
  const refused = event.to === 'refused';
  const colon = event.reason.indexOf(': ');
  return {
    sequence: event.sequence,
    time: event.time,
    tenantId: event.tenantId,
    actor: event.actor,
    kind: refused ? 'refusal' : event.from === event.to ? 'update' : 'transition',
    requestId: event.requestId,
    reference: event.reference,
    from: event.from,
    to: event.to,
    reason: event.reason,
    refusal: refused ? (colon >= 0 ? event.reason.slice(colon + 2) : event.reason) : null,
    graphRequestId: event.graphRequestId,
    keyId: event.keyId,
    previousHash: event.previousHash,
    hash: event.hash,
  };
}
