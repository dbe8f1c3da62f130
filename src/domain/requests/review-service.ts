import { directoryFailure } from '../directory-failure.js';
import type { AuthMethod, Clock, Directory, DirectoryUser } from '../ports.js';
import type { FieldProblem } from './application.js';
import type { HandoverRecipient, PassRecipient, RequestRepository } from './ports.js';
import {
  MAX_TEXT_LENGTH,
  VERIFICATION_METHODS,
  pendingSinceAfter,
  type AuditEvent,
  type RequestState,
  type ResetRequest,
  type Review,
  type VerificationMethod,
} from './request.js';
import { RECENT_RESET_DAYS, riskSignals, type RiskEvidence, type RiskSignal } from './risk.js';

/** Who decides what: configured once, applied on every click. */
export interface ReviewPolicy {
  /** Members of this group may decide; undefined means nobody may. */
  helpdeskGroupId: string | undefined;
  /** Members of this group may choose the approval channel. */
  adminGroupId: string | undefined;
  managerConfirmation: 'always' | 'onBehalf' | 'never';
  privilegedApproval: 'twoApprovers' | 'manual';
  /** Requests unchanged for this many days before approval expire. */
  expiryDays: number;
}

/** What changed about a request, so the right people can be told. */
export type RequestNews =
  | { kind: 'submitted' }
  | { kind: 'managerAsked' }
  | { kind: 'managerConfirmed' }
  | { kind: 'managerDeclined' }
  | { kind: 'claimed' }
  /** The agent who claimed it let it go: nobody is working on it now. */
  | { kind: 'released' }
  /** `by` gave the request to `to` (to themselves, when taking it over); `from` had claimed it, if anyone. */
  | { kind: 'handedOver'; by: string; to: string; from: string | undefined }
  | { kind: 'questionAsked'; number: number }
  | { kind: 'questionAnswered'; number: number }
  | { kind: 'approvalRecorded' }
  | { kind: 'approved' }
  | { kind: 'rejected' }
  | { kind: 'cancelled' }
  | { kind: 'expired' }
  | { kind: 'executionStarted' }
  /** The reset is done up to the pass; the person who verified the subject is offered to issue it. */
  | { kind: 'passOffered'; to: HandoverRecipient }
  | { kind: 'completed'; passTo: PassRecipient }
  /** The subject said they did not ask for this reset. */
  | { kind: 'disputed' }
  | { kind: 'failed'; step: string; code: string }
  | { kind: 'executionPaused'; cap: number }
  | { kind: 'retried' }
  | { kind: 'recovered' }
  | { kind: 'notRecovered' };

/** Tells people about a change; implementations queue the work and return at once. */
export interface RequestNotifier {
  announce(request: ResetRequest, news: RequestNews): void;
}

/** Why an action was refused; each has its own message, and each is audited. */
export type Refusal =
  | 'tamperedCard'
  | 'unknownRequest'
  | 'notAgent'
  | 'isSubject'
  | 'isFiler'
  | 'wrongState'
  | 'staleVersion'
  | 'awaitingManager'
  | 'manualOnly'
  | 'alreadyApprovedByYou'
  | 'directoryUnavailable'
  | 'notManager'
  | 'notRequester'
  | 'alreadyAnswered'
  /** Only the agent who claimed a request can release it. */
  | 'notClaimer'
  /** A request can be handed over only to a member of the helpdesk group. */
  | 'targetNotAgent'
  /** Nor to its subject or the person who filed it. */
  | 'targetNotEligible'
  /** The agent chosen already has it. */
  | 'alreadyHandling';

/** The inputs an action may carry, each checked on its own. */
export type ReviewField =
  'question' | 'verification' | 'verificationNote' | 'rejectReason' | 'answer' | 'managerNote' | 'handOverTo';

export type ActionResult =
  | { kind: 'done'; request: ResetRequest; news: RequestNews }
  | { kind: 'refused'; refusal: Refusal; request: ResetRequest | undefined }
  | {
      kind: 'invalid';
      request: ResetRequest;
      problems: Partial<Record<ReviewField, FieldProblem>>;
      /** What was typed, to show again. */
      values: Partial<Record<ReviewField, string>>;
    };

