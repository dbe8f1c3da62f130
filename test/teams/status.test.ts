import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { format, stringsFor } from '../../src/content/strings/index.js';
import { cardAction, personalMessage, tenant, type Sender } from '../support/activities.js';
import { objectsOf } from '../support/card-tree.js';
import {
  APPLICATION_NOTE,
  APPROVAL_CHANNEL,
  Verbs,
  channelCard,
  executeActions,
  inChannel,
  inChat,
  people,
  stored,
  storedRequest,
  textOf,
  textsIn,
} from '../support/approval-driver.js';
import { startBot } from '../support/bot-harness.js';
import { MovableClock, approvedRequestOf, execute, issuePassAs } from '../support/execution-driver.js';
import { useBot, type BotUnderTest } from '../support/use-bot.js';

const en = stringsFor('en');
const ja = stringsFor('ja');
const { alex, megan, isaiah, ken, patti, diego, yuki } = people;

/** The channel the demo team decides in, as `npm run dev` configures it. */
const channelSettings = {
  APPROVAL_TEAM_ID: tenant.team.id,
  APPROVAL_CHANNEL_ID: APPROVAL_CHANNEL,
  APPLICATION_DAILY_CAP: '20',
};

/** A message from `person` in their 1:1 chat, with the time zone Teams sends (or none); the card the bot answered. */
async function ask(
  ctx: BotUnderTest,
  person: Sender,
  text: string,
  options: { locale?: string; timeZone?: string } = {},
) {
  ctx.connector.clear();
  await ctx.bot.post({
    ...personalMessage(text, {
      serviceUrl: ctx.connector.serviceUrl,
      from: person,
      locale: options.locale ?? 'en-US',
      conversationId: `a:chat-${person.id}`,
    }),
    ...(options.timeZone ? { localTimezone: options.timeZone } : {}),
  });
  await ctx.bot.service.settle();
  return ctx.connector.sentCards().at(-1);
}

/** Rows of one of the bot's tables. */
function rows(ctx: BotUnderTest, sql: string): Array<Record<string, any>> {
  const db = new Database(ctx.bot.sqlitePath, { readonly: true });
  try {
    return db.prepare(sql).all() as Array<Record<string, any>>;
  } finally {
    db.close();
  }
}

const viewsOf = (ctx: BotUnderTest, requestId: string) =>
  rows(ctx, `SELECT viewer_id, audience, route FROM record_views WHERE record_id = '${requestId}' ORDER BY sequence`);

