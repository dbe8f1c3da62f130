import { describe, expect, it } from 'vitest';
import { Verbs } from '../../src/cards/verbs.js';
import {
  alex,
  cardAction,
  cardSubmit,
  ken,
  personalInstall,
  personalInstallationUpdate,
  personalMessage,
  teamInstall,
} from '../support/activities.js';
import { useBot } from '../support/use-bot.js';

/** All text of a card, flattened, for asserting on what a person would read. */
const cardText = (card: unknown) => JSON.stringify(card);
const buttonTitles = (card: any): string[] => (card.actions ?? []).map((action: any) => action.title);

describe('welcome, help and the welcome card buttons (local mode, over HTTP)', () => {
  const ctx = useBot();

  const options = (extra: Record<string, unknown> = {}) => ({ serviceUrl: ctx.connector.serviceUrl, ...extra });

  it('greets a user who installs the bot with the English welcome card and its four buttons', async () => {
    const response = await ctx.bot.post(personalInstall(options({ from: alex })));
    expect(response.status).toBe(200);
    const cards = ctx.connector.sentCards();
    expect(cards).toHaveLength(1);
    expect(cards[0].body[0].text).toBe('Sign-in Help');
    expect(cardText(cards[0])).toContain('Hi Alex, I help you get back into your work account.');
    expect(buttonTitles(cards[0])).toEqual(["I can't sign in", 'Apply for a reset', 'My requests', 'Help']);
    expect(cards[0].actions.map((action: any) => action.verb)).toEqual([
      Verbs.diagnoseStart,
      Verbs.applicationOpen,
      Verbs.requestsMine,
      Verbs.helpShow,
    ]);
  });

  it('greets a first-time user as new when Teams sends installationUpdate before conversationUpdate', async () => {
    const newcomer = { id: '6c6c6c6c-0000-4000-8000-00000000beef', displayName: 'Nina Newcomer' };
    await ctx.bot.post(personalInstallationUpdate(options({ from: newcomer })));
    await ctx.bot.post(personalInstall(options({ from: newcomer })));
    const cards = ctx.connector.sentCards();
    expect(cards).toHaveLength(1);
    expect(cardText(cards[0])).toContain('Hi Nina Newcomer, I help you get back into your work account.');
  });

  it('answers the HEAD probe on the messaging endpoint without running a turn', async () => {
    const response = await fetch(`${ctx.bot.url}/api/messages`, { method: 'HEAD' });
    expect(response.status).toBe(200);
    expect(ctx.connector.calls).toHaveLength(0);
  });

  it('greets a Japanese user in Japanese, by the family name in the directory with さん', async () => {
    const response = await ctx.bot.post(personalInstall(options({ from: ken, locale: 'ja-JP' })));
    expect(response.status).toBe(200);
    const [card] = ctx.connector.sentCards();
    expect(card.body[0].text).toBe('サインイン ヘルプ');
    expect(cardText(card)).toContain('高橋さん、こんにちは。');
    expect(cardText(card)).not.toContain('健さん');
    expect(buttonTitles(card)).toEqual(['サインインできない', 'リセットを申請', '自分の申請', 'ヘルプ']);
  });

  it('greets by family name in Japanese and by given name in English, whatever the name is written in', async () => {
    // Both have met the bot in earlier tests, so either greeting may come; the name is what matters.
    await ctx.bot.post(personalInstall(options({ from: alex, locale: 'ja-JP' })));
    expect(cardText(ctx.connector.sentCards()[0])).toMatch(/"Wilberさん、(こんにちは|おかえりなさい)。/);
    ctx.connector.clear();
    await ctx.bot.post(personalInstall(options({ from: ken, locale: 'en-US' })));
    expect(cardText(ctx.connector.sentCards()[0])).toMatch(/"(Hi 健,|Welcome back, 健\.)/);
  });

  it('greets a Japanese user the directory does not know by the Teams name with さん', async () => {
    const newcomer = { id: '6c6c6c6c-0000-4000-8000-00000000cafe', displayName: '新井 花子' };
    await ctx.bot.post(personalInstall(options({ from: newcomer, locale: 'ja-JP' })));
    expect(cardText(ctx.connector.sentCards()[0])).toContain('新井 花子さん、こんにちは。');
  });

  it('answers any other message with the welcome card, and greets a returning user as such', async () => {
    const conversationId = 'a:welcome-returning';
    await ctx.bot.post(personalMessage('hello there', options({ conversationId })));
    expect(cardText(ctx.connector.sentCards()[0])).toMatch(/Hi Alex|Welcome back, Alex/);
    ctx.connector.clear();
    await ctx.bot.post(personalMessage('good morning', options({ conversationId })));
    expect(cardText(ctx.connector.sentCards()[0])).toContain('Welcome back, Alex.');
  });

  it('replies into the same conversation the message came from', async () => {
    await ctx.bot.post(personalMessage('hi', options({ conversationId: 'a:reply-target' })));
    expect(ctx.connector.calls).toHaveLength(1);
    expect(ctx.connector.calls[0]!.conversationId).toBe('a:reply-target');
  });

  it.each([
    ['help', 'en-US', 'How I can help', 'You can type things like:'],
    ['  HELP ', 'en-GB', 'How I can help', 'You can type things like:'],
    ['ヘルプ', 'ja-JP', 'できること', '例えば次のように入力できます:'],
    ['help', 'fr-FR', 'How I can help', 'You can type things like:'],
  ])('answers %j (%s) with the help card', async (text, locale, title, examplesHeading) => {
    const response = await ctx.bot.post(personalMessage(text, options({ locale })));
    expect(response.status).toBe(200);
    const [card] = ctx.connector.sentCards();
    expect(card.body[0].text).toBe(title);
    expect(cardText(card)).toContain(examplesHeading);
    expect(buttonTitles(card)).toHaveLength(4);
  });

  it('answers the Help button (Action.Execute) with a short note and posts the help card', async () => {
    const response = await ctx.bot.post(cardAction(Verbs.helpShow, options()));
    expect(response.status).toBe(200);
    expect(response.body).toEqual({
      statusCode: 200,
      type: 'application/vnd.microsoft.activity.message',
      value: 'My answer is in the chat below.',
    });
    await ctx.bot.service.settle();
    const [card] = ctx.connector.sentCards();
    expect(card.body[0].text).toBe('How I can help');
  });

  it("starts a diagnosis from the I can't sign in button, looking at the directory first", async () => {
    const response = await ctx.bot.post(cardAction(Verbs.diagnoseStart, options({ locale: 'ja-JP' })));
    expect(response.status).toBe(200);
    expect(response.body.value).toBe('下のチャットに回答しました。');
    await ctx.bot.service.settle();
    const [card] = ctx.connector.sentCards();
    expect(card.body[0].text).toBe('原因を一緒に確認しましょう');
    // Alex has two registered methods; the card shows them masked.
    expect(cardText(card)).toContain('登録済みの本人確認の方法');
    expect(cardText(card)).not.toMatch(/\+65 \d{4} \d{4}/);
  });

  it('answers the My requests button', async () => {
    const response = await ctx.bot.post(cardAction(Verbs.requestsMine, options()));
    expect(response.status).toBe(200);
    await ctx.bot.service.settle();
    const [card] = ctx.connector.sentCards();
    expect(card.body[0].text).toBe('My requests');
    expect(cardText(card)).toContain('You have no requests.');
  });

  it('answers the Apply button with the application form for the clicker own account', async () => {
    const response = await ctx.bot.post(cardAction(Verbs.applicationOpen, options()));
    expect(response.status).toBe(200);
    await ctx.bot.service.settle();
    const [card] = ctx.connector.sentCards();
    expect(card.body[0].text).toBe('Apply for a reset of your verification methods');
    // The form names the clicker's own account (from the activity), never one from the card.
    expect(card.actions[0].data.subjectId).toBe(alex.id);
  });

  it('answers the Action.Submit fallback of each button like Action.Execute', async () => {
    for (const [verb, title] of [
      [Verbs.applicationOpen, 'Apply for a reset of your verification methods'],
      [Verbs.helpShow, 'How I can help'],
      [Verbs.diagnoseStart, "Let's find out what's wrong"],
      [Verbs.requestsMine, 'My requests'],
    ] as const) {
      ctx.connector.clear();
      const response = await ctx.bot.post(cardSubmit(verb, options()));
      expect(response.status).toBe(200);
      expect(ctx.connector.sentCards().map((card) => card.body[0].text)).toEqual([title]);
    }
  });

  it.each([
    ['diagnose', "Let's find out what's wrong"],
    ['my requests', 'My requests'],
    ['診断', '原因を一緒に確認しましょう'],
  ])('answers the typed command %j', async (text, title) => {
    await ctx.bot.post(personalMessage(text, options({ locale: text === '診断' ? 'ja-JP' : 'en-US' })));
    expect(ctx.connector.sentCards()[0].body[0].text).toBe(title);
  });

  it('introduces itself in a team channel when added to a team, without the personal menu', async () => {
    const response = await ctx.bot.post(teamInstall(options()));
    expect(response.status).toBe(200);
    const [card] = ctx.connector.sentCards();
    expect(card.body[0].text).toBe('Sign-in Help is here');
    expect(card.actions ?? []).toEqual([]);
  });

  it('does not greet when someone other than the bot joins a conversation', async () => {
    const activity = { ...personalInstall(options()), membersAdded: [{ id: '29:someone-else' }] };
    const response = await ctx.bot.post(activity);
    expect(response.status).toBe(200);
    expect(ctx.connector.calls).toHaveLength(0);
  });

  it('shows the sender name as plain text even when it looks like markdown or a template', async () => {
    const from = { id: '5b5b5b5b-0000-4000-8000-00000000abcd', displayName: '[x](https://evil.example) ${secret}' };
    await ctx.bot.post(personalInstall(options({ from })));
    const [card] = ctx.connector.sentCards();
    const greeting = card.body[1];
    expect(greeting.type).toBe('RichTextBlock');
    expect(greeting.inlines[0]).toEqual({
      type: 'TextRun',
      text: 'Hi [x](https://evil.example) ${secret}, I help you get back into your work account.',
    });
  });
});
