import { describe, expect, it } from 'vitest';
import { format, stringsFor } from '../../src/content/strings/index.js';
import type { RequestState } from '../../src/domain/requests/request.js';
import { cardAction, cardSubmit, type Sender } from '../support/activities.js';
import {
  Verbs,
  cardsInChat,
  channelCard,
  eventsOf,
  executeActions,
  inChannel,
  inChat,
  people,
  stored,
  storedRequest,
  textRuns,
  textsIn,
} from '../support/approval-driver.js';
import { elementsOf } from '../support/diagnosis-driver.js';
import { useBot, type BotUnderTest } from '../support/use-bot.js';

const en = stringsFor('en');
const ja = stringsFor('ja');
const { alex, isaiah, lynne, megan, shota, diego, priya } = people;
const verified = { verification: 'videoCall', verificationNote: 'Photo ID matched on a video call' };

/** The approval channel, set once per bot. */
async function approvalChannelSet(ctx: BotUnderTest): Promise<void> {
  if (stored(ctx).channels.length > 0) return;
  await inChannel(ctx, lynne).say('set approval channel');
}

/**
 * `person` files for themselves; the request id, its reference, its card in the channel, the cards
 * the filing sent to people's chats, and the person's "My requests" list with its Cancel.
 */
async function filedWithList(ctx: BotUnderTest, person: Sender, verification = 'videoCall') {
  await approvalChannelSet(ctx);
  const { requestId } = await inChat(ctx, person).applyWith({ verification });
  const reference = storedRequest(ctx, requestId).reference as string;
  const card = channelCard(ctx, reference);
  const sent = (to: Sender) => cardsInChat(ctx, to);
  const managerCards = sent(megan);
  const list = await inChat(ctx, person).say('my requests');
  expect(executeActions(list).get(Verbs.requestCancel)?.data).toMatchObject({ requestId });
  return { requestId, reference, card, managerCards, list };
}

/** Moves a request on as the execution would, straight in the store: approved, executing, completed. */
async function completedInStore(ctx: BotUnderTest, requestId: string): Promise<void> {
  const repository = ctx.bot.service.store.requests;
  const request = storedRequest(ctx, requestId);
  const at = new Date();
  const event = (from: RequestState, to: RequestState) => ({
    requestId,
    tenantId: request.tenant_id as string,
    actor: 'system',
    at,
    from,
    to,
    reason: 'test: carried out',
  });
  const version = request.version as number;
  expect(
    await repository.compareAndSet({
      id: requestId,
      expectedVersion: version,
      to: 'executing',
      at,
      event: event('approved', 'executing'),
    }),
  ).toBe(true);
  expect(
    await repository.compareAndSet({
      id: requestId,
      expectedVersion: version + 1,
      to: 'completed',
      at,
      event: event('executing', 'completed'),
    }),
  ).toBe(true);
}

/**
 * What every answer to a button on an old card must be: the card clicked, replaced by the request's
 * current status card with the "moved on" line on top; nothing changed, nothing posted below it.
 */
function expectCurrentState(card: any, reference: string, state: RequestState, notice = en.status.oldCard): void {
  expect(card?.type, 'an Adaptive Card, not a line of text').toBe('AdaptiveCard');
  expect(card.body[0].text).toBe(format(en.status.title, { reference }));
  const texts = textsIn(card);
  // The line on top: the first run of text under the title.
  expect(textRuns(card)[0]).toBe(notice);
  expect(texts).toContain(en.requests.states[state]);
  expect(texts).not.toContain(en.actions.answered);
  // Only an open request can still be withdrawn from it.
  const open = ['submitted', 'awaiting_manager', 'pending_review', 'approved'].includes(state);
  expect(executeActions(card).has(Verbs.requestCancel)).toBe(open);
}

