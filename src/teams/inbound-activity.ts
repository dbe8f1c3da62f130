import { z } from 'zod';

const account = z
  .object({ id: z.string().min(1), name: z.string().optional(), aadObjectId: z.string().optional() })
  .passthrough();

/**
 * What every inbound activity must carry before the bot looks at it further. Anything else
 * is passed through untouched for the SDK.
 */
export const inboundActivitySchema = z
  .object({
    type: z.string().min(1),
    id: z.string().optional(),
    channelId: z.string().min(1),
    serviceUrl: z.string().url(),
    from: account,
    recipient: account,
    conversation: z
      .object({ id: z.string().min(1), tenantId: z.string().optional(), conversationType: z.string().optional() })
      .passthrough(),
    locale: z.string().optional(),
    text: z.string().optional(),
    channelData: z.record(z.unknown()).optional(),
  })
  .passthrough();

export type InboundActivity = z.infer<typeof inboundActivitySchema>;

/** The Teams tenant of an activity: `conversation.tenantId`, else `channelData.tenant.id`. */
export function tenantOf(activity: InboundActivity): string | undefined {
  const fromChannelData = (activity.channelData?.tenant as { id?: unknown } | undefined)?.id;
  const tenant = activity.conversation.tenantId ?? (typeof fromChannelData === 'string' ? fromChannelData : undefined);
  return tenant?.toLowerCase();
}
