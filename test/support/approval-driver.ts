import Database from 'better-sqlite3';
import { expect } from 'vitest';
import { Verbs } from '../../src/cards/verbs.js';
import { SimulatedDirectory } from '../../src/directory/simulated-directory.js';
import { systemClock } from '../../src/domain/system-clock.js';
import { cardAction, cardSubmit, personalMessage, tenant, type Sender } from './activities.js';
import type { HttpResult } from './bot-harness.js';
import { demoUser, elementsOf } from './diagnosis-driver.js';
import type { BotUnderTest } from './use-bot.js';
import { objectsOf } from './card-tree.js';

export const people = {
  alex: demoUser('alexw'),
  megan: demoUser('meganb'),
  isaiah: demoUser('isaiahl'),
  ken: demoUser('ken.takahashi'),
  patti: demoUser('pattif'),
  lynne: demoUser('lynner'),
  yuki: demoUser('yuki.sato'),
  diego: demoUser('diegos'),
  shota: demoUser('shota.yamada'),
  priya: demoUser('priya.raman'),
  weiling: demoUser('weiling.tan'),
  grady: demoUser('gradya'),
};

export const APPROVAL_CHANNEL = tenant.team.approvalChannel.id;

const inputOf = (card: any, id: string): any => elementsOf(card).find((element: any) => element.id === id);

/** The state and risk words of a review card, for assertions on what it says. */
export const textOf = (card: unknown): string => JSON.stringify(card);

/** Every Action.Execute of a card, including those inside ShowCard panels, by verb. */
export function executeActions(card: unknown): Map<string, any> {
  return new Map(
    objectsOf(card)
      .filter((object) => object.type === 'Action.Execute' && object.verb)
      .map((action) => [action.verb as string, action]),
  );
}

/** The texts of a card's TextRuns (plain text: no markdown is rendered in them). */
export const textRuns = (card: unknown): string[] =>
  objectsOf(card)
    .filter((object) => object.type === 'TextRun')
    .map((run) => run.text as string);

/** The texts of a card's TextBlocks (Teams renders markdown in these). */
export const textBlocks = (card: unknown): string[] =>
  objectsOf(card)
    .filter((object) => object.type === 'TextBlock')
    .map((block) => block.text as string);

/** Every line a person reads on a card, exactly as sent. */
export const textsIn = (card: unknown): string[] => [...textBlocks(card), ...textRuns(card)];

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
      return (await this.applyWith({ verification })).requestId;
    },
    /**
     * Files a complete application: for `subject` (picked on the line manager's subject card;
     * their own account by default), with `verification` offered. `beforeSubmit` runs after the
     * form was shown and before it is sent. Returns the stored request's id and the card the
     * submission was answered with.
     */
    async applyWith(
      choices: {
        subject?: Sender;
        verification?: string;
        beforeSubmit?: () => void;
        /** Every method the form lists as lost, instead of the first one. */
        allMethods?: boolean;
      } = {},
    ): Promise<{ requestId: string; confirmation: any }> {
      const subject = choices.subject ?? from;
      let form = await this.say('reset');
      const picker = form.actions?.[0];
      if (picker?.verb === Verbs.applicationStart) {
        const picked = await ctx.bot.post(
          cardAction(picker.verb, options(), { ...picker.data, subjectId: subject.id }),
        );
        expect(picked.status).toBe(200);
        form = picked.body.value;
      }
      const listed: Array<{ value: string }> = inputOf(form, 'lostMethods')?.choices ?? [];
      const methods = (choices.allMethods ? listed : listed.slice(0, 1)).map((choice) => choice.value).join(',');
      const submit = form.actions[0];
      expect(submit.verb).toBe(Verbs.applicationSubmit);
      choices.beforeSubmit?.();
      const response = await ctx.bot.post(
        cardAction(submit.verb, options(), {
          ...submit.data,
          reason: 'lostPhone',
          lostMethods: methods,
          verification: choices.verification ?? 'videoCall',
          contact: '+65 8123 0000',
          note: APPLICATION_NOTE,
        }),
      );
      expect(response.status).toBe(200);
      await ctx.bot.service.settle();
      const request = stored(ctx).requests.at(-1)!;
      expect(request.subject_id).toBe(subject.id);
      expect(request.filer_id).toBe(from.id);
      return { requestId: request.id as string, confirmation: response.body?.value };
    },
  };
}

/** The note every application of the driver carries: markdown and a template expression, to stay literal. */
export const APPLICATION_NOTE = 'Phone fell into the harbour. [x](https://evil.example) ${subject.name}';

