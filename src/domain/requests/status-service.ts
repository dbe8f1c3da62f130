import { CANCELLABLE } from './review-policy.js';
import { DIAGNOSIS_REFERENCE } from '../diagnosis/diagnosis-reference.js';
import type { Clock, DiagnosisRecord, DiagnosisRepository, Directory } from '../ports.js';
import type {
  ApprovalChannelRepository,
  ChannelPost,
  ExecutionJobRepository,
  RecordView,
  RequestRepository,
  StatisticsRepository,
  ViewLog,
  ViewRoute,
} from './ports.js';
import { QUEUE_GROUPS, isOverdue, queueGroupOf, type QueueGroup } from './queue.js';
import type { RequestState, ResetReason, ResetRequest } from './request.js';
import { periodDays, summarise, type Statistics, type StatisticsPeriod } from './statistics.js';
import { buildTimeline, type Audience, type TimelineEntry } from './timeline.js';

/** The person looking, from the authenticated activity. */
export interface Viewer {
  tenantId: string;
  userId: string;
}

/** What the viewer is in the directory now. */
export interface Roles {
  /** A member of the helpdesk group: sees the queue and any request. */
  agent: boolean;
  /** A member of the helpdesk lead group: sees the queue, any request and the statistics. */
  lead: boolean;
}

/** Who sees what, configured once. */
export interface StatusPolicy {
  helpdeskGroupId: string | undefined;
  leadGroupId: string | undefined;
  /** Requests pending review longer than this are overdue. */
  reviewSlaMs: number;
}

/**
 * One request as a viewer may see it. Nothing here is private to the requester and the helpdesk
 * but the timeline, and the timeline is already cut to the audience (timeline.ts); the contact
 * details and the note are never part of it.
 */
export interface RequestSummary {
  id: string;
  reference: string;
  state: RequestState;
  createdAt: Date;
  subjectId: string;
  filerId: string;
  reason: ResetReason;
  /** The agent who handles it: the claimer, else the last approver or the one who rejected it. */
  handlerId: string | undefined;
  queueGroup: QueueGroup | undefined;
  overdue: boolean;
  audience: Audience;
  /** Only the requester can withdraw, and only before the reset is carried out. */
  cancellable: boolean;
  /** Left out of list views that do not show it (the queue). */
  timeline: TimelineEntry[] | undefined;
}

/** A look-up of one request: shown, or the same answer whether it does not exist or is not the viewer's. */
export type StatusLookup =
  { kind: 'shown'; status: RequestSummary } | { kind: 'notFound' } | { kind: 'directoryUnavailable' };

export type TeamResult =
  | { kind: 'shown'; requests: RequestSummary[]; names: ReadonlyMap<string, string>; reports: number }
  | { kind: 'noReports' }
  | { kind: 'directoryUnavailable' };

export type QueueResult =
  | {
      kind: 'shown';
      sections: Array<{ group: QueueGroup; count: number; requests: RequestSummary[] }>;
      /** The requests' cards in the approval channel, where posted. */
      posts: ChannelPost[];
    }
  | { kind: 'notAllowed' }
  | { kind: 'directoryUnavailable' };

export type StatisticsResult =
  { kind: 'shown'; statistics: Statistics } | { kind: 'notAllowed' } | { kind: 'directoryUnavailable' };

export type DiagnosisLookup =
  | { kind: 'shown'; diagnoses: DiagnosisRecord[] }
  | { kind: 'notFound' }
  | { kind: 'notAllowed' }
  | { kind: 'directoryUnavailable' };

export interface StatusServiceOptions {
  repository: RequestRepository;
  jobs: Pick<ExecutionJobRepository, 'find'>;
  statistics: StatisticsRepository;
  diagnoses: Pick<DiagnosisRepository, 'findByIdPrefix'>;
  channels: Pick<ApprovalChannelRepository, 'findPosts'>;
  views: ViewLog;
  directory: Directory | undefined;
  clock: Clock;
  policy: StatusPolicy;
}

