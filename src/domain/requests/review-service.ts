import { directoryFailure } from '../directory-failure.js';
import type { Clock, Directory } from '../ports.js';
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

/**
 * Who decides what: configured once, applied on every click. How privileged subjects are approved
 * is the facts reader's to say (ReviewFacts.approvalsNeeded, manualOnly), from PRIVILEGED_APPROVAL.
 */
export interface ReviewPolicy {
  /** Members of this group may decide; undefined means nobody may. */
  helpdeskGroupId: string | undefined;
  /** Members of this group may choose the approval channel. */
  adminGroupId: string | undefined;
  managerConfirmation: 'always' | 'onBehalf' | 'never';
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
  /**
   * `facts`, when the change was checked against them a moment ago (a click), are what the request's card shows, so
   * that the card can be drawn again without reading the directory a second time.
   */
  announce(request: ResetRequest, news: RequestNews, facts?: ReviewFacts): void;
}

export type { Refusal } from './review-policy.js';
import {
  agentRefusal,
  answerRefusal,
  cancelRefusal,
  managerRefusal,
  OPEN_FOR_REVIEW,
  handOverProblem,
  type AgentAction,
  type Refusal,
} from './review-policy.js';
import type { ReviewFacts, ReviewFactsReader } from './review-facts.js';

/** The inputs an action may carry, each checked on its own. */
export type ReviewField =
  'question' | 'verification' | 'verificationNote' | 'rejectReason' | 'answer' | 'managerNote' | 'handOverTo';

/**
 * What an action did. An agent's action also carries the facts it read in its one round, so that
 * the answer's card is drawn without asking the directory again.
 */
export type ActionResult = (
  | { kind: 'done'; request: ResetRequest; news: RequestNews }
  | { kind: 'refused'; refusal: Refusal; request: ResetRequest | undefined }
  | {
      kind: 'invalid';
      request: ResetRequest;
      problems: Partial<Record<ReviewField, FieldProblem>>;
      /** What was typed, to show again. */
      values: Partial<Record<ReviewField, string>>;
    }
) & { facts?: ReviewFacts };

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

export type { ReviewFacts } from './review-facts.js';

export { handOverProblem } from './review-policy.js';

export interface ReviewServiceOptions {
  repository: RequestRepository;
  directory: Directory | undefined;
  /** Reads the facts a decision weighs and the card shows, in one round. */
  facts: ReviewFactsReader;
  clock: Clock;
  policy: ReviewPolicy;
  notifier: RequestNotifier;
}

const DAY_MS = 86_400_000;
/** The actor recorded for what the bot does on its own (routing, expiry). */
export const SYSTEM_ACTOR = 'system';