/** Activities in the helpdesk team's approval channel, sent by `from`. */
function channelActivity(type: string, ctx: BotUnderTest, from: Sender, conversationId: string, locale: string) {
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

/**
 * A person in the approval channel: types commands, presses buttons on request cards. Button
 * presses arrive in the thread `<channel>;messageid=<thread>`; the bot runs one turn at a time per
 * conversation, so presses in different threads run side by side, as on two bot instances.
 */
export function inChannel(ctx: BotUnderTest, from: Sender, locale = 'en-US', thread = '1') {
  const threadId = `${APPROVAL_CHANNEL};messageid=${thread}`;
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
      const response = await this.click(card, verb, inputs, dataOverride);
      expect(response.status).toBe(200);
      await ctx.bot.service.settle();
      return response.body?.value;
    },
    /** Presses a button and returns the invoke's HTTP answer at once, without waiting for background work. */
    async click(
      card: any,
      verb: string,
      inputs: Record<string, unknown> = {},
      dataOverride: Record<string, unknown> = {},
    ): Promise<HttpResult> {
      const action = executeActions(card).get(verb);
      expect(action, `a ${verb} button`).toBeDefined();
      const data = { ...action.data, ...inputs, ...dataOverride };
      return ctx.bot.post({
        ...channelActivity('invoke', ctx, from, threadId, locale),
        name: 'adaptiveCard/action',
        value: { action: { type: 'Action.Execute', verb, data }, trigger: 'manual' },
      });
    },
    /** Raw invoke with any data, for tampered and replayed cards. */
    async invoke(verb: string, data: Record<string, unknown>) {
      const response = await ctx.bot.post({
        ...channelActivity('invoke', ctx, from, threadId, locale),
        name: 'adaptiveCard/action',
        value: { action: { type: 'Action.Execute', verb, data: { verb, ...data } }, trigger: 'manual' },
      });
      await ctx.bot.service.settle();
      return response;
    },
    /** The Action.Submit fallback of a button: the bot answers with a new message in the thread, returned here. */
    async submit(card: any, verb: string, inputs: Record<string, unknown> = {}) {
      const action = executeActions(card).get(verb);
      expect(action, `a ${verb} button`).toBeDefined();
      ctx.connector.clear();
      await ctx.bot.post({
        ...channelActivity('message', ctx, from, threadId, locale),
        value: { ...action.data, ...inputs },
      });
      await ctx.bot.service.settle();
      return cardsIn(ctx, threadId).at(-1);
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

/** The stored row of one request. */
export function storedRequest(ctx: BotUnderTest, requestId: string): Record<string, any> {
  const row = stored(ctx).requests.find((request) => request.id === requestId);
  expect(row, `request ${requestId} is stored`).toBeDefined();
  return row!;
}

/** The audit events of one request, oldest first. */
export const eventsOf = (ctx: BotUnderTest, requestId: string): Array<Record<string, any>> =>
  stored(ctx).events.filter((event) => event.request_id === requestId);

/**
 * Whether background work (channel card updates, notices) is still running: true when
 * `settle()` has not resolved by the next turn of the event loop. No clock is involved.
 */
export function stillAnnouncing(ctx: BotUnderTest): Promise<boolean> {
  return new Promise((resolve) => {
    let settled = false;
    void ctx.bot.service.settle().then(() => (settled = true));
    setImmediate(() => resolve(!settled));
  });
}

/**
 * The demo directory, whose role look-ups can be held until a number of them are waiting: two
 * approvals of the same card then both pass every check on the same version before either
 * writes, so only the store's compare-and-set can tell them apart.
 */
export class HeldRolesDirectory extends SimulatedDirectory {
  private held: { waiting: number; count: number; release: () => void; released: Promise<void> } | undefined;

  constructor() {
    super(tenant, systemClock);
  }

  /** The next `count` role look-ups wait for each other, then all answer together. */
  holdRoleLookups(count: number): void {
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    this.held = { waiting: 0, count, release, released };
  }

  override async getDirectoryRoles(userId: string): Promise<string[]> {
    const roles = await super.getDirectoryRoles(userId);
    const held = this.held;
    if (held) {
      held.waiting += 1;
      if (held.waiting >= held.count) {
        this.held = undefined;
        held.release();
      }
      await held.released;
    }
    return roles;
  }
}

/** Adaptive Cards the bot sent into a person's 1:1 chat (the conversation `inChat` talks in), in order. */
export const cardsInChat = (ctx: BotUnderTest, person: Sender): any[] => cardsIn(ctx, `a:chat-${person.id}`);

/** Adaptive Cards the bot sent as messages into one conversation, in order. */
function cardsIn(ctx: BotUnderTest, conversationId: string): any[] {
  return ctx.connector.calls
    .filter(
      (call) => call.method === 'POST' && call.conversationId === conversationId && call.path.includes('/activities'),
    )
    .flatMap((call) =>
      (call.body?.attachments ?? [])
        .filter((attachment: any) => attachment.contentType === 'application/vnd.microsoft.card.adaptive')
        .map((attachment: any) => attachment.content),
    );
}
