import { TurnContext } from 'botbuilder';
import { renderNoticeCard } from '../cards/notice.js';
import type { AdaptiveCard } from '../cards/render-card.js';
import { format, stringsFor } from '../content/strings/index.js';
import type { Locale } from '../domain/locale.js';
import type { BackgroundTasks } from '../jobs/background-tasks.js';
import type { Logger } from '../logging/create-logger.js';
import type { TeamsMessenger } from './proactive/messenger.js';
import { bindTurn, turnLocale, turnLogger, turnRequestId } from './turn-context.js';

/** Draws a card from a copy of the turn that outlives it (see AfterAnswer.sendCard). */
export type DrawCard = (turn: TurnContext) => Promise<AdaptiveCard>;

export interface AfterAnswerOptions {
  tasks: Pick<BackgroundTasks, 'run'>;
  messenger: Pick<TeamsMessenger, 'sendCard'>;
  logger: Logger;
  defaultLocale: Locale;
}

/** What a turn left for after its answer, in the order it was asked for. */
interface Left {
  works: Array<() => Promise<void>>;
  start: () => void;
}

const LEFT_KEY = Symbol('signInHelp.afterAnswer');

/**
 * Messages a click sends besides the invoke's own answer: the card a menu button shows, the next
 * card of a diagnosis. Teams gives up on an invoke after about 5 s, so such a card (which may read
 * the directory and the store) is drawn and sent once the invoke has been answered, through the
 * proactive messenger: botbuilder revokes the turn's context when the turn ends.
 */
export class AfterAnswer {
  constructor(private readonly options: AfterAnswerOptions) {}

  /**
   * Sends the card `draw` makes into this turn's conversation once the turn has been answered.
   * `draw` gets a copy of the turn (its activity, logger and correlation id) to read; it cannot send
   * through it, and a change it made to turn state would not be saved. A failure is logged and the
   * person gets the error card with the turn's reference, as a failed turn would give them.
   */
  sendCard(context: TurnContext, label: string, draw: DrawCard): void {
    const { messenger, defaultLocale } = this.options;
    const reference = TurnContext.getConversationReference(context.activity);
    const logger = turnLogger(context, this.options.logger);
    const requestId = turnRequestId(context);
    const locale = turnLocale(context, defaultLocale);
    const copy = detachedCopy(context, logger, requestId);
    this.leftBy(context, label).works.push(async () => {
      try {
        await messenger.sendCard(reference, await draw(copy));
      } catch (error) {
        logger.error({ err: error, task: label }, 'turn failed after its answer');
        const strings = stringsFor(locale);
        const card = renderNoticeCard({
          title: strings.errors.title,
          body: format(strings.errors.generic, { reference: requestId }),
          tone: 'warning',
        });
        await messenger
          .sendCard(reference, card)
          .catch((sendError: unknown) =>
            logger.error({ err: sendError }, 'could not tell the user about the failed turn'),
          );
      }
    });
  }

  /** The turn's list of work for after the answer, begun on first use; one task runs it in order. */
  private leftBy(context: TurnContext, label: string): Left {
    const existing = context.turnState.get(LEFT_KEY) as Left | undefined;
    if (existing) return existing;
    const works: Left['works'] = [];
    const start = () =>
      this.options.tasks.run(label, async () => {
        // The server writes the invoke's answer in the microtasks that follow the turn: this starts after it.
        await new Promise((resolve) => setImmediate(resolve));
        for (const work of works) await work();
      });
    const left = { works, start };
    context.turnState.set(LEFT_KEY, left);
    return left;
  }
}

/**
 * What the turn left for after its answer, as the function that starts it once the turn is over
 * (the inbound pipeline calls it); undefined when the turn left nothing. Read it before the turn ends.
 */
export function leftForAfterAnswer(context: TurnContext): (() => void) | undefined {
  return (context.turnState.get(LEFT_KEY) as Left | undefined)?.start;
}

/** A context of its own for the turn's activity, readable after the turn ends; sending through it throws. */
function detachedCopy(context: TurnContext, logger: Logger, requestId: string): TurnContext {
  const copy = new TurnContext(context.adapter, { ...context.activity });
  bindTurn(copy, logger, requestId);
  copy.onSendActivities(() => {
    throw new Error('the turn was answered already: send through the messenger');
  });
  return copy;
}