/** A reference as people type it: `SIH-000123`. */
export const REQUEST_REFERENCE = /^SIH-\d{6,9}$/;

/**
 * Where requests stand, for everyone who may know: requesters their own, line managers their
 * direct reports' (from the directory, now), the helpdesk the queue and any request, leads the
 * statistics. Every look at someone else's request is recorded; every refusal is audited, and a
 * request that is not the viewer's is answered exactly like one that does not exist.
 */
export class StatusService {
  constructor(private readonly options: StatusServiceOptions) {}

  /** The viewer's groups now; 'unknown' when the directory did not answer. */
  async roles(userId: string): Promise<Roles | 'unknown'> {
    const { directory, policy } = this.options;
    const groups = [policy.helpdeskGroupId, policy.leadGroupId].filter((id): id is string => id !== undefined);
    if (!directory || groups.length === 0) return { agent: false, lead: false };
    try {
      const member = new Set(await directory.checkMemberGroups(userId, groups));
      return {
        agent: policy.helpdeskGroupId !== undefined && member.has(policy.helpdeskGroupId),
        lead: policy.leadGroupId !== undefined && member.has(policy.leadGroupId),
      };
    } catch {
      return 'unknown';
    }
  }

  /**
   * What the viewer may ask for beyond their own requests, for help and the welcome card: their
   * team (they have direct reports), the queue, the statistics. False where the directory did not answer.
   */
  async capabilities(userId: string): Promise<{ manager: boolean; agent: boolean; lead: boolean }> {
    const [roles, reports] = await Promise.all([this.roles(userId), this.reportIds(userId)]);
    return {
      manager: reports !== 'unknown' && reports.size > 0,
      agent: roles !== 'unknown' && roles.agent,
      lead: roles !== 'unknown' && roles.lead,
    };
  }

  /** One request by its reference (`status SIH-000123`). */
  async status(viewer: Viewer, reference: string): Promise<StatusLookup> {
    const normalised = reference.trim().toUpperCase();
    const request = REQUEST_REFERENCE.test(normalised)
      ? this.options.repository.findByReference(viewer.tenantId, normalised)
      : Promise.resolve(undefined);
    return this.lookUp(viewer, request, 'status', normalised.slice(0, 20));
  }

  /** One request by its id, as a button on an old card names it. */
  async statusById(viewer: Viewer, requestId: unknown): Promise<StatusLookup> {
    const id = typeof requestId === 'string' && requestId.length <= 100 ? requestId : undefined;
    const request = id ? this.options.repository.find(id) : Promise.resolve(undefined);
    return this.lookUp(viewer, request, 'oldCard', (id ?? '?').slice(0, 100));
  }

  /** The requests the viewer filed or is the subject of, newest first, each with its timeline. */
  async mine(viewer: Viewer, limit = 10): Promise<RequestSummary[]> {
    const requests = await this.options.repository.listForPerson(viewer.tenantId, viewer.userId, limit);
    return Promise.all(requests.map((request) => this.summary(request, 'requester', true)));
  }

  /** Every request about the viewer's direct reports (read from the directory now), newest first. */
  async team(viewer: Viewer, limit = 20): Promise<TeamResult> {
    const { directory, repository } = this.options;
    if (!directory) return { kind: 'directoryUnavailable' };
    let reports;
    try {
      reports = await directory.getDirectReports(viewer.userId);
    } catch {
      return { kind: 'directoryUnavailable' };
    }
    if (reports.length === 0) return { kind: 'noReports' };
    const requests = await repository.listBySubjects(
      viewer.tenantId,
      reports.map((report) => report.id),
      limit,
    );
    const summaries = await Promise.all(
      requests.map((request) =>
        this.summary(request, this.isRequester(request, viewer.userId) ? 'requester' : 'manager', true),
      ),
    );
    await this.recordViews(viewer, summaries, 'team');
    return {
      kind: 'shown',
      requests: summaries,
      names: new Map(reports.map((report) => [report.id, report.displayName])),
      reports: reports.length,
    };
  }

