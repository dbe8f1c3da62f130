import { TurnContext } from 'botbuilder';
import type { ConversationAddress } from '../domain/ports.js';
import { turnTenant } from './turn-context.js';

/**
 * The address to store for this turn's conversation, so later notices can reach it:
 * 1:1 chats by the person's object id, channels by channel id. Undefined when the
 * activity lacks what a proactive message would need.
 */
export function addressOf(context: TurnContext, now: Date): ConversationAddress | undefined {
  const activity = context.activity;
  const tenantId = turnTenant(context);
  if (!tenantId) return undefined;
  // The incoming message's id is left out: a later notice starts fresh rather than replying
  // to an old message, and the address then stays the same from one turn to the next.
  const { activityId: _lastMessage, ...reference } = TurnContext.getConversationReference(
    activity,
  ) as unknown as Record<string, unknown>;
  const base = { tenantId, locale: activity.locale, reference, updatedAt: now };
  const type = activity.conversation.conversationType;
  if (type === 'personal') {
    const aadObjectId = activity.from.aadObjectId;
    if (!aadObjectId) return undefined;
    return { ...base, key: `user:${aadObjectId}`, kind: 'personal', aadObjectId, teamId: undefined };
  }
  if (type === 'channel') {
    const channelId =
      (activity.channelData?.channel?.id as string | undefined) ?? activity.conversation.id.split(';')[0];
    if (!channelId) return undefined;
    const teamId = activity.channelData?.team?.id as string | undefined;
    // The channel itself, not the thread this activity came from: a notice starts a new post, and clicks in
    // different threads of one channel leave the address as it was.
    const conversation = { ...(reference.conversation as Record<string, unknown>), id: channelId };
    return {
      ...base,
      reference: { ...reference, conversation },
      key: `channel:${channelId}`,
      kind: 'channel',
      aadObjectId: undefined,
      teamId,
    };
  }
  return {
    ...base,
    key: `chat:${activity.conversation.id}`,
    kind: 'groupChat',
    aadObjectId: undefined,
    teamId: undefined,
  };
}
