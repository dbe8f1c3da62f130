import Database from 'better-sqlite3';
import { expect } from 'vitest';
import { Verbs } from '../../src/cards/verbs.js';
import { cardAction, cardSubmit, personalMessage, tenant, type Sender } from './activities.js';
import { demoUser, elementsOf } from './diagnosis-driver.js';
import type { BotUnderTest } from './use-bot.js';

export const people = {
  alex: demoUser('alexw'),
  megan: demoUser('meganb'),
  isaiah: demoUser('isaiahl'),
  ken: demoUser('ken.takahashi'),
  patti: demoUser('pattif'),
  lynne: demoUser('lynner'),
  yuki: demoUser('yuki.sato'),
  diego: demoUser('diegos'),
};

export const APPROVAL_CHANNEL = tenant.team.approvalChannel.id;

const inputOf = (card: any, id: string): any => elementsOf(card).find((element: any) => element.id === id);

/** Every Action.Execute of a card, including those inside ShowCard panels, by verb. */
export function executeActions(card: any): Map<string, any> {
  const found = new Map<string, any>();
  const visit = (node: any) => {
    if (Array.isArray(node)) return node.forEach(visit);
    if (!node || typeof node !== 'object') return;
    if (node.type === 'Action.Execute' && node.verb) found.set(node.verb, node);
    for (const value of Object.values(node)) visit(value);
  };
  visit(card);
  return found;
}

/** The state and risk words of a review card, for assertions on what it says. */
export const textOf = (card: unknown): string => JSON.stringify(card);

/** Rows of the bot's SQLite file. */
export function stored(ctx: BotUnderTest) {
  const db = new Database(ctx.bot.sqlitePath, { readonly: true });
  try {
    return {
      requests: db.prepare('SELECT * FROM requests ORDER BY sequence').all() as Array<Record<string, any>>,
      events: db.prepare('SELECT * FROM request_events ORDER BY sequence').all() as Array<Record<string, any>>,
      posts: db.prepare('SELECT * FROM channel_posts').all() as Array<Record<string, any>>,
      channels: db.prepare('SELECT * FROM approval_channels').all() as Array<Record<string, any>>,
    };
  } finally {
    db.close();
  }
}

/** A person in their 1:1 chat with the bot. */
export function inChat(ctx: BotUnderTest, from: Sender, locale = 'en-US') {
  const options = () => ({ serviceUrl: ctx.connector.serviceUrl, from, locale, conversationId: `a:chat-${from.id}` });
  return {
    async say(text: string) {
      ctx.connector.clear();
      await ctx.bot.post(personalMessage(text, options()));
      await ctx.bot.service.settle();
      return ctx.connector.sentCards().at(-1);
    },
    /** Presses an Action.Execute of `card` by verb with these inputs; the invoke's card. */
    async press(card: any, verb: string, inputs: Record<string, unknown> = {}) {
      const action = executeActions(card).get(verb);
      expect(action, `a ${verb} button`).toBeDefined();
      const response = await ctx.bot.post(cardAction(verb, options(), { ...action.data, ...inputs }));
      expect(response.status).toBe(200);
      await ctx.bot.service.settle();
      return response.body?.value;
    },
    /** The same button through the Action.Submit fallback; the card the bot sent back. */
    async submit(card: any, verb: string, inputs: Record<string, unknown> = {}) {
      const action = executeActions(card).get(verb);
      ctx.connector.clear();
      await ctx.bot.post(cardSubmit(verb, options(), { ...action.data, ...inputs }));
      await ctx.bot.service.settle();
      return ctx.connector.sentCards().at(-1);
    },
    /** Files a complete application for their own account; the stored request's id. */
    async apply(verification = 'videoCall'): Promise<string> {
      const form = await this.say('reset');
      const methods = inputOf(form, 'lostMethods')?.choices?.[0]?.value ?? '';
      const submit = form.actions[0];
      await ctx.bot.post(
        cardAction(submit.verb, options(), {
          ...submit.data,
          reason: 'lostPhone',
          lostMethods: methods,
          verification,
          contact: '+65 8123 0000',
          note: 'Phone fell into the harbour. [x](https://evil.example) ${subject.name}',
        }),
      );
      await ctx.bot.service.settle();
      const request = stored(ctx).requests.at(-1)!;
      expect(request.subject_id).toBe(from.id);
      return request.id as string;
    },
  };
}

