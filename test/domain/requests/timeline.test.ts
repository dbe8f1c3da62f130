import { describe, expect, it } from 'vitest';
import type { ExecutionJob } from '../../../src/domain/requests/ports.js';
import { emptyReview, type AuditEvent, type ResetRequest } from '../../../src/domain/requests/request.js';
import { buildTimeline } from '../../../src/domain/requests/timeline.js';

const t = (minutes: number) => new Date(Date.UTC(2026, 10, 25, 9, minutes));
const now = t(500);

/** Megan filed for Yuki; Isaiah claimed it, asked a question, approved after a video call; it was carried out. */
const request: ResetRequest = {
  id: 'r-1',
  reference: 'SIH-000042',
  tenantId: 'tenant',
  filerId: 'megan',
  application: {
    subjectId: 'yuki',
    reason: 'lostPhone',
    lostMethodIds: [],
    verification: 'videoCall',
    contact: '+81 90 0000 0000',
    note: 'Lost it on the train',
    diagnosisId: undefined,
  },
  state: 'completed',
  review: {
    ...emptyReview(),
    claimedBy: 'isaiah',
    claimedAt: t(10),
    manager: { managerId: 'megan', status: 'confirmed', note: undefined, at: t(0) },
    questions: [
      { number: 1, askedBy: 'isaiah', text: 'Which office?', askedAt: t(20), answer: 'Tokyo', answeredAt: t(30) },
    ],
    approvals: [{ agentId: 'isaiah', verification: 'videoCall', note: 'Passport checked', at: t(40) }],
  },
  version: 9,
  createdAt: t(0),
  updatedAt: t(42),
  pendingSince: undefined,
};

const event = (
  at: Date,
  from: AuditEvent['from'],
  to: AuditEvent['to'],
  actor = 'system',
  reason = '',
): AuditEvent => ({
  requestId: 'r-1',
  tenantId: 'tenant',
  actor,
  at,
  from,
  to,
  reason,
});

const events: AuditEvent[] = [
  event(t(0), null, 'submitted', 'megan'),
  event(t(0), 'submitted', 'pending_review'),
  event(t(5), 'pending_review', 'refused', 'diego', 'refused approve: notAgent'),
  event(t(10), 'pending_review', 'pending_review', 'isaiah', 'claimed'),
  event(t(40), 'pending_review', 'approved', 'isaiah'),
  event(t(41), 'approved', 'executing'),
  event(t(42), 'executing', 'completed'),
];

const job: ExecutionJob = {
  requestId: 'r-1',
  tenantId: 'tenant',
  status: 'followUp',
  attempts: 0,
  lastError: undefined,
  progress: {
    delivered: { to: 'subject', at: t(42).toISOString() },
    pass: { id: 'tap', createdAt: t(42).toISOString(), lifetimeInMinutes: 60 },
    recovered: true,
  },
};

describe('a request timeline', () => {
  it('tells the requester everything that happened, in order, without refusals', () => {
    const kinds = buildTimeline({ request, events, job }, 'requester', now).map((entry) => entry.kind);
    expect(kinds).toEqual([
      'filed',
      'managerConfirmed',
      'claimed',
      'questionAsked',
      'questionAnswered',
      'approved',
      'executionStarted',
      'completed',
      'passDelivered',
      'passExpires',
      'followUp',
    ]);
    const timeline = buildTimeline({ request, events, job }, 'requester', now);
    expect(timeline).toContainEqual({
      kind: 'questionAsked',
      at: t(20),
      number: 1,
      agentId: 'isaiah',
      text: 'Which office?',
    });
    expect(timeline).toContainEqual({ kind: 'passExpires', at: t(102), past: true });
    // The requester learns who approved, not how the agent checked them.
    expect(timeline).toContainEqual({ kind: 'approved', at: t(40), agentId: 'isaiah', verification: undefined });
  });

  it("gives the line manager what happened and who handles it, never the questions' wording or how identity was checked", () => {
    const timeline = buildTimeline({ request, events, job }, 'manager', now);
    expect(timeline).toContainEqual({
      kind: 'questionAsked',
      at: t(20),
      number: 1,
      agentId: 'isaiah',
      text: undefined,
    });
    expect(timeline).toContainEqual({ kind: 'questionAnswered', at: t(30), number: 1, answer: undefined });
    expect(timeline).toContainEqual({ kind: 'approved', at: t(40), agentId: 'isaiah', verification: undefined });
    const text = JSON.stringify(timeline);
    for (const secret of ['Which office?', 'Tokyo', 'videoCall', 'Passport', '+81', 'train'])
      expect(text).not.toContain(secret);
  });

  it('gives the helpdesk how identity was checked', () => {
    expect(buildTimeline({ request, events, job }, 'helpdesk', now)).toContainEqual({
      kind: 'approved',
      at: t(40),
      agentId: 'isaiah',
      verification: 'videoCall',
    });
  });

  it("says the pass still works until then, and keeps a manager's decline apart from an agent's rejection", () => {
    const early = buildTimeline(
      { request, events, job: { ...job, progress: { ...job.progress, recovered: undefined } } },
      'requester',
      t(60),
    );
    expect(early.filter((entry) => entry.kind === 'passExpires')).toEqual([
      { kind: 'passExpires', at: t(102), past: false },
    ]);
    expect(early.some((entry) => entry.kind === 'followUp')).toBe(false);

    const declined: ResetRequest = {
      ...request,
      state: 'rejected',
      review: {
        ...emptyReview(),
        manager: { managerId: 'megan', status: 'declined', note: 'Not expected', at: t(5) },
        rejection: { by: 'megan', reason: 'Not expected', at: t(5) },
      },
    };
    const moves = [
      event(t(0), null, 'submitted', 'megan'),
      event(t(1), 'submitted', 'awaiting_manager'),
      event(t(5), 'awaiting_manager', 'rejected', 'megan'),
    ];
    expect(
      buildTimeline({ request: declined, events: moves, job: undefined }, 'requester', now).map((e) => e.kind),
    ).toEqual(['filed', 'managerAsked', 'managerDeclined']);
  });

  it('shows a retry after a failure, and who cancelled', () => {
    const retried = [
      ...events.slice(0, 6),
      event(t(45), 'executing', 'failed'),
      event(t(50), 'failed', 'approved', 'ken'),
      event(t(55), 'approved', 'cancelled', 'megan'),
    ];
    const kinds = buildTimeline(
      { request: { ...request, state: 'cancelled' }, events: retried, job: undefined },
      'requester',
      now,
    );
    expect(kinds.slice(-3)).toEqual([
      { kind: 'failed', at: t(45) },
      { kind: 'retried', at: t(50), by: 'ken' },
      { kind: 'cancelled', at: t(55), by: 'megan' },
    ]);
  });
});
