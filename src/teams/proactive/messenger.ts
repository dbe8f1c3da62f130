import { TurnContext, type Activity, type ConversationReference } from 'botbuilder';
import type { AdaptiveCard } from '../../cards/render-card.js';
import type { ChannelPost } from '../../domain/requests/ports.js';
import { cardMessage } from '../turn-context.js';
import type { BotAdapter } from '../bot-adapter.js';

/** A channel to post into: where its tenant's Bot Connector lives and the channel's id. */
export interface ChannelTarget {
  tenantId: string;
  serviceUrl: string;
  channelId: string;
}

/** The bot can no longer post to the channel (removed from the team, channel deleted). */
export class ChannelUnavailableError extends Error {
  readonly code = 'CHANNEL_UNAVAILABLE';
  constructor(
    readonly status: number,
    readonly connectorCode: string | undefined,
  ) {
    super(`the Bot Connector refused the channel post (${status} ${connectorCode ?? ''})`.trim());
  }
}

/** The card to update is gone (someone deleted the message); post a new one instead. */
export class MessageGoneError extends Error {
  readonly code = 'MESSAGE_GONE';
  constructor() {
    super('the Bot Connector no longer has the message to update');
  }
}

/**
 * Messages the bot sends without being spoken to: 1:1 notices to stored addresses, new cards in
 * a channel (keeping the thread and message ids) and updates of those cards for everyone. They go
 * straight to the Bot Connector's REST operations, on a client kept per endpoint.
 */
export class TeamsMessenger {
  constructor(
    private readonly adapter: BotAdapter,
    private readonly botAppId: string,
  ) {}

  /** Sends a card into the conversation of a stored reference (a person's 1:1 chat). */
  async sendCard(reference: Record<string, unknown>, card: AdaptiveCard): Promise<void> {
    const full = this.referenceTo(reference as Partial<ConversationReference>);
    const client = await this.adapter.proactiveConnector(this.botAppId, full.serviceUrl ?? '');
    const activity = TurnContext.applyConversationReference({ ...cardMessage(card), type: 'message' }, full);
    await client.conversations.sendToConversation(full.conversation?.id ?? '', activity as Activity);
  }

  /** Starts a new thread in the channel with the card; its ids are needed to update it later. */
  async postCard(target: ChannelTarget, card: AdaptiveCard): Promise<Omit<ChannelPost, 'requestId' | 'postedAt'>> {
    let created: { id?: string; activityId?: string };
    try {
      const client = await this.adapter.proactiveConnector(this.botAppId, target.serviceUrl);
      // createConversation itself, not botbuilder's createConversationAsync: that drops the new message's id.
      created = await client.conversations.createConversation({
        isGroup: true,
        bot: { id: this.botAppId, name: '' },
        channelData: { channel: { id: target.channelId }, tenant: { id: target.tenantId } },
        tenantId: target.tenantId,
        activity: { ...cardMessage(card), type: 'message' } as Activity,
        members: [],
      });
    } catch (error) {
      throw unavailableOr(error);
    }
    if (!created.id) throw new Error('the Bot Connector created no conversation');
    // Teams names the thread `<channel>;messageid=<id of the first message>`.
    const messageId = created.activityId ?? /;messageid=(.+)$/.exec(created.id)?.[1];
    if (!messageId) throw new Error('the Bot Connector did not say which message it created');
    return {
      tenantId: target.tenantId,
      channelId: target.channelId,
      conversationId: created.id,
      messageId,
      serviceUrl: target.serviceUrl,
    };
  }

  /** Posts a card as a reply in the thread of a posted card. */
  async replyInThread(post: ChannelPost, card: AdaptiveCard): Promise<void> {
    const full = this.threadOf(post);
    const activity = TurnContext.applyConversationReference({ ...cardMessage(card), type: 'message' }, full);
    try {
      const client = await this.adapter.proactiveConnector(this.botAppId, post.serviceUrl);
      await client.conversations.sendToConversation(post.conversationId, activity as Activity);
    } catch (error) {
      throw unavailableOr(error);
    }
  }

  /** Replaces a posted card for everyone in the channel. */
  async updateCard(post: ChannelPost, card: AdaptiveCard): Promise<void> {
    const full = this.threadOf(post);
    const activity = TurnContext.applyConversationReference(
      { ...cardMessage(card), id: post.messageId, type: 'message' },
      full,
    );
    try {
      const client = await this.adapter.proactiveConnector(this.botAppId, post.serviceUrl);
      await client.conversations.updateActivity(post.conversationId, post.messageId, activity as Activity);
    } catch (error) {
      if ((error as { statusCode?: unknown }).statusCode === 404) throw new MessageGoneError();
      throw unavailableOr(error);
    }
  }

  /** The reference of a posted card's thread. */
  private threadOf(post: ChannelPost): Partial<ConversationReference> {
    const conversation = {
      id: post.conversationId,
      isGroup: true,
      conversationType: 'channel',
      tenantId: post.tenantId,
    };
    return this.referenceTo({ serviceUrl: post.serviceUrl, conversation: conversation as never });
  }

  /** A stored or built reference, completed with what every message from this bot on Teams carries. */
  private referenceTo(reference: Partial<ConversationReference>): Partial<ConversationReference> {
    return { channelId: 'msteams', bot: { id: this.botAppId, name: '' }, ...reference };
  }
}

/** 403 (bot not in the team) and 404 (no such channel) mean the channel is gone for the bot. */
function unavailableOr(error: unknown): unknown {
  const status = (error as { statusCode?: unknown }).statusCode;
  if (status === 403 || status === 404) {
    const body = (error as { body?: { error?: { code?: string } } }).body;
    return new ChannelUnavailableError(status, body?.error?.code);
  }
  return error;
}
