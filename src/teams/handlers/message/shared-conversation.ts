import type { TurnContext } from 'botbuilder';
import { renderNoticeCard } from '../../../cards/notice.js';
import type { AdaptiveCard } from '../../../cards/render-card.js';
import { stringsFor } from '../../../content/strings/index.js';
import type { TeamsDeps } from '../../deps.js';
import { turnLocale, turnTenant } from '../../turn-context.js';

/** A team channel or a group chat: others read along, so nobody's account is talked about there. */
export function inSharedConversation(context: TurnContext): boolean {
  const type = context.activity.conversation?.conversationType;
  return type === 'channel' || type === 'groupChat';
}

/**
 * The answer to anything but the channel's own commands in a channel or group chat. In the
 * approval channel the readers are agents: what the bot does there and the commands they have.
 * Anywhere else: a diagnosis or an application starts only in a 1:1 chat with the bot, so the
 * person is told to go there (and, while the tenant has no approval channel, how to choose one).
 */
export async function sharedConversationReply(context: TurnContext, deps: TeamsDeps): Promise<AdaptiveCard> {
  const strings = stringsFor(turnLocale(context, deps.config.defaultLocale));
  const s = strings.approval.channel;
  const tenantId = turnTenant(context);
  const approval = tenantId ? await deps.publisher.channelFor(tenantId) : undefined;
  const channelId = context.activity.channelData?.channel?.id as string | undefined;
  if (approval && context.activity.conversation.conversationType === 'channel' && channelId === approval.channelId) {
    return renderNoticeCard({ title: s.agentHelpTitle, body: s.agentHelpLines.join('\n\n'), tone: 'default' });
  }
  const lines = approval ? [s.chatOnlyBody] : [s.chatOnlyBody, s.noChannelYet];
  return renderNoticeCard({ title: s.chatOnlyTitle, body: lines.join('\n\n'), tone: 'default' });
}