/** The person acting, from the authenticated activity. */
export interface Actor {
  tenantId: string;
  userId: string;
}

/** What a card says it is about; untrusted until checked against the store. */
export interface CardReference {
  requestId?: unknown;
  version?: unknown;
}

/** Everything an agent needs to judge a request, read from the directory now. */
export interface ReviewFacts {
  subject: DirectoryUser | undefined;
  manager: DirectoryUser | undefined;
  /** The subject's registered methods now, or undefined when the directory did not answer. */
  methods: AuthMethod[] | undefined;
  risks: RiskSignal[];
  /**
   * The helpdesk agents the request can be handed over to, by name (see handOverProblem); undefined
   * when it is no longer open or the directory did not answer.
   */
  agents: Array<Pick<DirectoryUser, 'id' | 'displayName'>> | undefined;
  /** 1, or 2 for a privileged subject under the two-approver policy. */
  approvalsNeeded: number;
  /** A privileged subject under the manual policy: nobody may approve here. */
  manualOnly: boolean;
}

/** Why `userId` cannot take the request over, whatever their membership; undefined when they can. */
export function handOverProblem(
  request: Pick<ResetRequest, 'filerId' | 'application' | 'review'>,
  userId: string,
): Extract<Refusal, 'targetNotEligible' | 'alreadyHandling'> | undefined {
  if (userId === request.application.subjectId || userId === request.filerId) return 'targetNotEligible';
  if (userId === request.review.claimedBy) return 'alreadyHandling';
  return undefined;
}

export interface ReviewServiceOptions {
  repository: RequestRepository;
  directory: Directory | undefined;
  clock: Clock;
  policy: ReviewPolicy;
  notifier: RequestNotifier;
}

const OPEN_FOR_REVIEW: readonly RequestState[] = ['submitted', 'awaiting_manager', 'pending_review'];
const CANCELLABLE: readonly RequestState[] = [...OPEN_FOR_REVIEW, 'approved'];
const DAY_MS = 86_400_000;
/** The most agents a hand-over list offers; a helpdesk larger than this picks among the first by name. */
const MAX_HAND_OVER_CHOICES = 100;
/** The actor recorded for what the bot does on its own (routing, expiry). */
export const SYSTEM_ACTOR = 'system';

type Check = { ok: true; request: ResetRequest } | { ok: false; result: ActionResult };

/**
 * The review of reset requests: routing after submission, the agents' actions in the approval
 * channel, the manager's confirmation, the requester's answers and cancellation, and expiry.
 * Every action re-reads the stored request; every change is one compare-and-set with one audit
 * event, every refusal is audited, and every change is announced.
 */
export class ReviewService {
  constructor(private readonly options: ReviewServiceOptions) {}

  /** Sends a new request on its way: to the subject's manager first when policy asks, else to review. */
  async route(request: ResetRequest): Promise<ResetRequest> {
    const { directory, policy } = this.options;
    const now = this.now();
    const { application, filerId } = request;
    const onBehalf = filerId !== application.subjectId;
    const wanted =
      policy.managerConfirmation === 'always' ||
      (policy.managerConfirmation === 'onBehalf' && (onBehalf || application.verification === 'managerConfirmation'));
    let managerId: string | undefined;
    if (wanted) {
      const subject = await directory?.getUser(application.subjectId).catch(() => undefined);
      managerId = subject?.managerId;
    }
    const review: Review = { ...request.review };
    let to: RequestState = 'pending_review';
    let why = 'sent for review';
    if (wanted && managerId === filerId) {
      review.manager = { managerId, status: 'confirmed', note: undefined, at: now };
      why = "sent for review; the subject's manager filed it, which counts as their confirmation";
    } else if (wanted && managerId) {
      review.manager = { managerId, status: 'waiting', note: undefined, at: now };
      to = 'awaiting_manager';
      why = "waiting for the subject's manager to confirm";
    } else if (wanted) {
      why = "sent for review; the subject's manager could not be found to confirm";
    }
    const moved = await this.change(request, to, review, SYSTEM_ACTOR, why);
    const routed = moved ?? (await this.options.repository.find(request.id)) ?? request;
    this.options.notifier.announce(
      routed,
      moved && to === 'awaiting_manager' ? { kind: 'managerAsked' } : { kind: 'submitted' },
    );
    return routed;
  }

