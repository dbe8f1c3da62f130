import type { Activity, TurnContext } from 'botbuilder';
import { z } from 'zod';
import { renderNoticeCard } from '../cards/notice.js';
import { checkVerbData, isVerb } from '../cards/verb-data.js';
import { Verbs } from '../cards/verbs.js';
import { stringsFor } from '../content/strings/index.js';
import type { TeamsDeps } from './deps.js';
import { cardMessage, replyToInvokeWithCard, turnIdentity, turnLocale, turnLogger } from './turn-context.js';

/** Answers an activity that must not reach teams-ai or a handler; true when it did, and the turn is over. */
export type ActivityGuard = (context: TurnContext) => Promise<boolean>;

/** The invoke an Action.Execute button sends. */
const CARD_ACTION = 'adaptiveCard/action';

/** What teams-ai reads of an `adaptiveCard/action` invoke to pick its route. */
const executeValue = z
  .object({
    action: z.object({ type: z.literal('Action.Execute'), verb: z.string(), data: z.unknown() }).passthrough(),
  })
  .passthrough();

const entities = z.array(z.object({ type: z.string() }).passthrough());
/** What botbuilder reads of a mention to take the bot's name out of the text: who, and the words. */
const mention = z.object({ text: z.string(), mentioned: z.object({ id: z.string() }).passthrough() }).passthrough();

/** Buttons of the diagnosis: a click they cannot take is answered as a click on an earlier step. */
const DIAGNOSIS_BUTTONS: ReadonlySet<string> = new Set([
  Verbs.diagnoseStart,
  Verbs.diagnosisAnswer,
  Verbs.diagnosisFixed,
  Verbs.diagnosisNotFixed,
]);

interface CardAction {
  verb: string;
  data: unknown;
  via: 'execute' | 'submit';
}

/**
 * The edge between what Teams sent and the app. Parts teams-ai reads before any route runs (the
 * value of a card action or an Action.Submit, mention entities) that it cannot read are answered as
 * bad input. A button's data must fit its verb's schema (src/cards/verb-data.ts): what fits goes on
 * to the handlers with only the fields they know; anything else is refused as tampered, on the
 * audit trail, with the answer a stale click on that card gets, in the person's language.
 */
export function createActivityGuard(deps: Pick<TeamsDeps, 'config' | 'logger' | 'review'>): ActivityGuard {
  return async (context) => {
    const activity = context.activity;
    const logger = turnLogger(context, deps.logger);
    const unreadable = unreadablePart(activity);
    if (unreadable) {
      logger.warn({ part: unreadable }, 'answered an activity with a part that cannot be read as bad input');
      await answerUnreadable(context, deps);
      return true;
    }
    const action = cardActionOf(activity);
    if (!action) return false;
    const { verb } = action;
    const known = isVerb(verb);
    const checked = known ? checkVerbData(verb, action.data) : { ok: false as const, problems: ['verb: unknown'] };
    if (checked.ok) {
      if (action.via === 'execute') (activity.value as { action: { data: unknown } }).action.data = checked.data;
      else activity.value = checked.data;
      return false;
    }
    logger.warn(
      { verb: known ? verb : 'unknown', via: action.via, problems: checked.problems },
      'refused card data that does not fit its button',
    );
    const actor = turnIdentity(context);
    if (actor) {
      try {
        await deps.review.refuseTamperedCard(actor, known ? verb : 'an unknown card action', requestIdOf(action));
      } catch (error) {
        logger.error({ err: error }, 'could not record the refusal of tampered card data');
      }
    }
    await answerTampered(context, deps, action);
    return true;
  };
}

/** The part of an activity teams-ai would fail on before any route runs, if any. */
function unreadablePart(activity: Activity): 'value' | 'entities' | undefined {
  if (activity.type === 'invoke' && activity.name === CARD_ACTION) {
    return executeValue.safeParse(activity.value).success ? undefined : 'value';
  }
  if (activity.type !== 'message') return undefined;
  // teams-ai takes any object without text for an Action.Submit and reads its verb, null included.
  if (activity.value !== undefined && !activity.text && !isRecord(activity.value)) return 'value';
  if (activity.entities === undefined) return undefined;
  const listed = entities.safeParse(activity.entities);
  if (!listed.success) return 'entities';
  const mentions = listed.data.filter((entity) => entity.type.toLowerCase() === 'mention');
  // The bot's own mention is taken out of the text, so a mention needs text to be taken out of.
  if (mentions.some((entity) => !mention.safeParse(entity).success)) return 'entities';
  return mentions.length > 0 && typeof activity.text !== 'string' ? 'entities' : undefined;
}

/** The button an activity presses, as teams-ai will route it, if it presses one of the bot's. */
function cardActionOf(activity: Activity): CardAction | undefined {
  if (activity.type === 'invoke' && activity.name === CARD_ACTION) {
    const { verb, data } = (activity.value as { action: { verb: string; data: unknown } }).action;
    return { verb, data: data ?? {}, via: 'execute' };
  }
  const value: unknown = activity.value;
  if (activity.type === 'message' && !activity.text && isRecord(value) && isVerb(value.verb)) {
    return { verb: value.verb, data: value, via: 'submit' };
  }
  return undefined;
}

/** The request a refused button named, for the audit trail; '-' when it named none. */
function requestIdOf(action: CardAction): unknown {
  return isRecord(action.data) && Object.hasOwn(action.data, 'requestId') ? action.data.requestId : '-';
}

async function answerUnreadable(context: TurnContext, deps: Pick<TeamsDeps, 'config'>): Promise<void> {
  const strings = stringsFor(turnLocale(context, deps.config.defaultLocale));
  const card = renderNoticeCard({
    title: strings.refusals.unreadableTitle,
    body: strings.refusals.unreadable,
    tone: 'warning',
  });
  if (context.activity.type === 'invoke') await replyToInvokeWithCard(context, card);
  else await context.sendActivity(cardMessage(card));
}

async function answerTampered(context: TurnContext, deps: Pick<TeamsDeps, 'config'>, action: CardAction) {
  const strings = stringsFor(turnLocale(context, deps.config.defaultLocale));
  if (DIAGNOSIS_BUTTONS.has(action.verb)) {
    const note = strings.diagnosis.staleAnswer;
    if (action.via === 'submit') await context.sendActivity(note);
    else {
      await context.sendActivity({
        type: 'invokeResponse',
        value: {
          status: 200,
          body: { statusCode: 200, type: 'application/vnd.microsoft.activity.message', value: note },
        },
      });
    }
    return;
  }
  const card = renderNoticeCard({
    title: strings.approval.refusedTitle,
    body: strings.approval.refusals.tamperedCard,
    tone: 'warning',
  });
  if (action.via === 'submit') await context.sendActivity(cardMessage(card));
  else await replyToInvokeWithCard(context, card);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
