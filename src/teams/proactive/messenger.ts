import { TurnContext, type Activity, type ConversationReference } from 'botbuilder';
import type { AdaptiveCard } from '../../cards/render-card.js';
import type { ChannelPost } from '../../domain/requests/ports.js';
import { cardMessage } from '../turn-context.js';
import type { BotAdapter } from '../bot-adapter.js';
import { ConnectorTimeoutError } from '../connector-deadline.js';

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

/**
 * The Bot Connector failed for a moment: throttled (429), failing (5xx) or out of reach. Its client
 * has already tried again a few times; the message is worth another try shortly, not before
 * `retryAfterMs` when the service said how long to wait.
 */
export class ConnectorBusyError extends Error {
  readonly code = 'CONNECTOR_BUSY';
  constructor(
    readonly status: number | undefined,
    readonly retryAfterMs: number | undefined,
    cause: unknown,
  ) {
    super(`the Bot Connector failed for now (${status ?? 'no answer'})`, { cause });
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

  /**
   * Sends a card into the conversation of a stored reference (a person's 1:1 chat); the new
   * message's id. `summary` is what Teams may show in a notification and the chat list instead of
   * text drawn from the card.
   */
  async sendCard(
    reference: Record<string, unknown>,
    card: AdaptiveCard,
    options: { summary?: string } = {},
  ): Promise<string | undefined> {
    const full = this.referenceTo(reference as Partial<ConversationReference>);
    const client = await this.adapter.proactiveConnector(this.botAppId, full.serviceUrl ?? '');
    const message = { ...cardMessage(card), type: 'message', ...(options.summary ? { summary: options.summary } : {}) };
    const activity = TurnContext.applyConversationReference(message, full);
    const sent = await client.conversations.sendToConversation(full.conversation?.id ?? '', activity as Activity);
    return sent?.id;
  }

  /** Replaces a card the bot sent into a person's 1:1 chat. */
  async updateSentCard(reference: Record<string, unknown>, activityId: string, card: AdaptiveCard): Promise<void> {
    const full = this.referenceTo(reference as Partial<ConversationReference>);
    const client = await this.adapter.proactiveConnector(this.botAppId, full.serviceUrl ?? '');
    const activity = TurnContext.applyConversationReference(
      { ...cardMessage(card), id: activityId, type: 'message' },
      full,
    );
    await client.conversations.updateActivity(full.conversation?.id ?? '', activityId, activity as Activity);
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
      throw classified(error);
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
      throw classified(error);
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
      throw classified(error);
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

/** Errors of a request that never got an answer: worth another try. */
const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EAI_AGAIN', 'EPIPE', 'REQUEST_SEND_ERROR']);

/**
 * What a failed channel call means: 403 (bot not in the team) and 404 (no such channel) that the
 * channel is gone for the bot; 408, 429, 5xx and no answer at all that the service failed for a
 * moment (no answer includes none within CONNECTOR_TIMEOUT_MS). Anything else is passed on as it is.
 */
function classified(error: unknown): unknown {
  if (error instanceof ConnectorTimeoutError) return new ConnectorBusyError(undefined, undefined, error);
  const failure = error as { statusCode?: unknown; code?: unknown; name?: unknown };
  const status = typeof failure.statusCode === 'number' ? failure.statusCode : undefined;
  if (status === 403 || status === 404) {
    const body = (error as { body?: { error?: { code?: string } } }).body;
    return new ChannelUnavailableError(status, body?.error?.code);
  }
  const noAnswer =
    status === undefined &&
    (failure.name === 'RestError' || (typeof failure.code === 'string' && NETWORK_CODES.has(failure.code)));
  if (noAnswer || status === 408 || status === 429 || (status !== undefined && status >= 500)) {
    return new ConnectorBusyError(status, retryAfterMs(error), error);
  }
  return error;
}

/** The wait a `Retry-After` header asks for (seconds, or an HTTP date), when the answer had one. */
export function retryAfterMs(error: unknown, now = Date.now()): number | undefined {
  const headers = (error as { response?: { headers?: { get?: (name: string) => string | undefined | null } } }).response
    ?.headers;
  const value = typeof headers?.get === 'function' ? headers.get('retry-after')?.trim() : undefined;
  if (!value) return undefined;
  if (/^\d+$/.test(value)) return Number(value) * 1_000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}
