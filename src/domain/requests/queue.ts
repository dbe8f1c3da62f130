import type { RequestState, ResetRequest } from './request.js';

/** The helpdesk queue's sections, in the order agents read them. */
export const QUEUE_GROUPS = ['needsAttention', 'pendingReview', 'claimed', 'awaitingManager', 'approved'] as const;
export type QueueGroup = (typeof QUEUE_GROUPS)[number];

/**
 * Which open requests each section holds: by state and, while under review, by whether an agent
 * claimed it. Every open request is in exactly one section.
 */
export const QUEUE_SECTIONS: Readonly<Record<QueueGroup, { states: readonly RequestState[]; claimed?: boolean }>> = {
  needsAttention: { states: ['failed'] },
  pendingReview: { states: ['submitted', 'pending_review'], claimed: false },
  claimed: { states: ['submitted', 'pending_review'], claimed: true },
  awaitingManager: { states: ['awaiting_manager'] },
  approved: { states: ['approved', 'executing'] },
};

/** The section an open request is in; undefined for a closed one. */
export function queueGroupOf(request: ResetRequest): QueueGroup | undefined {
  return QUEUE_GROUPS.find((group) => {
    const section = QUEUE_SECTIONS[group];
    if (!section.states.includes(request.state)) return false;
    return section.claimed === undefined || section.claimed === (request.review.claimedBy !== undefined);
  });
}

/** Whether a request has waited for review longer than the service level allows, at `now`. */
export function isOverdue(request: ResetRequest, reviewSlaMs: number, now: Date): boolean {
  return (
    request.state === 'pending_review' &&
    request.pendingSince !== undefined &&
    now.getTime() - request.pendingSince.getTime() >= reviewSlaMs
  );
}
