import { describe, expect, it } from 'vitest';
import { stringsFor } from '../../src/content/strings/index.js';
import {
  APPROVAL_CHANNEL,
  Verbs,
  channelCard,
  executeActions,
  inChannel,
  inChat,
  people,
  stored,
  textOf,
} from '../support/approval-driver.js';
import { useBot } from '../support/use-bot.js';

const en = stringsFor('en');
const { alex, isaiah, ken, patti, lynne, yuki, megan, diego } = people;

describe('approval in the helpdesk channel (over HTTP)', () => {
  const ctx = useBot();

  it('posts a request to the approval channel once an administrator sets it, then claim and approve update it for everyone', async () => {
    const requestId = await inChat(ctx, alex).apply();
    // No channel yet: the request waits, and Alex still got his confirmation.
    expect(stored(ctx).posts).toEqual([]);

    const reply = await inChannel(ctx, lynne).say('set approval channel');
    expect(reply.body[0].text).toBe(en.approval.channel.setTitle);
    expect(textOf(reply)).toContain(en.approval.channel.backlog.replace('{count}', '1'));
    const post = ctx.connector.channelPosts().at(-1)!;
    expect(post.channelId).toBe(APPROVAL_CHANNEL);
    const reference = stored(ctx).requests.find((r) => r.id === requestId)!.reference;
    expect(textOf(post.card)).toContain(reference);
    expect(textOf(post.card)).toContain('Alex Wilber');
    expect(stored(ctx).posts).toEqual([
      expect.objectContaining({ request_id: requestId, channel_id: APPROVAL_CHANNEL }),
    ]);

    const claimed = await inChannel(ctx, isaiah).press(post.card, Verbs.reviewClaim);
    expect(textOf(claimed)).toContain(en.approval.done.claimed);
    const shared = channelCard(ctx, reference);
    expect(textOf(shared)).toContain('Isaiah Langer');
    expect(textOf(shared)).not.toContain(en.approval.done.claimed);
    const { conversation_id: conversationId, message_id: messageId } = stored(ctx).posts[0]!;
    expect(conversationId).toBe(`${APPROVAL_CHANNEL};messageid=${messageId}`);
    expect(ctx.connector.updates().at(-1)).toMatchObject({ conversationId, activityId: messageId });

    const approved = await inChannel(ctx, isaiah).press(shared, Verbs.reviewApprove, {
      verification: 'videoCall',
      verificationNote: 'Checked passport on a video call',
    });
    expect(textOf(approved)).toContain(en.approval.done.approved);
    expect(executeActions(channelCard(ctx, reference)).size).toBe(0);
    const request = stored(ctx).requests.find((r) => r.id === requestId)!;
    expect(request.state).toBe('approved');
    expect(
      stored(ctx)
        .events.filter((e) => e.request_id === requestId)
        .map((e) => [e.actor, e.from_state, e.to_state]),
    ).toEqual([
      [alex.id, null, 'submitted'],
      ['system', 'submitted', 'pending_review'],
      [isaiah.id, 'pending_review', 'pending_review'],
      [isaiah.id, 'pending_review', 'approved'],
    ]);
    // Alex heard about the claim and the approval in his chat.
    const notices = ctx.connector.sentCards().map(textOf);
    expect(notices.some((text) => text.includes(reference) && text.includes('approved'))).toBe(true);
  });
});
