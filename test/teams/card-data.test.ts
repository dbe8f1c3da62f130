import { describe, expect, it } from 'vitest';
import { Verbs, type Verb } from '../../src/cards/verbs.js';
import { stringsFor } from '../../src/content/strings/index.js';
import { cardAction, cardSubmit, personalMessage, tenant, type Sender } from '../support/activities.js';
import { people, stored, textsIn } from '../support/approval-driver.js';
import { useBot, type BotUnderTest } from '../support/use-bot.js';

const en = stringsFor('en');
const ja = stringsFor('ja');
const { alex, isaiah } = people;
const BOT_ID = `28:${tenant.bot.id}`;

/** Every button whose data names a request. */
const REQUEST_VERBS: Verb[] = [
  Verbs.requestCancel,
  Verbs.reviewClaim,
  Verbs.reviewRelease,
  Verbs.reviewHandOver,
  Verbs.reviewAskInfo,
  Verbs.reviewApprove,
  Verbs.reviewReject,
  Verbs.reviewRetry,
  Verbs.managerConfirm,
  Verbs.managerDecline,
  Verbs.infoAnswer,
  Verbs.statusShow,
  Verbs.passIssue,
  Verbs.requestDispute,
];

const options = (ctx: BotUnderTest, from: Sender, locale = 'en-US') => ({
  serviceUrl: ctx.connector.serviceUrl,
  from,
  locale,
  conversationId: `a:edge-${from.id}`,
});

/** Lines the bot logged as a failed turn since `from`: none may come from bad input. */
const failedTurns = (ctx: BotUnderTest, from: number) =>
  ctx.bot.logs
    .entries()
    .slice(from)
    .filter((entry) => entry.level === 'error' || entry.level === 'fatal')
    .map((entry) => entry.msg);

/** The tampered-data card, in a language. */
const tamperedTexts = (strings: typeof en) => [strings.approval.refusedTitle, strings.approval.refusals.tamperedCard];
const unreadableTexts = (strings: typeof en) => [strings.refusals.unreadableTitle, strings.refusals.unreadable];