  /** Reads what an agent should weigh: the people, risk signals and how many approvals are needed. */
  async facts(request: ResetRequest): Promise<ReviewFacts> {
    const { directory, policy } = this.options;
    const [subject, evidence, agents] = await Promise.all([
      quietly(directory?.getUser(request.application.subjectId)),
      this.riskEvidence(request),
      this.handOverCandidates(request),
    ]);
    const manager = subject?.managerId ? await quietly(directory?.getUser(subject.managerId)) : undefined;
    const privileged = (evidence.roles?.length ?? 0) > 0;
    return {
      subject,
      manager,
      methods: evidence.methods,
      risks: riskSignals(evidence),
      agents,
      approvalsNeeded: privileged && policy.privilegedApproval === 'twoApprovers' ? 2 : 1,
      manualOnly: privileged && policy.privilegedApproval === 'manual',
    };
  }

  /** What the risk signals are drawn from, read now; the parts the directory did not answer are undefined. */
  private async riskEvidence(request: ResetRequest): Promise<RiskEvidence & { methods: AuthMethod[] | undefined }> {
    const { directory, repository } = this.options;
    const now = this.now();
    const subjectId = request.application.subjectId;
    const [roles, signIns, methods, recentResets] = await Promise.all([
      quietly(directory?.getDirectoryRoles(subjectId)),
      quietly(directory?.getRecentSignIns(subjectId, 50)),
      quietly(directory?.getAuthenticationMethods(subjectId)),
      repository.countCompletedSince(request.tenantId, subjectId, new Date(now.getTime() - RECENT_RESET_DAYS * DAY_MS)),
    ]);
    return { now, roles, signIns, methods, recentResets, filedOnBehalf: request.filerId !== subjectId };
  }

  /** The helpdesk group's members an open request can be handed to, by name; undefined otherwise. */
  private async handOverCandidates(request: ResetRequest): Promise<ReviewFacts['agents']> {
    const { directory, policy } = this.options;
    if (!OPEN_FOR_REVIEW.includes(request.state) || !policy.helpdeskGroupId) return undefined;
    const members = await quietly(directory?.getGroupMembers(policy.helpdeskGroupId));
    return members
      ?.filter((member) => handOverProblem(request, member.id) === undefined)
      .map(({ id, displayName }) => ({ id, displayName: displayName || id }))
      .sort((a, b) => a.displayName.localeCompare(b.displayName))
      .slice(0, MAX_HAND_OVER_CHOICES);
  }

  /** An agent takes the request on. */
  async claim(actor: Actor, card: CardReference): Promise<ActionResult> {
    const checked = await this.checkAgent(actor, card, 'claim', OPEN_FOR_REVIEW);
    if (!checked.ok) return checked.result;
    const { request } = checked;
    const review = { ...request.review, claimedBy: actor.userId, claimedAt: this.now() };
    return this.commit(request, request.state, review, actor, 'claimed', { kind: 'claimed' });
  }

  /** The agent who claimed the request lets it go, so that another can claim it. */
  async release(actor: Actor, card: CardReference): Promise<ActionResult> {
    const checked = await this.checkAgent(actor, card, 'release', OPEN_FOR_REVIEW);
    if (!checked.ok) return checked.result;
    const { request } = checked;
    if (request.review.claimedBy !== actor.userId) return this.refuse(request, actor, 'release', 'notClaimer');
    const review: Review = { ...request.review, claimedBy: undefined, claimedAt: undefined };
    return this.commit(request, request.state, review, actor, 'released the claim', { kind: 'released' });
  }

