import { z } from 'zod';

/**
 * Longer than any id Teams issues. Ids go into the URLs of replies, so a longer one could only make
 * the answer fail after the turn ran.
 */
const MAX_ID_LENGTH = 1_024;
const id = z.string().min(1).max(MAX_ID_LENGTH);
/** Teams conversation ids are printable ASCII; botbuilder sends them in a header, where nothing else may go. */
const conversationId = id.regex(/^[\x20-\x7e]+$/, 'printable ASCII');

const account = z
  .object({ id, name: z.string().optional(), aadObjectId: z.string().optional(), role: z.string().optional() })
  .passthrough();

/** A team, channel or tenant named in channelData: read by the bot and stored with addresses. */
const named = z.object({ id: z.string().max(MAX_ID_LENGTH), name: z.string().optional() }).passthrough();

/**
 * What every inbound activity must carry before the bot looks at it further, and the types of the
 * parts that the bot reads or botbuilder copies into a reply (a reply with a wrong type there fails
 * to serialize after the turn ran). Anything else is passed through untouched for the SDK.
 */
export const inboundActivitySchema = z
  .object({
    type: z.string().min(1),
    id: z.string().max(MAX_ID_LENGTH).optional(),
    name: z.string().optional(),
    channelId: z.string().min(1),
    serviceUrl: z.string().url(),
    from: account,
    recipient: account,
    conversation: z
      .object({
        id: conversationId,
        tenantId: z.string().optional(),
        conversationType: z.string().optional(),
        isGroup: z.boolean().optional(),
        name: z.string().optional(),
        aadObjectId: z.string().optional(),
        role: z.string().optional(),
      })
      .passthrough(),
    replyToId: z.string().max(MAX_ID_LENGTH).optional(),
    locale: z.string().optional(),
    text: z.string().optional(),
    membersAdded: z.array(account).optional(),
    membersRemoved: z.array(account).optional(),
    channelData: z
      .object({ tenant: named.optional(), team: named.optional(), channel: named.optional() })
      .passthrough()
      .optional(),
  })
  .passthrough();

export type InboundActivity = z.infer<typeof inboundActivitySchema>;

/** The Teams tenant of an activity: `conversation.tenantId`, else `channelData.tenant.id`. */
export function tenantOf(activity: InboundActivity): string | undefined {
  const fromChannelData = (activity.channelData?.tenant as { id?: unknown } | undefined)?.id;
  const tenant = activity.conversation.tenantId ?? (typeof fromChannelData === 'string' ? fromChannelData : undefined);
  return tenant?.toLowerCase();
}
