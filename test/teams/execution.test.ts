import { describe, expect, it } from 'vitest';
import { format, stringsFor } from '../../src/content/strings/index.js';
import { ServiceUnavailableError } from '../../src/directory/directory-errors.js';
import { SimulatedDirectory, type DirectoryOperation } from '../../src/directory/simulated-directory.js';
import { tenant, type Sender } from '../support/activities.js';
import {
  Verbs,
  cardsInChat,
  channelCard,
  eventsOf,
  inChannel,
  inChat,
  people,
  stored,
  storedRequest,
  textsIn,
} from '../support/approval-driver.js';
import { MovableClock, approvedRequestOf, databaseBytes, execute } from '../support/execution-driver.js';
import { useBot, type BotUnderTest } from '../support/use-bot.js';

const en = stringsFor('en');
const { alex, isaiah, diego, lynne, patti } = people;

const passCards = (ctx: BotUnderTest, person: Sender) =>
  cardsInChat(ctx, person).filter(
    (card) => textsIn(card).includes(en.pass.title) || JSON.stringify(card).includes('Temporary Access Pass for'),
  );

/** The pass shown on a pass card: the monospace run in its emphasis container. */
const passOn = (card: any): string =>
  card.body.find((element: any) => element.type === 'Container').items[0].inlines[0].text as string;

describe('carrying out an approved reset (over HTTP, simulated directory)', () => {
  const directory = new SimulatedDirectory(tenant, { now: () => new Date() });
  const ctx = useBot({
    env: {
      APPROVAL_TEAM_ID: tenant.team.id,
      APPROVAL_CHANNEL_ID: tenant.team.approvalChannel.id,
      PASS_DELIVERY: 'subject',
    },
    overrides: { directory },
  });

  it('deletes the lost methods, revokes sessions and hands the pass to the subject alone, once', async () => {
    const methodsBefore = await directory.getAuthenticationMethods(alex.id);
    const requestId = await approvedRequestOf(ctx, alex);
    const lost = JSON.parse(storedRequest(ctx, requestId).application).lostMethodIds as string[];
    expect(lost.length).toBeGreaterThan(0);

    await execute(ctx);

    const request = storedRequest(ctx, requestId);
    expect(request.state).toBe('completed');
    const methodsAfter = (await directory.getAuthenticationMethods(alex.id)).map((method) => method.id);
    for (const id of lost) expect(methodsAfter).not.toContain(id);
    // Methods Alex did not say were lost stay.
    for (const method of methodsBefore.filter((m) => !lost.includes(m.id))) expect(methodsAfter).toContain(method.id);
    expect(directory.sessionRevocations(alex.id)).toHaveLength(1);

    const cards = passCards(ctx, alex);
    expect(cards).toHaveLength(1);
    const pass = passOn(cards[0]);
    expect(pass).toMatch(/^.{8}$/);
    expect(
      (await directory.getAuthenticationMethods(alex.id)).filter((method) => method.kind === 'temporaryAccessPass'),
    ).toEqual([expect.objectContaining({ isUsable: true })]);

    // The pass went to Alex's chat and nowhere else: not the channel, not the database, not the log.
    const elsewhere = ctx.connector.calls.filter((call) => call.conversationId !== `a:chat-${alex.id}`);
    expect(JSON.stringify(elsewhere.map((call) => call.body))).not.toContain(pass);
    expect(databaseBytes(ctx)).not.toContain(pass);
    expect(ctx.bot.logs.text()).not.toContain(pass);

    expect(eventsOf(ctx, requestId).map((event) => [event.from_state, event.to_state])).toEqual(
      expect.arrayContaining([
        ['approved', 'executing'],
        ['executing', 'executing'],
        ['executing', 'completed'],
      ]),
    );
    // Alex filed it himself: one notice, in the second person, with a way to say it was not him.
    const notice = cardsInChat(ctx, alex).find((card) =>
      textsIn(card).some((text) => text.startsWith(format(en.approval.completion.toSubjectSubject, request))),
    );
    expect(notice).toBeDefined();
    expect(JSON.stringify(notice)).toContain(en.approval.completion.notYouButton);
    // What Teams may show in a notification or the chat list is the summary, never the pass.
    const passMessage = ctx.connector.sentActivities().find((activity) => JSON.stringify(activity).includes(pass))!;
    expect(passMessage.summary).toBe(format(en.pass.summary, request));
    expect(passMessage.text ?? '').not.toContain(pass);

    // The job is over: running the worker again changes nothing and sends no second pass.
    await execute(ctx);
    expect(passCards(ctx, alex)).toHaveLength(1);
    expect(directory.sessionRevocations(alex.id)).toHaveLength(1);
  });

  it('offers the verifying agent to issue the pass when the subject has no chat with the bot', async () => {
    // Diego applies from his chat; the pass is for Diego, but this test removes his chat address first.
    const requestId = await approvedRequestOf(ctx, diego);
    const db = (await import('better-sqlite3')).default(ctx.bot.sqlitePath);
    db.prepare('DELETE FROM conversation_addresses WHERE key = ?').run(`user:${diego.id}`);
    db.close();
    // Isaiah has a 1:1 chat with the bot.
    await inChat(ctx, isaiah).say('hello');

    await execute(ctx);

    // The pass made for Diego's chat was deleted at once; Isaiah is offered to issue one on the call.
    expect(storedRequest(ctx, requestId).state).toBe('executing');
    expect(passCards(ctx, diego)).toHaveLength(0);
    expect(
      (await directory.getAuthenticationMethods(diego.id)).filter((method) => method.kind === 'temporaryAccessPass'),
    ).toEqual([]);
    const offer = cardsInChat(ctx, isaiah).find((card) =>
      textsIn(card).includes(format(en.pass.offerTitle, { subject: 'Diego Siciliani' })),
    );
    const shown = await inChat(ctx, isaiah).press(offer, Verbs.passIssue);
    expect(storedRequest(ctx, requestId).state).toBe('completed');
    expect(textsIn(shown)).toContain('Temporary Access Pass for Diego Siciliani');
    expect(databaseBytes(ctx)).not.toContain(passOn(shown));
  });

  it('deletes the pass and leaves the request for the helpdesk when nobody can receive it privately', async () => {
    const { shota } = people;
    const requestId = await approvedRequestOf(ctx, shota);
    const db = (await import('better-sqlite3')).default(ctx.bot.sqlitePath);
    db.prepare('DELETE FROM conversation_addresses WHERE key IN (?, ?)').run(`user:${shota.id}`, `user:${isaiah.id}`);
    db.close();

    await execute(ctx);

    expect(storedRequest(ctx, requestId).state).toBe('failed');
    const passes = (await directory.getAuthenticationMethods(shota.id)).filter(
      (method) => method.kind === 'temporaryAccessPass',
    );
    expect(passes).toEqual([]);
    expect(eventsOf(ctx, requestId).find((event) => event.to_state === 'failed')!.reason).toContain(
      'passUndeliverable',
    );
  });

  it("leaves an administrator's reset for the helpdesk when the app lacks the privileged role", async () => {
    const requestId = await approvedRequestOf(ctx, lynne, { approvers: [isaiah, patti] });
    await execute(ctx);

    const request = storedRequest(ctx, requestId);
    expect(request.state).toBe('failed');
    expect(passCards(ctx, lynne)).toHaveLength(0);
    const failure = eventsOf(ctx, requestId).find((event) => event.to_state === 'failed')!;
    expect(failure.reason).toContain('403');
    expect(stored(ctx).posts.some((post) => post.request_id === requestId)).toBe(true);
  });
});

