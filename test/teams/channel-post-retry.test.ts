import { describe, expect, it, vi } from 'vitest';
import { format, stringsFor } from '../../src/content/strings/index.js';
import { CHANNEL_RETRY_WAITS_MS, channelRetryWait } from '../../src/teams/review/request-publisher.js';
import { retryAfterMs } from '../../src/teams/proactive/messenger.js';
import {
  APPROVAL_CHANNEL,
  Verbs,
  cardsInChat,
  channelCard,
  inChannel,
  inChat,
  people,
  stored,
  storedRequest,
  textsIn,
} from '../support/approval-driver.js';
import { MovableClock } from '../support/execution-driver.js';
import { isChannelPost, type ConnectorCall } from '../support/fake-connector.js';
import { useBot, type BotUnderTest } from '../support/use-bot.js';

const en = stringsFor('en');
const { alex, diego, lynne, megan, shota, weiling } = people;

/**
 * The Bot Connector failing calls for a while, as it does when busy: 503 with `Retry-After: 0`,
 * which its client tries again at once a few times before giving up, so no test waits for it.
 */
function connectorBusyFor(ctx: BotUnderTest, matches: (call: ConnectorCall) => boolean): void {
  ctx.connector.failNext(503, 'ServiceUnavailable', 'The service is busy.', {
    times: Number.POSITIVE_INFINITY,
    retryAfterSeconds: 0,
    matches,
  });
}

/** What the bot logged about trying a request's channel card again, in order. */
const retryLog = (ctx: BotUnderTest, requestId: string) =>
  ctx.bot.logs
    .entries()
    .filter((entry) => entry.requestId === requestId && /Bot Connector (failed for now|kept failing)/.test(entry.msg))
    .map((entry) => (entry.msg.includes('kept failing') ? 'gave up' : entry.waitMs));

/** The notices `person` got saying their application reached the helpdesk late. */
const arrivalNotices = (ctx: BotUnderTest, person: typeof alex, reference: string) =>
  cardsInChat(ctx, person).filter((card) =>
    textsIn(card).includes(format(en.approval.notices.reachedHelpdesk, { reference })),
  );

describe('a card another instance claimed to post (over HTTP)', () => {
  const clock = new MovableClock();
  const ctx = useBot({ env: { LOG_LEVEL: 'debug' }, overrides: { clock } });
  const LEASE_MS = 120_000;

  it('is left to that instance while its claim runs, the rest of the backlog posted, then posted once it ran out', async () => {
    const claimedElsewhere = await inChat(ctx, alex).apply();
    const waiting = await inChat(ctx, diego).apply();
    const reference = storedRequest(ctx, claimedElsewhere).reference as string;
    // Another instance claimed the older one, then died before posting it.
    const { channels } = ctx.bot.service.store;
    const until = new Date(clock.now().getTime() + LEASE_MS);
    expect(await channels.claimPost(claimedElsewhere, APPROVAL_CHANNEL, 'another-instance', clock.now(), until)).toBe(
      true,
    );
    const postedRequests = () => stored(ctx).posts.map((post) => post.request_id as string);

    await inChannel(ctx, lynne).say('set approval channel');
    expect(postedRequests()).toEqual([waiting]);
    expect(
      ctx.bot.logs
        .entries()
        .filter((entry) => entry.requestId === claimedElsewhere)
        .map((entry) => entry.msg),
    ).toContain('another instance is posting the card; it is left to it');

    clock.advance(LEASE_MS - 1_000);
    await ctx.bot.service.runJobs();
    await ctx.bot.service.settle();
    expect(postedRequests()).toEqual([waiting]);
    expect(arrivalNotices(ctx, alex, reference)).toEqual([]);

    clock.advance(1_000);
    await ctx.bot.service.runJobs();
    await ctx.bot.service.settle();
    expect(postedRequests().sort()).toEqual([claimedElsewhere, waiting].sort());
    expect(
      ctx.connector.channelPosts().filter((post) => textsIn(post.card).join('\n').includes(reference)),
    ).toHaveLength(1);
    expect(arrivalNotices(ctx, alex, reference)).toHaveLength(1);
  });
});

