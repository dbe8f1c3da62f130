import { describe, expect, it } from 'vitest';
import { Verbs } from '../../src/cards/verbs.js';
import { stringsFor } from '../../src/content/strings/index.js';
import { loadDemoTenant } from '../../src/directory/demo-tenant.js';
import { SimulatedDirectory, type SimulatedDirectoryOptions } from '../../src/directory/simulated-directory.js';
import { systemClock } from '../../src/domain/system-clock.js';
import { cardAction, cardSubmit, personalMessage, type Sender } from '../support/activities.js';
import { people } from '../support/approval-driver.js';
import { useBot, type BotUnderTest } from '../support/use-bot.js';

const en = stringsFor('en');
const { alex, megan, isaiah, patti } = people;

/** The invoke answer of a button whose card follows in the chat. */
const ANSWERED = { statusCode: 200, type: 'application/vnd.microsoft.activity.message', value: en.actions.answered };

const READS = new Set([
  'getUser',
  'getAuthenticationMethods',
  'getRecentSignIns',
  'getDirectReports',
  'checkMemberGroups',
  'getGroupMembers',
]);

/** The demo directory, whose reads wait while the test holds them: a slow Graph, without a timer. */
function heldDirectory(options: SimulatedDirectoryOptions = {}) {
  let released = Promise.resolve();
  let release = () => {};
  const directory = new Proxy(new SimulatedDirectory(loadDemoTenant(), systemClock, options), {
    get(target, property, receiver) {
      const value: unknown = Reflect.get(target, property, receiver);
      if (typeof property !== 'string' || !READS.has(property) || typeof value !== 'function') return value;
      return async (...args: unknown[]) => {
        await released;
        return (value as (...args: unknown[]) => unknown).apply(target, args);
      };
    },
  });
  return {
    directory,
    hold: () => {
      released = new Promise((resolve) => (release = resolve));
    },
    release: () => release(),
  };
}

/** Presses an Action.Execute button in `person`'s 1:1 chat; the HTTP answer. */
const press = (ctx: BotUnderTest, person: Sender, verb: string, data: Record<string, unknown> = {}, id?: string) =>
  ctx.bot.post(
    cardAction(
      verb,
      { serviceUrl: ctx.connector.serviceUrl, from: person, conversationId: `a:chat-${person.id}` },
      data,
    ),
    id ? { 'x-request-id': id } : {},
  );

const titles = (ctx: BotUnderTest) => ctx.connector.sentCards().map((card) => card.body[0].text);

