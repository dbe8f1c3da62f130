import { CardFactory, MessageFactory, type Activity, type TurnContext } from 'botbuilder';
import type { AdaptiveCard } from '../cards/render-card.js';
import { resolveLocale, type Locale } from '../domain/locale.js';
import type { Logger } from '../logging/create-logger.js';

const LOGGER_KEY = Symbol('signInHelp.logger');
const REQUEST_ID_KEY = Symbol('signInHelp.requestId');

/** Attaches the per-request logger and correlation id to a turn. */
export function bindTurn(context: TurnContext, logger: Logger, requestId: string): void {
  context.turnState.set(LOGGER_KEY, logger);
  context.turnState.set(REQUEST_ID_KEY, requestId);
}

/** The turn's child logger (request id, activity and conversation ids already bound). */
export function turnLogger(context: TurnContext, fallback: Logger): Logger {
  return (context.turnState.get(LOGGER_KEY) as Logger | undefined) ?? fallback;
}

/** The correlation id of the HTTP request that carried this turn. */
export function turnRequestId(context: TurnContext): string {
  return (context.turnState.get(REQUEST_ID_KEY) as string | undefined) ?? 'unknown';
}

/** The authenticated person of a turn: Entra object id and tenant, from the activity only. */
export interface TurnIdentity {
  userId: string;
  tenantId: string;
}

/** The turn's tenant: `conversation.tenantId`, else `channelData.tenant.id`. */
export function turnTenant(context: TurnContext): string | undefined {
  const activity = context.activity;
  const fromChannelData: unknown = activity.channelData?.tenant?.id;
  return activity.conversation.tenantId ?? (typeof fromChannelData === 'string' ? fromChannelData : undefined);
}

/** Who is acting in this turn, or undefined without an object id or tenant (refused earlier). */
export function turnIdentity(context: TurnContext): TurnIdentity | undefined {
  const userId = context.activity.from.aadObjectId;
  const tenantId = turnTenant(context);
  return userId && tenantId ? { userId, tenantId } : undefined;
}

/** The language to answer in, from the activity's locale. */
export function turnLocale(context: TurnContext, fallback: Locale): Locale {
  return resolveLocale(context.activity.locale, fallback);
}

/** A message activity carrying one Adaptive Card. */
export function cardMessage(card: AdaptiveCard): Partial<Activity> {
  return MessageFactory.attachment(CardFactory.adaptiveCard(card));
}

/** Sends an Adaptive Card as the answer to an invoke (`adaptiveCard/action`). */
export async function replyToInvokeWithCard(context: TurnContext, card: AdaptiveCard): Promise<void> {
  await context.sendActivity({
    type: 'invokeResponse',
    value: { status: 200, body: { statusCode: 200, type: 'application/vnd.microsoft.card.adaptive', value: card } },
  });
}
