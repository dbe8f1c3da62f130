import type { Application } from '@microsoft/teams-ai';
import type { TurnContext } from 'botbuilder';
import { renderNoticeCard } from '../../../cards/notice.js';
import { format, stringsFor } from '../../../content/strings/index.js';
import { OPEN_STATES } from '../../../domain/requests/request.js';
import type { TeamsDeps } from '../../deps.js';
import { cardMessage, turnIdentity, turnLocale, turnLogger } from '../../turn-context.js';
import type { AppTurnState } from '../../turn-state.js';

/** `set approval channel`, in English or Japanese, typed after mentioning the bot in a channel. */
export const setApprovalChannelPattern =
  /^\s*(set\s+(the\s+)?approval\s+channel|承認(用)?チャネル(に|を)?設定)\s*[.!?。！？]*\s*$/i;

/**
 * Makes the channel it is typed in the tenant's approval channel, when an administrator (member
 * of the admin group, checked against the directory now) types it in a team channel. Requests
 * that were waiting for a channel are posted right after.
 */
export function registerSetApprovalChannel(app: Application<AppTurnState>, deps: TeamsDeps): void {
  app.message(setApprovalChannelPattern, async (context) => {
    await setApprovalChannel(context, deps);
  });
}

async function setApprovalChannel(context: TurnContext, deps: TeamsDeps): Promise<void> {
  const strings = stringsFor(turnLocale(context, deps.config.defaultLocale));
  const c = strings.approval.channel;
  const reply = (title: string, body: string, tone: 'default' | 'warning') =>
    context.sendActivity(cardMessage(renderNoticeCard({ title, body, tone })));
  const actor = turnIdentity(context);
  if (!actor) return;
  const activity = context.activity;
  const channelId = activity.channelData?.channel?.id as string | undefined;
  const teamId = activity.channelData?.team?.id as string | undefined;
  if (activity.conversation.conversationType !== 'channel' || !channelId || !teamId) {
    await reply(c.notInChannelTitle, c.notInChannelBody, 'warning');
    return;
  }
  const admin = await deps.review.mayChooseChannel(actor, channelId);
  if (admin !== true) {
    turnLogger(context, deps.logger).warn({ admin }, 'refused to set the approval channel');
    await reply(c.notAdminTitle, admin === 'unknown' ? c.unknownBody : c.notAdminBody, 'warning');
    return;
  }
  await deps.channels.save({
    tenantId: actor.tenantId,
    teamId,
    channelId,
    serviceUrl: activity.serviceUrl,
    locale: turnLocale(context, deps.config.defaultLocale),
    setBy: actor.userId,
    setAt: deps.clock.now(),
    unavailableSince: undefined,
  });
  turnLogger(context, deps.logger).info({ channelId, teamId, setBy: actor.userId }, 'approval channel set');
  const waiting = await deps.channels.unposted(actor.tenantId, channelId, [...OPEN_STATES], 1_000);
  const body =
    waiting.length > 0 ? `${c.setBody}\n\n${format(c.backlog, { count: String(waiting.length) })}` : c.setBody;
  await reply(c.setTitle, body, 'default');
  deps.publisher.postBacklogLater(actor.tenantId);
}
