import type { Application } from '@microsoft/teams-ai';
import { renderSymptomsCard } from '../../../cards/diagnosis.js';
import { stringsFor } from '../../../content/strings/index.js';
import { readFirstMessage } from '../../../domain/diagnosis/read-first-message.js';
import type { TeamsDeps } from '../../deps.js';
import { welcomeReply } from '../../replies.js';
import { cardMessage, turnLocale } from '../../turn-context.js';
import type { AppTurnState } from '../../turn-state.js';
import { startDiagnosis } from '../diagnosis/start-diagnosis.js';
import { inSharedConversation, sharedConversationReply } from './shared-conversation.js';

/** Greetings and openers that deserve the welcome card rather than a diagnosis. */
const GREETING =
  /^\s*(hi|hello|hey|hiya|good\s+(morning|afternoon|evening)|start|こんにちは|こんばんは|おはよう(ございます)?|はじめまして)(\s+(there|again|bot|everyone))?[\s!.,。！〜~]*$/i;

/**
 * Registered last, for every other message: words that describe a sign-in problem start a
 * diagnosis there; a greeting or a first message gets the welcome card; anything else gets
 * the short list of symptoms. Nobody meets a dead end. In a channel or group chat none of that
 * starts: the approval channel's agents hear what the bot does there, anyone else where to ask.
 */
export function registerFreeText(app: Application<AppTurnState>, deps: TeamsDeps): void {
  app.activity('message', async (context, state) => {
    if (inSharedConversation(context)) {
      await context.sendActivity(cardMessage(await sharedConversationReply(context, deps)));
      return;
    }
    const text = context.activity.text?.trim() ?? '';
    const { intent, said } = text === '' ? { intent: undefined, said: [] } : readFirstMessage(text, deps.knowledge);
    if (intent) {
      await startDiagnosis(context, state, deps, intent.id, intent.id, said);
      return;
    }
    if (text === '' || GREETING.test(text) || state.temp.returning !== true) {
      await context.sendActivity(cardMessage(await welcomeReply(context, state, deps)));
      return;
    }
    const strings = stringsFor(turnLocale(context, deps.config.defaultLocale));
    await context.sendActivity(cardMessage(renderSymptomsCard(strings)));
  });
}