describe('buttons on old cards of a request that moved on (over HTTP)', () => {
  const ctx = useBot({ env: { APPLICATION_DAILY_CAP: '20' } });

  it('answers an old Cancel on a completed request with where it stands now, on the card clicked', async () => {
    const { requestId, reference, card, list } = await filedWithList(ctx, shota);
    await inChannel(ctx, isaiah).press(card, Verbs.reviewApprove, verified);
    await completedInStore(ctx, requestId);
    const version = storedRequest(ctx, requestId).version;
    const events = eventsOf(ctx, requestId).length;

    ctx.connector.clear();
    const answer = await inChat(ctx, shota).press(list, Verbs.requestCancel);
    expectCurrentState(answer, reference, 'completed');
    expect(storedRequest(ctx, requestId)).toMatchObject({ state: 'completed', version });
    // The click is audited as refused, and nothing was said below the card.
    expect(
      eventsOf(ctx, requestId)
        .slice(events)
        .map((event) => event.to_state),
    ).toEqual(['refused']);
    expect(cardsInChat(ctx, shota)).toEqual([]);
    expect(ctx.connector.channelPosts()).toEqual([]);
  });

  it('answers an old Cancel on a rejected request the same way, in Japanese for a Japanese requester', async () => {
    await approvalChannelSet(ctx);
    const { requestId } = await inChat(ctx, priya, 'ja-JP').applyWith();
    const reference = storedRequest(ctx, requestId).reference as string;
    const card = channelCard(ctx, reference);
    const list = await inChat(ctx, priya, 'ja-JP').say('自分の申請');
    await inChannel(ctx, isaiah).press(card, Verbs.reviewReject, { rejectReason: 'No call' });
    const answer = await inChat(ctx, priya, 'ja-JP').press(list, Verbs.requestCancel);
    expect(answer.body[0].text).toBe(format(ja.status.title, { reference }));
    expect(textsIn(answer)).toEqual(expect.arrayContaining([ja.status.oldCard, ja.requests.states.rejected]));
    expect(storedRequest(ctx, requestId).state).toBe('rejected');
  });

  it('answers an old question card once the request is closed, and keeps nothing of the late answer', async () => {
    const { requestId, reference, card } = await filedWithList(ctx, diego);
    const asked = await inChannel(ctx, isaiah).press(card, Verbs.reviewAskInfo, {
      question: 'Which office can you visit?',
    });
    expect(asked).toBeDefined();
    const question = cardsInChat(ctx, diego).find((card) => executeActions(card).has(Verbs.infoAnswer));
    expect(question).toBeDefined();
    await inChannel(ctx, isaiah).press(channelCard(ctx, reference), Verbs.reviewReject, { rejectReason: 'Duplicate' });

    ctx.connector.clear();
    const answer = await inChat(ctx, diego).press(question, Verbs.infoAnswer, { answer: 'Tokyo office' });
    expectCurrentState(answer, reference, 'rejected');
    expect(JSON.parse(storedRequest(ctx, requestId).review).questions[0].answer).toBeUndefined();
    expect(cardsInChat(ctx, diego)).toEqual([]);
  });

  it("answers the manager's confirmation card after the requester cancelled with where the request stands", async () => {
    await inChat(ctx, megan).say('help');
    const { requestId, reference, list, managerCards } = await filedWithList(ctx, alex, 'managerConfirmation');
    expect(storedRequest(ctx, requestId).state).toBe('awaiting_manager');
    const confirmation = managerCards.find((card) => executeActions(card).has(Verbs.managerConfirm));
    expect(confirmation).toBeDefined();
    await inChat(ctx, alex).press(list, Verbs.requestCancel);
    expect(storedRequest(ctx, requestId).state).toBe('cancelled');

    for (const verb of [Verbs.managerConfirm, Verbs.managerDecline]) {
      ctx.connector.clear();
      const answer = await inChat(ctx, megan).press(confirmation, verb);
      expect(answer.body[0].text).toBe(format(en.status.title, { reference }));
      expect(textsIn(answer)).toEqual(expect.arrayContaining([en.status.oldCard, en.requests.states.cancelled]));
      expect(executeActions(answer).size).toBe(0);
      expect(storedRequest(ctx, requestId).state).toBe('cancelled');
      expect(cardsInChat(ctx, megan)).toEqual([]);
    }
  });

  it('replaces the clicked card through the Action.Submit fallback too, instead of answering below it', async () => {
    const { requestId, reference, list } = await filedWithList(ctx, alex);
    await inChat(ctx, alex).press(list, Verbs.requestCancel);
    expect(storedRequest(ctx, requestId).state).toBe('cancelled');

    ctx.connector.clear();
    const action = executeActions(list).get(Verbs.requestCancel);
    const response = await ctx.bot.post({
      ...cardSubmit(
        Verbs.requestCancel,
        { serviceUrl: ctx.connector.serviceUrl, from: alex, conversationId: `a:chat-${alex.id}` },
        action.data,
      ),
      replyToId: 'my-requests-message',
    });
    expect(response.status).toBe(200);
    await ctx.bot.service.settle();
    const updates = ctx.connector.updates();
    expect(updates).toHaveLength(1);
    expect(updates[0]).toMatchObject({ conversationId: `a:chat-${alex.id}`, activityId: 'my-requests-message' });
    expectCurrentState(updates[0]!.card, reference, 'cancelled');
    expect(cardsInChat(ctx, alex)).toEqual([]);
  });
});

