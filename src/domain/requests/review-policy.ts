import type { ResetRequest, RequestState } from './request.js';

/**
 * Who may do what to a request, in which state: the one place that decides it. The review
 * service enforces it on every click; the cards read it to show only the buttons that can work.
 * Pure: everything it needs (the stored request, what the directory said about the person) is
 * passed in.
 */

/** What helpdesk agents do on the request's card in the approval channel. */
export type AgentAction = 'claim' | 'release' | 'handOver' | 'askInfo' | 'approve' | 'reject' | 'retry';

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
  | 'alreadyHandling'
  /** Someone else claimed it: a claim does not take it from them (a hand-over does, audited as such). */
  | 'alreadyClaimed'
  /** An agent's button pressed anywhere but on the request's card in the approval channel. */
  | 'notApprovalChannel';

/** Before a decision: agents can still claim, ask, approve or reject. */
export const OPEN_FOR_REVIEW: readonly RequestState[] = ['submitted', 'awaiting_manager', 'pending_review'];

/** The requester may withdraw a request until it is being carried out. */
export const CANCELLABLE: readonly RequestState[] = [...OPEN_FOR_REVIEW, 'approved'];

/** The states in which each agent action can work. */
const AGENT_ACTION_STATES: Readonly<Record<AgentAction, readonly RequestState[]>> = {
  claim: OPEN_FOR_REVIEW,
  release: OPEN_FOR_REVIEW,
  handOver: OPEN_FOR_REVIEW,
  askInfo: OPEN_FOR_REVIEW,
  // While the manager has not answered, approval waits for them (a refusal of its own).
  approve: ['pending_review'],
  reject: OPEN_FOR_REVIEW,
  retry: ['failed'],
};

/** Privileged subjects (people with a directory role) need more than one approver, or a person. */
export type PrivilegedApproval = 'twoApprovers' | 'manual';

/** How many approvals a request needs, and whether it can be approved here at all. */
export function approvalRule(
  privileged: boolean,
  policy: PrivilegedApproval,
): { approvalsNeeded: number; manualOnly: boolean } {
  return {
    approvalsNeeded: privileged && policy === 'twoApprovers' ? 2 : 1,
    manualOnly: privileged && policy === 'manual',
  };
}

/** The person clicking, as the directory says now. */
export interface Clicker {
  userId: string;
  /** A member of the helpdesk group now; `unknown` when the directory did not answer. */
  isAgent: boolean | 'unknown';
}

/**
 * Why `clicker` may not take `action` on `request` from a card that showed `cardVersion`;
 * undefined when they may. Checked in the order whose message helps most: who they are, their
 * relation to the request, its state, the card's age, then what the action itself needs.
 */
export function agentRefusal(
  action: AgentAction,
  request: ResetRequest,
  clicker: Clicker,
  cardVersion: number,
  /** For approval: whether the subject's role leaves it to manual handling (approvalRule). */
  approval?: { manualOnly: boolean },
): Refusal | undefined {
  if (clicker.isAgent === 'unknown') return 'directoryUnavailable';
  if (!clicker.isAgent) return 'notAgent';
  if (request.application.subjectId === clicker.userId) return 'isSubject';
  if (request.filerId === clicker.userId) return 'isFiler';
  if (action === 'approve' && request.state === 'awaiting_manager') return 'awaitingManager';
  if (!AGENT_ACTION_STATES[action].includes(request.state)) return 'wrongState';
  if (cardVersion !== request.version) return 'staleVersion';
  if (action === 'release' && request.review.claimedBy !== clicker.userId) return 'notClaimer';
  if (action === 'claim' && request.review.claimedBy !== undefined) {
    return request.review.claimedBy === clicker.userId ? 'alreadyHandling' : 'alreadyClaimed';
  }
  if (action === 'approve') {
    if (approval?.manualOnly) return 'manualOnly';
    if (request.review.approvals.some((given) => given.agentId === clicker.userId)) return 'alreadyApprovedByYou';
  }
  return undefined;
}

/** Why `userId` cannot be given the request, whatever their membership; undefined when they can. */
export function handOverProblem(
  request: Pick<ResetRequest, 'filerId' | 'application' | 'review'>,
  userId: string,
): Extract<Refusal, 'targetNotEligible' | 'alreadyHandling'> | undefined {
  if (userId === request.application.subjectId || userId === request.filerId) return 'targetNotEligible';
  if (userId === request.review.claimedBy) return 'alreadyHandling';
  return undefined;
}

/**
 * The buttons the shared card in the approval channel shows: everyone there sees the same card,
 * so these are the actions some agent could take now; the click itself is checked per person.
 */
export function cardActions(state: RequestState, claimed: boolean, manualOnly: boolean): ReadonlySet<AgentAction> {
  const open = OPEN_FOR_REVIEW.includes(state);
  const shown: AgentAction[] = [];
  if (open && !claimed) shown.push('claim');
  // Shown to all; only the claimer's click works.
  if (open && claimed) shown.push('release');
  if (open) shown.push('handOver', 'askInfo', 'reject');
  if (AGENT_ACTION_STATES.approve.includes(state) && !manualOnly) shown.push('approve');
  if (AGENT_ACTION_STATES.retry.includes(state)) shown.push('retry');
  return new Set(shown);
}

/** Why the requester (who filed it, or whose account it is) may not cancel; undefined when they may. */
export function cancelRefusal(request: ResetRequest, userId: string): Refusal | undefined {
  if (request.filerId !== userId && request.application.subjectId !== userId) return 'notRequester';
  if (!CANCELLABLE.includes(request.state)) return 'wrongState';
  return undefined;
}

/** Whether a person's status card offers them Cancel: they may cancel it now. */
export function mayCancel(request: ResetRequest, userId: string): boolean {
  return cancelRefusal(request, userId) === undefined;
}

/** Why the subject's manager may not answer now; undefined when they may. */
export function managerRefusal(request: ResetRequest, userId: string): Refusal | undefined {
  const check = request.review.manager;
  if (!check || check.managerId !== userId) return 'notManager';
  if (request.state !== 'awaiting_manager' || check.status !== 'waiting') return 'alreadyAnswered';
  return undefined;
}

/** Why the requester may not answer question `number`; undefined when they may. */
export function answerRefusal(request: ResetRequest, userId: string, number: unknown): Refusal | undefined {
  if (request.filerId !== userId) return 'notRequester';
  const question = request.review.questions.find((candidate) => candidate.number === number);
  if (!question) return 'tamperedCard';
  if (question.answer !== undefined || !OPEN_FOR_REVIEW.includes(request.state)) return 'alreadyAnswered';
  return undefined;
}