describe('when posting to the approval channel fails for a moment (over HTTP)', () => {
  const clock = new MovableClock();
  const ctx = useBot({ env: { APPLICATION_DAILY_CAP: '20' }, overrides: { clock } });

  it('retries within a minute, without the backlog job, and only then tells the requester it arrived', async () => {
    await inChannel(ctx, lynne).say('set approval channel');
    connectorBusyFor(ctx, isChannelPost);
    const { requestId, confirmation } = await inChat(ctx, weiling).applyWith();
    const reference = storedRequest(ctx, requestId).reference as string;
    // The click's answer says it is on its way, not that the helpdesk has it.
    expect(textsIn(confirmation)).toContain(en.application.confirmationBody);
    expect(en.application.confirmationBody).toContain('passing it on to the helpdesk now');
    expect(ctx.connector.calls.filter(isChannelPost).length).toBeGreaterThan(0);
    expect(stored(ctx).posts).toEqual([]);
    expect(retryLog(ctx, requestId)).toEqual([CHANNEL_RETRY_WAITS_MS[0]]);
    expect(arrivalNotices(ctx, weiling, reference)).toEqual([]);

    ctx.connector.clearFailures();
    clock.advance(CHANNEL_RETRY_WAITS_MS[0]!);
    // The retry check runs every second on its own; the backlog job (runJobs) is never called here.
    await vi.waitFor(() => expect(stored(ctx).posts).toHaveLength(1), { timeout: 10_000, interval: 50 });
    await ctx.bot.service.settle();
    expect(textsIn(channelCard(ctx, reference)).join('\n')).toContain(reference);
    expect(arrivalNotices(ctx, weiling, reference)).toHaveLength(1);
    expect(retryLog(ctx, requestId)).toEqual([CHANNEL_RETRY_WAITS_MS[0]]);
  });

  it('says nothing more when the first post went through', async () => {
    const { requestId } = await inChat(ctx, shota).applyWith();
    const reference = storedRequest(ctx, requestId).reference as string;
    expect(stored(ctx).posts.filter((post) => post.request_id === requestId)).toHaveLength(1);
    expect(arrivalNotices(ctx, shota, reference)).toEqual([]);
    expect(retryLog(ctx, requestId)).toEqual([]);
  });

  it('backs off 5, 15 and 45 seconds, then leaves the request to the backlog job, which tells the requester once posted', async () => {
    connectorBusyFor(ctx, isChannelPost);
    const { requestId } = await inChat(ctx, diego).applyWith();
    const reference = storedRequest(ctx, requestId).reference as string;
    expect(retryLog(ctx, requestId)).toEqual([5_000]);
    for (const [waited, expected] of [
      [5_000, [5_000, 15_000]],
      [15_000, [5_000, 15_000, 45_000]],
      [45_000, [5_000, 15_000, 45_000, 'gave up']],
    ] as const) {
      clock.advance(waited);
      await vi.waitFor(() => expect(retryLog(ctx, requestId)).toEqual(expected), { timeout: 10_000, interval: 50 });
    }
    await ctx.bot.service.settle();
    expect(stored(ctx).posts.filter((post) => post.request_id === requestId)).toEqual([]);
    expect(arrivalNotices(ctx, diego, reference)).toEqual([]);

    ctx.connector.clearFailures();
    await ctx.bot.service.runJobs();
    await ctx.bot.service.settle();
    expect(stored(ctx).posts.filter((post) => post.request_id === requestId)).toHaveLength(1);
    expect(arrivalNotices(ctx, diego, reference)).toHaveLength(1);
  });

  it('still tells people about the change when the channel card fails, and updates the card once the connector is back', async () => {
    await inChat(ctx, megan).say('help');
    connectorBusyFor(ctx, isChannelPost);
    const { requestId } = await inChat(ctx, alex).applyWith({ verification: 'managerConfirmation' });
    const reference = storedRequest(ctx, requestId).reference as string;
    expect(storedRequest(ctx, requestId).state).toBe('awaiting_manager');
    // The card did not reach the channel, but the requester and the manager heard all the same.
    expect(
      cardsInChat(ctx, alex).filter((card) =>
        textsIn(card).includes(format(en.approval.notices.managerAsked, { reference, manager: 'Megan Bowen' })),
      ),
    ).toHaveLength(1);
    expect(cardsInChat(ctx, megan).some((card) => JSON.stringify(card).includes(Verbs.managerConfirm))).toBe(true);

    ctx.connector.clearFailures();
    clock.advance(5_000);
    await vi.waitFor(() => expect(stored(ctx).posts.filter((post) => post.request_id === requestId)).toHaveLength(1), {
      timeout: 10_000,
      interval: 50,
    });
    await ctx.bot.service.settle();

    // An update that fails is tried again too, and is no news for the requester.
    const confirmation = cardsInChat(ctx, megan).find((sent) => JSON.stringify(sent).includes(reference));
    ctx.connector.clear();
    connectorBusyFor(ctx, (call) => call.method === 'PUT');
    await inChat(ctx, megan).press(confirmation, Verbs.managerConfirm);
    expect(storedRequest(ctx, requestId).state).toBe('pending_review');
    expect(ctx.connector.updates().length).toBeGreaterThan(0);
    ctx.connector.clearFailures();
    ctx.connector.clear();
    clock.advance(5_000);
    await vi.waitFor(() => expect(ctx.connector.updates()).toHaveLength(1), { timeout: 10_000, interval: 50 });
    expect(textsIn(ctx.connector.updates()[0]!.card)).toContain(
      format(en.review.managerStatus.confirmed, { name: 'Megan Bowen' }),
    );
    await ctx.bot.service.settle();
    expect(arrivalNotices(ctx, alex, reference)).toHaveLength(0);
    // The agents can act on it now.
    expect(JSON.stringify(ctx.connector.updates()[0]!.card)).toContain(Verbs.reviewApprove);
  });
});

