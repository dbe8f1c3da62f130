import type { TurnContext } from 'botbuilder';
import type { Application } from '@microsoft/teams-ai';
import type { AdaptiveCard } from '../../../cards/render-card.js';
import { Verbs, type Verb } from '../../../cards/verbs.js';
import { stringsFor } from '../../../content/strings/index.js';
import type { TeamsDeps } from '../../deps.js';
import { myRequestsReply, welcomeReply } from '../../replies.js';
import { cardMessage, turnIdentity, turnLocale } from '../../turn-context.js';
import { firstApplicationCard } from '../application/application-flow.js';
import { renderNoticeCard } from '../../../cards/notice.js';
import type { AppTurnState } from '../../turn-state.js';

type Answer = (context: TurnContext, state: AppTurnState, deps: TeamsDeps) => Promise<AdaptiveCard> | AdaptiveCard;

/** What the welcome card's informational buttons answer with ("I can't sign in" starts a diagnosis). */
const menuAnswers: Partial<Record<Verb, Answer>> = {
  [Verbs.requestsMine]: (context, _state, deps) => myRequestsReply(context, deps),
  [Verbs.helpShow]: (context, state, deps) => welcomeReply(context, state, deps, true),
  [Verbs.applicationOpen]: (context, _state, deps) => {
    const filer = turnIdentity(context);
    if (filer) return firstApplicationCard(context, deps, filer, undefined);
    const strings = stringsFor(turnLocale(context, deps.config.defaultLocale));
    return renderNoticeCard({ title: strings.errors.title, body: strings.refusals.missingIdentity, tone: 'warning' });
  },
};

/**
 * Registers the welcome card's informational buttons for Action.Execute and for the Action.Submit fallback.
 * Both post the answer as a new message so the menu card stays usable; Action.Execute also
 * answers the invoke with a short note.
 */
export function registerMenuActions(app: Application<AppTurnState>, deps: TeamsDeps): void {
  for (const [verb, answer] of Object.entries(menuAnswers) as Array<[Verb, Answer]>) {
    app.adaptiveCards.actionExecute(verb, async (context, state) => {
      await context.sendActivity(cardMessage(await answer(context, state, deps)));
      return stringsFor(turnLocale(context, deps.config.defaultLocale)).actions.answered;
    });
    app.adaptiveCards.actionSubmit(verb, async (context, state) => {
      await context.sendActivity(cardMessage(await answer(context, state, deps)));
    });
  }
}