  /** The open requests by queue section, oldest first, for the helpdesk. */
  async queue(viewer: Viewer, perGroup = 8): Promise<QueueResult> {
    const roles = await this.roles(viewer.userId);
    if (roles === 'unknown') return this.refused(viewer, 'queue', 'directoryUnavailable');
    if (!roles.agent && !roles.lead) return this.refused(viewer, 'queue', 'notAllowed');
    const groups = await this.options.repository.queue(viewer.tenantId, perGroup);
    const sections = await Promise.all(
      QUEUE_GROUPS.map(async (group) => ({
        group,
        count: groups[group].count,
        requests: await Promise.all(groups[group].oldest.map((request) => this.summary(request, 'helpdesk', false))),
      })),
    );
    const listed = sections.flatMap((section) => section.requests);
    const [posts] = await Promise.all([
      this.options.channels.findPosts(listed.map((request) => request.id)),
      this.recordViews(viewer, listed, 'queue'),
    ]);
    return { kind: 'shown', sections, posts };
  }

  /** The helpdesk's figures for the last `days` days, for leads. */
  async statistics(viewer: Viewer, days: StatisticsPeriod): Promise<StatisticsResult> {
    const roles = await this.roles(viewer.userId);
    if (roles === 'unknown') return this.refused(viewer, `statistics ${days}`, 'directoryUnavailable');
    if (!roles.lead) return this.refused(viewer, `statistics ${days}`, 'notAllowed');
    const now = this.options.clock.now();
    const { from, to } = periodDays(days, now);
    const tallies = await this.options.statistics.tallies(viewer.tenantId, from, to);
    return { kind: 'shown', statistics: summarise(tallies, days, now) };
  }

  /** A diagnosis by its DX-… reference, for the helpdesk: the path, the evidence and the outcome. */
  async diagnosis(viewer: Viewer, reference: string): Promise<DiagnosisLookup> {
    const normalised = reference.trim().toUpperCase();
    const roles = await this.roles(viewer.userId);
    if (roles === 'unknown') return this.refused(viewer, `look up ${normalised.slice(0, 20)}`, 'directoryUnavailable');
    if (!roles.agent && !roles.lead) return this.refused(viewer, `look up ${normalised.slice(0, 20)}`, 'notAllowed');
    if (!DIAGNOSIS_REFERENCE.test(normalised)) return { kind: 'notFound' };
    const diagnoses = await this.options.diagnoses.findByIdPrefix(
      viewer.tenantId,
      normalised.slice(3).toLowerCase(),
      5,
    );
    if (diagnoses.length === 0) return { kind: 'notFound' };
    const at = this.options.clock.now();
    await this.options.views.record(
      diagnoses.map((diagnosis) => ({
        tenantId: viewer.tenantId,
        recordId: diagnosis.id,
        viewerId: viewer.userId,
        audience: 'helpdesk',
        route: 'diagnosis',
        at,
      })),
    );
    return { kind: 'shown', diagnoses };
  }