describe('menu buttons answer the click first and post their card after it (over HTTP)', () => {
  const ctx = useBot();

  it.each([
    ['Help', Verbs.helpShow, alex, {}, en.help.title],
    ['My requests', Verbs.requestsMine, alex, {}, en.requests.title],
    ['Apply for a reset', Verbs.applicationOpen, alex, {}, en.application.title],
    ["I can't sign in", Verbs.diagnoseStart, alex, {}, en.diagnosis.title],
    ['My team', Verbs.teamShow, megan, {}, en.myTeam.title],
    ['Queue', Verbs.queueShow, isaiah, {}, en.queue.title],
    ['Statistics', Verbs.statsShow, patti, {}, en.stats.title],
    ['Details', Verbs.statusShow, alex, { requestId: 'no-such-request' }, en.status.notFoundTitle],
  ] as const)(
    'answers %s while the Bot Connector has not answered any message, then posts its card',
    async (_button, verb, person, data, title) => {
      ctx.connector.hold();
      try {
        // Every message to the Bot Connector waits until release(): the answer came without waiting for one.
        const response = await press(ctx, person, verb, data);
        expect(response.status).toBe(200);
        expect(response.body).toEqual(ANSWERED);
      } finally {
        ctx.connector.release();
      }
      await ctx.bot.service.settle();
      expect(titles(ctx)).toEqual([title]);
      // Into the chat that was clicked in, from the bot, as a reply there would have gone.
      const [sent] = ctx.connector.calls;
      expect(sent!.conversationId).toBe(`a:chat-${person.id}`);
      expect(sent!.body).toMatchObject({ type: 'message', from: { id: expect.stringMatching(/^28:/) } });
      expect(sent!.body.recipient.aadObjectId).toBe(person.id);
    },
  );

  it('answers a diagnosis step with the answered card, and sends the next step after it', async () => {
    const conversationId = `a:chat-${alex.id}`;
    // Alex's recent sign-ins stopped at verification, so the first step is a question.
    await ctx.bot.post(personalMessage("I can't sign in", { serviceUrl: ctx.connector.serviceUrl, conversationId }));
    await ctx.bot.service.settle();
    const question = ctx.connector.sentCards().at(-1);
    const diagnosisId = question.actions.find((action: any) => action.data?.diagnosisId).data.diagnosisId;
    ctx.connector.clear();

    ctx.connector.hold();
    try {
      const response = await press(ctx, alex, Verbs.diagnosisAnswer, {
        diagnosisId,
        node: 'q-mfa-problem',
        choice: 'no-prompt',
      });
      expect(response.body.type).toBe('application/vnd.microsoft.card.adaptive');
      expect(response.body.value.actions ?? []).toEqual([]);
    } finally {
      ctx.connector.release();
    }
    await ctx.bot.service.settle();
    expect(ctx.connector.sentCards()).toHaveLength(1);
    expect(JSON.stringify(ctx.connector.sentCards()[0])).toContain(en.diagnosis.didThisFixIt);
  });

  it('keeps the Action.Submit fallback in the turn: its card is sent before the HTTP answer', async () => {
    const response = await ctx.bot.post(cardSubmit(Verbs.helpShow, { serviceUrl: ctx.connector.serviceUrl }));
    expect(response.status).toBe(200);
    expect(titles(ctx)).toEqual([en.help.title]);
  });

  it('logs a card that cannot be sent after the answer, tells the person with the reference, and keeps answering', async () => {
    ctx.connector.failNext(403, 'BotNotInConversationRoster', 'The bot is not part of the conversation roster.');
    const response = await press(ctx, alex, Verbs.helpShow, {}, 'req-failing-after-answer');
    expect(response.body).toEqual(ANSWERED);
    await ctx.bot.service.settle();

    const failure = ctx.bot.logs.entries().find((entry) => entry.msg === 'turn failed after its answer');
    expect(failure).toMatchObject({ requestId: 'req-failing-after-answer', task: Verbs.helpShow, level: 'error' });
    expect(failure?.conversationId).toBe(`a:chat-${alex.id}`);
    // The help card was refused; the error card with the reference went after it.
    const [refused, told] = ctx.connector.sentCards();
    expect(refused.body[0].text).toBe(en.help.title);
    expect(told.body[0].text).toBe(en.errors.title);
    expect(JSON.stringify(told)).toContain('req-failing-after-answer');

    ctx.connector.clear();
    expect((await press(ctx, alex, Verbs.requestsMine)).body).toEqual(ANSWERED);
    await ctx.bot.service.settle();
    expect(titles(ctx)).toEqual([en.requests.title]);
  });

  it('logs it when even the error card cannot be sent, and the bot goes on answering', async () => {
    ctx.connector.failNext(403, 'BotNotInConversationRoster', 'The bot is not part of the conversation roster.', {
      times: 2,
    });
    const response = await press(ctx, alex, Verbs.helpShow, {}, 'req-nothing-sent');
    expect(response.body).toEqual(ANSWERED);
    await ctx.bot.service.settle();

    const logged = ctx.bot.logs
      .entries()
      .filter((entry) => entry.requestId === 'req-nothing-sent' && entry.level === 'error');
    expect(logged.map((entry) => entry.msg)).toEqual([
      'turn failed after its answer',
      'could not tell the user about the failed turn',
    ]);
    ctx.connector.clear();
    expect((await press(ctx, alex, Verbs.helpShow)).body).toEqual(ANSWERED);
    await ctx.bot.service.settle();
    expect(titles(ctx)).toEqual([en.help.title]);
  });
});

describe('a menu button while the directory is slow (over HTTP)', () => {
  const held = heldDirectory();
  const ctx = useBot({ overrides: { directory: held.directory } });

  it('answers before the card is drawn, and posts the card once the directory answers', async () => {
    held.hold();
    try {
      const response = await press(ctx, alex, Verbs.applicationOpen);
      expect(response.body).toEqual(ANSWERED);
      // The form lists Alex's methods from the directory: nothing can have been sent yet.
      expect(ctx.connector.calls).toEqual([]);
    } finally {
      held.release();
    }
    await ctx.bot.service.settle();
    expect(titles(ctx)).toEqual([en.application.title]);
  });
});

describe('a menu button whose card cannot be drawn (over HTTP)', () => {
  const held = heldDirectory();
  const ctx = useBot({ overrides: { directory: held.directory } });

  it('answers the click, logs the failure and posts the error card with the reference instead', async () => {
    held.hold();
    try {
      // The queue asks the directory who Isaiah is before it reads the store, which is gone by then.
      const response = await press(ctx, isaiah, Verbs.queueShow, {}, 'req-no-card');
      expect(response.body).toEqual(ANSWERED);
      await ctx.bot.service.store.close();
    } finally {
      held.release();
    }
    await ctx.bot.service.settle();
    const failure = ctx.bot.logs.entries().find((entry) => entry.msg === 'turn failed after its answer');
    expect(failure?.requestId).toBe('req-no-card');
    const [told] = ctx.connector.sentCards();
    expect(told.body[0].text).toBe(en.errors.title);
    expect(JSON.stringify(told)).toContain('req-no-card');
    expect(JSON.stringify(told)).not.toContain('database');
  });
});
