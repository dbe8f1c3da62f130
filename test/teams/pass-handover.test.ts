import { describe, expect, it } from 'vitest';
import { describeMethods } from '../../src/cards/diagnosis.js';
import { format, stringsFor } from '../../src/content/strings/index.js';
import { maskMethod } from '../../src/domain/diagnosis/mask.js';
import { SimulatedDirectory } from '../../src/directory/simulated-directory.js';
import { tenant } from '../support/activities.js';
import {
  Verbs,
  cardsInChat,
  channelCard,
  eventsOf,
  inChannel,
  inChat,
  people,
  storedRequest,
  textsIn,
} from '../support/approval-driver.js';
import { MovableClock, approvedRequestOf, databaseBytes, execute, issuePassAs } from '../support/execution-driver.js';
import { useBot, type BotUnderTest } from '../support/use-bot.js';

const en = stringsFor('en');
const ja = stringsFor('ja');
const { alex, diego, isaiah, megan, patti } = people;

/** The pass shown on a pass card: the monospace run in its emphasis container. */
const passOn = (card: any): string =>
  card.body.find((element: any) => element.type === 'Container' && element.style === 'emphasis').items[0].inlines[0]
    .text as string;

const offerIn = (ctx: BotUnderTest, person: typeof alex, subject: string, strings = en) =>
  cardsInChat(ctx, person).find((card) => textsIn(card).includes(format(strings.pass.offerTitle, { subject })));

/** The person's passes that work now. */
const passesOf = async (directory: SimulatedDirectory, userId: string) =>
  (await directory.getAuthenticationMethods(userId)).filter(
    (method) => method.kind === 'temporaryAccessPass' && method.isUsable,
  );

