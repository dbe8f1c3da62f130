import type { TurnContext } from 'botbuilder';
import type { TeamsDeps } from './deps.js';
import { turnTenant } from './turn-context.js';

/**
 * Whether this turn comes from the tenant's approval channel: a team channel (a request card's
 * thread in it) whose id is the channel set with `set approval channel`, else the configured one
 * (APPROVAL_TEAM_ID and APPROVAL_CHANNEL_ID). Teams says where a card was clicked; the card's data
 * plays no part.
 */
export async function inApprovalChannel(
  context: TurnContext,
  deps: Pick<TeamsDeps, 'channels' | 'config'>,
): Promise<boolean> {
  const activity = context.activity;
  const tenantId = turnTenant(context);
  if (!tenantId || activity.conversation?.conversationType !== 'channel') return false;
  // A click arrives in the card's thread (`<channel>;messageid=<post>`), as capture-address reads it.
  const channelId: unknown = activity.channelData?.channel?.id ?? activity.conversation.id?.split(';')[0];
  if (typeof channelId !== 'string') return false;
  const approval = (await deps.channels.find(tenantId)) ?? deps.config.approvalChannel;
  return approval !== undefined && approval.channelId === channelId;
}
