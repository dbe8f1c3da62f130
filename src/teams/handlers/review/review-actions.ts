import type { TurnContext } from 'botbuilder';
import type { Application } from '@microsoft/teams-ai';
import { renderNoticeCard } from '../../../cards/notice.js';
import type { AdaptiveCard } from '../../../cards/render-card.js';
import { renderInfoRequestCard, renderManagerConfirmationCard } from '../../../cards/review.js';
import { Verbs } from '../../../cards/verbs.js';
import { format, stringsFor, type Strings } from '../../../content/strings/index.js';
import type { AgentAction } from '../../../domain/requests/review-policy.js';
import type { ActionResult, Actor, Refusal, RequestNews } from '../../../domain/requests/review-service.js';
import type { TeamsDeps } from '../../deps.js';
import { inApprovalChannel } from '../../in-approval-channel.js';
import { buildInfoRequestView, buildManagerConfirmationView } from '../../review/review-view.js';
import { replaceClickedCard } from '../../status/replace-clicked-card.js';
import { statusByIdCard } from '../../status/status-replies.js';
import { cardMessage, turnIdentity, turnLocale, turnLogger } from '../../turn-context.js';
import type { AppTurnState } from '../../turn-state.js';

type Data = Record<string, unknown>;
type CardAnswer = (context: TurnContext, actor: Actor, data: Data) => Promise<AdaptiveCard>;

/**
 * The requester's and the manager's buttons sit on cards in their own 1:1 chat: through the
 * Action.Submit fallback too, the answer replaces the card clicked, so an old button never stays
 * next to an answer posted below it.
 */
const REPLACED_ON_SUBMIT: ReadonlySet<string> = new Set([
  Verbs.managerConfirm,
  Verbs.managerDecline,
  Verbs.infoAnswer,
  Verbs.requestCancel,
]);

/**
 * Registers the buttons of the review: the agents' actions on the channel card, the manager's
 * answer, the requester's answer to a question, and cancelling a request. Each runs for
 * Action.Execute (the answer replaces the card for the person who clicked) and for the
 * Action.Submit fallback (the answer arrives as a new message, or replaces the requester's or
 * manager's card, see REPLACED_ON_SUBMIT); the checks are the domain's, so
 * both paths run the same ones. Identity comes from the activity, never from the card. The agents'
 * actions are taken only from the approval channel: pressed anywhere else (card data sent from a
 * chat, a card in a channel that is no longer the approval channel) they are refused and audited,
 * and the answer shows nothing of the request.
 */
export function registerReviewActions(app: Application<AppTurnState>, deps: TeamsDeps): void {
  const agentAction =
    (action: AgentAction, act: (actor: Actor, data: Data) => Promise<ActionResult>): CardAnswer =>
    async (context, actor, data) =>
      agentCard(
        context,
        deps,
        (await inApprovalChannel(context, deps))
          ? await act(actor, data)
          : await deps.review.refuseOutsideApprovalChannel(actor, action, data),
      );

  const answers: Record<string, CardAnswer> = {
    [Verbs.reviewClaim]: agentAction('claim', (actor, data) => deps.review.claim(actor, data)),
    [Verbs.reviewRelease]: agentAction('release', (actor, data) => deps.review.release(actor, data)),
    [Verbs.reviewHandOver]: agentAction('handOver', (actor, data) => deps.review.handOver(actor, data, data)),
    [Verbs.reviewAskInfo]: agentAction('askInfo', (actor, data) => deps.review.askInfo(actor, data, data)),
    [Verbs.reviewApprove]: agentAction('approve', (actor, data) => deps.review.approve(actor, data, data)),
    [Verbs.reviewReject]: agentAction('reject', (actor, data) => deps.review.reject(actor, data, data)),
    [Verbs.reviewRetry]: agentAction('retry', (actor, data) => deps.review.retry(actor, data)),
    [Verbs.managerConfirm]: async (context, actor, data) =>
      managerCard(context, deps, await deps.review.answerAsManager(actor, data.requestId, true, data)),
    [Verbs.managerDecline]: async (context, actor, data) =>
      managerCard(context, deps, await deps.review.answerAsManager(actor, data.requestId, false, data)),
    [Verbs.infoAnswer]: async (context, actor, data) =>
      infoCard(context, deps, data, await deps.review.answerQuestion(actor, data.requestId, data.question, data)),
    [Verbs.requestCancel]: async (context, actor, data) =>
      cancelCard(context, deps, await deps.review.cancel(actor, data.requestId)),
  };

  for (const [verb, answer] of Object.entries(answers)) {
    app.adaptiveCards.actionExecute(verb, async (context, _state, data: Data) => {
      const actor = turnIdentity(context);
      return actor ? answer(context, actor, data) : '';
    });
    app.adaptiveCards.actionSubmit(verb, async (context, _state, data: Data) => {
      const actor = turnIdentity(context);
      if (!actor) return;
      const card = await answer(context, actor, data);
      if (REPLACED_ON_SUBMIT.has(verb)) await replaceClickedCard(context, card, deps.logger);
      else await context.sendActivity(cardMessage(card));
    });
  }
}

