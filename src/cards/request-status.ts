import type { Strings } from '../content/strings/index.js';
import { format } from '../content/strings/index.js';
import type { RequestState } from '../domain/requests/request.js';
import type { RequestSummary } from '../domain/requests/status-service.js';
import type { TimelineEntry } from '../domain/requests/timeline.js';
import { formatAge, formatHours } from './format-time.js';
import { renderCard, type AdaptiveCard } from './render-card.js';
import { Verbs } from './verbs.js';

/** How the viewer reads people and times: names by object id, times in their own time zone. */
export interface ViewerContext {
  strings: Strings;
  /** Who is reading: lines about them are in the second person. */
  viewerId: string;
  /** Display names by object id; an id missing here is shown as "someone". */
  names: ReadonlyMap<string, string>;
  formatTime: (date: Date) => string;
  now: Date;
  reviewSlaMs: number;
}

/** Data of `cards/request-status.json`: one request or a list of them, each with its timeline. */
export interface RequestStatusCardData {
  title: string;
  notice: string | null;
  intro: string[];
  none: string | null;
  timelineHeading: string;
  showTimeline: string;
  requests: Array<{
    id: string;
    heading: string;
    state: string;
    stateColor: 'Good' | 'Attention' | 'Warning' | 'Accent' | 'Default';
    lines: string[];
    overdue: string | null;
    timelineId: string;
    timeline: Array<{ time: string; text: string }>;
    expanded: boolean;
    toggle: boolean;
    cancel: { title: string; verb: string } | null;
  }>;
}

/** What a list shows around its requests. */
export interface RequestListFrame {
  title: string;
  intro: string[];
  /** Shown instead of the list when it is empty. */
  none: string;
  /** A line on top, for the person who clicked an out-of-date button. */
  notice?: string | undefined;
  /** Whose requests these are: the subject's name leads each heading in a manager's list. */
  headingWithSubject: boolean;
}

const STATE_COLORS: Readonly<Record<RequestState, RequestStatusCardData['requests'][number]['stateColor']>> = {
  submitted: 'Accent',
  awaiting_manager: 'Accent',
  pending_review: 'Accent',
  approved: 'Accent',
  executing: 'Accent',
  completed: 'Default',
  rejected: 'Default',
  cancelled: 'Default',
  expired: 'Default',
  failed: 'Attention',
};

/**
 * Requests with where each stands and what happened, for the requester (`my requests`, `status`),
 * the line manager (`my team`) or the helpdesk (`status`). The summaries are already cut to their
 * audience; this only words them. The newest request's timeline is open, the others fold.
 */
export function renderRequestStatusCard(
  viewer: ViewerContext,
  frame: RequestListFrame,
  requests: readonly RequestSummary[],
): AdaptiveCard {
  const { strings } = viewer;
  const data: RequestStatusCardData = {
    title: frame.title,
    notice: frame.notice ?? null,
    intro: frame.intro,
    none: requests.length === 0 ? frame.none : null,
    timelineHeading: strings.status.timelineHeading,
    showTimeline: strings.status.showTimeline,
    requests: requests.map((request, index) => {
      const timeline = (request.timeline ?? []).map((entry) => ({
        time: viewer.formatTime(entry.at),
        text: describeEntry(viewer, request, entry),
      }));
      return {
        id: request.id,
        heading: frame.headingWithSubject
          ? `${request.reference} · ${nameIn(viewer, request.subjectId)}`
          : request.reference,
        state: strings.requests.states[request.state],
        stateColor: STATE_COLORS[request.state],
        lines: summaryLines(viewer, request, frame.headingWithSubject),
        overdue: request.overdue ? format(strings.status.overdue, { hours: formatHours(viewer.reviewSlaMs) }) : null,
        timelineId: `timeline-${index + 1}`,
        timeline,
        expanded: index === 0,
        toggle: index > 0 && timeline.length > 0,
        cancel: request.cancellable ? { title: strings.approval.cancel, verb: Verbs.requestCancel } : null,
      };
    }),
  };
  return renderCard('request-status', data);
}