describe('"Send" pressed again on an application form that was sent (over HTTP)', () => {
  const ctx = useBot({ env: { APPLICATION_DAILY_CAP: '20' } });

  /** Alex's form and a press of its Send button, as Teams sends it: naming the message the form is in. */
  async function formOf(person: Sender, messageId: string) {
    const options = () => ({
      serviceUrl: ctx.connector.serviceUrl,
      from: person,
      conversationId: `a:chat-${person.id}`,
    });
    const form = await inChat(ctx, person).say('reset');
    const submit = form.actions[0];
    expect(submit.verb).toBe(Verbs.applicationSubmit);
    const lost = elementsOf(form).find((element: any) => element.id === 'lostMethods')?.choices[0].value ?? '';
    const inputs = {
      ...submit.data,
      reason: 'lostPhone',
      lostMethods: lost,
      verification: 'videoCall',
      contact: '+65 8123 0000',
      note: '',
    };
    return {
      async send(): Promise<any> {
        const response = await ctx.bot.post({ ...cardAction(submit.verb, options(), inputs), replyToId: messageId });
        expect(response.status).toBe(200);
        await ctx.bot.service.settle();
        return response.body.value;
      },
      async sendBySubmit(): Promise<void> {
        ctx.connector.clear();
        await ctx.bot.post({ ...cardSubmit(submit.verb, options(), inputs), replyToId: messageId });
        await ctx.bot.service.settle();
      },
    };
  }

  it('files once: a second press shows where the request stands, and still does after it was decided', async () => {
    await approvalChannelSet(ctx);
    const form = await formOf(alex, 'form-message-1');
    const confirmation = await form.send();
    expect(confirmation.body[0].text).toMatch(/^Application received: SIH-\d{6}$/);
    const request = stored(ctx).requests.at(-1)!;
    const reference = request.reference as string;
    const events = eventsOf(ctx, request.id).length;

    const again = await form.send();
    expectCurrentState(again, reference, 'pending_review', en.application.alreadySent);
    expect(stored(ctx).requests.filter((row) => row.subject_id === alex.id)).toHaveLength(1);
    // Not a refused second application: nothing was asked of the store but a look.
    expect(eventsOf(ctx, request.id)).toHaveLength(events);

    await inChannel(ctx, isaiah).press(channelCard(ctx, reference), Verbs.reviewReject, { rejectReason: 'Call us' });
    const afterDecision = await form.send();
    expectCurrentState(afterDecision, reference, 'rejected', en.application.alreadySent);
    expect(stored(ctx).requests.filter((row) => row.subject_id === alex.id)).toHaveLength(1);

    // The Action.Submit fallback: the form itself is replaced, nothing is filed.
    await form.sendBySubmit();
    expect(ctx.connector.updates()).toEqual([
      expect.objectContaining({ conversationId: `a:chat-${alex.id}`, activityId: 'form-message-1' }),
    ]);
    expectCurrentState(ctx.connector.updates()[0]!.card, reference, 'rejected', en.application.alreadySent);
    expect(stored(ctx).requests.filter((row) => row.subject_id === alex.id)).toHaveLength(1);
  });

  it('takes a new form after a decision as a new application', async () => {
    const fresh = await formOf(alex, 'form-message-2');
    const confirmation = await fresh.send();
    expect(confirmation.body[0].text).toMatch(/^Application received: SIH-\d{6}$/);
    expect(stored(ctx).requests.filter((row) => row.subject_id === alex.id)).toHaveLength(2);
  });
});
