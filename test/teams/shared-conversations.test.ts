import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { stringsFor } from '../../src/content/strings/index.js';
import { tenant, type Sender } from '../support/activities.js';
import { APPROVAL_CHANNEL, inChannel, inChat, people, stored, textsIn } from '../support/approval-driver.js';
import { useBot, type BotUnderTest } from '../support/use-bot.js';

const en = stringsFor('en');
const ja = stringsFor('ja');
const { alex, isaiah, ken, lynne } = people;

/** Another channel of the helpdesk team, where nobody chose to decide requests. */
const OTHER_CHANNEL = '19:general-chatter@thread.tacv2';

/** A message typed (after mentioning the bot) in a channel of the team, or in a group chat. */
async function sayIn(
  ctx: BotUnderTest,
  where: { kind: 'channel'; channelId: string } | { kind: 'groupChat' },
  from: Sender,
  text: string,
  locale = 'en-US',
): Promise<any> {
  ctx.connector.clear();
  const conversation =
    where.kind === 'channel'
      ? { id: where.channelId, conversationType: 'channel', isGroup: true, tenantId: tenant.tenant.id }
      : { id: '19:group-of-three@thread.v2', conversationType: 'groupChat', isGroup: true, tenantId: tenant.tenant.id };
  const channelData =
    where.kind === 'channel'
      ? {
          tenant: { id: tenant.tenant.id },
          team: { id: tenant.team.id, name: tenant.team.name },
          channel: { id: where.channelId },
        }
      : { tenant: { id: tenant.tenant.id } };
  const response = await ctx.bot.post({
    type: 'message',
    id: `${Date.now()}${Math.random()}`,
    timestamp: new Date().toISOString(),
    channelId: 'msteams',
    serviceUrl: ctx.connector.serviceUrl,
    locale,
    from: { id: `29:${from.id}`, name: from.displayName, aadObjectId: from.id },
    recipient: { id: `28:${tenant.bot.id}`, name: tenant.bot.name },
    conversation,
    channelData,
    text,
  });
  expect(response.status).toBe(200);
  await ctx.bot.service.settle();
  const cards = ctx.connector.sentCards();
  expect(cards, `one answer to "${text}"`).toHaveLength(1);
  return cards[0];
}

/** Diagnoses stored so far: nothing typed in a shared conversation may start one. */
function diagnosisCount(ctx: BotUnderTest): number {
  const db = new Database(ctx.bot.sqlitePath, { readonly: true });
  try {
    return (db.prepare('SELECT COUNT(*) AS n FROM diagnoses').get() as { n: number }).n;
  } finally {
    db.close();
  }
}

describe('what the bot answers in channels and group chats (over HTTP)', () => {
  const ctx = useBot();

  it('sends people to a 1:1 chat from any channel, and tells administrators how to choose the approval channel while there is none', async () => {
    const reply = await sayIn(
      ctx,
      { kind: 'channel', channelId: OTHER_CHANNEL },
      alex,
      "I can't sign in, I lost my phone",
    );
    expect(reply.body[0].text).toBe(en.approval.channel.chatOnlyTitle);
    expect(textsIn(reply).join('\n')).toContain(en.approval.channel.chatOnlyBody);
    expect(textsIn(reply).join('\n')).toContain(en.approval.channel.noChannelYet);
    expect(diagnosisCount(ctx)).toBe(0);
  });

  it('answers agents in the approval channel with what the bot does there, never the symptom card', async () => {
    const set = await inChannel(ctx, lynne).say('set approval channel');
    expect(set.body[0].text).toBe(en.approval.channel.setTitle);
    const before = diagnosisCount(ctx);
    for (const text of ['hello bot', 'what is this', 'I lost my phone', 'help']) {
      const reply = await sayIn(ctx, { kind: 'channel', channelId: APPROVAL_CHANNEL }, isaiah, text);
      expect(reply.body[0].text, text).toBe(en.approval.channel.agentHelpTitle);
      const body = textsIn(reply).join('\n');
      for (const line of en.approval.channel.agentHelpLines) expect(body).toContain(line);
      expect(body).toContain('"queue"');
      expect(body).toContain('"status SIH-000123"');
      expect(body).toContain('set approval channel');
      expect(textsIn(reply)).not.toContain(en.diagnosis.symptomsTitle);
      expect(JSON.stringify(reply)).not.toContain('Action.Execute');
    }
    expect(diagnosisCount(ctx)).toBe(before);
  });

  it('answers in Japanese to a Japanese agent', async () => {
    const reply = await sayIn(ctx, { kind: 'channel', channelId: APPROVAL_CHANNEL }, ken, 'これは何ですか', 'ja-JP');
    expect(reply.body[0].text).toBe(ja.approval.channel.agentHelpTitle);
    expect(textsIn(reply).join('\n')).toContain(ja.approval.channel.agentHelpLines[1]!);
  });

  it('starts no diagnosis and no application in another channel or a group chat, once the approval channel is set', async () => {
    const before = diagnosisCount(ctx);
    const requests = stored(ctx).requests.length;
    for (const text of ['hello', 'my authenticator shows a different number', 'diagnose', 'reset']) {
      for (const where of [{ kind: 'channel', channelId: OTHER_CHANNEL } as const, { kind: 'groupChat' } as const]) {
        const reply = await sayIn(ctx, where, alex, text);
        expect(reply.body[0].text, `${text} in ${where.kind}`).toBe(en.approval.channel.chatOnlyTitle);
        // The approval channel exists now, so the set-up hint is left out.
        expect(textsIn(reply).join('\n')).not.toContain(en.approval.channel.noChannelYet);
      }
    }
    const japanese = await sayIn(ctx, { kind: 'groupChat' }, ken, 'サインインできません', 'ja-JP');
    expect(japanese.body[0].text).toBe(ja.approval.channel.chatOnlyTitle);
    expect(diagnosisCount(ctx)).toBe(before);
    expect(stored(ctx).requests).toHaveLength(requests);
  });

  it('still diagnoses in a 1:1 chat', async () => {
    const before = diagnosisCount(ctx);
    const reply = await inChat(ctx, alex).say('I lost my phone');
    expect(reply.body[0].text).not.toBe(en.approval.channel.chatOnlyTitle);
    expect(diagnosisCount(ctx)).toBe(before + 1);
  });
});
