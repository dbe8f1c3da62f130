/* Request fixtures shared by the request repository's tests: the contract suite and the SQLite-only checks. */
import { expect } from 'vitest';
import type { RequestDraft, RequestRepository, SubmissionLimits } from '../../src/domain/requests/ports.js';
import {
  emptyReview,
  type AuditEvent,
  type RequestState,
  type ResetRequest,
  type Review,
} from '../../src/domain/requests/request.js';

export const TENANT = 'tenant-1';
export const MORNING = new Date('2026-11-24T09:00:00.000Z');
const HOUR = 3_600_000;
export const TODAY: SubmissionLimits = { dailyCap: 5, since: new Date('2026-11-24T00:00:00.000Z') };

let ids = 0;

/** A new request for `subjectId`, filed by `filerId`, at `at`. */
export function draftFor(
  subjectId: string,
  options: { filerId?: string; tenantId?: string; at?: Date; state?: RequestState } = {},
): RequestDraft {
  const at = options.at ?? MORNING;
  return {
    id: `req-${++ids}`,
    tenantId: options.tenantId ?? TENANT,
    filerId: options.filerId ?? subjectId,
    application: {
      subjectId,
      reason: 'lostPhone',
      lostMethodIds: ['method-1'],
      verification: 'videoCall',
      contact: '+81 3 0000 0000',
      note: 'Phone fell into the river.',
      diagnosisId: undefined,
    },
    state: options.state ?? 'submitted',
    review: emptyReview(),
    createdAt: at,
    updatedAt: at,
  };
}

/** The event a caller writes with a new request. */
export function submittedEvent(draft: RequestDraft): AuditEvent {
  return {
    requestId: draft.id,
    tenantId: draft.tenantId,
    actor: draft.filerId,
    at: draft.createdAt,
    from: null,
    to: draft.state,
    reason: 'filed',
  };
}

export function changeEvent(request: ResetRequest, to: AuditEvent['to'], actor = 'aad-agent'): AuditEvent {
  return {
    requestId: request.id,
    tenantId: request.tenantId,
    actor,
    at: MORNING,
    from: request.state,
    to,
    reason: `moved to ${to}`,
  };
}

/** Files a request for `subjectId` at `when`, moves it through `path`, each step an hour later. */
export async function fileAndMove(
  repository: RequestRepository,
  subjectId: string,
  path: Array<{ to: RequestState; actor?: string; review?: Partial<Review> }>,
  when = MORNING,
): Promise<ResetRequest> {
  const id = `req-${++ids}`;
  const created = await repository.create(
    {
      id,
      tenantId: TENANT,
      filerId: subjectId,
      application: {
        subjectId,
        reason: 'lostPhone',
        lostMethodIds: [],
        verification: 'videoCall',
        contact: '+81 3 0000 0000',
        note: '',
        diagnosisId: undefined,
      },
      state: 'submitted',
      review: emptyReview(),
      createdAt: when,
      updatedAt: when,
    },
    { requestId: id, tenantId: TENANT, actor: subjectId, at: when, from: null, to: 'submitted', reason: 'filed' },
    { dailyCap: 100, since: new Date(0) },
  );
  if (created.kind !== 'created') throw new Error(created.kind);
  let request = created.request;
  for (const [index, step] of path.entries()) {
    const stepAt = new Date(when.getTime() + (index + 1) * HOUR);
    const review = { ...request.review, ...step.review };
    const event = {
      requestId: id,
      tenantId: TENANT,
      actor: step.actor ?? 'system',
      at: stepAt,
      from: request.state,
      to: step.to,
      reason: 'moved',
    };
    expect(
      await repository.compareAndSet({ id, expectedVersion: request.version, to: step.to, at: stepAt, event, review }),
    ).toBe(true);
    request = (await repository.find(id))!;
  }
  return request;
}

/**
 * Moves `request` through `states`, all at `at`, each by an agent with its own compare-and-set (which must succeed),
 * and returns the request as stored after the last.
 */
export async function moveThrough(
  repository: RequestRepository,
  request: ResetRequest,
  at: Date,
  ...states: RequestState[]
): Promise<ResetRequest> {
  let current = request;
  for (const to of states) {
    const event = { ...changeEvent(current, to), at };
    expect(
      await repository.compareAndSet({
        id: current.id,
        expectedVersion: current.version,
        to,
        at,
        event,
        review: current.review,
      }),
    ).toBe(true);
    current = (await repository.find(current.id))!;
  }
  return current;
}