describe('the pass is issued on the verified contact, by default (over HTTP, simulated directory)', () => {
  const clock = new MovableClock();
  const directory = new SimulatedDirectory(tenant, clock);
  const ctx = useBot({
    env: { APPROVAL_TEAM_ID: tenant.team.id, APPROVAL_CHANNEL_ID: tenant.team.approvalChannel.id },
    overrides: { directory, clock },
  });

  it('resets on approval, then makes the pass only when the verifying agent presses "Issue the pass now"', async () => {
    await inChat(ctx, isaiah).say('hello');
    const requestId = await approvedRequestOf(ctx, diego);
    const reference = storedRequest(ctx, requestId).reference as string;
    const lost = JSON.parse(storedRequest(ctx, requestId).application).lostMethodIds as string[];
    const lostNames = describeMethods(
      en,
      (await directory.getAuthenticationMethods(diego.id)).filter((m) => lost.includes(m.id)).map(maskMethod),
    );
    expect(lostNames).toEqual([expect.stringContaining('Pixel')]);

    await execute(ctx);

    // Methods gone and sessions revoked, but no pass yet: none in the directory, none in any chat.
    expect(storedRequest(ctx, requestId).state).toBe('executing');
    expect(directory.sessionRevocations(diego.id)).toHaveLength(1);
    expect(await passesOf(directory, diego.id)).toEqual([]);
    expect(textsIn(channelCard(ctx, reference))).toContain(
      format(en.review.execution.waitingForPass, { name: 'Isaiah Langer' }),
    );
    const offer = offerIn(ctx, isaiah, 'Diego Siciliani');
    expect(offer, 'the offer in Isaiah’s chat').toBeDefined();
    expect(textsIn(offer).join(' ')).toContain('when you are on a video call with Diego Siciliani again');
    expect(cardsInChat(ctx, diego).some((card) => JSON.stringify(card).includes('"emphasis"'))).toBe(false);
    expect(cardsInChat(ctx, diego).flatMap(textsIn)).not.toContain(en.pass.title);
    // The worker leaves it alone while the offer stands.
    await execute(ctx);
    expect(storedRequest(ctx, requestId).state).toBe('executing');

    // Another agent (even a lead) cannot press it: refused and audited, no pass made.
    const refused = await inChat(ctx, patti).press(offer, Verbs.passIssue);
    expect(textsIn(refused)).toContain(format(en.pass.refused.notYours, { subject: 'Diego Siciliani' }));
    expect(await passesOf(directory, diego.id)).toEqual([]);
    expect(eventsOf(ctx, requestId).at(-1)).toMatchObject({
      to_state: 'refused',
      actor: patti.id,
      reason: 'refused pass issue: notYours',
    });

    ctx.connector.clear();
    const pressedAt = clock.now();
    const shown = await inChat(ctx, isaiah).press(offer, Verbs.passIssue);
    const pass = passOn(shown);
    expect(pass).toMatch(/^.{8}$/);
    expect(textsIn(shown)).toContain('Temporary Access Pass for Diego Siciliani');
    expect(textsIn(shown)).toContain(format(en.pass.shown.videoCall, { subject: 'Diego Siciliani' }));
    // Its lifetime starts at the press.
    const [created] = await passesOf(directory, diego.id);
    expect(created!.createdAt!.getTime()).toBeGreaterThanOrEqual(pressedAt.getTime() - 1_000);
    expect(storedRequest(ctx, requestId).state).toBe('completed');

    // The pass was the answer to Isaiah's press and nothing else: no message, channel, database or log has it.
    expect(JSON.stringify(ctx.connector.calls.map((call) => call.body))).not.toContain(pass);
    expect(databaseBytes(ctx)).not.toContain(pass);
    expect(ctx.bot.logs.text()).not.toContain(pass);
    expect(textsIn(channelCard(ctx, reference))).toContain(
      format(en.review.execution.doneToAgent, { name: 'Isaiah Langer' }),
    );
    // The completed card still names the methods that were removed, though the directory no longer has them.
    expect(textsIn(channelCard(ctx, reference))).toEqual(expect.arrayContaining(lostNames));

    // Diego hears of it in his own chat, in the second person, with a way to object.
    const notice = cardsInChat(ctx, diego).find((card) =>
      textsIn(card).some((text) =>
        text.includes(format(en.approval.completion.toSubjectIssued, { reference, issuer: 'Isaiah Langer' })),
      ),
    );
    expect(notice).toBeDefined();
    expect(JSON.stringify(notice)).not.toContain('their chat');

    // A second press never shows a pass again, nor makes one.
    const again = await inChat(ctx, isaiah).press(offer, Verbs.passIssue);
    expect(JSON.stringify(again)).not.toContain(pass);
    expect(textsIn(again)).toContain(format(en.pass.refused.alreadyIssued, { subject: 'Diego Siciliani' }));
    expect(await passesOf(directory, diego.id)).toHaveLength(1);

    // Once the pass has run out, the card that showed it says so and no longer shows it.
    clock.advance(61 * 60_000);
    ctx.connector.clear();
    await execute(ctx);
    const updated = ctx.connector.updates().filter((update) => update.conversationId === `a:chat-${isaiah.id}`);
    expect(updated).toHaveLength(1);
    expect(textsIn(updated[0]!.card)).toContain(en.pass.closed.expired);
    expect(JSON.stringify(updated[0]!.card)).not.toContain(pass);
  });

  it('withdraws the card as soon as the person has registered a new method', async () => {
    await inChat(ctx, isaiah).say('hello');
    const requestId = await approvedRequestOf(ctx, alex);
    await execute(ctx);
    const shown = await inChat(ctx, isaiah).press(offerIn(ctx, isaiah, 'Alex Wilber'), Verbs.passIssue);
    const pass = passOn(shown);
    directory.registerMethod(alex.id, { kind: 'microsoftAuthenticator', displayName: 'Pixel 9', isDefault: true });

    clock.advance(6 * 60_000);
    ctx.connector.clear();
    await execute(ctx);

    const updated = ctx.connector.updates().filter((update) => update.conversationId === `a:chat-${isaiah.id}`);
    expect(updated.map((update) => textsIn(update.card))).toEqual([
      expect.arrayContaining([format(en.pass.closed.recovered, { subject: 'Alex Wilber' })]),
    ]);
    expect(JSON.stringify(updated)).not.toContain(pass);
    expect(eventsOf(ctx, requestId).at(-1)!.reason).toBe('recovered: a new method is registered');
  });

  it('needs attention when nobody issues the pass within a day, and a retry offers it again', async () => {
    await inChat(ctx, isaiah).say('hello');
    const requestId = await approvedRequestOf(ctx, alex);
    const reference = storedRequest(ctx, requestId).reference as string;
    await execute(ctx);
    expect(offerIn(ctx, isaiah, 'Alex Wilber')).toBeDefined();

    clock.advance(25 * 60 * 60_000);
    ctx.connector.clear();
    await execute(ctx);

    expect(storedRequest(ctx, requestId).state).toBe('failed');
    expect(eventsOf(ctx, requestId).find((event) => event.to_state === 'failed')!.reason).toContain('passNotIssued');
    const withdrawn = ctx.connector.updates().filter((update) => update.conversationId === `a:chat-${isaiah.id}`);
    expect(withdrawn.map((update) => textsIn(update.card))).toEqual([
      expect.arrayContaining([en.pass.closed.withdrawn]),
    ]);
    expect(await passesOf(directory, alex.id)).toEqual([]);

    // Retried from the channel: the methods are gone already, so it goes straight to a new offer.
    await inChannel(ctx, isaiah).press(channelCard(ctx, reference), Verbs.reviewRetry);
    ctx.connector.clear();
    await execute(ctx);
    expect(storedRequest(ctx, requestId).state).toBe('executing');
    const shown = await issuePassAs(ctx, isaiah);
    expect(textsIn(shown)).toContain('Temporary Access Pass for Alex Wilber');
    expect(storedRequest(ctx, requestId).state).toBe('completed');
    expect(directory.sessionRevocations(alex.id).length).toBeGreaterThanOrEqual(1);
  });

  it('lets the person whose methods were reset say it was not them, and tells the helpdesk at once', async () => {
    await inChat(ctx, isaiah).say('hello');
    const requestId = await approvedRequestOf(ctx, diego);
    await execute(ctx);
    await inChat(ctx, isaiah).press(offerIn(ctx, isaiah, 'Diego Siciliani'), Verbs.passIssue);
    const reference = storedRequest(ctx, requestId).reference as string;
    const notice = cardsInChat(ctx, diego)
      .filter((card) => JSON.stringify(card).includes(reference))
      .find((card) => JSON.stringify(card).includes(Verbs.requestDispute));

    // Only Diego can: anyone else pressing the same button is refused, and it is audited.
    const refused = await inChat(ctx, alex).press(notice, Verbs.requestDispute);
    expect(textsIn(refused)).toContain(en.approval.completion.notYours);
    expect(eventsOf(ctx, requestId).at(-1)).toMatchObject({ actor: alex.id, reason: 'refused report: notSubject' });

    ctx.connector.clear();
    const answered = await inChat(ctx, diego).press(notice, Verbs.requestDispute);
    expect(textsIn(answered)).toContain(format(en.approval.completion.disputed, { reference }));
    expect(eventsOf(ctx, requestId).at(-1)).toMatchObject({
      actor: diego.id,
      reason: 'reported by the subject as not asked for',
    });
    const alert = ctx.connector
      .sentActivities()
      .filter((activity) => activity.conversation?.id?.startsWith(tenant.team.approvalChannel.id))
      .flatMap((activity) => activity.attachments.map((attachment: any) => attachment.content));
    expect(alert.flatMap(textsIn)).toContain(format(en.approval.completion.channelTitle, { reference }));

    const again = await inChat(ctx, diego).press(notice, Verbs.requestDispute);
    expect(textsIn(again)).toContain(format(en.approval.completion.alreadyDisputed, { reference }));
  });
});