  /**
   * An agent gives the request to another agent, or takes it over themselves. Any agent may, claimed
   * or not, so that a request never waits for someone who is away; the audit trail says who did it.
   * The new claimer must be in the helpdesk group now, and be neither the subject nor the filer.
   */
  async handOver(actor: Actor, card: CardReference, input: { handOverTo?: unknown }): Promise<ActionResult> {
    const what = 'hand over';
    const checked = await this.checkAgent(actor, card, what, OPEN_FOR_REVIEW);
    if (!checked.ok) return checked.result;
    const { request } = checked;
    const to = text(input.handOverTo).trim();
    if (to === '')
      return { kind: 'invalid', request, problems: { handOverTo: 'required' }, values: { handOverTo: to } };
    if (to.length > 100) return this.refuse(request, actor, what, 'tamperedCard');
    const problem = handOverProblem(request, to);
    if (problem) return this.refuse(request, actor, what, problem);
    const member = await this.isMember(to, this.options.policy.helpdeskGroupId);
    if (member === 'unknown') return this.refuse(request, actor, what, 'directoryUnavailable');
    if (!member) return this.refuse(request, actor, what, 'targetNotAgent');
    const from = request.review.claimedBy;
    const review: Review = { ...request.review, claimedBy: to, claimedAt: this.now() };
    return this.commit(request, request.state, review, actor, handOverReason(actor.userId, to, from), {
      kind: 'handedOver',
      by: actor.userId,
      to,
      from,
    });
  }

  /** An agent asks the requester a question; the answer comes back in the requester's chat. */
  async askInfo(actor: Actor, card: CardReference, input: { question?: unknown }): Promise<ActionResult> {
    const checked = await this.checkAgent(actor, card, 'ask for information', OPEN_FOR_REVIEW);
    if (!checked.ok) return checked.result;
    const { request } = checked;
    const question = text(input.question);
    const problem = textProblem(question, true);
    if (problem) return { kind: 'invalid', request, problems: { question: problem }, values: { question } };
    const number = request.review.questions.length + 1;
    const review: Review = {
      ...request.review,
      questions: [
        ...request.review.questions,
        {
          number,
          askedBy: actor.userId,
          text: question.trim(),
          askedAt: this.now(),
          answer: undefined,
          answeredAt: undefined,
        },
      ],
    };
    return this.commit(request, request.state, review, actor, `asked the requester question ${number}`, {
      kind: 'questionAsked',
      number,
    });
  }

  /**
   * An agent approves after recording how they verified the subject. A privileged subject needs
   * two different agents under the two-approver policy, and cannot be approved here under the
   * manual one.
   */
  async approve(
    actor: Actor,
    card: CardReference,
    input: { verification?: unknown; verificationNote?: unknown },
  ): Promise<ActionResult> {
    const checked = await this.checkAgent(actor, card, 'approve', ['pending_review'], ['awaiting_manager']);
    if (!checked.ok) return checked.result;
    const { request } = checked;
    const verification = text(input.verification).trim();
    const note = text(input.verificationNote);
    const problems: Partial<Record<ReviewField, FieldProblem>> = {};
    if (verification === '') problems.verification = 'required';
    else if (!(VERIFICATION_METHODS as readonly string[]).includes(verification)) problems.verification = 'invalid';
    const noteProblem = textProblem(note, true);
    if (noteProblem) problems.verificationNote = noteProblem;
    if (Object.keys(problems).length > 0) {
      return { kind: 'invalid', request, problems, values: { verification, verificationNote: note } };
    }

    // Roles are read now, not taken from when the card was drawn; without an answer, nobody approves.
    const evidence = await this.riskEvidence(request);
    const roles = evidence.roles;
    if (this.options.directory && roles === undefined)
      return this.refuse(request, actor, 'approve', 'directoryUnavailable');
    const privileged = (roles?.length ?? 0) > 0;
    if (privileged && this.options.policy.privilegedApproval === 'manual') {
      return this.refuse(request, actor, 'approve', 'manualOnly');
    }
    if (request.review.approvals.some((approval) => approval.agentId === actor.userId)) {
      return this.refuse(request, actor, 'approve', 'alreadyApprovedByYou');
    }
    const approvals = [
      ...request.review.approvals,
      { agentId: actor.userId, verification: verification as VerificationMethod, note: note.trim(), at: this.now() },
    ];
    const needed = privileged ? 2 : 1;
    const review = { ...request.review, approvals };
    if (approvals.length < needed) {
      return this.commit(
        request,
        request.state,
        review,
        actor,
        `approval ${approvals.length} of ${needed} recorded (privileged subject), verified by ${verification}`,
        { kind: 'approvalRecorded' },
      );
    }
    const decided = { ...review, risksAtDecision: riskSignals(evidence) };
    return this.commit(request, 'approved', decided, actor, `approved, identity verified by ${verification}`, {
      kind: 'approved',
    });
  }

