import type { ExecutionJob, PassRecipient } from './ports.js';
import type { AuditEvent, ResetRequest, VerificationMethod } from './request.js';

/**
 * Who is looking at a request, which decides what its timeline may show: the requester (filer or
 * subject) sees everything said to them; the subject's line manager sees what happened and who
 * handles it, never the contact, the note, questions and answers, the rejection's wording or how
 * identity was checked; the helpdesk sees everything.
 */
export type Audience = 'requester' | 'manager' | 'helpdesk';

/** One thing that happened to a request; people are object ids, to be named by whoever shows it. */
export type TimelineEntry =
  | { kind: 'filed'; at: Date; by: string; onBehalf: boolean }
  | { kind: 'managerAsked'; at: Date; managerId: string }
  | { kind: 'managerConfirmed'; at: Date; managerId: string }
  | { kind: 'managerDeclined'; at: Date; managerId: string }
  | { kind: 'claimed'; at: Date; agentId: string }
  | { kind: 'questionAsked'; at: Date; number: number; agentId: string; text: string | undefined }
  | { kind: 'questionAnswered'; at: Date; number: number; answer: string | undefined }
  /** One of two approvals a privileged account needs. */
  | { kind: 'approvalRecorded'; at: Date; agentId: string; verification: VerificationMethod | undefined }
  | { kind: 'approved'; at: Date; agentId: string; verification: VerificationMethod | undefined }
  | { kind: 'rejected'; at: Date; agentId: string; reason: string | undefined }
  | { kind: 'cancelled'; at: Date; by: string }
  | { kind: 'expired'; at: Date }
  | { kind: 'executionStarted'; at: Date }
  | { kind: 'failed'; at: Date }
  | { kind: 'retried'; at: Date; by: string }
  | { kind: 'completed'; at: Date }
  | { kind: 'passDelivered'; at: Date; to: PassRecipient }
  /** The pass stops working then: in the future it is "valid until", in the past "expired". */
  | { kind: 'passExpires'; at: Date; past: boolean }
  | { kind: 'followUp'; at: Date; recovered: boolean };

/** Everything a timeline is drawn from, as stored. */
export interface TimelineSource {
  request: ResetRequest;
  /** The request's audit events, oldest first (refusals among them are left out). */
  events: readonly AuditEvent[];
  /** Its execution job, once approved. */
  job: ExecutionJob | undefined;
}

/** What happened to a request so far, oldest first, with what `audience` may read of it. */
export function buildTimeline(source: TimelineSource, audience: Audience, now: Date): TimelineEntry[] {
  const { request, events, job } = source;
  const { review, application } = request;
  const full = audience !== 'manager';
  const helpdesk = audience === 'helpdesk';
  const entries: TimelineEntry[] = [
    { kind: 'filed', at: request.createdAt, by: request.filerId, onBehalf: request.filerId !== application.subjectId },
  ];
  const moves = events.filter((event) => event.to !== 'refused' && event.from !== event.to && event.from !== null);

  for (const move of moves) {
    if (move.to === 'awaiting_manager' && review.manager) {
      entries.push({ kind: 'managerAsked', at: move.at, managerId: review.manager.managerId });
    } else if (move.to === 'cancelled') entries.push({ kind: 'cancelled', at: move.at, by: move.actor });
    else if (move.to === 'expired') entries.push({ kind: 'expired', at: move.at });
    else if (move.to === 'executing') entries.push({ kind: 'executionStarted', at: move.at });
    else if (move.to === 'failed') entries.push({ kind: 'failed', at: move.at });
    else if (move.to === 'approved' && move.from === 'failed') {
      entries.push({ kind: 'retried', at: move.at, by: move.actor });
    } else if (move.to === 'completed') entries.push({ kind: 'completed', at: move.at });
  }

  const manager = review.manager;
  if (manager && manager.status !== 'waiting') {
    const kind = manager.status === 'confirmed' ? 'managerConfirmed' : 'managerDeclined';
    entries.push({ kind, at: manager.at, managerId: manager.managerId });
  }
  if (review.claimedBy) {
    // Requests claimed before the time was kept: the last claim in the trail.
    const at =
      review.claimedAt ??
      events.filter((event) => event.reason === 'claimed' && event.actor === review.claimedBy).at(-1)?.at;
    if (at) entries.push({ kind: 'claimed', at, agentId: review.claimedBy });
  }
  for (const question of review.questions) {
    entries.push({
      kind: 'questionAsked',
      at: question.askedAt,
      number: question.number,
      agentId: question.askedBy,
      text: full ? question.text : undefined,
    });
    if (question.answeredAt) {
      entries.push({
        kind: 'questionAnswered',
        at: question.answeredAt,
        number: question.number,
        answer: full ? question.answer : undefined,
      });
    }
  }
  const approvedAt = moves.find((move) => move.to === 'approved' && move.from !== 'failed')?.at;
  review.approvals.forEach((approval, index) => {
    const last = index === review.approvals.length - 1;
    entries.push({
      kind: last && approvedAt ? 'approved' : 'approvalRecorded',
      at: approval.at,
      agentId: approval.agentId,
      verification: helpdesk ? approval.verification : undefined,
    });
  });
  const rejection = review.rejection;
  if (rejection && !(manager?.status === 'declined' && rejection.by === manager.managerId)) {
    entries.push({
      kind: 'rejected',
      at: rejection.at,
      agentId: rejection.by,
      reason: full ? rejection.reason : undefined,
    });
  }

  const progress = job?.progress;
  if (progress?.delivered) {
    entries.push({ kind: 'passDelivered', at: new Date(progress.delivered.at), to: progress.delivered.to });
  }
  if (progress?.pass && progress.delivered) {
    const ends = new Date(Date.parse(progress.pass.createdAt) + progress.pass.lifetimeInMinutes * 60_000);
    entries.push({ kind: 'passExpires', at: ends, past: ends.getTime() <= now.getTime() });
    if (progress.recovered !== undefined) entries.push({ kind: 'followUp', at: ends, recovered: progress.recovered });
  }
  // Stable: entries of the same moment keep the order in which they happened above.
  return entries.sort((a, b) => a.at.getTime() - b.at.getTime());
}
