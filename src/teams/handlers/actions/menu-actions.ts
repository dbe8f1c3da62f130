import type { TurnContext } from 'botbuilder';
import type { Application } from '@microsoft/teams-ai';
import type { AdaptiveCard } from '../../../cards/render-card.js';
import { Verbs, type Verb } from '../../../cards/verbs.js';
import { stringsFor } from '../../../content/strings/index.js';
import type { TeamsDeps } from '../../deps.js';
import { welcomeReply } from '../../replies.js';
import { myRequestsCard, queueCard, statisticsCard, statusByIdCard, teamCard } from '../../status/status-replies.js';
import { cardMessage, turnIdentity, turnLocale } from '../../turn-context.js';
import { firstApplicationCard } from '../application/application-flow.js';
import { periodOf } from '../message/commands.js';
import { renderNoticeCard } from '../../../cards/notice.js';
import type { AppTurnState } from '../../turn-state.js';

type Data = Record<string, unknown>;
type Answer = (context: TurnContext, state: AppTurnState, deps: TeamsDeps, data: Data) => Promise<AdaptiveCard>;

/**
 * What the informational buttons answer with ("I can't sign in" starts a diagnosis): the welcome
 * card's, the role buttons, and the "Details" of the queue and of overdue notices. For Action.Execute
 * they are drawn after the invoke was answered, so they read the turn's state and never change it.
 */
const menuAnswers: Partial<Record<Verb, Answer>> = {
  [Verbs.requestsMine]: (context, _state, deps) => myRequestsCard(context, deps),
  [Verbs.helpShow]: (context, state, deps) => welcomeReply(context, state, deps, true),
  [Verbs.applicationOpen]: async (context, _state, deps) => {
    const filer = turnIdentity(context);
    if (filer) return firstApplicationCard(context, deps, filer, undefined);
    const strings = stringsFor(turnLocale(context, deps.config.defaultLocale));
    return renderNoticeCard({ title: strings.errors.title, body: strings.refusals.missingIdentity, tone: 'warning' });
  },
  [Verbs.teamShow]: (context, _state, deps) => teamCard(context, deps),
  [Verbs.queueShow]: (context, _state, deps) => queueCard(context, deps),
  [Verbs.statsShow]: (context, _state, deps) => statisticsCard(context, deps, 30),
  [Verbs.statusShow]: async (context, _state, deps, data) => {
    const card = await statusByIdCard(context, deps, data.requestId);
    if (card) return card;
    const strings = stringsFor(turnLocale(context, deps.config.defaultLocale));
    return renderNoticeCard({ title: strings.status.notFoundTitle, body: strings.status.usage, tone: 'default' });
  },
};

/**
 * Registers the informational buttons for Action.Execute and for the Action.Submit fallback.
 * Both post the answer as a new message so the card with the button stays usable. Action.Execute
 * answers the invoke with a short note at once and posts the card after it (the card may wait for
 * the directory; Teams gives up on an invoke after about 5 s); the fallback posts it in the turn.
 * The statistics' period buttons instead redraw the statistics card in place.
 */
export function registerMenuActions(app: Application<AppTurnState>, deps: TeamsDeps): void {
  for (const [verb, answer] of Object.entries(menuAnswers) as Array<[Verb, Answer]>) {
    app.adaptiveCards.actionExecute(verb, async (context, state, data: Data) => {
      deps.afterAnswer.sendCard(context, verb, (turn) => answer(turn, state, deps, data ?? {}));
      return stringsFor(turnLocale(context, deps.config.defaultLocale)).actions.answered;
    });
    app.adaptiveCards.actionSubmit(verb, async (context, state, data: Data) => {
      await context.sendActivity(cardMessage(await answer(context, state, deps, data ?? {})));
    });
  }
  app.adaptiveCards.actionExecute(Verbs.statsPeriod, (context, _state, data: Data) =>
    statisticsCard(context, deps, periodOf(data?.days)),
  );
  app.adaptiveCards.actionSubmit(Verbs.statsPeriod, async (context, _state, data: Data) => {
    await context.sendActivity(cardMessage(await statisticsCard(context, deps, periodOf(data?.days))));
  });
}
