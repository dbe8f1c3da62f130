import { describeMethods } from '../../cards/diagnosis.js';
import type { ExecutionJob } from '../../domain/requests/ports.js';
import type { InfoRequestView, ManagerConfirmationView, ReviewCardView } from '../../cards/review.js';
import type { Strings } from '../../content/strings/index.js';
import { maskMethod } from '../../domain/diagnosis/mask.js';
import type { Directory } from '../../domain/ports.js';
import type { InfoQuestion, ManagerCheckStatus, ResetRequest } from '../../domain/requests/request.js';
import { isOverdue } from '../../domain/requests/queue.js';
import { handOverProblem } from '../../domain/requests/review-policy.js';
import { MAX_HAND_OVER_CHOICES, type ReviewFacts } from '../../domain/requests/review-facts.js';

/** Names already looked up while drawing one card. */
export type PeopleCache = Map<string, Promise<string>>;

/** A person's display name from the directory, or their object id when it does not know them. */
export function nameOf(directory: Directory | undefined, cache: PeopleCache, userId: string): Promise<string> {
  let name = cache.get(userId);
  if (!name) {
    name = (directory?.getUser(userId) ?? Promise.resolve(undefined)).then(
      (user) => user?.displayName || userId,
      () => userId,
    );
    cache.set(userId, name);
  }
  return name;
}

export interface ReviewViewInput {
  request: ResetRequest;
  facts: ReviewFacts;
  strings: Strings;
  directory: Directory | undefined;
  now: Date;
  /** The execution job of an approved request, once there is one. */
  job: ExecutionJob | undefined;
  /** Requests pending review longer than this are marked overdue. */
  reviewSlaMs: number;
}

/** The channel card's data for a request: the stored request, today's facts, people by name. */
export async function buildReviewView(input: ReviewViewInput): Promise<ReviewCardView> {
  const { request, facts, strings, directory } = input;
  const { application, review } = request;
  // The names the facts brought; anyone else (the agent who just claimed it, say) is asked for at
  // once, all side by side, so drawing the card is one round of calls at most.
  const people: PeopleCache = new Map([...facts.names].map(([id, known]) => [id, Promise.resolve(known)]));
  const name = (userId: string) => nameOf(directory, people, userId);
  const named = [
    request.filerId,
    review.claimedBy,
    review.manager?.managerId,
    review.rejection?.by,
    input.job?.progress.handover?.userId,
    ...review.approvals.map((approval) => approval.agentId),
    ...review.questions.map((question) => question.askedBy),
  ];
  for (const userId of named) if (userId !== undefined) void name(userId);
  // Once the reset has read them, the methods are named as they were then: deleted ones are gone from the directory.
  const planned = input.job?.progress.plan;
  const shown = planned
    ? planned.flatMap((method) => (method.shown ? [method.shown] : []))
    : (facts.methods ?? []).filter((method) => application.lostMethodIds.includes(method.id)).map(maskMethod);
  const unknownLost = planned ? planned.length - shown.length : application.lostMethodIds.length - shown.length;
  const lostMethods = [
    ...describeMethods(strings, shown),
    ...(unknownLost > 0 ? [strings.approval.methodsNoLongerListed.replace('{count}', String(unknownLost))] : []),
  ];
  return {
    requestId: request.id,
    version: request.version,
    reference: request.reference,
    state: request.state,
    submittedAt: request.createdAt,
    now: input.now,
    overdueAfterMs: isOverdue(request, input.reviewSlaMs, input.now) ? input.reviewSlaMs : undefined,
    subject: {
      name: facts.subject?.displayName ?? application.subjectId,
      userPrincipalName: facts.subject?.userPrincipalName ?? '',
      department: facts.subject?.department ?? '',
      jobTitle: facts.subject?.jobTitle ?? '',
      managerName: facts.managerName,
    },
    filerName: request.filerId === application.subjectId ? undefined : await name(request.filerId),
    reason: application.reason,
    lostMethods,
    verificationOffered: application.verification,
    phonesOnFile: facts.subject && {
      business: facts.subject.businessPhones ?? [],
      mobile: facts.subject.mobilePhone,
    },
    contact: application.contact,
    note: application.note,
    // Once decided, the signals the decision was made on: the reset itself changes what the directory shows.
    risks: review.risksAtDecision ?? facts.risks,
    risksAtDecision: review.risksAtDecision !== undefined,
    possibleCompromise: facts.possibleCompromise,
    manager: review.manager && {
      name: await name(review.manager.managerId),
      status: review.manager.status,
      note: review.manager.note,
    },
    claimedByName: review.claimedBy && (await name(review.claimedBy)),
    // The list was read before this click may have changed who has it.
    handOverTo: facts.agents
      ?.filter((agent) => handOverProblem(request, agent.id) === undefined)
      .slice(0, MAX_HAND_OVER_CHOICES)
      .map((agent) => ({ id: agent.id, name: agent.displayName })),
    approvals: await Promise.all(
      review.approvals.map(async (approval) => ({
        agentName: await name(approval.agentId),
        verification: approval.verification,
        note: approval.note,
        at: approval.at,
      })),
    ),
    approvalsNeeded: facts.approvalsNeeded,
    manualOnly: facts.manualOnly,
    questions: await Promise.all(
      review.questions.map(async (question) => ({
        number: question.number,
        askedByName: await name(question.askedBy),
        text: question.text,
        answer: question.answer,
      })),
    ),
    rejection: review.rejection && { byName: await name(review.rejection.by), reason: review.rejection.reason },
    execution: input.job && (await executionOf(input.job, name)),
  };
}

/**
 * The manager's confirmation card for a request; `answered` once they confirmed or declined.
 * `possibleCompromise` (ReviewFactsReader.reachedPossibleCompromise) matters only while they are asked.
 */
export async function buildManagerConfirmationView(
  request: ResetRequest,
  directory: Directory | undefined,
  answered: ManagerCheckStatus | undefined,
  possibleCompromise: boolean,
): Promise<ManagerConfirmationView> {
  const people: PeopleCache = new Map();
  const { subjectId } = request.application;
  return {
    requestId: request.id,
    reference: request.reference,
    subjectName: await nameOf(directory, people, subjectId),
    filerName: request.filerId === subjectId ? undefined : await nameOf(directory, people, request.filerId),
    reason: request.application.reason,
    note: request.application.note,
    submittedAt: request.createdAt,
    answered,
    possibleCompromise,
  };
}

/** The requester's card for one question from an agent, with its answer once given. */
export async function buildInfoRequestView(
  request: ResetRequest,
  question: InfoQuestion,
  directory: Directory | undefined,
): Promise<InfoRequestView> {
  return {
    requestId: request.id,
    reference: request.reference,
    questionNumber: question.number,
    askedByName: await nameOf(directory, new Map(), question.askedBy),
    question: question.text,
    answer: question.answer,
  };
}

/** Where carrying out the reset stands, for the channel card: the pass's way, people by name. */
async function executionOf(
  job: ExecutionJob,
  name: (userId: string) => Promise<string>,
): Promise<NonNullable<ReviewCardView['execution']>> {
  const { progress } = job;
  const handover = progress.handover;
  const waiting = handover && !progress.delivered && handover.card ? await name(handover.userId) : undefined;
  const issuer =
    handover && progress.delivered && progress.delivered.to !== 'subject' ? await name(handover.userId) : undefined;
  return {
    deliveredTo: progress.delivered?.to,
    waitingForPassFrom: waiting,
    issuerName: issuer,
    passClosed: progress.passCardClosed,
    recovered: progress.recovered,
    error: job.lastError,
  };
}
