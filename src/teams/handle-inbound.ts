import type { Activity, TurnContext } from 'botbuilder';
import type { Application } from '@microsoft/teams-ai';
import type { Config } from '../config/load-config.js';
import { renderNoticeCard } from '../cards/notice.js';
import { isVerb } from '../cards/verb-data.js';
import { stringsFor } from '../content/strings/index.js';
import type { Logger } from '../logging/create-logger.js';
import { leftForAfterAnswer } from './after-answer.js';
import type { BotAdapter } from './bot-adapter.js';
import { boundConnectorWaits } from './connector-deadline.js';
import type { ActivityGuard } from './guard-activity.js';
import { inboundActivitySchema, tenantOf } from './inbound-activity.js';
import type { KeyedSerialQueue } from './keyed-serial-queue.js';
import { bindTurn, cardMessage, replyToInvokeWithCard, turnLocale } from './turn-context.js';
import type { AppTurnState } from './turn-state.js';

/** One POST to /api/messages, stripped of the HTTP framework. */
export interface InboundRequest {
  body: unknown;
  authorization: string | undefined;
  requestId: string;
  /** The server's logger: the handler binds the request id, with the activity's, to what it logs. */
  logger: Logger;
}

/** What to answer over HTTP. A body is only ever a short, fixed description. */
export interface InboundResponse {
  status: number;
  body?: unknown;
}

/** The only channel the bot serves in production. */
const TEAMS_CHANNEL = 'msteams';

/** Activities that act on someone's behalf, and so must say who that someone is. */
const NEEDS_IDENTITY = new Set(['message', 'invoke']);

export interface InboundDeps {
  config: Config;
  adapter: BotAdapter;
  app: Application<AppTurnState>;
  /** Answers what teams-ai cannot read and card data that does not fit its button, before the app runs. */
  guard: ActivityGuard;
  turns: KeyedSerialQueue;
  /** Told of every turn that ran (authenticated, from an allowed tenant), for the metrics. */
  observe?: TurnObserver;
}

/**
 * One turn answered: the activity type (from a fixed list, else `other`), the family of the bot's verb when it
 * pressed a card button (`review` for `review.approve`; `unknown` for a verb not the bot's), and the seconds from
 * receiving it to answering.
 */
export type TurnObserver = (turn: { kind: string; family: string | undefined; seconds: number }) => void;

/** Activity types counted by name; any other is `other`, so a sender cannot make up labels. */
const TURN_KINDS = new Set([
  'message',
  'invoke',
  'conversationUpdate',
  'installationUpdate',
  'messageReaction',
  'event',
]);

/**
 * The inbound pipeline: shape check, authentication, production refusals (channel, tenant),
 * identity check, then the turn, one at a time per conversation, through the guard (guard-activity.ts) first.
 */
export function createInboundHandler(deps: InboundDeps): (request: InboundRequest) => Promise<InboundResponse> {
  const { config, adapter, app, guard, turns } = deps;

  return async ({ body, authorization, requestId, logger: serverLogger }) => {
    const received = process.hrtime.bigint();
    const parsed = inboundActivitySchema.safeParse(body);
    if (!parsed.success) {
      serverLogger.warn(
        { requestId, problems: parsed.error.issues.slice(0, 5).map((i) => `${i.path.join('.')}: ${i.message}`) },
        'refused a request that is not a valid activity',
      );
      return {
        status: 400,
        body: { error: 'invalid_activity', message: 'The request body is not a valid Bot Framework activity.' },
      };
    }
    const activity = parsed.data as unknown as Activity;
    // One child logger a turn: every line of it carries the request and the activity.
    const logger = serverLogger.child({
      requestId,
      activityId: activity.id,
      activityType: activity.type,
      conversationId: activity.conversation.id,
    });

    let auth;
    try {
      auth = await adapter.authenticate(activity, authorization ?? '');
    } catch (error) {
      logger.warn(
        { reason: error instanceof Error ? error.message : String(error) },
        'refused an unauthenticated request',
      );
      return { status: 401 };
    }

    if (config.mode.kind === 'production') {
      if (activity.channelId !== TEAMS_CHANNEL) {
        logger.warn({ channelId: activity.channelId }, 'refused an activity from a channel other than Teams');
        return { status: 403 };
      }
      const tenantId = tenantOf(parsed.data);
      if (!tenantId || !config.mode.allowedTenants.has(tenantId)) {
        logger.warn(
          { tenantId: tenantId ?? null, fromId: activity.from.id },
          'refused an activity from a tenant not in ALLOWED_TENANTS',
        );
        return { status: 403 };
      }
    }

    const logic =
      NEEDS_IDENTITY.has(activity.type) && !activity.from.aadObjectId
        ? (context: TurnContext) => refuseWithoutIdentity(context, config, logger)
        : async (context: TurnContext) => {
            if (!(await guard(context))) await app.run(context);
          };

    let startAfterAnswer: (() => void) | undefined;
    const invokeResponse = await turns.run(activity.conversation.id, () =>
      adapter.runTurn(auth, activity, async (context) => {
        bindTurn(context, logger, requestId);
        boundConnectorWaits(context, config.connectorTimeoutMs);
        await logic(context);
        startAfterAnswer = leftForAfterAnswer(context);
      }),
    );
    // A turn that failed leaves nothing: its error card was the answer.
    startAfterAnswer?.();
    deps.observe?.({
      kind: TURN_KINDS.has(activity.type) ? activity.type : 'other',
      family: verbFamilyOf(activity),
      seconds: Number(process.hrtime.bigint() - received) / 1e9,
    });
    return invokeResponse ? { status: invokeResponse.status, body: invokeResponse.body } : { status: 200 };
  };
}

/** The family of the card button an activity pressed (Action.Execute, or Action.Submit's verb), if it pressed one. */
function verbFamilyOf(activity: Activity): string | undefined {
  const value = activity.value as { verb?: unknown; action?: { verb?: unknown } } | undefined;
  const verb =
    activity.type === 'invoke' && activity.name === 'adaptiveCard/action'
      ? value?.action?.verb
      : activity.type === 'message' && !activity.text && typeof value?.verb === 'string'
        ? value.verb
        : undefined;
  if (verb === undefined) return undefined;
  return isVerb(verb) ? verb.split('.')[0] : 'unknown';
}

async function refuseWithoutIdentity(context: TurnContext, config: Config, logger: Logger): Promise<void> {
  logger.warn({ fromId: context.activity.from.id }, 'refused an activity without from.aadObjectId');
  const strings = stringsFor(turnLocale(context, config.defaultLocale));
  const card = renderNoticeCard({
    title: strings.errors.title,
    body: strings.refusals.missingIdentity,
    tone: 'warning',
  });
  if (context.activity.type === 'invoke') await replyToInvokeWithCard(context, card);
  else await context.sendActivity(cardMessage(card));
}