  /** An agent rejects with a reason the requester will read. */
  async reject(actor: Actor, card: CardReference, input: { rejectReason?: unknown }): Promise<ActionResult> {
    const checked = await this.checkAgent(actor, card, 'reject', OPEN_FOR_REVIEW);
    if (!checked.ok) return checked.result;
    const { request } = checked;
    const reason = text(input.rejectReason);
    const problem = textProblem(reason, true);
    if (problem)
      return { kind: 'invalid', request, problems: { rejectReason: problem }, values: { rejectReason: reason } };
    const review: Review = {
      ...request.review,
      rejection: { by: actor.userId, reason: reason.trim(), at: this.now() },
      risksAtDecision: riskSignals(await this.riskEvidence(request)),
    };
    return this.commit(request, 'rejected', review, actor, 'rejected by an agent', { kind: 'rejected' });
  }

  /**
   * An agent sends a request that needs attention back to be carried out: it returns to approved,
   * and its execution continues from the last step that was done.
   */
  async retry(actor: Actor, card: CardReference): Promise<ActionResult> {
    const checked = await this.checkAgent(actor, card, 'retry', ['failed']);
    if (!checked.ok) return checked.result;
    const { request } = checked;
    return this.commit(request, 'approved', request.review, actor, 'sent back to be carried out again', {
      kind: 'retried',
    });
  }

  /** The subject's manager confirms or declines; declining ends the request. */
  async answerAsManager(
    actor: Actor,
    requestId: unknown,
    confirm: boolean,
    input: { managerNote?: unknown },
  ): Promise<ActionResult> {
    const found = await this.load(actor, requestId, confirm ? 'confirm as manager' : 'decline as manager');
    if (!found.ok) return found.result;
    const { request } = found;
    const check = request.review.manager;
    const what = confirm ? 'confirm as manager' : 'decline as manager';
    if (!check || check.managerId !== actor.userId) return this.refuse(request, actor, what, 'notManager');
    if (request.state !== 'awaiting_manager' || check.status !== 'waiting') {
      return this.refuse(request, actor, what, 'alreadyAnswered');
    }
    const note = text(input.managerNote);
    const problem = textProblem(note, false);
    if (problem) return { kind: 'invalid', request, problems: { managerNote: problem }, values: { managerNote: note } };
    const trimmed = note.trim() === '' ? undefined : note.trim();
    const manager = {
      ...check,
      status: confirm ? ('confirmed' as const) : ('declined' as const),
      note: trimmed,
      at: this.now(),
    };
    if (confirm) {
      return this.commit(request, 'pending_review', { ...request.review, manager }, actor, 'confirmed by the manager', {
        kind: 'managerConfirmed',
      });
    }
    const review: Review = {
      ...request.review,
      manager,
      rejection: { by: actor.userId, reason: trimmed ?? '', at: this.now() },
      risksAtDecision: riskSignals(await this.riskEvidence(request)),
    };
    return this.commit(request, 'rejected', review, actor, 'declined by the manager', { kind: 'managerDeclined' });
  }

  /** The requester answers an agent's question from their chat. */
  async answerQuestion(
    actor: Actor,
    requestId: unknown,
    questionNumber: unknown,
    input: { answer?: unknown },
  ): Promise<ActionResult> {
    const found = await this.load(actor, requestId, 'answer a question');
    if (!found.ok) return found.result;
    const { request } = found;
    if (request.filerId !== actor.userId) return this.refuse(request, actor, 'answer a question', 'notRequester');
    const question = request.review.questions.find((candidate) => candidate.number === questionNumber);
    if (!question) return this.refuse(request, actor, 'answer a question', 'tamperedCard');
    if (question.answer !== undefined || !OPEN_FOR_REVIEW.includes(request.state)) {
      return this.refuse(request, actor, 'answer a question', 'alreadyAnswered');
    }
    const answer = text(input.answer);
    const problem = textProblem(answer, true);
    if (problem) return { kind: 'invalid', request, problems: { answer: problem }, values: { answer } };
    const review: Review = {
      ...request.review,
      questions: request.review.questions.map((candidate) =>
        candidate.number === question.number
          ? { ...candidate, answer: answer.trim(), answeredAt: this.now() }
          : candidate,
      ),
    };
    return this.commit(request, request.state, review, actor, `answered question ${question.number}`, {
      kind: 'questionAnswered',
      number: question.number,
    });
  }