describe('where a request stands, for the people allowed to know (over HTTP)', () => {
  const ctx = useBot({ env: channelSettings });

  it('shows the requester each request with its timeline, in their time zone, and one by its reference', async () => {
    const { requestId } = await inChat(ctx, alex).applyWith();
    const reference = storedRequest(ctx, requestId).reference as string;
    await inChannel(ctx, isaiah).press(channelCard(ctx, reference), Verbs.reviewClaim);

    const mine = await ask(ctx, alex, 'my requests', { timeZone: 'Asia/Tokyo' });
    const texts = textsIn(mine);
    expect(texts).toContain(reference);
    expect(texts).toContain(en.requests.states.pending_review);
    expect(texts).toContain(format(en.status.timeline.filed, { name: 'Alex Wilber' }));
    expect(texts).toContain(format(en.status.timeline.claimed, { name: 'Isaiah Langer' }));
    expect(texts).toContain(format(en.status.handledBy, { name: 'Isaiah Langer' }));
    expect(executeActions(mine).get(Verbs.requestCancel)?.data).toMatchObject({ requestId });
    // Times in Tokyo, as Teams said the person is there (no "UTC" on them).
    const created = new Date(storedRequest(ctx, requestId).created_at as string);
    const tokyo = new Intl.DateTimeFormat('en', { dateStyle: 'medium', timeStyle: 'short', timeZone: 'Asia/Tokyo' });
    expect(texts).toContain(tokyo.format(created));

    const one = await ask(ctx, alex, `status ${reference}`);
    expect(one.body[0].text).toBe(format(en.status.title, { reference }));
    // No time zone in the activity: UTC, and it says so.
    const utc = new Intl.DateTimeFormat('en', { dateStyle: 'medium', timeStyle: 'short', timeZone: 'UTC' });
    expect(textsIn(one)).toContain(`${utc.format(created)} UTC`);

    const japanese = await ask(ctx, alex, `状況 ${reference.toLowerCase()}`, { locale: 'ja-JP' });
    expect(japanese.body[0].text).toBe(format(ja.status.title, { reference }));
    expect(textsIn(japanese)).toContain(ja.requests.states.pending_review);
    // Their own request: nobody else looked, so nothing is recorded as a view.
    expect(viewsOf(ctx, requestId)).toEqual([]);
  });

  it("shows a line manager their direct report's request they did not file, without contact, note or checks", async () => {
    await inChat(ctx, isaiah).say('hello');
    const requestId = await approvedRequestOf(ctx, yuki);
    await execute(ctx);
    await issuePassAs(ctx, isaiah);
    const reference = storedRequest(ctx, requestId).reference as string;

    const team = await ask(ctx, megan, 'my team');
    expect(team.body[0].text).toBe(en.myTeam.title);
    const text = textOf(team);
    expect(textsIn(team)).toContain(`${reference} · 佐藤 由紀`);
    expect(textsIn(team)).toContain(en.requests.states.completed);
    expect(textsIn(team)).toContain(format(en.status.timeline.approved, { name: 'Isaiah Langer' }));
    expect(textsIn(team)).toContain(en.status.timeline.completed);
    for (const privateText of [APPLICATION_NOTE, '+65 8123 0000', 'Photo ID', en.review.verificationsDone.videoCall]) {
      expect(text).not.toContain(privateText);
    }
    expect(executeActions(team).has(Verbs.requestCancel)).toBe(false);

    const japanese = await ask(ctx, megan, 'チームの申請', { locale: 'ja-JP' });
    expect(japanese.body[0].text).toBe(ja.myTeam.title);
    expect(textsIn(japanese)).toContain(ja.requests.states.completed);

    const one = await ask(ctx, megan, `status ${reference}`);
    expect(textsIn(one)).toContain(en.status.timeline.completed);
    expect(textOf(one)).not.toContain(APPLICATION_NOTE);

    expect(viewsOf(ctx, requestId)).toEqual([
      { viewer_id: megan.id, audience: 'manager', route: 'team' },
      { viewer_id: megan.id, audience: 'manager', route: 'team' },
      { viewer_id: megan.id, audience: 'manager', route: 'status' },
    ]);
  });

  it('tells someone without direct reports so, in their language', async () => {
    const card = await ask(ctx, diego, "my team's requests");
    expect(card.body[0].text).toBe(en.myTeam.noReportsTitle);
    const japanese = await ask(ctx, diego, 'チームの申請', { locale: 'ja-JP' });
    expect(japanese.body[0].text).toBe(ja.myTeam.noReportsTitle);
  });

  it('answers anyone else asking for a reference exactly as if it did not exist, and audits both', async () => {
    const { requestId } = await inChat(ctx, ken).applyWith();
    const reference = storedRequest(ctx, requestId).reference as string;
    const eventsBefore = stored(ctx).events.length;

    const existing = await ask(ctx, diego, `status ${reference}`);
    const missing = await ask(ctx, diego, 'status SIH-999999');
    const asText = (card: any, ref: string) => JSON.stringify(card).replaceAll(ref, 'REF');
    expect(asText(existing, reference)).toBe(asText(missing, 'SIH-999999'));
    expect(textsIn(existing)).toContain(format(en.status.notFound, { reference }));
    expect(textOf(existing)).not.toContain('高橋');

    const refusals = stored(ctx).events.slice(eventsBefore);
    expect(refusals.map((event) => [event.request_id, event.actor, event.to_state, event.reason])).toEqual([
      [requestId, diego.id, 'refused', `refused status ${reference}: notAllowed`],
      ['-', diego.id, 'refused', 'refused status SIH-999999: unknownRequest'],
    ]);
    expect(viewsOf(ctx, requestId)).toEqual([]);

    // Malformed references are not found either, and the bot stays up.
    for (const text of ['status SIH-12', 'status SIH-000001-x', 'SIH-abc']) {
      const card = await ask(ctx, diego, text);
      expect(card.body[0].text).toBe(en.status.notFoundTitle);
    }
    expect((await ctx.bot.get('/healthz')).status).toBe(200);
  });

  it('shows agents the queue by section, oldest first, with a link to each card, and refuses everyone else', async () => {
    const { requestId } = await inChat(ctx, diego).applyWith();
    const reference = storedRequest(ctx, requestId).reference as string;

    const queue = await ask(ctx, isaiah, 'queue');
    expect(queue.body[0].text).toBe(en.queue.title);
    const texts = textsIn(queue);
    expect(texts.some((line) => line.startsWith(en.queue.sections.pendingReview))).toBe(true);
    expect(texts).toContain(`${reference} · Diego Siciliani`);
    const post = stored(ctx).posts.find((row) => row.request_id === requestId)!;
    const links = JSON.stringify(queue.body);
    expect(links).toContain(
      `https://teams.microsoft.com/l/message/${encodeURIComponent(APPROVAL_CHANNEL)}/${post.message_id}`,
    );
    expect(viewsOf(ctx, requestId)).toContainEqual({ viewer_id: isaiah.id, audience: 'helpdesk', route: 'queue' });

    // "Details" opens the request for the agent.
    const button = objectsOf(queue).find(
      (object) =>
        object.type === 'Action.Execute' && object.verb === Verbs.statusShow && object.data.requestId === requestId,
    );
    ctx.connector.clear();
    const response = await ctx.bot.post(
      cardAction(
        Verbs.statusShow,
        { serviceUrl: ctx.connector.serviceUrl, from: isaiah, conversationId: `a:chat-${isaiah.id}` },
        button!.data,
      ),
    );
    await ctx.bot.service.settle();
    expect(response.body.value).toBe(en.actions.answered);
    const opened = ctx.connector.sentCards().at(-1);
    expect(opened.body[0].text).toBe(format(en.status.title, { reference }));

    const japanese = await ask(ctx, ken, 'キュー', { locale: 'ja-JP' });
    expect(japanese.body[0].text).toBe(ja.queue.title);

    // Never in a channel, where others read along.
    const inTheChannel = await inChannel(ctx, isaiah).say('queue');
    expect(inTheChannel.body[0].text).toBe(en.status.privateOnlyTitle);
    expect(textOf(inTheChannel)).not.toContain(reference);
    expect((await inChannel(ctx, isaiah).say(`status ${reference}`)).body[0].text).toBe(en.status.privateOnlyTitle);

    const refused = await ask(ctx, diego, 'open requests');
    expect(refused.body[0].text).toBe(en.queue.notAllowedTitle);
    expect(stored(ctx).events.at(-1)).toMatchObject({ actor: diego.id, reason: 'refused queue: notAllowed' });
  });

  it('shows leads the statistics as charts with table fallbacks, for 7, 30 or 90 days, and nobody else', async () => {
    await ask(ctx, alex, 'I lost my phone');
    const stats = await ask(ctx, patti, 'stats');
    expect(stats.body[0].text).toBe(en.stats.title);
    const types = JSON.stringify(stats).match(/"Chart\.[A-Za-z.]+"/g);
    expect(types).toEqual(['"Chart.Line"', '"Chart.VerticalBar.Grouped"', '"Chart.Donut"']);
    // Earlier tests filed and carried out requests today: they are counted.
    const filed = String(stored(ctx).requests.length);
    const texts = textsIn(stats);
    expect(texts[texts.indexOf(en.stats.counts.filed) - 1]).toBe(filed);
    expect(texts[1]).toMatch(/^Last 30 days: \d{4}-\d{2}-\d{2} to \d{4}-\d{2}-\d{2} \(UTC\)$/);

    const ninety = await inChat(ctx, patti).press(stats, Verbs.statsPeriod, { days: 90 });
    expect(textsIn(ninety)[1]).toMatch(/^Last 90 days/);
    const nonsense = await inChat(ctx, patti).press(stats, Verbs.statsPeriod, { days: 'many' });
    expect(textsIn(nonsense)[1]).toMatch(/^Last 30 days/);
    // Not a number nor a string: card data no button sends, refused as tampered.
    const tampered = await inChat(ctx, patti).press(stats, Verbs.statsPeriod, { days: { toString: 'x' } });
    expect(textsIn(tampered)).toEqual([en.approval.refusedTitle, en.approval.refusals.tamperedCard]);

    const japanese = await ask(ctx, patti, '統計 7日', { locale: 'ja-JP' });
    expect(japanese.body[0].text).toBe(ja.stats.title);
    expect(textsIn(japanese)[1]).toMatch(/^過去 7 日間/);

    const agent = await ask(ctx, isaiah, 'statistics');
    expect(agent.body[0].text).toBe(en.stats.notAllowedTitle);
  });

  it('shows each person the commands and buttons of their role in help', async () => {
    const commands = (card: any): string[] =>
      card.body.flatMap((element: any) =>
        (element.items ?? []).flatMap((item: any) => (item.facts ?? []).map((fact: any) => fact.title)),
      );
    expect(commands(await ask(ctx, patti, 'help'))).toEqual(expect.arrayContaining(['queue', 'stats', 'my team']));
    const forAlex = commands(await ask(ctx, alex, 'help'));
    expect(forAlex).toContain('my requests');
    for (const command of ['queue', 'stats', 'my team']) expect(forAlex).not.toContain(command);
    const forMegan = await ask(ctx, megan, 'help');
    expect(commands(forMegan)).toContain('my team');
    expect(commands(forMegan)).not.toContain('queue');
    expect(executeActions(forMegan).has(Verbs.teamShow)).toBe(true);
    expect(executeActions(forMegan).has(Verbs.queueShow)).toBe(false);
  });

  it('answers an unknown request id on a Details button as not found and a tampered one as tampered, audited', async () => {
    const before = stored(ctx).events.length;
    const answers: any[] = [];
    for (const requestId of [{ toString: 'x' }, 'no-such-request', null]) {
      const response = await ctx.bot.post({
        ...personalMessage('', {
          serviceUrl: ctx.connector.serviceUrl,
          from: diego,
          conversationId: `a:chat-${diego.id}`,
        }),
        type: 'invoke',
        name: 'adaptiveCard/action',
        value: {
          action: { type: 'Action.Execute', verb: Verbs.statusShow, data: { verb: Verbs.statusShow, requestId } },
        },
      });
      expect(response.status).toBe(200);
      answers.push(response.body.value);
    }
    await ctx.bot.service.settle();
    expect(
      stored(ctx)
        .events.slice(before)
        .map((event) => [event.request_id, event.reason]),
    ).toEqual([
      ['[object Object]', 'refused status.show: tamperedCard'],
      ['-', 'refused status from an old card: unknownRequest'],
      ['null', 'refused status.show: tamperedCard'],
    ]);
    expect(textsIn(answers[0])).toEqual([en.approval.refusedTitle, en.approval.refusals.tamperedCard]);
    expect(answers[1]).toBe(en.actions.answered);
  });

  it('looks up a diagnosis reference for the helpdesk: who, the evidence, the path and how it ended', async () => {
    await ask(ctx, diego, 'I lost my phone');
    const diagnosis = rows(ctx, `SELECT id FROM diagnoses WHERE user_id = '${diego.id}' ORDER BY started_at DESC`)[0]!;
    const reference = `DX-${(diagnosis.id as string).replace(/-/g, '').slice(0, 8).toUpperCase()}`;

    const card = await ask(ctx, isaiah, `status ${reference}`);
    expect(card.body[0].items[0].text).toBe(format(en.diagnosisRecord.title, { reference }));
    const texts = textsIn(card);
    expect(texts.some((line) => line.includes('Diego Siciliani'))).toBe(true);
    expect(texts).toContain(en.diagnosisRecord.evidenceHeading);
    expect(texts).toContain(`• ${en.diagnosisRecord.facts.hasOneMfaMethod}`);
    expect(viewsOf(ctx, diagnosis.id)).toEqual([{ viewer_id: isaiah.id, audience: 'helpdesk', route: 'diagnosis' }]);

    const bare = await ask(ctx, ken, reference.toLowerCase(), { locale: 'ja-JP' });
    expect(bare.body[0].items[0].text).toBe(format(ja.diagnosisRecord.title, { reference }));

    const forDiego = await ask(ctx, diego, `status ${reference}`);
    expect(textsIn(forDiego)).toContain(en.diagnosisRecord.notAllowed);
    const unknown = await ask(ctx, isaiah, 'status DX-00000000');
    expect(unknown.body[0].text).toBe(en.diagnosisRecord.notFoundTitle);
  });
});