/** Activities in the helpdesk team's approval channel, sent by `from`. */
function channelActivity(type: string, ctx: BotUnderTest, from: Sender, conversationId: string, locale = 'en-US') {
  return {
    type,
    id: `${Date.now()}${Math.random()}`,
    timestamp: new Date().toISOString(),
    channelId: 'msteams',
    serviceUrl: ctx.connector.serviceUrl,
    locale,
    from: { id: `29:${from.id}`, name: from.displayName, aadObjectId: from.id },
    recipient: { id: `28:${tenant.bot.id}`, name: tenant.bot.name },
    conversation: { id: conversationId, conversationType: 'channel', isGroup: true, tenantId: tenant.tenant.id },
    channelData: {
      tenant: { id: tenant.tenant.id },
      team: { id: tenant.team.id, name: tenant.team.name },
      channel: { id: APPROVAL_CHANNEL },
    },
  };
}

/** A person in the approval channel: types commands, presses buttons on request cards. */
export function inChannel(ctx: BotUnderTest, from: Sender, locale = 'en-US') {
  return {
    async say(text: string) {
      ctx.connector.clear();
      await ctx.bot.post({ ...channelActivity('message', ctx, from, APPROVAL_CHANNEL, locale), text });
      await ctx.bot.service.settle();
      return ctx.connector.sentCards().at(-1);
    },
    /** Presses a button on the request's card in its thread; the card the invoke answered with. */
    async press(
      card: any,
      verb: string,
      inputs: Record<string, unknown> = {},
      dataOverride: Record<string, unknown> = {},
    ) {
      const action = executeActions(card).get(verb);
      expect(action, `a ${verb} button`).toBeDefined();
      const data = { ...action.data, ...inputs, ...dataOverride };
      const response = await ctx.bot.post({
        ...channelActivity('invoke', ctx, from, `${APPROVAL_CHANNEL};messageid=1`, locale),
        name: 'adaptiveCard/action',
        value: { action: { type: 'Action.Execute', verb, data }, trigger: 'manual' },
      });
      expect(response.status).toBe(200);
      await ctx.bot.service.settle();
      return response.body?.value;
    },
    /** Raw invoke with any data, for tampered and replayed cards. */
    async invoke(verb: string, data: Record<string, unknown>) {
      const response = await ctx.bot.post({
        ...channelActivity('invoke', ctx, from, `${APPROVAL_CHANNEL};messageid=1`, locale),
        name: 'adaptiveCard/action',
        value: { action: { type: 'Action.Execute', verb, data: { verb, ...data } }, trigger: 'manual' },
      });
      await ctx.bot.service.settle();
      return response;
    },
    /** The Action.Submit fallback of a button: the bot answers with a new message. */
    async submit(card: any, verb: string, inputs: Record<string, unknown> = {}) {
      const action = executeActions(card).get(verb);
      ctx.connector.clear();
      await ctx.bot.post({
        ...channelActivity('message', ctx, from, `${APPROVAL_CHANNEL};messageid=1`, locale),
        value: { ...action.data, ...inputs },
      });
      await ctx.bot.service.settle();
      return ctx.connector.sentCards().at(-1);
    },
  };
}

/** The card of a request as the channel shows it now: the last post or update naming its reference. */
export function channelCard(ctx: BotUnderTest, reference: string): any {
  const candidates = [
    ...ctx.connector.channelPosts().map((post) => post.card),
    ...ctx.connector.updates().map((update) => update.card),
  ];
  return candidates.filter((card) => JSON.stringify(card ?? {}).includes(reference)).at(-1);
}

export { Verbs };