describe('card data and activities at the edge (over HTTP)', () => {
  const ctx = useBot();

  it.each(REQUEST_VERBS)(
    '%s: refuses a request id whose toString is not a function as tampered, audited, in the clicker’s language',
    async (verb) => {
      const data = { requestId: { toString: 'x' }, version: 1, question: 1 };
      for (const [via, locale, strings] of [
        ['execute', 'en-US', en],
        ['submit', 'ja-JP', ja],
      ] as const) {
        const events = stored(ctx).events.length;
        const logs = ctx.bot.logs.lines.length;
        ctx.connector.clear();
        const activity =
          via === 'execute'
            ? cardAction(verb, options(ctx, isaiah, locale), data)
            : cardSubmit(verb, options(ctx, isaiah, locale), data);
        const response = await ctx.bot.post(activity);
        await ctx.bot.service.settle();

        expect(response.status).toBe(200);
        const card = via === 'execute' ? response.body.value : ctx.connector.sentCards().at(-1);
        expect(textsIn(card)).toEqual(tamperedTexts(strings));
        expect(stored(ctx).events.slice(events)).toEqual([
          expect.objectContaining({
            request_id: '[object Object]',
            actor: isaiah.id,
            from_state: null,
            to_state: 'refused',
            reason: `refused ${verb}: tamperedCard`,
          }),
        ]);
        expect(failedTurns(ctx, logs)).toEqual([]);
      }
    },
  );

  it.each<[string, Verb, Record<string, unknown>, string]>([
    ['a version that is text', Verbs.reviewApprove, { requestId: 'r-1', version: '3' }, 'r-1'],
    ['no version', Verbs.reviewClaim, { requestId: 'r-1' }, 'r-1'],
    ['a question number that is text', Verbs.infoAnswer, { requestId: 'r-1', question: '1' }, 'r-1'],
    ['an empty request id', Verbs.requestCancel, { requestId: '' }, ''],
    ['a request id too long for any request', Verbs.statusShow, { requestId: 'x'.repeat(101) }, 'x'.repeat(100)],
    ['an array as the request id', Verbs.passIssue, { requestId: ['r-1'] }, '[object Array]'],
    ['a typed answer that is not text', Verbs.reviewReject, { requestId: 'r-1', version: 1, rejectReason: {} }, 'r-1'],
    ['no subject on a form', Verbs.applicationSubmit, { reason: 'lostPhone' }, '-'],
    ['a statistics period that is an object', Verbs.statsPeriod, { days: { valueOf: 'x' } }, '-'],
  ])('refuses %s as tampered and audits it under the id it named', async (_case, verb, data, auditedAs) => {
    const events = stored(ctx).events.length;
    const response = await ctx.bot.post(cardAction(verb, options(ctx, alex), data));
    await ctx.bot.service.settle();
    expect(response.status).toBe(200);
    expect(textsIn(response.body.value)).toEqual(tamperedTexts(en));
    expect(stored(ctx).events.slice(events)).toEqual([
      expect.objectContaining({ request_id: auditedAs, actor: alex.id, reason: `refused ${verb}: tamperedCard` }),
    ]);
  });

  it('refuses a button the bot does not have as tampered, without writing down what it was called', async () => {
    const events = stored(ctx).events.length;
    const response = await ctx.bot.post(cardAction('review.approveAll', options(ctx, alex), { requestId: 'r-1' }));
    expect(response.status).toBe(200);
    expect(textsIn(response.body.value)).toEqual(tamperedTexts(en));
    expect(stored(ctx).events.slice(events)).toEqual([
      expect.objectContaining({ request_id: 'r-1', reason: 'refused an unknown card action: tamperedCard' }),
    ]);
  });

  it('hands a button only the fields its card has: prototype keys and extra fields never reach a handler', async () => {
    const body = JSON.stringify(cardAction(Verbs.statusShow, options(ctx, alex), { requestId: 'no-such-request' }))
      // Written into the JSON itself: an object literal would set the prototype instead of a key.
      .replace('"requestId"', '"__proto__":{"isAdmin":true},"constructor":{"prototype":{"x":1}},"requestId"');
    const events = stored(ctx).events.length;
    const response = await ctx.bot.postRaw(body);
    await ctx.bot.service.settle();
    expect(response.status).toBe(200);
    expect(response.body.value).toBe(en.actions.answered);
    // It went on as an unknown request: the status look-up ran with the id, and nothing else.
    expect(stored(ctx).events.slice(events)).toEqual([
      expect.objectContaining({ actor: alex.id, reason: 'refused status from an old card: unknownRequest' }),
    ]);
    expect(({} as Record<string, unknown>).isAdmin).toBeUndefined();
  });

  it.each<[string, Record<string, unknown>]>([
    ['a null value', { value: null }],
    ['a value without an action', { value: {} }],
    ['an action that is null', { value: { action: null } }],
    ['an action without a verb', { value: { action: { type: 'Action.Execute', data: {} } } }],
    ['a verb that is not text', { value: { action: { type: 'Action.Execute', verb: 7, data: {} } } }],
    ['an action that is not Action.Execute', { value: { action: { type: 'Action.Submit', verb: Verbs.helpShow } } }],
    ['a value that is text', { value: 'review.approve' }],
  ])('answers a card action invoke with %s as bad input, in the person’s language', async (_case, override) => {
    const events = stored(ctx).events.length;
    const logs = ctx.bot.logs.lines.length;
    for (const [locale, strings] of [
      ['en-US', en],
      ['ja-JP', ja],
    ] as const) {
      const response = await ctx.bot.post({ ...cardAction(Verbs.helpShow, options(ctx, alex, locale)), ...override });
      await ctx.bot.service.settle();
      expect(response.status).toBe(200);
      expect(textsIn(response.body.value)).toEqual(unreadableTexts(strings));
    }
    expect(stored(ctx).events.length).toBe(events);
    expect(failedTurns(ctx, logs)).toEqual([]);
  });

  it.each<[string, unknown]>([
    ['null', null],
    ['an array', [{ verb: Verbs.helpShow }]],
    ['a number', 42],
  ])('answers a message without text whose value is %s as bad input', async (_case, value) => {
    const logs = ctx.bot.logs.lines.length;
    ctx.connector.clear();
    const { text: _text, ...message } = personalMessage('', options(ctx, alex, 'ja-JP'));
    const response = await ctx.bot.post({ ...message, value });
    await ctx.bot.service.settle();
    expect(response.status).toBe(200);
    expect(ctx.connector.sentCards().map(textsIn)).toEqual([unreadableTexts(ja)]);
    expect(failedTurns(ctx, logs)).toEqual([]);
  });

  const mention = { type: 'mention', text: '<at>Sign-in Help</at>', mentioned: { id: BOT_ID, name: 'Sign-in Help' } };
  it.each<[string, Record<string, unknown>]>([
    ['entities that are null', { entities: null }],
    ['entities that are not a list', { entities: { type: 'mention' } }],
    ['an entity that is null', { entities: [null] }],
    ['an entity without a type', { entities: [{}] }],
    ['an entity whose type is a number', { entities: [{ type: 5 }] }],
    ['a mention without whom it mentions', { entities: [{ type: 'mention', text: '<at>x</at>' }] }],
    ['a mention of null', { entities: [{ ...mention, mentioned: null }] }],
    ['a mention whose id is a number', { entities: [{ ...mention, mentioned: { id: 28 } }] }],
    ['a mention of the bot whose text is an object', { entities: [{ ...mention, text: { toString: 'x' } }] }],
    ['a mention of the bot in a message without text', { entities: [mention], text: undefined }],
  ])('answers a message with %s as bad input', async (_case, override) => {
    const logs = ctx.bot.logs.lines.length;
    ctx.connector.clear();
    const response = await ctx.bot.post({
      ...personalMessage('<at>Sign-in Help</at> help', options(ctx, alex)),
      ...override,
    });
    await ctx.bot.service.settle();
    expect(response.status).toBe(200);
    expect(ctx.connector.sentCards().map(textsIn)).toEqual([unreadableTexts(en)]);
    expect(failedTurns(ctx, logs)).toEqual([]);
  });

  it.each<[string, (activity: Record<string, any>) => void]>([
    ['a conversation whose isGroup is not a boolean', (a) => (a.conversation.isGroup = { toString: 'help' })],
    ['a conversation id that is not ASCII', (a) => (a.conversation.id = 'a:𝕏𝕐ℤ')],
    ['a conversation id longer than any Teams id', (a) => (a.conversation.id = `a:${'x'.repeat(5_000)}`)],
    ['a sender whose role is an object', (a) => (a.from.role = { toString: 'x' })],
    ['a team id that is not text', (a) => (a.channelData.team = { id: { toString: 'x' } })],
    ['a channel id that is a list', (a) => (a.channelData.channel = { id: ['19:x'] })],
    ['members added that are null', (a) => (a.membersAdded = [null])],
    ['a reply-to id that is a number', (a) => (a.replyToId = 42)],
  ])(
    'refuses an activity with %s with 400 before any turn: botbuilder would fail on it after the turn ran',
    async (_case, spoil) => {
      const activity: Record<string, any> = personalMessage('help', options(ctx, alex));
      spoil(activity);
      ctx.connector.clear();
      const logs = ctx.bot.logs.lines.length;
      const response = await ctx.bot.post(activity);
      expect(response.status).toBe(400);
      expect(response.body.error).toBe('invalid_activity');
      expect(ctx.connector.calls).toHaveLength(0);
      expect(failedTurns(ctx, logs)).toEqual([]);
    },
  );

  it('still takes the bot’s well-formed mention out of the text', async () => {
    ctx.connector.clear();
    await ctx.bot.post(personalMessage('help', options(ctx, alex)));
    await ctx.bot.service.settle();
    const plain = ctx.connector.sentCards().at(-1);
    ctx.connector.clear();
    await ctx.bot.post({
      ...personalMessage('<at>Sign-in Help</at> help', options(ctx, alex)),
      entities: [mention, { type: 'clientInfo', locale: 'en-US' }],
    });
    await ctx.bot.service.settle();
    expect(ctx.connector.sentCards().at(-1)?.body[0].text).toBe(plain.body[0].text);
    expect(plain.body[0].text).not.toBe(en.refusals.unreadableTitle);
  });
});