  /** The requester (filer or subject) withdraws a request that has not been carried out. */
  async cancel(actor: Actor, requestId: unknown): Promise<ActionResult> {
    const found = await this.load(actor, requestId, 'cancel');
    if (!found.ok) return found.result;
    const { request } = found;
    if (request.filerId !== actor.userId && request.application.subjectId !== actor.userId) {
      return this.refuse(request, actor, 'cancel', 'notRequester');
    }
    if (!CANCELLABLE.includes(request.state)) return this.refuse(request, actor, 'cancel', 'wrongState');
    return this.commit(request, 'cancelled', request.review, actor, 'cancelled by the requester', {
      kind: 'cancelled',
    });
  }

  /** Expires requests nobody acted on for the configured number of days; returns how many. */
  async expireStale(limit = 100): Promise<number> {
    const { repository, policy } = this.options;
    const now = this.now();
    const stale = await repository.listUnchangedSince(
      OPEN_FOR_REVIEW,
      new Date(now.getTime() - policy.expiryDays * DAY_MS),
      limit,
    );
    let expired = 0;
    for (const request of stale) {
      const why = `nobody acted on it for ${policy.expiryDays} days`;
      const moved = await this.change(request, 'expired', request.review, SYSTEM_ACTOR, why);
      if (moved) {
        expired += 1;
        this.options.notifier.announce(moved, { kind: 'expired' });
      }
    }
    return expired;
  }

  /** Whether this person may act as an agent (member of the helpdesk group, checked now). */
  isAgent(userId: string): Promise<boolean | 'unknown'> {
    return this.isMember(userId, this.options.policy.helpdeskGroupId);
  }

  /**
   * Whether this person may choose the approval channel (member of the admin group, checked
   * now). A refusal is audited.
   */
  async mayChooseChannel(actor: Actor, channelId: string): Promise<boolean | 'unknown'> {
    const admin = await this.isMember(actor.userId, this.options.policy.adminGroupId);
    if (admin === false) {
      await this.options.repository.appendEvent({
        requestId: '-',
        tenantId: actor.tenantId,
        actor: actor.userId,
        at: this.now(),
        from: null,
        to: 'refused',
        reason: `refused set approval channel ${channelId.slice(0, 200)}: notAdmin`,
      });
    }
    return admin;
  }

  private async isMember(userId: string, groupId: string | undefined): Promise<boolean | 'unknown'> {
    const { directory } = this.options;
    if (!directory || !groupId) return false;
    try {
      return (await directory.checkMemberGroups(userId, [groupId])).includes(groupId);
    } catch (error) {
      // Nobody by that id (a made-up one, or someone deleted since): no member of anything.
      return directoryFailure(error)?.status === 404 ? false : 'unknown';
    }
  }

  /**
   * The checks every agent action runs, in the order whose message helps most: the card's data,
   * the request, the clicker's membership, their relation to the request, the state, the version.
   */
  private async checkAgent(
    actor: Actor,
    card: CardReference,
    what: string,
    states: readonly RequestState[],
    waitingStates: readonly RequestState[] = [],
  ): Promise<Check> {
    const found = await this.load(actor, card.requestId, what);
    if (!found.ok) return found;
    const { request } = found;
    if (typeof card.version !== 'number' || !Number.isInteger(card.version)) {
      return { ok: false, result: await this.refuse(request, actor, what, 'tamperedCard') };
    }
    const agent = await this.isAgent(actor.userId);
    if (agent === 'unknown')
      return { ok: false, result: await this.refuse(request, actor, what, 'directoryUnavailable') };
    if (!agent) return { ok: false, result: await this.refuse(request, actor, what, 'notAgent') };
    if (request.application.subjectId === actor.userId) {
      return { ok: false, result: await this.refuse(request, actor, what, 'isSubject') };
    }
    if (request.filerId === actor.userId)
      return { ok: false, result: await this.refuse(request, actor, what, 'isFiler') };
    if (waitingStates.includes(request.state)) {
      return { ok: false, result: await this.refuse(request, actor, what, 'awaitingManager') };
    }
    if (!states.includes(request.state))
      return { ok: false, result: await this.refuse(request, actor, what, 'wrongState') };
    if (card.version !== request.version) {
      return { ok: false, result: await this.refuse(request, actor, what, 'staleVersion') };
    }
    return { ok: true, request };
  }

