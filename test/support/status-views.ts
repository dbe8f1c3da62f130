import type { ViewerContext } from '../../src/cards/request-status.js';
import { stringsFor } from '../../src/content/strings/index.js';
import type { Locale } from '../../src/domain/locale.js';
import type { DiagnosisRecord } from '../../src/domain/ports.js';
import type { Statistics } from '../../src/domain/requests/statistics.js';
import type { RequestSummary } from '../../src/domain/requests/status-service.js';

export const ids = {
  alex: 'u-alex',
  megan: 'u-megan',
  yuki: 'u-yuki',
  isaiah: 'u-isaiah',
  ken: 'u-ken',
};

export const NOW = new Date('2026-11-26T09:00:00Z');

/** How a viewer in Tokyo reads the cards: names known, times in their zone. */
export function viewer(locale: Locale = 'en', overrides: Partial<ViewerContext> = {}): ViewerContext {
  const formatter = new Intl.DateTimeFormat(locale, {
    dateStyle: 'medium',
    timeStyle: 'short',
    timeZone: 'Asia/Tokyo',
  });
  return {
    strings: stringsFor(locale),
    viewerId: ids.megan,
    names: new Map([
      [ids.alex, 'Alex Wilber'],
      [ids.megan, 'Megan Bowen'],
      [ids.yuki, '佐藤 由紀'],
      [ids.isaiah, 'Isaiah Langer'],
      [ids.ken, '高橋 健'],
    ]),
    formatTime: (date) => formatter.format(date),
    now: NOW,
    reviewSlaMs: 8 * 3_600_000,
    ...overrides,
  };
}

const at = (hoursAgo: number) => new Date(NOW.getTime() - hoursAgo * 3_600_000);

/** A request Megan filed for 佐藤 由紀, carried out, with every kind of entry a requester may read. */
export function completedSummary(overrides: Partial<RequestSummary> = {}): RequestSummary {
  return {
    id: 'r-1',
    reference: 'SIH-000042',
    state: 'completed',
    createdAt: at(30),
    subjectId: ids.yuki,
    filerId: ids.megan,
    reason: 'lostPhone',
    handlerId: ids.isaiah,
    queueGroup: undefined,
    overdue: false,
    audience: 'requester',
    cancellable: false,
    timeline: [
      { kind: 'filed', at: at(30), by: ids.megan, onBehalf: true },
      { kind: 'managerConfirmed', at: at(30), managerId: ids.megan },
      { kind: 'claimed', at: at(29), agentId: ids.isaiah },
      {
        kind: 'questionAsked',
        at: at(28),
        number: 1,
        agentId: ids.isaiah,
        text: 'Which office are you in? [x](https://evil.example)',
      },
      { kind: 'questionAnswered', at: at(27), number: 1, answer: 'Tokyo' },
      { kind: 'approved', at: at(26), agentId: ids.isaiah, verification: undefined },
      { kind: 'executionStarted', at: at(26) },
      { kind: 'completed', at: at(26) },
      { kind: 'passDelivered', at: at(26), to: 'subject' },
      { kind: 'passExpires', at: at(25), past: true },
      { kind: 'followUp', at: at(25), recovered: true },
    ],
    ...overrides,
  };
}

/** Alex's own request, waiting for review past the service level, still cancellable. */
export function waitingSummary(overrides: Partial<RequestSummary> = {}): RequestSummary {
  return {
    id: 'r-2',
    reference: 'SIH-000043',
    state: 'pending_review',
    createdAt: at(10),
    subjectId: ids.alex,
    filerId: ids.alex,
    reason: 'newPhoneNoOld',
    handlerId: undefined,
    queueGroup: 'pendingReview',
    overdue: true,
    audience: 'requester',
    cancellable: true,
    timeline: [{ kind: 'filed', at: at(10), by: ids.alex, onBehalf: false }],
    ...overrides,
  };
}

/** Figures with something in every part of the card. */
export function sampleStatistics(overrides: Partial<Statistics> = {}): Statistics {
  return {
    days: 7,
    from: '2026-11-20',
    to: '2026-11-26',
    filed: 12,
    approved: 7,
    rejected: 2,
    cancelled: 1,
    expired: 1,
    completed: 6,
    failed: 1,
    managerDeclined: 1,
    toDecision: { count: 9, median: 3 * 3_600_000, p90: 20 * 3_600_000 },
    toCompletion: { count: 6, median: 4 * 3_600_000, p90: 30 * 3_600_000 },
    decisionsByAgent: [
      { agentId: ids.isaiah, approved: 5, rejected: 1 },
      { agentId: ids.ken, approved: 2, rejected: 0 },
    ],
    diagnoses: { total: 40, resolved: 24, applied: 8, notResolved: 4, unfinished: 4, selfServiceRate: 24 / 36 },
    topOutcomes: [
      { outcome: 'sign-in-another-way', count: 10, resolved: 8, applied: 1 },
      { outcome: 'account-locked', count: 5, resolved: 5, applied: 0 },
    ],
    volume: Array.from({ length: 7 }, (_, i) => ({ label: `2026-11-${20 + i}`, filed: i + 1, completed: i })),
    ...overrides,
  };
}

/** A diagnosis that ended at the helpdesk, with evidence, a gap and a path. */
export function sampleDiagnosis(overrides: Partial<DiagnosisRecord> = {}): DiagnosisRecord {
  return {
    id: '1a2b3c4d-0000-4000-8000-000000000001',
    tenantId: 't',
    userId: ids.alex,
    locale: 'en',
    entry: 'menu',
    startedAt: at(2),
    updatedAt: at(1),
    path: [{ node: 'no-such-node', via: 'asked', choice: 'x' }],
    outcome: undefined,
    result: 'notResolved',
    questionsAsked: 1,
    evidenceGaps: ['signIns: timed out'],
    evidence: {
      facts: { mfaNotCompleted: true, hasOneMfaMethod: true },
      methodKinds: ['microsoftAuthenticator', 'phone'],
    },
    ...overrides,
  };
}