  /**
   * The checks of a single look-up. The directory is asked the same questions whether or not the
   * request exists (and before knowing), so neither the answer nor its timing tells them apart.
   */
  private async lookUp(
    viewer: Viewer,
    found: Promise<ResetRequest | undefined>,
    route: ViewRoute,
    asked: string,
  ): Promise<StatusLookup> {
    const roles = this.roles(viewer.userId);
    const reports = this.reportIds(viewer.userId);
    const stored = await found;
    const request = stored && stored.tenantId === viewer.tenantId ? stored : undefined;
    if (request && this.isRequester(request, viewer.userId)) {
      return { kind: 'shown', status: await this.summary(request, 'requester', true) };
    }
    const [knownRoles, knownReports] = await Promise.all([roles, reports]);
    let audience: Audience | undefined;
    if (request && knownRoles !== 'unknown' && (knownRoles.agent || knownRoles.lead)) audience = 'helpdesk';
    else if (request && knownReports !== 'unknown' && knownReports.has(request.application.subjectId)) {
      audience = 'manager';
    }
    if (audience && request) {
      const status = await this.summary(request, audience, true);
      await this.recordViews(viewer, [status], route);
      return { kind: 'shown', status };
    }
    const unknown = knownRoles === 'unknown' || knownReports === 'unknown';
    const why = unknown ? 'directoryUnavailable' : request ? 'notAllowed' : 'unknownRequest';
    await this.options.repository.appendEvent({
      requestId: request?.id ?? '-',
      tenantId: viewer.tenantId,
      actor: viewer.userId,
      at: this.options.clock.now(),
      from: request?.state ?? null,
      to: 'refused',
      reason: `refused ${route === 'status' ? `status ${asked}` : 'status from an old card'}: ${why}`,
    });
    return unknown ? { kind: 'directoryUnavailable' } : { kind: 'notFound' };
  }

  private async reportIds(userId: string): Promise<ReadonlySet<string> | 'unknown'> {
    const { directory } = this.options;
    if (!directory) return new Set();
    try {
      return new Set((await directory.getDirectReports(userId)).map((report) => report.id));
    } catch {
      return 'unknown';
    }
  }

  private isRequester(request: ResetRequest, userId: string): boolean {
    return request.filerId === userId || request.application.subjectId === userId;
  }

  private async summary(request: ResetRequest, audience: Audience, withTimeline: boolean): Promise<RequestSummary> {
    const { repository, jobs, clock, policy } = this.options;
    const now = clock.now();
    let timeline: TimelineEntry[] | undefined;
    if (withTimeline) {
      const [events, job] = await Promise.all([repository.eventsOf(request.id), jobs.find(request.id)]);
      timeline = buildTimeline({ request, events, job }, audience, now);
    }
    const { review } = request;
    return {
      id: request.id,
      reference: request.reference,
      state: request.state,
      createdAt: request.createdAt,
      subjectId: request.application.subjectId,
      filerId: request.filerId,
      reason: request.application.reason,
      handlerId: review.claimedBy ?? review.approvals.at(-1)?.agentId ?? agentWhoRejected(request),
      queueGroup: queueGroupOf(request),
      overdue: isOverdue(request, policy.reviewSlaMs, now),
      audience,
      cancellable: audience === 'requester' && CANCELLABLE.includes(request.state),
      timeline,
    };
  }

  private async recordViews(viewer: Viewer, shown: readonly RequestSummary[], route: ViewRoute): Promise<void> {
    const at = this.options.clock.now();
    const views: RecordView[] = shown
      .filter((summary) => summary.audience !== 'requester')
      .map((summary) => ({
        tenantId: viewer.tenantId,
        recordId: summary.id,
        viewerId: viewer.userId,
        audience: summary.audience,
        route,
        at,
      }));
    if (views.length > 0) await this.options.views.record(views);
  }

  private async refused<K extends 'notAllowed' | 'directoryUnavailable'>(
    viewer: Viewer,
    what: string,
    why: K,
  ): Promise<{ kind: K }> {
    await this.options.repository.appendEvent({
      requestId: '-',
      tenantId: viewer.tenantId,
      actor: viewer.userId,
      at: this.options.clock.now(),
      from: null,
      to: 'refused',
      reason: `refused ${what}: ${why}`,
    });
    return { kind: why };
  }
}

/** The agent who rejected a request (a manager's decline is not an agent's). */
function agentWhoRejected(request: ResetRequest): string | undefined {
  const { rejection, manager } = request.review;
  if (!rejection || (manager?.status === 'declined' && manager.managerId === rejection.by)) return undefined;
  return rejection.by;
}