  /** The stored request a card names, within the actor's tenant; refusals for anything else. */
  private async load(actor: Actor, requestId: unknown, what: string): Promise<Check> {
    if (typeof requestId !== 'string' || requestId === '' || requestId.length > 100) {
      return {
        ok: false,
        result: await this.refuse(undefined, actor, what, 'tamperedCard', String(requestId).slice(0, 100)),
      };
    }
    const request = await this.options.repository.find(requestId);
    // Another tenant's request is answered exactly like one that does not exist.
    if (!request || request.tenantId !== actor.tenantId) {
      return { ok: false, result: await this.refuse(undefined, actor, what, 'unknownRequest', requestId) };
    }
    return { ok: true, request };
  }

  private async refuse(
    request: ResetRequest | undefined,
    actor: Actor,
    what: string,
    refusal: Refusal,
    requestId = request?.id ?? '-',
  ): Promise<ActionResult> {
    await this.options.repository.appendEvent({
      requestId,
      tenantId: actor.tenantId,
      actor: actor.userId,
      at: this.now(),
      from: request?.state ?? null,
      to: 'refused',
      reason: `refused ${what}: ${refusal}`,
    });
    return { kind: 'refused', refusal, request };
  }

  /** One compare-and-set for an actor's change; a lost race is a stale card, refused and audited. */
  private async commit(
    request: ResetRequest,
    to: RequestState,
    review: Review,
    actor: Actor,
    why: string,
    news: RequestNews,
  ): Promise<ActionResult> {
    const changed = await this.change(request, to, review, actor.userId, why);
    if (!changed) {
      const current = await this.options.repository.find(request.id);
      return this.refuse(current ?? request, actor, why, 'staleVersion');
    }
    this.options.notifier.announce(changed, news);
    return { kind: 'done', request: changed, news };
  }

  /** The request after the change, or undefined when someone else changed it first. */
  private async change(
    request: ResetRequest,
    to: RequestState,
    review: Review,
    actorId: string,
    why: string,
  ): Promise<ResetRequest | undefined> {
    const at = this.now();
    const event: AuditEvent = {
      requestId: request.id,
      tenantId: request.tenantId,
      actor: actorId,
      at,
      from: request.state,
      to,
      reason: why,
    };
    const ok = await this.options.repository.compareAndSet(request.id, request.version, to, at, event, review);
    if (!ok) return undefined;
    const pendingSince = pendingSinceAfter(request.state, to, at, request.pendingSince);
    return { ...request, state: to, review, version: request.version + 1, updatedAt: at, pendingSince };
  }

  private now(): Date {
    return this.options.clock.now();
  }
}

/** How the audit trail words a hand-over; taking an unclaimed request yourself is a claim. */
function handOverReason(by: string, to: string, from: string | undefined): string {
  if (to === by) return from ? `took over from ${from}` : 'claimed';
  return from ? `handed over from ${from} to ${to}` : `handed over to ${to}`;
}

/** The answer, or undefined when there is no directory or it failed: risk signals then say what is missing. */
function quietly<T>(promise: Promise<T> | undefined): Promise<T | undefined> {
  return (promise ?? Promise.resolve(undefined)).catch(() => undefined);
}

function text(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

function textProblem(value: string, required: boolean): FieldProblem | undefined {
  if (required && value.trim() === '') return 'required';
  if (value.trim().length > MAX_TEXT_LENGTH) return 'tooLong';
  return undefined;
}
