import type { TurnContext } from 'botbuilder';
import type { Application } from '@microsoft/teams-ai';
import type { AdaptiveCard } from '../../../cards/render-card.js';
import { Verbs } from '../../../cards/verbs.js';
import type { TeamsDeps } from '../../deps.js';
import { cardMessage, turnIdentity } from '../../turn-context.js';
import type { AppTurnState } from '../../turn-state.js';
import { applicationForm, applicationTarget, submitApplication } from './application-flow.js';

/**
 * Registers the application's buttons for Action.Execute (the card is replaced in place, so a
 * correction keeps everything typed) and for the Action.Submit fallback (the answer arrives as
 * a new message). Both run the same checks; identity comes from the activity, never the card.
 */
export function registerApplicationActions(app: Application<AppTurnState>, deps: TeamsDeps): void {
  const pickSubject = async (
    context: TurnContext,
    data: Record<string, unknown>,
  ): Promise<AdaptiveCard | undefined> => {
    const filer = turnIdentity(context);
    if (!filer) return undefined;
    const { subjectId, diagnosisId } = applicationTarget(data);
    return applicationForm(context, deps, filer, subjectId, diagnosisId);
  };
  const submit = async (context: TurnContext, state: AppTurnState, data: Record<string, unknown>) => {
    const filer = turnIdentity(context);
    if (!filer) return undefined;
    const { card, created } = await submitApplication(context, deps, filer, data);
    if (created) delete state.conversation.diagnosis;
    return card;
  };

  app.adaptiveCards.actionExecute(Verbs.applicationStart, async (context, _state, data) => {
    return (await pickSubject(context, data)) ?? '';
  });
  app.adaptiveCards.actionSubmit(Verbs.applicationStart, async (context, _state, data) => {
    const card = await pickSubject(context, data);
    if (card) await context.sendActivity(cardMessage(card));
  });
  app.adaptiveCards.actionExecute(Verbs.applicationSubmit, async (context, state, data) => {
    return (await submit(context, state, data)) ?? '';
  });
  app.adaptiveCards.actionSubmit(Verbs.applicationSubmit, async (context, state, data) => {
    const card = await submit(context, state, data);
    if (card) await context.sendActivity(cardMessage(card));
  });
}
