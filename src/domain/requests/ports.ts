import type { AuditEvent, ResetRequest, RequestState } from './request.js';

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

/** A request as first stored: everything but what the store assigns. */
export type RequestDraft = Omit<ResetRequest, 'reference' | 'version'>;

/** Outcome of checking the audit trail's hash chain. */
export type AuditVerification =
  { ok: true; events: number } | { ok: false; events: number; brokenAt: number; problem: string };

/**
 * Requests and their audit trail. Every change is one atomic compare-and-set on (id, version)
 * together with one appended audit event; the trail is hash-chained so edits are detectable.
 */
export interface RequestRepository {
  /**
   * Stores a new request and its first audit event in one transaction, after checking that the
   * subject has no open request and the filer is under the daily cap. Assigns the reference and
   * version 1.
   */
  create(draft: RequestDraft, event: AuditEvent, limits: SubmissionLimits): Promise<CreateResult>;
  /**
   * Moves the request from `expectedVersion` to `to` (version + 1) and appends `event`, in one
   * transaction. False, with nothing written, when the stored version is not `expectedVersion`
   * or the move is not allowed from the stored state. The stored event's request, from and to
   * are taken from what actually happened, never from the caller's event.
   */
  compareAndSet(id: string, expectedVersion: number, to: RequestState, at: Date, event: AuditEvent): Promise<boolean>;
  /** Appends an event without changing a request (refusals are audited too). */
  appendEvent(event: AuditEvent): Promise<void>;
  find(id: string): Promise<ResetRequest | undefined>;
  findByReference(tenantId: string, reference: string): Promise<ResetRequest | undefined>;
  /** The subject's requests, newest first. */
  listBySubject(tenantId: string, subjectId: string, limit: number): Promise<ResetRequest[]>;
  /** Requests a person is the subject of or filed, newest first. */
  listForPerson(tenantId: string, userId: string, limit: number): Promise<ResetRequest[]>;
  /** The audit events of one request, oldest first. */
  eventsOf(requestId: string): Promise<AuditEvent[]>;
  /** Re-computes the hash chain over every event. */
  verifyAuditChain(): Promise<AuditVerification>;
}