type Check = { ok: true; request: ResetRequest } | { ok: false; result: ActionResult };
/** An agent's click that passed its checks: the request, the facts read for it, and a hand-over's target. */
type AgentCheck =
  | { ok: true; request: ResetRequest; facts: ReviewFacts; target: boolean | 'unknown' | undefined }
  | { ok: false; result: ActionResult };

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
    // Routed by someone else first (two instances): they announced it.
    if (!moved) return (await this.options.repository.find(request.id)) ?? request;
    this.options.notifier.announce(moved, to === 'awaiting_manager' ? { kind: 'managerAsked' } : { kind: 'submitted' });
    return moved;
  }

  /** Reads what an agent should weigh: the people, risk signals and how many approvals are needed. */
  facts(request: ResetRequest): Promise<ReviewFacts> {
    return this.options.facts.read(request);
  }

  /** An agent takes the request on. */
  async claim(actor: Actor, card: CardReference): Promise<ActionResult> {
    const checked = await this.checkAgent(actor, card, 'claim', 'claim');
    if (!checked.ok) return checked.result;
    const { request, facts } = checked;
    const review = { ...request.review, claimedBy: actor.userId, claimedAt: this.now() };
    return this.commit(request, request.state, review, actor, 'claimed', { kind: 'claimed' }, facts);
  }

  /** The agent who claimed the request lets it go, so that another can claim it. */
  async release(actor: Actor, card: CardReference): Promise<ActionResult> {
    const checked = await this.checkAgent(actor, card, 'release', 'release');
    if (!checked.ok) return checked.result;
    const { request, facts } = checked;
    const review: Review = { ...request.review, claimedBy: undefined, claimedAt: undefined };
    return this.commit(request, request.state, review, actor, 'released the claim', { kind: 'released' }, facts);
  }

  /**
   * An agent gives the request to another agent, or takes it over themselves. Any agent may, claimed
   * or not, so that a request never waits for someone who is away; the audit trail says who did it.
   * The new claimer must be in the helpdesk group now, and be neither the subject nor the filer.
   */
  async handOver(actor: Actor, card: CardReference, input: { handOverTo?: unknown }): Promise<ActionResult> {
    const what = 'hand over';
    const to = text(input.handOverTo).trim();
    // The one chosen is checked in the same round as the one who clicked.
    const target = to === '' || to.length > 100 ? undefined : to;
    const checked = await this.checkAgent(actor, card, 'handOver', what, target);
    if (!checked.ok) return checked.result;
    const { request, facts } = checked;
    if (to === '') {
      return { kind: 'invalid', request, problems: { handOverTo: 'required' }, values: { handOverTo: to }, facts };
    }
    if (to.length > 100) return this.refuse(request, actor, what, 'tamperedCard', request.id, facts);
    const problem = handOverProblem(request, to);
    if (problem) return this.refuse(request, actor, what, problem, request.id, facts);
    if (checked.target === 'unknown')
      return this.refuse(request, actor, what, 'directoryUnavailable', request.id, facts);
    if (!checked.target) return this.refuse(request, actor, what, 'targetNotAgent', request.id, facts);
    const from = request.review.claimedBy;
    const review: Review = { ...request.review, claimedBy: to, claimedAt: this.now() };
    return this.commit(
      request,
      request.state,
      review,
      actor,
      handOverReason(actor.userId, to, from),
      { kind: 'handedOver', by: actor.userId, to, from },
      facts,
    );
  }

  /** An agent asks the requester a question; the answer comes back in the requester's chat. */
  async askInfo(actor: Actor, card: CardReference, input: { question?: unknown }): Promise<ActionResult> {
    const checked = await this.checkAgent(actor, card, 'askInfo', 'ask for information');
    if (!checked.ok) return checked.result;
    const { request, facts } = checked;
    const question = text(input.question);
    const problem = textProblem(question, true);
    if (problem) return { kind: 'invalid', request, problems: { question: problem }, values: { question }, facts };
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
    return this.commit(
      request,
      request.state,
      review,
      actor,
      `asked the requester question ${number}`,
      { kind: 'questionAsked', number },
      facts,
    );
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
    const checked = await this.checkAgent(actor, card, 'approve', 'approve');
    if (!checked.ok) return checked.result;
    const { request, facts } = checked;
    const verification = text(input.verification).trim();
    const note = text(input.verificationNote);
    const problems: Partial<Record<ReviewField, FieldProblem>> = {};
    if (verification === '') problems.verification = 'required';
    else if (!(VERIFICATION_METHODS as readonly string[]).includes(verification)) problems.verification = 'invalid';
    const noteProblem = textProblem(note, true);
    if (noteProblem) problems.verificationNote = noteProblem;
    if (Object.keys(problems).length > 0) {
      return { kind: 'invalid', request, problems, values: { verification, verificationNote: note }, facts };
    }
    const approvals = [
      ...request.review.approvals,
      { agentId: actor.userId, verification: verification as VerificationMethod, note: note.trim(), at: this.now() },
    ];
    const review = { ...request.review, approvals };
    if (approvals.length < facts.approvalsNeeded) {
      return this.commit(
        request,
        request.state,
        review,
        actor,
        `approval ${approvals.length} of ${facts.approvalsNeeded} recorded (privileged subject), verified by ${verification}`,
        { kind: 'approvalRecorded' },
        facts,
      );
    }
    const decided = { ...review, risksAtDecision: facts.risks };
    return this.commit(
      request,
      'approved',
      decided,
      actor,
      `approved, identity verified by ${verification}`,
      { kind: 'approved' },
      facts,
    );
  }

  /** An agent rejects with a reason the requester will read. */
  async reject(actor: Actor, card: CardReference, input: { rejectReason?: unknown }): Promise<ActionResult> {
    const checked = await this.checkAgent(actor, card, 'reject', 'reject');
    if (!checked.ok) return checked.result;
    const { request, facts } = checked;
    const reason = text(input.rejectReason);
    const problem = textProblem(reason, true);
    if (problem) {
      return { kind: 'invalid', request, problems: { rejectReason: problem }, values: { rejectReason: reason }, facts };
    }
    const review: Review = {
      ...request.review,
      rejection: { by: actor.userId, reason: reason.trim(), at: this.now() },
      risksAtDecision: facts.risks,
    };
    return this.commit(request, 'rejected', review, actor, 'rejected by an agent', { kind: 'rejected' }, facts);
  }

  /**
   * An agent sends a request that needs attention back to be carried out: it returns to approved,
   * and its execution continues from the last step that was done.
   */
  async retry(actor: Actor, card: CardReference): Promise<ActionResult> {
    const checked = await this.checkAgent(actor, card, 'retry', 'retry');
    if (!checked.ok) return checked.result;
    const { request, facts } = checked;
    return this.commit(
      request,
      'approved',
      request.review,
      actor,
      'sent back to be carried out again',
      { kind: 'retried' },
      facts,
    );
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
    const what = confirm ? 'confirm as manager' : 'decline as manager';
    const refusal = managerRefusal(request, actor.userId);
    if (refusal) return this.refuse(request, actor, what, refusal);
    const check = request.review.manager!;
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
      risksAtDecision: (await this.options.facts.read(request)).risks,
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
    const refusal = answerRefusal(request, actor.userId, questionNumber);
    if (refusal) return this.refuse(request, actor, 'answer a question', refusal);
    const question = request.review.questions.find((candidate) => candidate.number === questionNumber)!;
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
    const refusal = cancelRefusal(request, actor.userId);
    if (refusal) return this.refuse(request, actor, 'cancel', refusal);
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
   * Records a click whose card data did not fit its button (checked before any action ran) as
   * refused for tampered data, under the request id it named, written down as `untrustedId` does.
   */
  async refuseTamperedCard(actor: Actor, what: string, requestId: unknown): Promise<void> {
    await this.refuse(undefined, actor, what, 'tamperedCard', untrustedId(requestId));
  }

  /**
   * Refuses, and audits, an agent's action that did not come from the tenant's approval channel
   * (a card's data sent from a chat, or a card left in a channel that is no longer the approval
   * channel). The event names the request when the card named one of the actor's tenant; the
   * answer never carries the request, so nothing about it is shown outside the channel.
   */
  async refuseOutsideApprovalChannel(actor: Actor, action: AgentAction, card: CardReference): Promise<ActionResult> {
    const { requestId } = card;
    const named =
      typeof requestId === 'string' && requestId !== '' && requestId.length <= 100
        ? await this.options.repository.find(requestId)
        : undefined;
    const request = named?.tenantId === actor.tenantId ? named : undefined;
    const recordedId = request?.id ?? untrustedId(requestId);
    await this.refuse(request, actor, AGENT_ACTION_WORDS[action], 'notApprovalChannel', recordedId);
    return { kind: 'refused', refusal: 'notApprovalChannel', request: undefined };
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
   * The checks every agent action runs (review-policy.ts decides them): the card's data and the
   * stored request, then one round of directory reads side by side: the clicker's membership of
   * the helpdesk group, the one a hand-over names, and the facts the decision weighs and the
   * answer's card shows (the subject's roles among them: read now, never taken from the card).
   */
  private async checkAgent(
    actor: Actor,
    card: CardReference,
    action: AgentAction,
    what: string,
    handOverTo?: string,
  ): Promise<AgentCheck> {
    const found = await this.load(actor, card.requestId, what);
    if (!found.ok) return found;
    const { request } = found;
    if (typeof card.version !== 'number' || !Number.isInteger(card.version)) {
      return { ok: false, result: await this.refuse(request, actor, what, 'tamperedCard') };
    }
    const { helpdeskGroupId } = this.options.policy;
    const [isAgent, target, facts] = await Promise.all([
      this.isMember(actor.userId, helpdeskGroupId),
      handOverTo === undefined ? Promise.resolve(undefined) : this.isMember(handOverTo, helpdeskGroupId),
      this.options.facts.read(request, handOverTo === undefined ? [actor.userId] : [actor.userId, handOverTo]),
    ]);
    let refusal = agentRefusal(action, request, { userId: actor.userId, isAgent }, card.version, {
      manualOnly: facts.manualOnly,
    });
    // Without the subject's roles, nobody approves: a privileged account must not pass as an ordinary one.
    if (!refusal && action === 'approve' && this.options.directory && facts.roles === undefined) {
      refusal = 'directoryUnavailable';
    }
    if (refusal) return { ok: false, result: await this.refuse(request, actor, what, refusal, request.id, facts) };
    return { ok: true, request, facts, target };
  }

  /** The stored request a card names, within the actor's tenant; refusals for anything else. */
  private async load(actor: Actor, requestId: unknown, what: string): Promise<Check> {
    if (typeof requestId !== 'string' || requestId === '' || requestId.length > 100) {
      return {
        ok: false,
        result: await this.refuse(undefined, actor, what, 'tamperedCard', untrustedId(requestId)),
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
    facts?: ReviewFacts,
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
    return { kind: 'refused', refusal, request, ...(facts ? { facts } : {}) };
  }

  /** One compare-and-set for an actor's change; a lost race is a stale card, refused and audited. */
  private async commit(
    request: ResetRequest,
    to: RequestState,
    review: Review,
    actor: Actor,
    why: string,
    news: RequestNews,
    facts?: ReviewFacts,
  ): Promise<ActionResult> {
    const changed = await this.change(request, to, review, actor.userId, why);
    if (!changed) {
      const current = await this.options.repository.find(request.id);
      return this.refuse(current ?? request, actor, actionOf(news), 'staleVersion', request.id, facts);
    }
    this.options.notifier.announce(changed, news, facts);
    return { kind: 'done', request: changed, news, ...(facts ? { facts } : {}) };
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
    const ok = await this.options.repository.compareAndSet({
      id: request.id,
      expectedVersion: request.version,
      to,
      at,
      event,
      review,
    });
    if (!ok) return undefined;
    const pendingSince = pendingSinceAfter(request.state, to, at, request.pendingSince);
    return { ...request, state: to, review, version: request.version + 1, updatedAt: at, pendingSince };
  }

  private now(): Date {
    return this.options.clock.now();
  }
}

/** How the audit trail names each agent action ("refused hand over: …"), as the actions themselves do. */
const AGENT_ACTION_WORDS: Readonly<Record<AgentAction, string>> = {
  claim: 'claim',
  release: 'release',
  handOver: 'hand over',
  askInfo: 'ask for information',
  approve: 'approve',
  reject: 'reject',
  retry: 'retry',
};

/** The action a change came from, as refusals name it in the audit trail ("refused claim: …"). */
function actionOf(news: RequestNews): string {
  switch (news.kind) {
    case 'claimed':
      return 'claim';
    case 'released':
      return 'release';
    case 'handedOver':
      return 'hand over';
    case 'questionAsked':
      return 'ask for information';
    case 'approvalRecorded':
    case 'approved':
      return 'approve';
    case 'rejected':
      return 'reject';
    case 'retried':
      return 'retry';
    case 'managerConfirmed':
      return 'confirm as manager';
    case 'managerDeclined':
      return 'decline as manager';
    case 'questionAnswered':
      return 'answer a question';
    case 'cancelled':
      return 'cancel';
    default:
      return news.kind;
  }
}

/** How the audit trail words a hand-over; taking an unclaimed request yourself is a claim. */
function handOverReason(by: string, to: string, from: string | undefined): string {
  if (to === by) return from ? `took over from ${from}` : 'claimed';
  return from ? `handed over from ${from} to ${to}` : `handed over to ${to}`;
}

/**
 * How the audit trail writes down a request id that came from a card: a string or other primitive as
 * it reads, anything else by its kind only (`[object Object]`). An object's own `toString` is never
 * called: card data is the sender's, and `{"toString":"x"}` would throw before the refusal is recorded.
 */
function untrustedId(value: unknown): string {
  const written =
    (typeof value === 'object' && value !== null) || typeof value === 'function'
      ? Object.prototype.toString.call(value)
      : String(value);
  return written.slice(0, 100);
}

function text(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

function textProblem(value: string, required: boolean): FieldProblem | undefined {
  if (required && value.trim() === '') return 'required';
  if (value.trim().length > MAX_TEXT_LENGTH) return 'tooLong';
  return undefined;
}