/** Cards the bot posted as replies under a channel card (into the thread's conversation). */
function repliesIn(ctx: BotUnderTest, conversationId: string): any[] {
  return ctx.connector.calls
    .filter(
      (call) => call.method === 'POST' && call.conversationId === conversationId && call.path.includes('/activities'),
    )
    .map((call) => call.body?.attachments?.[0]?.content);
}

describe('the review service level (over HTTP, on a clock the test moves)', () => {
  const clock = new MovableClock();
  const ctx = useBot(() => ({ env: { ...channelSettings, REVIEW_SLA_HOURS: '1' }, overrides: { clock } }));

  it('reminds the channel once past the service level and marks the card, then tells the leads once past twice it', async () => {
    await ask(ctx, patti, 'hello');
    await ask(ctx, ken, 'hello');
    const { requestId } = await inChat(ctx, alex).applyWith();
    const reference = storedRequest(ctx, requestId).reference as string;
    const post = stored(ctx).posts.find((row) => row.request_id === requestId)!;

    ctx.connector.clear();
    clock.advance(59 * 60_000);
    await ctx.bot.service.runJobs();
    await ctx.bot.service.settle();
    expect(repliesIn(ctx, post.conversation_id)).toEqual([]);

    clock.advance(2 * 60_000);
    await ctx.bot.service.runJobs();
    await ctx.bot.service.settle();
    const [reminder, ...more] = repliesIn(ctx, post.conversation_id);
    expect(more).toEqual([]);
    expect(reminder.body[0].text).toBe(format(en.overdue.reminderTitle, { reference }));
    expect(textsIn(reminder)).toContain(format(en.overdue.reminderBody, { subject: 'Alex Wilber', hours: '1' }));
    expect(textsIn(channelCard(ctx, reference))).toContain(format(en.review.overdue, { hours: '1' }));
    // The queue marks it too.
    expect(textsIn(await ask(ctx, isaiah, 'queue'))).toContain(`${reference} · Alex Wilber`);
    expect(JSON.stringify(await ask(ctx, isaiah, 'queue'))).toContain(en.queue.overdue);

    ctx.connector.clear();
    await ctx.bot.service.runJobs();
    await ctx.bot.service.settle();
    expect(repliesIn(ctx, post.conversation_id)).toEqual([]);
    expect(ctx.connector.sentCards()).toEqual([]);

    clock.advance(60 * 60_000);
    await ctx.bot.service.runJobs();
    await ctx.bot.service.settle();
    const toPatti = repliesIn(ctx, `a:chat-${patti.id}`);
    expect(toPatti).toHaveLength(1);
    expect(toPatti[0].body[0].text).toBe(format(en.overdue.leadTitle, { reference }));
    expect(JSON.stringify(toPatti[0].actions)).toContain(encodeURIComponent(APPROVAL_CHANNEL));
    // Ken is an agent, not a lead.
    expect(repliesIn(ctx, `a:chat-${ken.id}`)).toEqual([]);

    ctx.connector.clear();
    await ctx.bot.service.runJobs();
    await ctx.bot.service.settle();
    expect(ctx.connector.sentCards()).toEqual([]);
    expect(
      rows(
        ctx,
        `SELECT kind FROM overdue_notices WHERE request_id = '${requestId}' AND sent_at IS NOT NULL ORDER BY kind`,
      ),
    ).toEqual([{ kind: 'escalation' }, { kind: 'reminder' }]);
  });

  it('sends each notice once when two instances on one database check at the same moment, and not again after a restart', async () => {
    const { requestId } = await inChat(ctx, diego).applyWith();
    const post = stored(ctx).posts.find((row) => row.request_id === requestId)!;
    const second = await startBot({
      sqlitePath: ctx.bot.sqlitePath,
      env: { ...channelSettings, REVIEW_SLA_HOURS: '1' },
      overrides: { clock },
    });
    try {
      ctx.connector.clear();
      clock.advance(61 * 60_000);
      await Promise.all([ctx.bot.service.runJobs(), second.service.runJobs()]);
      await Promise.all([ctx.bot.service.settle(), second.service.settle()]);
      expect(repliesIn(ctx, post.conversation_id)).toHaveLength(1);

      clock.advance(60 * 60_000);
      await Promise.all([ctx.bot.service.runJobs(), second.service.runJobs()]);
      await Promise.all([ctx.bot.service.settle(), second.service.settle()]);
      expect(repliesIn(ctx, `a:chat-${patti.id}`)).toHaveLength(1);
    } finally {
      await second.stop();
    }
    const restarted = await startBot({
      sqlitePath: ctx.bot.sqlitePath,
      env: { ...channelSettings, REVIEW_SLA_HOURS: '1' },
      overrides: { clock },
    });
    try {
      ctx.connector.clear();
      await restarted.service.runJobs();
      await restarted.service.settle();
      expect(ctx.connector.sentCards()).toEqual([]);
    } finally {
      await restarted.stop();
    }
  });
});