describe('how long to wait before trying a channel card again', () => {
  it('backs off 5, 15 and 45 seconds, then stops', () => {
    expect([0, 1, 2, 3].map((retries) => channelRetryWait(retries, undefined))).toEqual([
      5_000,
      15_000,
      45_000,
      undefined,
    ]);
  });

  it('waits at least as long as Retry-After asks, and leaves a wait over a minute to the backlog job', () => {
    expect(channelRetryWait(0, 20_000)).toBe(20_000);
    expect(channelRetryWait(2, 20_000)).toBe(45_000);
    expect(channelRetryWait(0, 60_000)).toBe(60_000);
    expect(channelRetryWait(0, 120_000)).toBeUndefined();
  });

  it('reads Retry-After in seconds or as an HTTP date', () => {
    const failure = (value: string | undefined) => ({
      statusCode: 429,
      response: { headers: { get: (name: string) => (name === 'retry-after' ? value : undefined) } },
    });
    const now = Date.parse('2025-06-02T09:00:00Z');
    expect(retryAfterMs(failure('30'), now)).toBe(30_000);
    expect(retryAfterMs(failure('Mon, 02 Jun 2025 09:00:12 GMT'), now)).toBe(12_000);
    expect(retryAfterMs(failure('Mon, 02 Jun 2025 08:00:00 GMT'), now)).toBe(0);
    expect(retryAfterMs(failure(undefined), now)).toBeUndefined();
    expect(retryAfterMs(failure('soon'), now)).toBeUndefined();
    expect(retryAfterMs(new Error('no answer'), now)).toBeUndefined();
  });
});