describe('the pass when the manager confirmed who the person is (over HTTP)', () => {
  const directory = new SimulatedDirectory(tenant, { now: () => new Date() });
  const ctx = useBot({
    env: {
      APPROVAL_TEAM_ID: tenant.team.id,
      APPROVAL_CHANNEL_ID: tenant.team.approvalChannel.id,
      MANAGER_CONFIRMATION: 'always',
    },
    overrides: { directory },
  });

  it("is issued by the manager, in the manager's chat and language, worded for them", async () => {
    await inChat(ctx, megan, 'ja-JP').say('こんにちは');
    const { requestId } = await inChat(ctx, alex).applyWith({ verification: 'managerConfirmation' });
    const reference = storedRequest(ctx, requestId).reference as string;
    const confirmation = cardsInChat(ctx, megan).find((card) => JSON.stringify(card).includes(reference));
    await inChat(ctx, megan, 'ja-JP').press(confirmation, Verbs.managerConfirm);
    await inChannel(ctx, isaiah).press(channelCard(ctx, reference), Verbs.reviewApprove, {
      verification: 'managerConfirmation',
      verificationNote: 'Megan confirmed on a Teams call',
    });
    await execute(ctx);

    expect(offerIn(ctx, isaiah, 'Alex Wilber')).toBeUndefined();
    const offer = offerIn(ctx, megan, 'Alex Wilber', ja);
    expect(offer, 'the offer in Megan’s chat, in Japanese').toBeDefined();
    expect(textsIn(offer).join(' ')).toContain(
      format(ja.pass.offer.when.manager, { subject: 'Alex Wilber', minutes: '60' }),
    );

    const shown = await inChat(ctx, megan, 'ja-JP').press(offer, Verbs.passIssue);
    expect(textsIn(shown)).toContain(format(ja.pass.shown.manager, { subject: 'Alex Wilber' }));
    expect(storedRequest(ctx, requestId).state).toBe('completed');
    expect(textsIn(channelCard(ctx, reference))).toContain(
      format(en.review.execution.doneToManager, { name: 'Megan Bowen' }),
    );
  });
});
