/** A request's application and review as stored (JSON text): what its personal digest covers. */
export interface PersonalRecord {
  application: string;
  review: string;
}

/** The states after which a request's personal data is kept only for the retention period. */
export const FINISHED_STATES = ['completed', 'rejected', 'cancelled', 'expired'] as const;

/** The reason of the audit event that records a purge. */
export const PURGE_REASON = 'contact details and notes removed: the request finished longer ago than RETENTION_DAYS';

/**
 * A stored application and review (JSON text) without what people typed: the contact details, the note, and the
 * notes, questions, answers and rejection wording of the review. What is left still says what happened.
 */
export function withoutPersonalData({ application, review }: PersonalRecord): PersonalRecord {
  return {
    application: JSON.stringify(withoutPersonalApplication(JSON.parse(application) as Record<string, unknown>)),
    review: JSON.stringify(withoutPersonalReview(JSON.parse(review) as Record<string, unknown>)),
  };
}

/** An application without what the person typed to be reached and their note. */
function withoutPersonalApplication(application: Record<string, unknown>): Record<string, unknown> {
  return { ...application, contact: '', note: '' };
}

/** A review without the notes, questions, answers and the rejection's wording people typed. */
function withoutPersonalReview(review: Record<string, unknown>): Record<string, unknown> {
  const purged: Record<string, unknown> = { ...review };
  if (Array.isArray(review.approvals)) {
    purged.approvals = review.approvals.map((approval: Record<string, unknown>) => ({ ...approval, note: '' }));
  }
  if (Array.isArray(review.questions)) {
    purged.questions = review.questions.map((question: Record<string, unknown>) => ({
      ...question,
      text: '',
      ...(question.answer === undefined ? {} : { answer: '' }),
    }));
  }
  if (review.manager && typeof review.manager === 'object') {
    const manager = { ...(review.manager as Record<string, unknown>) };
    delete manager.note;
    purged.manager = manager;
  }
  if (review.rejection && typeof review.rejection === 'object') {
    purged.rejection = { ...(review.rejection as Record<string, unknown>), reason: '' };
  }
  return purged;
}
