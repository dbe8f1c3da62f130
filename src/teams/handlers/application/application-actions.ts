import type { TurnContext } from 'botbuilder';
import type { Application } from '@microsoft/teams-ai';
import type { AdaptiveCard } from '../../../cards/render-card.js';
import { Verbs } from '../../../cards/verbs.js';
import type { TeamsDeps } from '../../deps.js';
import { stringsFor } from '../../../content/strings/index.js';
import type { Filer } from '../../../domain/requests/request-service.js';
import { replaceClickedCard } from '../../status/replace-clicked-card.js';
import { statusByIdCard } from '../../status/status-replies.js';
import { cardMessage, turnIdentity, turnLocale } from '../../turn-context.js';
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
    const { subjectId, diagnosisId, prefill } = applicationTarget(data);
    return applicationForm(context, deps, filer, subjectId, diagnosisId, prefill);
  };
  const submit = async (
    context: TurnContext,
    state: AppTurnState,
    data: Record<string, unknown>,
  ): Promise<{ card: AdaptiveCard; alreadySent: boolean } | undefined> => {
    const filer = turnIdentity(context);
    if (!filer) return undefined;
    const form = context.activity.replyToId;
    const sent = form ? state.conversation.sentForms?.find((candidate) => candidate.messageId === form) : undefined;
    const current = sent && (await alreadySentCard(context, deps, filer, sent.subjectId));
    if (current) return { card: current, alreadySent: true };
    const { card, created } = await submitApplication(context, deps, filer, data);
    if (created) {
      delete state.conversation.diagnosis;
      if (form) {
        const { subjectId } = applicationTarget(data);
        const earlier = state.conversation.sentForms ?? [];
        state.conversation.sentForms = [...earlier, { messageId: form, subjectId }].slice(-SENT_FORMS_KEPT);
      }
    }
    return { card, alreadySent: false };
  };

  app.adaptiveCards.actionExecute(Verbs.applicationStart, async (context, _state, data) => {
    return (await pickSubject(context, data)) ?? '';
  });
  app.adaptiveCards.actionSubmit(Verbs.applicationStart, async (context, _state, data) => {
    const card = await pickSubject(context, data);
    if (card) await context.sendActivity(cardMessage(card));
  });
  app.adaptiveCards.actionExecute(Verbs.applicationSubmit, async (context, state, data) => {
    return (await submit(context, state, data))?.card ?? '';
  });
  app.adaptiveCards.actionSubmit(Verbs.applicationSubmit, async (context, state, data) => {
    const answer = await submit(context, state, data);
    if (!answer) return;
    // A form sent before is replaced by where its request stands, as Action.Execute would.
    if (answer.alreadySent) await replaceClickedCard(context, answer.card, deps.logger);
    else await context.sendActivity(cardMessage(answer.card));
  });
}

/** How many sent forms a conversation remembers. */
const SENT_FORMS_KEPT = 5;

/**
 * "Send" pressed again on a form that was sent already (a second click, another device, the
 * Action.Submit fallback): where the request it filed stands now, with a line saying nothing new
 * was filed. Undefined when that request is not among the person's latest, so the form is
 * treated as new rather than lost.
 */
async function alreadySentCard(
  context: TurnContext,
  deps: TeamsDeps,
  filer: Filer,
  subjectId: string,
): Promise<AdaptiveCard | undefined> {
  const filed = (await deps.status.mine(filer)).find(
    (request) => request.filerId === filer.userId && request.subjectId === subjectId,
  );
  if (!filed) return undefined;
  const strings = stringsFor(turnLocale(context, deps.config.defaultLocale));
  return statusByIdCard(context, deps, filed.id, strings.application.alreadySent);
}