describe('a reset that keeps failing (over HTTP, simulated directory)', () => {
  const clock = new MovableClock();
  let failing: DirectoryOperation | undefined = 'deleteAuthenticationMethod';
  const directory = new SimulatedDirectory(tenant, clock, {
    failWith: (operation) => (operation === failing ? new ServiceUnavailableError() : undefined),
  });
  const ctx = useBot({
    env: {
      APPROVAL_TEAM_ID: tenant.team.id,
      APPROVAL_CHANNEL_ID: tenant.team.approvalChannel.id,
      EXECUTION_MAX_ATTEMPTS: '3',
      PASS_DELIVERY: 'subject',
    },
    overrides: { directory, clock },
  });

  it('backs off, then needs attention after the last attempt, without reporting success', async () => {
    const requestId = await approvedRequestOf(ctx, alex);
    await execute(ctx);
    expect(storedRequest(ctx, requestId).state).toBe('executing');
    // Not due yet: nothing more happens until the back-off has passed.
    await execute(ctx);
    expect(eventsOf(ctx, requestId).filter((event) => event.reason.includes('retrying'))).toHaveLength(1);

    for (let attempt = 0; attempt < 2; attempt++) {
      clock.advance(10 * 60_000);
      await execute(ctx);
    }
    const request = storedRequest(ctx, requestId);
    expect(request.state).toBe('failed');
    expect(eventsOf(ctx, requestId).find((event) => event.to_state === 'failed')!.reason).toContain('503');
    expect(eventsOf(ctx, requestId).some((event) => event.to_state === 'completed')).toBe(false);
    expect(passCards(ctx, alex)).toHaveLength(0);
    const notices = cardsInChat(ctx, alex).flatMap(textsIn);
    expect(notices).toContain(format(en.approval.notices.failed, { reference: request.reference }));

    // The channel card says where it stopped and offers a retry; the agent retries once Graph is back.
    const card = channelCard(ctx, request.reference);
    expect(textsIn(card)).toEqual(
      expect.arrayContaining([en.review.execution.failed, 'Stopped at "delete methods": 503 serviceNotAvailable.']),
    );
    failing = undefined;
    const retried = await inChannel(ctx, isaiah).press(card, Verbs.reviewRetry);
    expect(textsIn(retried)).toContain(en.approval.done.retried);
    expect(storedRequest(ctx, requestId).state).toBe('approved');
    await execute(ctx);

    expect(storedRequest(ctx, requestId).state).toBe('completed');
    expect(passCards(ctx, alex)).toHaveLength(1);
    expect(textsIn(channelCard(ctx, request.reference))).toContain(en.review.execution.doneToSubject);
    expect(eventsOf(ctx, requestId).map((event) => [event.from_state, event.to_state])).toEqual(
      expect.arrayContaining([
        ['failed', 'approved'],
        ['executing', 'completed'],
      ]),
    );
  });

  it('refuses, and audits, a retry of a request that does not need attention', async () => {
    const requestId = await approvedRequestOf(ctx, diego);
    const version = storedRequest(ctx, requestId).version as number;
    const response = await inChannel(ctx, isaiah).invoke(Verbs.reviewRetry, { requestId, version });
    expect(JSON.stringify(response.body)).toContain('Approved');
    expect(storedRequest(ctx, requestId).state).toBe('approved');
    expect(eventsOf(ctx, requestId).at(-1)).toMatchObject({ to_state: 'refused', reason: 'refused retry: wrongState' });
  });
});
