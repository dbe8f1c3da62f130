import type { RiskSignal } from './risk.js';

/** The states of an MFA reset request (DESIGN.md, "States of a request"). */
export const REQUEST_STATES = [
  'submitted',
  'awaiting_manager',
  'pending_review',
  'approved',
  'executing',
  'completed',
  'rejected',
  'cancelled',
  'expired',
  'failed',
] as const;

export type RequestState = (typeof REQUEST_STATES)[number];

/** States in which a request still waits for someone; a subject may have only one such request. */
export const OPEN_STATES: ReadonlySet<RequestState> = new Set([
  'submitted',
  'awaiting_manager',
  'pending_review',
  'approved',
  'executing',
  'failed',
]);

/** Every state change the process allows; anything else is refused. */
export const TRANSITIONS: Readonly<Record<RequestState, readonly RequestState[]>> = {
  submitted: ['awaiting_manager', 'pending_review', 'cancelled', 'expired', 'rejected'],
  awaiting_manager: ['pending_review', 'rejected', 'cancelled', 'expired'],
  pending_review: ['approved', 'rejected', 'cancelled', 'expired'],
  approved: ['executing', 'cancelled'],
  executing: ['completed', 'failed'],
  failed: ['approved'],
  completed: [],
  rejected: [],
  cancelled: [],
  expired: [],
};

/** How the helpdesk can confirm the subject's identity. */
export const VERIFICATION_METHODS = ['videoCall', 'inPerson', 'managerConfirmation', 'callback'] as const;
export type VerificationMethod = (typeof VERIFICATION_METHODS)[number];

/** Why the subject needs a reset. */
export const RESET_REASONS = ['lostPhone', 'phoneReset', 'authenticatorDeleted', 'newPhoneNoOld', 'other'] as const;
export type ResetReason = (typeof RESET_REASONS)[number];

/** Most characters any free-text field of an application may hold. */
export const MAX_TEXT_LENGTH = 500;

/** What a person applies for; all text is as typed, kept as plain text. */
export interface ResetApplication {
  /** The Entra object id of the account to reset: the filer, or one of their direct reports. */
  subjectId: string;
  reason: ResetReason;
  /** Method ids (from the directory) the subject can no longer use. */
  lostMethodIds: string[];
  verification: VerificationMethod;
  /** How the helpdesk can reach the subject (a phone number or an address other than the locked account). */
  contact: string;
  note: string;
  /** The diagnosis that led here, if any. */
  diagnosisId: string | undefined;
}

/** A stored request: the application plus who filed it and where it stands. */
export interface ResetRequest {
  id: string;
  /** Human-readable, e.g. SIH-000123. */
  reference: string;
  tenantId: string;
  filerId: string;
  application: ResetApplication;
  state: RequestState;
  /** What has happened in review so far: claims, questions, manager confirmation, approvals, decision. */
  review: Review;
  /** Incremented by every change; a change must name the version it saw. */
  version: number;
  createdAt: Date;
  updatedAt: Date;
  /**
   * When it last entered pending_review (its service level counts from there); undefined before.
   * Kept by the store on every change (pendingSinceAfter).
   */
  pendingSince?: Date | undefined;
}

/** When a request that moves from `from` to `to` at `at` has been waiting for review since. */
export function pendingSinceAfter(
  from: RequestState | null,
  to: RequestState,
  at: Date,
  before: Date | undefined,
): Date | undefined {
  if (to !== 'pending_review') return undefined;
  return from === 'pending_review' ? before : at;
}

/** How an agent recorded that they verified the subject's identity before approving. */
export interface Approval {
  agentId: string;
  verification: VerificationMethod;
  /** What the agent checked, as typed (plain text). */
  note: string;
  at: Date;
}

/** A question an agent asked the requester, and the answer once given. */
export interface InfoQuestion {
  /** 1, 2, 3… within the request; an answer names the question it answers. */
  number: number;
  askedBy: string;
  text: string;
  askedAt: Date;
  answer: string | undefined;
  answeredAt: Date | undefined;
}

/** Where the subject's line manager stands on confirming the request. */
export type ManagerCheckStatus = 'waiting' | 'confirmed' | 'declined';

export interface ManagerCheck {
  managerId: string;
  status: ManagerCheckStatus;
  /** Why the manager declined, as typed, when they said. */
  note: string | undefined;
  at: Date;
}

/** The review of a request; changed only together with the request's version. */
export interface Review {
  /** The agent working on it, if someone claimed it. */
  claimedBy: string | undefined;
  /** When they claimed it (absent on requests claimed before this was recorded). */
  claimedAt?: Date | undefined;
  /** Distinct agents who approved after recording how they verified identity, in order. */
  approvals: Approval[];
  questions: InfoQuestion[];
  /** Undefined when policy did not ask the manager. */
  manager: ManagerCheck | undefined;
  rejection: { by: string; reason: string; at: Date } | undefined;
  /**
   * The risk signals as they stood when the request was approved or rejected, kept with the
   * decision: the reset itself changes them (a new method, one more completed reset).
   */
  risksAtDecision?: RiskSignal[] | undefined;
}

/** A review with nothing in it yet. */
export function emptyReview(): Review {
  return { claimedBy: undefined, approvals: [], questions: [], manager: undefined, rejection: undefined };
}

/** One entry of the audit trail: who moved which request from where to where, when and why. */
export interface AuditEvent {
  requestId: string;
  tenantId: string;
  actor: string;
  at: Date;
  from: RequestState | null;
  to: RequestState | 'refused';
  reason: string;
  /** The Microsoft Graph request id of the call this event records, when it records one. */
  graphRequestId?: string;
}

/** The readable reference for the n-th request. */
export function formatReference(sequence: number): string {
  return `SIH-${String(sequence).padStart(6, '0')}`;
}
