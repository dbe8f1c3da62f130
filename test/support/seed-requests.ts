import { randomUUID } from 'node:crypto';
import type { RequestRepository } from '../../src/domain/requests/ports.js';
import { emptyReview } from '../../src/domain/requests/request.js';

export interface SeededRequest {
  tenantId: string;
  /** Files it for themselves, unless `filerId` says who filed it for them. */
  subjectId: string;
  filerId?: string;
  lostMethodIds?: string[];
  /** Given, the request is also approved by this agent (after a video call), which writes its execution job. */
  approverId?: string;
  now?: Date;
}

/**
 * A request stored straight through the repository and moved as the review would: filed, sent to
 * the helpdesk (pending review at version 2), and approved (version 3) when an approver is given.
 * For tests and the bench that need many requests, or requests without a chat around them.
 */
export async function seedRequest(repository: RequestRepository, seed: SeededRequest): Promise<string> {
  const { tenantId, subjectId, filerId = subjectId, lostMethodIds = [], approverId, now = new Date() } = seed;
  const id = randomUUID();
  const event = { requestId: id, tenantId, actor: filerId, at: now, reason: 'seeded' };
  const created = await repository.create(
    {
      id,
      tenantId,
      filerId,
      application: {
        subjectId,
        reason: 'lostPhone',
        lostMethodIds,
        verification: 'videoCall',
        contact: '+65 8123 0000',
        note: 'Lost my phone on the way to work.',
        diagnosisId: undefined,
      },
      state: 'submitted',
      review: emptyReview(),
      createdAt: now,
      updatedAt: now,
    },
    { ...event, from: null, to: 'submitted' },
    { dailyCap: 10, since: new Date(0) },
  );
  if (created.kind !== 'created') throw new Error(`could not seed a request: ${created.kind}`);
  const routed = await repository.compareAndSet({
    id,
    expectedVersion: 1,
    to: 'pending_review',
    at: now,
    event: {
      ...event,
      from: 'submitted',
      to: 'pending_review',
    },
  });
  if (!routed) throw new Error('could not send a seeded request to the helpdesk');
  if (approverId === undefined) return id;
  const review = {
    ...emptyReview(),
    approvals: [{ agentId: approverId, verification: 'videoCall' as const, note: '', at: now }],
  };
  const approved = await repository.compareAndSet({
    id,
    expectedVersion: 2,
    to: 'approved',
    at: now,
    event: { ...event, actor: approverId, from: 'pending_review', to: 'approved' },
    review,
  });
  if (!approved) throw new Error('could not approve a seeded request');
  return id;
}