/** The channel card for the agent who clicked: the stored request now, with what happened to their click. */
async function agentCard(context: TurnContext, deps: TeamsDeps, result: ActionResult): Promise<AdaptiveCard> {
  const locale = turnLocale(context, deps.config.defaultLocale);
  const strings = stringsFor(locale);
  logResult(context, deps, result);
  if (result.kind === 'refused' && !result.request) {
    return renderNoticeCard({
      title: strings.approval.refusedTitle,
      body: refusalText(strings, result),
      tone: 'warning',
    });
  }
  const notice =
    result.kind === 'done'
      ? { text: doneText(strings, result.news), tone: 'default' as const }
      : result.kind === 'invalid'
        ? { text: strings.approval.fillIn, tone: 'warning' as const }
        : { text: refusalText(strings, result), tone: 'warning' as const };
  return deps.publisher.reviewCard(result.request!, locale, notice, result.facts);
}

/**
 * A button on an old card (a request that moved on: answered, closed, carried out, or changed by
 * someone else a moment before the click) does nothing; the person gets where the request stands
 * now, as far as they may see it.
 */
async function currentStateCard(
  context: TurnContext,
  deps: TeamsDeps,
  result: ActionResult,
): Promise<AdaptiveCard | undefined> {
  if (result.kind !== 'refused' || !result.request) return undefined;
  if (!MOVED_ON.has(result.refusal)) return undefined;
  const strings = stringsFor(turnLocale(context, deps.config.defaultLocale));
  return statusByIdCard(context, deps, result.request.id, strings.status.oldCard);
}

/** Refusals that mean the request moved on since the card was drawn. */
const MOVED_ON: ReadonlySet<Refusal> = new Set(['wrongState', 'alreadyAnswered', 'staleVersion']);

/** The manager's card after they answered, or why their answer was not taken. */
async function managerCard(context: TurnContext, deps: TeamsDeps, result: ActionResult): Promise<AdaptiveCard> {
  const strings = stringsFor(turnLocale(context, deps.config.defaultLocale));
  logResult(context, deps, result);
  const current = await currentStateCard(context, deps, result);
  if (current) return current;
  if (result.kind === 'done') {
    const answered = result.news.kind === 'managerConfirmed' ? 'confirmed' : 'declined';
    // Answered, the card only records the answer: the warning was for deciding, so nothing more is read.
    const view = await buildManagerConfirmationView(result.request, deps.directory, answered, false);
    return renderManagerConfirmationCard(strings, view);
  }
  const body = result.kind === 'invalid' ? strings.approval.fillIn : refusalText(strings, result);
  return renderNoticeCard({ title: strings.approval.refusedTitle, body, tone: 'warning' });
}

/** The question card after the requester answered, or again with what they typed and the problem. */
async function infoCard(
  context: TurnContext,
  deps: TeamsDeps,
  data: Data,
  result: ActionResult,
): Promise<AdaptiveCard> {
  const strings = stringsFor(turnLocale(context, deps.config.defaultLocale));
  logResult(context, deps, result);
  const current = await currentStateCard(context, deps, result);
  if (current) return current;
  const request = result.request;
  const number = typeof data.question === 'number' ? data.question : undefined;
  const question = request?.review.questions.find((candidate) => candidate.number === number);
  if (!request || !question || result.kind === 'refused') {
    return renderNoticeCard({
      title: strings.approval.refusedTitle,
      body: result.kind === 'refused' ? refusalText(strings, result) : strings.approval.fillIn,
      tone: 'warning',
    });
  }
  const view = await buildInfoRequestView(request, question, deps.directory);
  if (result.kind === 'invalid') {
    const problem = result.problems.answer === 'tooLong' ? 'tooLong' : 'required';
    return renderInfoRequestCard(strings, { ...view, typed: result.values.answer ?? '', problem });
  }
  return renderInfoRequestCard(strings, view);
}

async function cancelCard(context: TurnContext, deps: TeamsDeps, result: ActionResult): Promise<AdaptiveCard> {
  const strings = stringsFor(turnLocale(context, deps.config.defaultLocale));
  logResult(context, deps, result);
  const current = await currentStateCard(context, deps, result);
  if (current) return current;
  if (result.kind === 'done') {
    return renderNoticeCard({
      title: format(strings.approval.noticeTitle, { reference: result.request.reference }),
      body: format(strings.approval.notices.cancelled, { reference: result.request.reference }),
      tone: 'default',
    });
  }
  const body = result.kind === 'refused' ? refusalText(strings, result) : strings.approval.fillIn;
  return renderNoticeCard({ title: strings.approval.refusedTitle, body, tone: 'warning' });
}

function refusalText(strings: Strings, result: Extract<ActionResult, { kind: 'refused' }>): string {
  const state = result.request ? strings.requests.states[result.request.state] : '';
  return format(strings.approval.refusals[result.refusal], { state });
}

function doneText(strings: Strings, news: RequestNews): string {
  const done = strings.approval.done;
  switch (news.kind) {
    case 'claimed':
    case 'approvalRecorded':
    case 'approved':
    case 'rejected':
      return done[news.kind];
    case 'questionAsked':
      return done.questionAsked;
    case 'retried':
      return done.retried;
    case 'released':
      return done.released;
    case 'handedOver':
      // Taking it over yourself is a claim, as far as you are concerned.
      return news.to === news.by ? done.claimed : done.handedOver;
    default:
      return done.changed;
  }
}

function logResult(context: TurnContext, deps: TeamsDeps, result: ActionResult): void {
  const log = turnLogger(context, deps.logger);
  const requestId = result.request?.id;
  if (result.kind === 'done') log.info({ requestId, news: result.news.kind }, 'request changed');
  else if (result.kind === 'refused') log.warn({ requestId, refusal: result.refusal }, 'request action refused');
  else log.info({ requestId, problems: Object.keys(result.problems) }, 'request action had invalid input');
}
