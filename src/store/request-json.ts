import type { RiskSignal } from '../domain/requests/risk.js';
import type { ResetApplication, Review } from '../domain/requests/request.js';

/** A stored application (JSON text in `requests.application`) as the domain reads it. */
export function parseApplication(json: string): ResetApplication {
  const application = JSON.parse(json) as ResetApplication;
  // Field by field: JSON drops an undefined diagnosisId, and the domain type expects the key.
  return {
    subjectId: application.subjectId,
    reason: application.reason,
    lostMethodIds: application.lostMethodIds,
    verification: application.verification,
    contact: application.contact,
    note: application.note,
    diagnosisId: application.diagnosisId ?? undefined,
  };
}

/** A review as JSON stores it: dates as strings, absent values left out. */
interface StoredReview {
  claimedBy?: string;
  claimedAt?: string;
  approvals?: Array<Omit<Review['approvals'][number], 'at'> & { at: string }>;
  questions?: Array<{
    number: number;
    askedBy: string;
    text: string;
    askedAt: string;
    answer?: string;
    answeredAt?: string;
  }>;
  manager?: { managerId: string; status: NonNullable<Review['manager']>['status']; note?: string; at: string };
  rejection?: { by: string; reason: string; at: string };
  risksAtDecision?: RiskSignal[];
}

/** The stored review (JSON text in `requests.review`), dates revived; requests stored before reviews existed have `{}`. */
export function parseReview(json: string): Review {
  const stored = JSON.parse(json) as StoredReview;
  return {
    claimedBy: stored.claimedBy,
    claimedAt: stored.claimedAt === undefined ? undefined : new Date(stored.claimedAt),
    approvals: (stored.approvals ?? []).map((approval) => ({ ...approval, at: new Date(approval.at) })),
    questions: (stored.questions ?? []).map((question) => ({
      number: question.number,
      askedBy: question.askedBy,
      text: question.text,
      askedAt: new Date(question.askedAt),
      answer: question.answer,
      answeredAt: question.answeredAt === undefined ? undefined : new Date(question.answeredAt),
    })),
    manager: stored.manager && { ...stored.manager, note: stored.manager.note, at: new Date(stored.manager.at) },
    rejection: stored.rejection && { ...stored.rejection, at: new Date(stored.rejection.at) },
    risksAtDecision: stored.risksAtDecision,
  };
}