function summaryLines(viewer: ViewerContext, request: RequestSummary, subjectInHeading: boolean): string[] {
  const s = viewer.strings.status;
  const onBehalf = request.filerId !== request.subjectId;
  return [
    format(s.filedLine, {
      date: viewer.formatTime(request.createdAt),
      age: formatAge(viewer.strings, request.createdAt, viewer.now),
    }),
    ...(!onBehalf
      ? []
      : request.subjectId === viewer.viewerId
        ? [format(s.filedForYou, { name: nameIn(viewer, request.filerId) })]
        : subjectInHeading
          ? [format(s.filedBy, { name: nameIn(viewer, request.filerId) })]
          : [format(s.forSomeone, { name: nameIn(viewer, request.subjectId) })]),
    format(s.reasonLine, { reason: viewer.strings.review.reasons[request.reason] }),
    request.handlerId ? format(s.handledBy, { name: nameIn(viewer, request.handlerId) }) : s.notHandled,
  ];
}

/** One line of a timeline, in the viewer's words; what the audience may not read is already gone. */
export function describeEntry(viewer: ViewerContext, request: RequestSummary, entry: TimelineEntry): string {
  const t = viewer.strings.status.timeline;
  const name = (id: string) => nameIn(viewer, id);
  const how = (verification: string | undefined) =>
    verification === undefined
      ? undefined
      : viewer.strings.review.verificationsDone[verification as keyof Strings['review']['verificationsDone']];
  switch (entry.kind) {
    case 'filed':
      if (!entry.onBehalf) return format(t.filed, { name: name(entry.by) });
      return request.subjectId === viewer.viewerId
        ? format(t.filedForYou, { name: name(entry.by) })
        : format(t.filedFor, { name: name(entry.by), subject: name(request.subjectId) });
    case 'managerAsked':
      return format(t.managerAsked, { name: name(entry.managerId) });
    case 'managerConfirmed':
      return format(t.managerConfirmed, { name: name(entry.managerId) });
    case 'managerDeclined':
      return format(t.managerDeclined, { name: name(entry.managerId) });
    case 'claimed':
      return format(t.claimed, { name: name(entry.agentId) });
    case 'questionAsked':
      return entry.text === undefined
        ? format(t.questionAsked, { name: name(entry.agentId), number: String(entry.number) })
        : format(t.questionAskedText, { name: name(entry.agentId), text: entry.text });
    case 'questionAnswered':
      return entry.answer === undefined
        ? format(t.questionAnswered, { number: String(entry.number) })
        : format(t.questionAnsweredText, { text: entry.answer });
    case 'approvalRecorded':
    case 'approved': {
      const verification = how(entry.verification);
      const [plain, withHow] =
        entry.kind === 'approved' ? [t.approved, t.approvedHow] : [t.approvalRecorded, t.approvalRecordedHow];
      return verification === undefined
        ? format(plain, { name: name(entry.agentId) })
        : format(withHow, { name: name(entry.agentId), verification });
    }
    case 'rejected':
      return entry.reason === undefined || entry.reason.trim() === ''
        ? format(t.rejected, { name: name(entry.agentId) })
        : format(t.rejectedWhy, { name: name(entry.agentId), reason: entry.reason });
    case 'cancelled':
      return format(t.cancelled, { name: name(entry.by) });
    case 'expired':
      return t.expired;
    case 'executionStarted':
      return t.executionStarted;
    case 'failed':
      return t.failed;
    case 'retried':
      return format(t.retried, { name: name(entry.by) });
    case 'completed':
      return t.completed;
    case 'passDelivered':
      if (entry.to === 'agent') return t.passToAgent;
      if (entry.to === 'manager') return t.passToManager;
      return request.subjectId === viewer.viewerId
        ? t.passToYou
        : format(t.passToSubject, { subject: name(request.subjectId) });
    case 'passExpires':
      return entry.past ? t.passExpired : t.passExpires;
    case 'followUp':
      return entry.recovered ? t.recovered : t.notRecovered;
  }
}

/** A person's display name as the viewer reads it. */
export function nameIn(viewer: ViewerContext, userId: string): string {
  if (userId === 'system') return viewer.strings.status.theSystem;
  return viewer.names.get(userId) ?? viewer.strings.status.someone;
}

/** Every person a summary names, so they can be looked up at once. */
export function peopleIn(requests: readonly RequestSummary[]): Set<string> {
  const ids = new Set<string>();
  for (const request of requests) {
    ids.add(request.subjectId);
    ids.add(request.filerId);
    if (request.handlerId) ids.add(request.handlerId);
    for (const entry of request.timeline ?? []) {
      for (const key of ['by', 'managerId', 'agentId'] as const) {
        const id = (entry as Partial<Record<typeof key, string>>)[key];
        if (id) ids.add(id);
      }
    }
  }
  ids.delete('system');
  return ids;
}
