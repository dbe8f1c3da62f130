import type { TurnContext } from 'botbuilder';
import type { AdaptiveCard } from '../../cards/render-card.js';
import type { Logger } from '../../logging/create-logger.js';
import { cardMessage, turnLogger } from '../turn-context.js';

/**
 * Answers an Action.Submit click (the fallback of older clients) by replacing the card that was
 * clicked, as Action.Execute does: the message the click replies to is the bot's own, so it may be
 * updated. Without that message's id, or when Teams refuses the update, the answer is sent as a
 * new message instead, so it is never lost.
 */
export async function replaceClickedCard(context: TurnContext, card: AdaptiveCard, logger: Logger): Promise<void> {
  const clicked = context.activity.replyToId;
  if (clicked) {
    try {
      await context.updateActivity({ ...cardMessage(card), id: clicked });
      return;
    } catch (error) {
      turnLogger(context, logger).warn({ err: error }, 'could not replace the clicked card; answering below it');
    }
  }
  await context.sendActivity(cardMessage(card));
}
