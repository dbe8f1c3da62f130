import { describe, expect, it } from 'vitest';
import { format, stringsFor } from '../../src/content/strings/index.js';
import type { RequestState } from '../../src/domain/requests/request.js';
import type { Refusal } from '../../src/domain/requests/review-service.js';
import { teamInstall, tenant, type Sender } from '../support/activities.js';
import {
  APPLICATION_NOTE,
  APPROVAL_CHANNEL,
  HeldRolesDirectory,
  Verbs,
  cardsInChat,
  channelCard,
  eventsOf,
  executeActions,
  inChannel,
  inChat,
  people,
  stillAnnouncing,
  stored,
  storedRequest,
  textBlocks,
  textOf,
  textRuns,
  textsIn,
} from '../support/approval-driver.js';
import { objectsOf } from '../support/card-tree.js';
import { MovableClock, execute } from '../support/execution-driver.js';
import { SimulatedDirectory } from '../../src/directory/simulated-directory.js';
import { useBot, type BotUnderTest } from '../support/use-bot.js';

const en = stringsFor('en');
const ja = stringsFor('ja');
const { alex, isaiah, ken, patti, lynne, yuki, megan, diego, shota, priya, weiling, grady } = people;

describe('approval in the helpdesk channel (over HTTP)', () => {
  const ctx = useBot();

  it('posts a request to the approval channel once an administrator sets it, then claim and approve update it for everyone', async () => {
    const requestId = await inChat(ctx, alex).apply();
    // No channel yet: the request waits, and Alex still got his confirmation.
    expect(stored(ctx).posts).toEqual([]);

    await inChannel(ctx, lynne).say('set approval channel');
    const reply = ctx.connector.sentCards().find((card) => card.body[0].text === en.approval.channel.setTitle);
    expect(textOf(reply)).toContain(en.approval.channel.backlog.replace('{count}', '1'));
    const post = ctx.connector.channelPosts().at(-1)!;
    expect(post.channelId).toBe(APPROVAL_CHANNEL);
    const reference = stored(ctx).requests.find((r) => r.id === requestId)!.reference;
    expect(textOf(post.card)).toContain(reference);
    expect(textOf(post.card)).toContain('Alex Wilber');
    expect(stored(ctx).posts).toEqual([
      expect.objectContaining({ request_id: requestId, channel_id: APPROVAL_CHANNEL }),
    ]);
    // Alex was told at filing that it was on its way; now that it waited for the channel, he hears it arrived.
    expect(textsIn(cardsInChat(ctx, alex).at(-1))).toContain(
      format(en.approval.notices.reachedHelpdesk, { reference }),
    );

    const claimed = await inChannel(ctx, isaiah).press(post.card, Verbs.reviewClaim);
    expect(textOf(claimed)).toContain(en.approval.done.claimed);
    const shared = channelCard(ctx, reference);
    expect(textOf(shared)).toContain('Isaiah Langer');
    expect(textOf(shared)).not.toContain(en.approval.done.claimed);
    const { conversation_id: conversationId, message_id: messageId } = stored(ctx).posts[0]!;
    expect(conversationId).toBe(`${APPROVAL_CHANNEL};messageid=${messageId}`);
    expect(ctx.connector.updates().at(-1)).toMatchObject({ conversationId, activityId: messageId });

    const approved = await inChannel(ctx, isaiah).press(shared, Verbs.reviewApprove, {
      verification: 'videoCall',
      verificationNote: 'Checked passport on a video call',
    });
    expect(textOf(approved)).toContain(en.approval.done.approved);
    expect(executeActions(channelCard(ctx, reference)).size).toBe(0);
    const request = stored(ctx).requests.find((r) => r.id === requestId)!;
    expect(request.state).toBe('approved');
    expect(
      stored(ctx)
        .events.filter((e) => e.request_id === requestId)
        .map((e) => [e.actor, e.from_state, e.to_state]),
    ).toEqual([
      [alex.id, null, 'submitted'],
      ['system', 'submitted', 'pending_review'],
      [isaiah.id, 'pending_review', 'pending_review'],
      [isaiah.id, 'pending_review', 'approved'],
    ]);
    // Alex heard about the claim and the approval in his chat.
    const notices = ctx.connector.sentCards().map(textOf);
    expect(notices.some((text) => text.includes(reference) && text.includes('approved'))).toBe(true);
  });
});

/** What a refusal card says, with the state the request is in where the text names it. */
const refusalText = (kind: Refusal, state?: RequestState): string =>
  format(en.approval.refusals[kind], { state: state ? en.requests.states[state] : '' });

/** Makes the demo approval channel the tenant's, once per bot. */
async function approvalChannelSet(ctx: BotUnderTest): Promise<void> {
  if (stored(ctx).channels.length > 0) return;
  const reply = await inChannel(ctx, lynne).say('set approval channel');
  expect(reply.body[0].text).toBe(en.approval.channel.setTitle);
}

/** `filer` applies (for `subject`, default themselves); the request and its card as the channel first shows it. */
async function filedAndPosted(
  ctx: BotUnderTest,
  filer: Sender,
  choices: { subject?: Sender; verification?: string } = {},
): Promise<{ requestId: string; reference: string; card: any }> {
  await approvalChannelSet(ctx);
  const { requestId } = await inChat(ctx, filer).applyWith(choices);
  const reference = storedRequest(ctx, requestId).reference as string;
  const card = channelCard(ctx, reference);
  expect(card, `the card of ${reference} in the channel`).toBeDefined();
  expect(card.actions.find((action: any) => action.verb === Verbs.reviewClaim)?.data.requestId).toBe(requestId);
  return { requestId, reference, card };
}

/**
 * Runs a click that must be refused and checks what every refusal guarantees: the stored request
 * keeps its state, version and review; the clicker's card says why; the shared channel card is
 * neither updated nor posted again; one audit event records the refusal with the clicker as actor.
 * Returns the clicker's card.
 */
async function expectRefused(
  ctx: BotUnderTest,
  expected: { requestId: string; actor: Sender; kind: Refusal; auditedAs?: string; showsCurrentState?: boolean },
  click: () => Promise<any>,
): Promise<any> {
  const before = stored(ctx).requests.find((request) => request.id === expected.requestId);
  const eventCount = stored(ctx).events.length;
  ctx.connector.clear();
  const card = await click();
  if (expected.showsCurrentState) {
    // A button on an old card: where the request stands now, as the clicker may see it, and no button that acts.
    expect(textsIn(card)).toContain(en.status.oldCard);
    expect(textsIn(card)).toContain(en.requests.states[before!.state as RequestState]);
    expect(textOf(card)).toContain(before!.reference);
    // Nothing but withdrawing, which the requester may still do while the request is open.
    expect([...executeActions(card).keys()].filter((verb) => verb !== Verbs.requestCancel)).toEqual([]);
  } else {
    expect(textsIn(card)).toContain(refusalText(expected.kind, before?.state));
  }
  if (before) {
    const after = storedRequest(ctx, expected.requestId);
    expect({ state: after.state, version: after.version, review: after.review }).toEqual({
      state: before.state,
      version: before.version,
      review: before.review,
    });
  }
  expect(ctx.connector.updates()).toEqual([]);
  expect(ctx.connector.channelPosts()).toEqual([]);
  expect(
    stored(ctx)
      .events.slice(eventCount)
      .map((event) => ({
        request: event.request_id,
        actor: event.actor,
        from: event.from_state,
        to: event.to_state,
        reason: event.reason,
      })),
  ).toEqual([
    {
      request: expected.auditedAs ?? expected.requestId,
      actor: expected.actor.id,
      // A card naming no request the service could load is audited without a state.
      from: expected.auditedAs === undefined ? (before?.state ?? null) : null,
      to: 'refused',
      reason: expect.stringMatching(new RegExp(`^refused .+: ${expected.kind}$`)),
    },
  ]);
  return card;
}

const verified = { verification: 'videoCall', verificationNote: 'Photo ID matched on a video call' };

/** The notices a person received in their 1:1 chat whose lines include `line`. */
const noticesWith = (ctx: BotUnderTest, person: Sender, line: string) =>
  cardsInChat(ctx, person).filter((card) => textsIn(card).includes(line));

describe('refusals on the channel card (over HTTP)', () => {
  const ctx = useBot({ env: { APPLICATION_DAILY_CAP: '20' } });

  it('refuses people outside the helpdesk group, leaving the request and the shared card as they were', async () => {
    const { requestId, card } = await filedAndPosted(ctx, alex);
    for (const outsider of [diego, megan]) {
      const answer = await expectRefused(ctx, { requestId, actor: outsider, kind: 'notAgent' }, () =>
        inChannel(ctx, outsider).press(card, Verbs.reviewApprove, verified),
      );
      expect(answer.body[0]).toMatchObject({ type: 'Container', style: 'warning' });
      expect(answer.body[0].items[0].inlines[0].text).toBe(refusalText('notAgent'));
    }
    await expectRefused(ctx, { requestId, actor: diego, kind: 'notAgent' }, () =>
      inChannel(ctx, diego).press(card, Verbs.reviewClaim),
    );
    expect(storedRequest(ctx, requestId).state).toBe('pending_review');
  });

  it('refuses an agent acting on a request for their own account', async () => {
    const { requestId, card } = await filedAndPosted(ctx, ken);
    await expectRefused(ctx, { requestId, actor: ken, kind: 'isSubject' }, () =>
      inChannel(ctx, ken).press(card, Verbs.reviewClaim),
    );
    await expectRefused(ctx, { requestId, actor: ken, kind: 'isSubject' }, () =>
      inChannel(ctx, ken).press(card, Verbs.reviewApprove, verified),
    );
  });

  it('refuses the agent who filed the request for a direct report, and the report, who is an agent too', async () => {
    // Patti leads the helpdesk and manages Isaiah: she files for him, which also counts as his manager's confirmation.
    const { requestId, card } = await filedAndPosted(ctx, patti, { subject: isaiah });
    expect(storedRequest(ctx, requestId).state).toBe('pending_review');
    await expectRefused(ctx, { requestId, actor: patti, kind: 'isFiler' }, () =>
      inChannel(ctx, patti).press(card, Verbs.reviewApprove, verified),
    );
    await expectRefused(ctx, { requestId, actor: isaiah, kind: 'isSubject' }, () =>
      inChannel(ctx, isaiah).press(card, Verbs.reviewApprove, verified),
    );
  });

  it('refuses a card older than the request, showing how the request stands now', async () => {
    const { requestId, reference, card: oldCard } = await filedAndPosted(ctx, shota);
    await inChannel(ctx, isaiah).press(oldCard, Verbs.reviewClaim);
    const claimed = storedRequest(ctx, requestId);
    const answer = await expectRefused(ctx, { requestId, actor: ken, kind: 'staleVersion' }, () =>
      inChannel(ctx, ken).press(oldCard, Verbs.reviewApprove, verified),
    );
    // The refusal redraws the card from the store: Isaiah's claim, and buttons for the version stored now.
    expect(textsIn(answer)).toContain(format(en.review.claimedBy, { name: 'Isaiah Langer' }));
    expect(executeActions(answer).get(Verbs.reviewApprove).data).toMatchObject({ requestId, version: claimed.version });
    expect(textOf(answer)).toContain(reference);
  });

  it('refuses a card replayed after the request was approved', async () => {
    const { requestId, card: oldCard } = await filedAndPosted(ctx, diego);
    await inChannel(ctx, isaiah).press(oldCard, Verbs.reviewApprove, verified);
    expect(storedRequest(ctx, requestId).state).toBe('approved');
    await expectRefused(ctx, { requestId, actor: isaiah, kind: 'wrongState' }, () =>
      inChannel(ctx, isaiah).press(oldCard, Verbs.reviewApprove, verified),
    );
    await expectRefused(ctx, { requestId, actor: ken, kind: 'wrongState' }, () =>
      inChannel(ctx, ken).press(oldCard, Verbs.reviewReject, { rejectReason: 'Too late' }),
    );
    expect(eventsOf(ctx, requestId).filter((event) => event.to_state === 'approved')).toHaveLength(1);
  });

  it('refuses a request id that does not exist, auditing the id it was given', async () => {
    const madeUp = '00000000-0000-4000-8000-00000000beef';
    const answer = await expectRefused(
      ctx,
      { requestId: madeUp, actor: isaiah, kind: 'unknownRequest' },
      async () =>
        (await inChannel(ctx, isaiah).invoke(Verbs.reviewApprove, { requestId: madeUp, version: 1, ...verified })).body
          .value,
    );
    expect(answer.body[0].text).toBe(en.approval.refusedTitle);
  });

  it('refuses tampered card data: a version that is not a number, a request id that is not a string', async () => {
    const { requestId, card } = await filedAndPosted(ctx, weiling);
    const version = storedRequest(ctx, requestId).version as number;
    // Refused at the edge, before the request is read: audited under the id the card named, without a state.
    await expectRefused(ctx, { requestId, actor: isaiah, kind: 'tamperedCard', auditedAs: requestId }, () =>
      inChannel(ctx, isaiah).press(card, Verbs.reviewApprove, verified, { version: String(version) }),
    );
    await expectRefused(ctx, { requestId, actor: isaiah, kind: 'tamperedCard', auditedAs: requestId }, () =>
      inChannel(ctx, isaiah).press(card, Verbs.reviewClaim, {}, { version: version + 0.5 }),
    );
    const answer = await expectRefused(
      ctx,
      { requestId, actor: isaiah, kind: 'tamperedCard', auditedAs: '[object Object]' },
      () => inChannel(ctx, isaiah).press(card, Verbs.reviewApprove, verified, { requestId: { $ne: null } }),
    );
    expect(answer.body[0].text).toBe(en.approval.refusedTitle);
  });

  it('runs the same checks on the Action.Submit fallback: a non-member is refused, an agent approves', async () => {
    const { requestId, reference, card } = await filedAndPosted(ctx, priya);
    const refused = await expectRefused(ctx, { requestId, actor: diego, kind: 'notAgent' }, () =>
      inChannel(ctx, diego).submit(card, Verbs.reviewApprove, verified),
    );
    expect(textOf(refused)).toContain(reference);

    const approved = await inChannel(ctx, isaiah).submit(card, Verbs.reviewApprove, verified);
    expect(textsIn(approved)).toContain(en.approval.done.approved);
    expect(storedRequest(ctx, requestId).state).toBe('approved');
    expect(eventsOf(ctx, requestId).at(-1)).toMatchObject({
      actor: isaiah.id,
      from_state: 'pending_review',
      to_state: 'approved',
    });
    expect(executeActions(channelCard(ctx, reference)).size).toBe(0);
  });

  it('shows user text on the channel card literally: in TextRuns, never in markdown TextBlocks', async () => {
    const { card } = await filedAndPosted(ctx, grady);
    expect(textRuns(card)).toContain(APPLICATION_NOTE);
    expect(textBlocks(card).filter((text) => text.includes('evil.example') || text.includes('${'))).toEqual([]);
    // The link and the template expression appear once, in that TextRun, unexpanded.
    expect(textOf(card).split('](https://evil.example)')).toHaveLength(2);
    expect(textOf(card).split('${subject.name}')).toHaveLength(2);
  });
});

describe('two approvals of the same card at the same moment (over HTTP)', () => {
  const directory = new HeldRolesDirectory();
  // Every click asks the directory itself, so that both can be held at the same point.
  const ctx = useBot({ env: { DIRECTORY_CACHE_SECONDS: '0' }, overrides: { directory } });

  it('lets exactly one through, as on two bot instances: one transition, one audit event, the other refused', async () => {
    const { requestId, card } = await filedAndPosted(ctx, alex);
    const before = storedRequest(ctx, requestId);
    // Both clicks pass every check on the same version before either writes; the store decides.
    directory.holdRoleLookups(2);
    const answers = await Promise.all([
      inChannel(ctx, isaiah, 'en-US', 'instance-a').click(card, Verbs.reviewApprove, verified),
      inChannel(ctx, ken, 'en-US', 'instance-b').click(card, Verbs.reviewApprove, verified),
    ]);
    await ctx.bot.service.settle();
    const texts = answers.map((answer) => textsIn(answer.body.value));
    const winner = texts.findIndex((lines) => lines.includes(en.approval.done.approved));
    expect(winner).toBeGreaterThanOrEqual(0);
    expect(texts[1 - winner]).toContain(refusalText('staleVersion'));
    const [winnerId, loserId] = winner === 0 ? [isaiah.id, ken.id] : [ken.id, isaiah.id];

    const after = storedRequest(ctx, requestId);
    expect(after.state).toBe('approved');
    expect(after.version).toBe(before.version + 1);
    expect(JSON.parse(after.review).approvals.map((approval: any) => approval.agentId)).toEqual([winnerId]);
    const events = eventsOf(ctx, requestId).slice(-2);
    expect(events.map((event) => [event.actor, event.from_state, event.to_state])).toEqual(
      expect.arrayContaining([
        [winnerId, 'pending_review', 'approved'],
        [loserId, 'approved', 'refused'],
      ]),
    );
    expect(eventsOf(ctx, requestId).filter((event) => event.to_state === 'approved')).toHaveLength(1);
  });

  it('answers a double click in one thread once: approved, then refused as already approved', async () => {
    const { requestId, card } = await filedAndPosted(ctx, diego);
    const isaiahInThread = inChannel(ctx, isaiah);
    const answers = await Promise.all([
      isaiahInThread.click(card, Verbs.reviewApprove, verified),
      isaiahInThread.click(card, Verbs.reviewApprove, verified),
    ]);
    await ctx.bot.service.settle();
    expect(answers.map((answer) => answer.status)).toEqual([200, 200]);
    const texts = answers.map((answer) => textsIn(answer.body.value));
    expect(texts.filter((lines) => lines.includes(en.approval.done.approved))).toHaveLength(1);
    expect(texts.filter((lines) => lines.includes(refusalText('wrongState', 'approved')))).toHaveLength(1);
    expect(storedRequest(ctx, requestId).state).toBe('approved');
    expect(eventsOf(ctx, requestId).map((event) => [event.actor, event.from_state, event.to_state])).toEqual([
      [diego.id, null, 'submitted'],
      ['system', 'submitted', 'pending_review'],
      [isaiah.id, 'pending_review', 'approved'],
      [isaiah.id, 'approved', 'refused'],
    ]);
  });
});

describe('privileged subjects under the two-approver policy (over HTTP)', () => {
  const ctx = useBot();

  it('needs two different agents: the first approval is recorded, the same agent again is refused, a second agent approves', async () => {
    const { requestId, reference, card } = await filedAndPosted(ctx, lynne);
    expect(textsIn(card)).toContain(en.review.notVerified);
    expect(textsIn(card)).toContain(
      `• ${format(en.review.risks.privilegedRole, { roles: 'Privileged Authentication Administrator' })}`,
    );

    const first = await inChannel(ctx, isaiah).press(card, Verbs.reviewApprove, verified);
    expect(textsIn(first)).toContain(en.approval.done.approvalRecorded);
    expect(storedRequest(ctx, requestId).state).toBe('pending_review');
    const shared = channelCard(ctx, reference);
    expect(textsIn(shared)).toContain(format(en.review.approvalsProgress, { count: '1', needed: '2' }));
    expect(executeActions(shared).has(Verbs.reviewApprove)).toBe(true);
    expect(noticesWith(ctx, lynne, format(en.approval.notices.approvalRecorded, { reference }))).toHaveLength(1);

    await expectRefused(ctx, { requestId, actor: isaiah, kind: 'alreadyApprovedByYou' }, () =>
      inChannel(ctx, isaiah).press(shared, Verbs.reviewApprove, verified),
    );

    const second = await inChannel(ctx, ken).press(shared, Verbs.reviewApprove, {
      verification: 'inPerson',
      verificationNote: 'Staff card checked at the Tokyo office',
    });
    expect(textsIn(second)).toContain(en.approval.done.approved);
    expect(storedRequest(ctx, requestId).state).toBe('approved');
    expect(
      eventsOf(ctx, requestId)
        .filter((event) => event.to_state !== 'refused')
        .map((event) => [event.actor, event.from_state, event.to_state]),
    ).toEqual([
      [lynne.id, null, 'submitted'],
      ['system', 'submitted', 'pending_review'],
      [isaiah.id, 'pending_review', 'pending_review'],
      [ken.id, 'pending_review', 'approved'],
    ]);
  });
});

describe('privileged subjects under the manual policy (over HTTP)', () => {
  const ctx = useBot({ env: { PRIVILEGED_APPROVAL: 'manual' } });

  it('offers no approve action and refuses a forged approval for manual handling', async () => {
    const { requestId, card } = await filedAndPosted(ctx, lynne);
    expect(textsIn(card)).toContain(en.review.manualOnly);
    expect(executeActions(card).has(Verbs.reviewApprove)).toBe(false);
    expect(executeActions(card).has(Verbs.reviewClaim)).toBe(true);
    const version = storedRequest(ctx, requestId).version as number;
    await expectRefused(ctx, { requestId, actor: isaiah, kind: 'manualOnly' }, async () => {
      const response = await inChannel(ctx, isaiah).invoke(Verbs.reviewApprove, { requestId, version, ...verified });
      return response.body.value;
    });
  });
});

describe('asking for information, rejecting and cancelling (over HTTP)', () => {
  const ctx = useBot({ env: { APPLICATION_DAILY_CAP: '20' } });

  it('brings an agent question to the requester, whose answer appears on the channel card', async () => {
    const { requestId, reference, card } = await filedAndPosted(ctx, alex);
    const question = 'Which office could you visit this week?';
    const asked = await inChannel(ctx, isaiah).press(card, Verbs.reviewAskInfo, { question });
    expect(textsIn(asked)).toContain(en.approval.done.questionAsked);
    expect(textRuns(channelCard(ctx, reference))).toEqual(expect.arrayContaining([question, en.review.noAnswerYet]));

    const infoCard = cardsInChat(ctx, alex).find((sent) => executeActions(sent).has(Verbs.infoAnswer))!;
    expect(infoCard).toBeDefined();
    expect(textRuns(infoCard)).toEqual(expect.arrayContaining([format(en.review.info.intro, { reference }), question]));

    // An empty answer: the same card again, with the problem under the input and nothing stored.
    const versionBefore = storedRequest(ctx, requestId).version;
    const empty = await inChat(ctx, alex).press(infoCard, Verbs.infoAnswer, { answer: '   ' });
    expect(executeActions(empty).has(Verbs.infoAnswer)).toBe(true);
    expect(textsIn(empty)).toContain(en.review.info.problems.required);
    expect(storedRequest(ctx, requestId).version).toBe(versionBefore);

    await expectRefused(ctx, { requestId, actor: diego, kind: 'notRequester' }, () =>
      inChat(ctx, diego).press(infoCard, Verbs.infoAnswer, { answer: 'Not my request' }),
    );

    const answer = 'Singapore office on Thursday. [link](https://evil.example)';
    const answered = await inChat(ctx, alex).press(infoCard, Verbs.infoAnswer, { answer });
    expect(executeActions(answered).size).toBe(0);
    expect(textRuns(answered)).toContain(answer);
    expect(textRuns(channelCard(ctx, reference))).toContain(format(en.review.answerLine, { answer }));
    expect(JSON.parse(storedRequest(ctx, requestId).review).questions).toEqual([
      expect.objectContaining({ number: 1, askedBy: isaiah.id, text: question, answer }),
    ]);

    await expectRefused(ctx, { requestId, actor: alex, kind: 'alreadyAnswered', showsCurrentState: true }, () =>
      inChat(ctx, alex).press(infoCard, Verbs.infoAnswer, { answer: 'Once more' }),
    );
  });

  it('rejects with a reason that the requester reads verbatim; an empty reason is asked for again', async () => {
    const { requestId, reference, card } = await filedAndPosted(ctx, diego);
    const eventCount = eventsOf(ctx, requestId).length;
    ctx.connector.clear();
    const empty = await inChannel(ctx, isaiah).press(card, Verbs.reviewReject, { rejectReason: ' ' });
    expect(textsIn(empty)).toContain(en.approval.fillIn);
    expect(storedRequest(ctx, requestId).state).toBe('pending_review');
    expect(eventsOf(ctx, requestId)).toHaveLength(eventCount);
    expect(ctx.connector.updates()).toEqual([]);

    const reason = 'We could not reach you on +65 8123 0000. [Apply again](https://evil.example) ${reason}';
    const rejected = await inChannel(ctx, isaiah).press(card, Verbs.reviewReject, { rejectReason: reason });
    expect(textsIn(rejected)).toContain(en.approval.done.rejected);
    expect(storedRequest(ctx, requestId).state).toBe('rejected');
    const shared = channelCard(ctx, reference);
    expect(textRuns(shared)).toContain(format(en.review.rejectionReason, { reason }));
    expect(executeActions(shared).size).toBe(0);
    const told = noticesWith(ctx, diego, format(en.approval.notices.rejected, { reference, reason }));
    expect(told).toHaveLength(1);
    expect(textRuns(told[0])).toContain(`Request ${reference} was rejected. The reason given: ${reason}`);
  });

  it('lets the requester cancel from My requests; again, or by someone else, is refused', async () => {
    const { requestId, reference } = await filedAndPosted(ctx, shota);
    const list = await inChat(ctx, shota).say('my requests');
    const cancel = executeActions(list).get(Verbs.requestCancel);
    expect(cancel.data).toMatchObject({ requestId });

    await expectRefused(ctx, { requestId, actor: diego, kind: 'notRequester' }, () =>
      inChat(ctx, diego).press(list, Verbs.requestCancel),
    );

    ctx.connector.clear();
    const cancelled = await inChat(ctx, shota).press(list, Verbs.requestCancel);
    expect(textsIn(cancelled)).toContain(format(en.approval.notices.cancelled, { reference }));
    expect(storedRequest(ctx, requestId).state).toBe('cancelled');
    expect(eventsOf(ctx, requestId).at(-1)).toMatchObject({
      actor: shota.id,
      from_state: 'pending_review',
      to_state: 'cancelled',
    });
    expect(ctx.connector.updates()).toHaveLength(1);
    const shared = channelCard(ctx, reference);
    expect(textOf(shared)).toContain(en.review.states.cancelled);
    expect(executeActions(shared).size).toBe(0);

    await expectRefused(ctx, { requestId, actor: shota, kind: 'wrongState', showsCurrentState: true }, () =>
      inChat(ctx, shota).press(list, Verbs.requestCancel),
    );
  });
});

describe("the subject's manager confirms first, by default when it is asked for (over HTTP)", () => {
  const ctx = useBot();

  it('waits for the manager, refuses approval until then and anyone else answering, then goes to review', async () => {
    await inChat(ctx, megan).say('help');
    const { requestId, reference, card } = await filedAndPosted(ctx, alex, { verification: 'managerConfirmation' });
    expect(storedRequest(ctx, requestId).state).toBe('awaiting_manager');
    expect(textsIn(card)).toContain(format(en.review.managerStatus.waiting, { name: 'Megan Bowen' }));
    expect(executeActions(card).has(Verbs.reviewApprove)).toBe(false);
    expect(
      noticesWith(ctx, alex, format(en.approval.notices.managerAsked, { reference, manager: 'Megan Bowen' })),
    ).toHaveLength(1);
    const confirmation = cardsInChat(ctx, megan).find((sent) => textOf(sent).includes(reference))!;
    expect(confirmation.body[0].text).toBe(en.review.manager.title);
    expect(executeActions(confirmation).get(Verbs.managerConfirm).data).toMatchObject({ requestId });

    const version = storedRequest(ctx, requestId).version as number;
    await expectRefused(ctx, { requestId, actor: isaiah, kind: 'awaitingManager' }, async () => {
      const response = await inChannel(ctx, isaiah).invoke(Verbs.reviewApprove, { requestId, version, ...verified });
      return response.body.value;
    });
    await expectRefused(ctx, { requestId, actor: diego, kind: 'notManager' }, () =>
      inChat(ctx, diego).press(confirmation, Verbs.managerConfirm),
    );

    const answered = await inChat(ctx, megan).press(confirmation, Verbs.managerConfirm, {
      managerNote: 'He told me this morning.',
    });
    expect(textsIn(answered)).toContain(en.review.manager.confirmed);
    expect(executeActions(answered).size).toBe(0);
    expect(storedRequest(ctx, requestId).state).toBe('pending_review');
    const shared = channelCard(ctx, reference);
    expect(textsIn(shared)).toContain(format(en.review.managerStatus.confirmed, { name: 'Megan Bowen' }));
    expect(textsIn(shared)).toContain(format(en.review.managerNote, { note: 'He told me this morning.' }));
    expect(executeActions(shared).has(Verbs.reviewApprove)).toBe(true);
    expect(
      noticesWith(ctx, alex, format(en.approval.notices.managerConfirmed, { reference, manager: 'Megan Bowen' })),
    ).toHaveLength(1);

    await expectRefused(ctx, { requestId, actor: megan, kind: 'alreadyAnswered', showsCurrentState: true }, () =>
      inChat(ctx, megan).press(confirmation, Verbs.managerConfirm),
    );
  });

  it('ends the request when the manager declines, and tells the requester', async () => {
    await inChat(ctx, megan).say('help');
    const { requestId, reference } = await filedAndPosted(ctx, shota, { verification: 'managerConfirmation' });
    const confirmation = cardsInChat(ctx, megan).find((sent) => textOf(sent).includes(reference))!;
    expect(confirmation).toBeDefined();
    const answered = await inChat(ctx, megan).press(confirmation, Verbs.managerDecline, {
      managerNote: 'I did not expect this.',
    });
    expect(textsIn(answered)).toContain(en.review.manager.declined);
    expect(storedRequest(ctx, requestId).state).toBe('rejected');
    expect(eventsOf(ctx, requestId).at(-1)).toMatchObject({
      actor: megan.id,
      from_state: 'awaiting_manager',
      to_state: 'rejected',
    });
    const shared = channelCard(ctx, reference);
    expect(textsIn(shared)).toContain(format(en.review.managerStatus.declined, { name: 'Megan Bowen' }));
    expect(executeActions(shared).size).toBe(0);
    // The manager's answer decided it: the signals seen then are kept, and the card says so.
    expect(JSON.parse(storedRequest(ctx, requestId).review).risksAtDecision).toEqual(expect.any(Array));
    expect(textsIn(shared)).toContain(en.review.risksHeadingAtDecision);
    expect(noticesWith(ctx, shota, format(en.approval.notices.managerDeclined, { reference }))).toHaveLength(1);
  });

  it('counts a request the manager filed for a direct report as confirmed, straight to review', async () => {
    const { requestId, card } = await filedAndPosted(ctx, megan, { subject: yuki });
    const request = storedRequest(ctx, requestId);
    expect(request.state).toBe('pending_review');
    expect(JSON.parse(request.review).manager).toMatchObject({ managerId: megan.id, status: 'confirmed' });
    expect(eventsOf(ctx, requestId).map((event) => [event.actor, event.from_state, event.to_state])).toEqual([
      [megan.id, null, 'submitted'],
      ['system', 'submitted', 'pending_review'],
    ]);
    expect(textsIn(card)).toEqual(
      expect.arrayContaining([
        format(en.review.managerStatus.confirmed, { name: 'Megan Bowen' }),
        `• ${en.review.risks.filedOnBehalf}`,
      ]),
    );
    expect(executeActions(card).has(Verbs.reviewApprove)).toBe(true);
    expect(cardsInChat(ctx, megan).filter((sent) => executeActions(sent).has(Verbs.managerConfirm))).toEqual([]);
  });
});

describe('manager confirmation for every request (MANAGER_CONFIRMATION=always, over HTTP)', () => {
  const ctx = useBot({ env: { MANAGER_CONFIRMATION: 'always' } });

  it("sends even a self-filed video-call request to the subject's manager first", async () => {
    await inChat(ctx, megan).say('help');
    const { requestId, reference } = await filedAndPosted(ctx, alex, { verification: 'videoCall' });
    expect(storedRequest(ctx, requestId).state).toBe('awaiting_manager');
    const confirmation = cardsInChat(ctx, megan).find((sent) => textOf(sent).includes(reference));
    expect(executeActions(confirmation).has(Verbs.managerConfirm)).toBe(true);
  });
});

describe('expiry of requests nobody acted on (over HTTP)', () => {
  const DAY_MS = 86_400_000;
  let current = new Date();
  const ctx = useBot({
    env: { REQUEST_EXPIRY_DAYS: '2', APPLICATION_DAILY_CAP: '20' },
    overrides: { clock: { now: () => current } },
  });

  it('expires a request untouched for longer than REQUEST_EXPIRY_DAYS and tells the requester; approved and recently touched ones stay', async () => {
    const start = current;
    const untouched = await filedAndPosted(ctx, alex);
    const approved = await filedAndPosted(ctx, diego);
    const touched = await filedAndPosted(ctx, shota);
    await inChannel(ctx, isaiah).press(approved.card, Verbs.reviewApprove, verified);

    current = new Date(start.getTime() + 1 * DAY_MS);
    await ctx.bot.service.runJobs();
    await ctx.bot.service.settle();
    expect(storedRequest(ctx, untouched.requestId).state).toBe('pending_review');

    current = new Date(start.getTime() + 2 * DAY_MS);
    await inChannel(ctx, isaiah).press(touched.card, Verbs.reviewClaim);

    current = new Date(start.getTime() + 3 * DAY_MS);
    ctx.connector.clear();
    await ctx.bot.service.runJobs();
    await ctx.bot.service.settle();

    expect(storedRequest(ctx, untouched.requestId).state).toBe('expired');
    expect(eventsOf(ctx, untouched.requestId).at(-1)).toMatchObject({
      actor: 'system',
      from_state: 'pending_review',
      to_state: 'expired',
    });
    const expiredNotice = format(en.approval.notices.expired, { reference: untouched.reference, days: '2' });
    expect(textsIn(cardsInChat(ctx, alex).at(-1))).toContain(expiredNotice);
    const shared = channelCard(ctx, untouched.reference);
    expect(textOf(shared)).toContain(en.review.states.expired);
    expect(executeActions(shared).size).toBe(0);

    expect(storedRequest(ctx, approved.requestId).state).toBe('approved');
    expect(storedRequest(ctx, touched.requestId).state).toBe('pending_review');
    expect(cardsInChat(ctx, diego)).toEqual([]);
    expect(cardsInChat(ctx, shota)).toEqual([]);
  });
});

describe('an approval channel preconfigured with APPROVAL_TEAM_ID and APPROVAL_CHANNEL_ID (over HTTP)', () => {
  const ctx = useBot({
    env: { APPROVAL_TEAM_ID: tenant.team.id, APPROVAL_CHANNEL_ID: tenant.team.approvalChannel.id },
  });

  it('posts a request there without anyone running the command, and updates it there', async () => {
    const requestId = await inChat(ctx, alex).apply();
    const reference = storedRequest(ctx, requestId).reference;
    expect(stored(ctx).channels).toEqual([]);
    const posts = ctx.connector.channelPosts();
    expect(posts).toHaveLength(1);
    expect(posts[0]!.channelId).toBe(APPROVAL_CHANNEL);
    expect(textOf(posts[0]!.card)).toContain(reference);
    expect(stored(ctx).posts).toEqual([
      expect.objectContaining({ request_id: requestId, channel_id: APPROVAL_CHANNEL }),
    ]);

    await inChannel(ctx, isaiah).press(posts[0]!.card, Verbs.reviewClaim);
    expect(textsIn(channelCard(ctx, reference))).toContain(format(en.review.claimedBy, { name: 'Isaiah Langer' }));
  });
});

/** Another channel of the helpdesk team, and a group chat: places where nobody decides requests. */
const ELSEWHERE = {
  otherChannel: {
    conversation: { id: '19:general-chatter@thread.tacv2;messageid=7', conversationType: 'channel', isGroup: true },
    channelData: {
      team: { id: tenant.team.id, name: tenant.team.name },
      channel: { id: '19:general-chatter@thread.tacv2' },
    },
  },
  groupChat: {
    conversation: { id: '19:group-of-three@thread.v2', conversationType: 'groupChat', isGroup: true },
    channelData: {},
  },
} as const;

/** A press of a channel card's button, with the card's own data, sent from `where`; the invoke's card. */
async function pressFrom(
  ctx: BotUnderTest,
  where: keyof typeof ELSEWHERE,
  from: Sender,
  card: any,
  verb: string,
  inputs: Record<string, unknown> = {},
): Promise<any> {
  const data = { ...executeActions(card).get(verb).data, ...inputs };
  const response = await ctx.bot.post({
    type: 'invoke',
    name: 'adaptiveCard/action',
    id: `${Date.now()}${Math.random()}`,
    timestamp: new Date().toISOString(),
    channelId: 'msteams',
    serviceUrl: ctx.connector.serviceUrl,
    locale: 'en-US',
    from: { id: `29:${from.id}`, name: from.displayName, aadObjectId: from.id },
    recipient: { id: `28:${tenant.bot.id}`, name: tenant.bot.name },
    conversation: { ...ELSEWHERE[where].conversation, tenantId: tenant.tenant.id },
    channelData: { ...ELSEWHERE[where].channelData, tenant: { id: tenant.tenant.id } },
    value: { action: { type: 'Action.Execute', verb, data }, trigger: 'manual' },
  });
  expect(response.status).toBe(200);
  await ctx.bot.service.settle();
  return response.body?.value;
}

/** How the audit trail names the action of each agent button. */
const AUDITED_AS: Record<string, string> = {
  [Verbs.reviewClaim]: 'claim',
  [Verbs.reviewRelease]: 'release',
  [Verbs.reviewHandOver]: 'hand over',
  [Verbs.reviewAskInfo]: 'ask for information',
  [Verbs.reviewApprove]: 'approve',
  [Verbs.reviewReject]: 'reject',
  [Verbs.reviewRetry]: 'retry',
};

/** What every agent button of a card needs to pass its own checks, so that only where it was pressed can stop it. */
const everyInput = { ...verified, rejectReason: 'No call possible', question: 'Which phone?', handOverTo: ken.id };

describe("the agents' buttons anywhere but the approval channel (over HTTP)", () => {
  const ctx = useBot({ env: { APPLICATION_DAILY_CAP: '20' } });

  it("refuses each agent action sent from an agent's 1:1 chat, audits it, and shows nothing of the request", async () => {
    const { requestId, reference, card } = await filedAndPosted(ctx, alex);
    const verbs = [...executeActions(card).keys()].filter((verb) => verb.startsWith('review.'));
    expect(verbs).toEqual(
      expect.arrayContaining([Verbs.reviewClaim, Verbs.reviewAskInfo, Verbs.reviewApprove, Verbs.reviewReject]),
    );
    for (const verb of verbs) {
      const answer = await expectRefused(ctx, { requestId, actor: isaiah, kind: 'notApprovalChannel' }, () =>
        inChat(ctx, isaiah).press(card, verb, everyInput),
      );
      expect(answer.body[0]).toMatchObject({ type: 'TextBlock', text: en.approval.refusedTitle, color: 'Attention' });
      expect(textOf(answer)).not.toContain(reference);
      expect(textOf(answer)).not.toContain('Alex Wilber');
      expect(executeActions(answer).size).toBe(0);
    }
    // Each refusal names the action, as the audit trail names agents' actions.
    expect(
      stored(ctx)
        .events.filter((event) => event.reason.endsWith(': notApprovalChannel'))
        .map((event) => event.reason),
    ).toEqual(verbs.map((verb) => `refused ${AUDITED_AS[verb]}: notApprovalChannel`));

    // The same button, pressed on the card in the approval channel, does what it says.
    const approved = await inChannel(ctx, isaiah).press(card, Verbs.reviewApprove, verified);
    expect(textOf(approved)).toContain(en.approval.done.approved);
    expect(storedRequest(ctx, requestId).state).toBe('approved');
  });

  it('refuses them from another channel of the team, from a group chat and through the Action.Submit fallback', async () => {
    const { requestId, card } = await filedAndPosted(ctx, diego);
    await expectRefused(ctx, { requestId, actor: isaiah, kind: 'notApprovalChannel' }, () =>
      pressFrom(ctx, 'otherChannel', isaiah, card, Verbs.reviewApprove, verified),
    );
    await expectRefused(ctx, { requestId, actor: isaiah, kind: 'notApprovalChannel' }, () =>
      pressFrom(ctx, 'groupChat', isaiah, card, Verbs.reviewClaim),
    );
    await expectRefused(ctx, { requestId, actor: isaiah, kind: 'notApprovalChannel' }, () =>
      inChat(ctx, isaiah).submit(card, Verbs.reviewApprove, verified),
    );
    expect(storedRequest(ctx, requestId).state).toBe('pending_review');
  });

  it('answers in the language of the person who pressed', async () => {
    const { requestId, card } = await filedAndPosted(ctx, shota);
    const before = storedRequest(ctx, requestId);
    const answer = await inChat(ctx, ken, 'ja-JP').press(card, Verbs.reviewClaim);
    expect(textsIn(answer)).toEqual([ja.approval.refusedTitle, ja.approval.refusals.notApprovalChannel]);
    expect(storedRequest(ctx, requestId)).toEqual(before);
    expect(stored(ctx).events.at(-1)).toMatchObject({
      request_id: requestId,
      actor: ken.id,
      reason: 'refused claim: notApprovalChannel',
    });
  });

  it('audits a card naming no request of the tenant under the id it named, and refuses it the same way', async () => {
    await approvalChannelSet(ctx);
    const eventCount = stored(ctx).events.length;
    const answer = await inChat(ctx, isaiah).press(
      {
        actions: [
          { type: 'Action.Execute', verb: Verbs.reviewApprove, data: { requestId: 'no-such-request', version: 2 } },
        ],
      },
      Verbs.reviewApprove,
      verified,
    );
    expect(textsIn(answer)).toContain(en.approval.refusals.notApprovalChannel);
    expect(stored(ctx).events.slice(eventCount)).toEqual([
      expect.objectContaining({
        request_id: 'no-such-request',
        actor: isaiah.id,
        from_state: null,
        to_state: 'refused',
        reason: 'refused approve: notApprovalChannel',
      }),
    ]);
  });
});

describe('an approval channel moved with `set approval channel` (over HTTP)', () => {
  const ctx = useBot({
    env: { APPROVAL_TEAM_ID: tenant.team.id, APPROVAL_CHANNEL_ID: '19:general-chatter@thread.tacv2' },
  });

  it('takes agent actions from the configured channel until another is set, then only from the one set', async () => {
    const requestId = await inChat(ctx, alex).apply();
    const reference = storedRequest(ctx, requestId).reference as string;
    expect(ctx.connector.channelPosts().at(-1)!.channelId).toBe('19:general-chatter@thread.tacv2');
    const claimed = await pressFrom(ctx, 'otherChannel', isaiah, channelCard(ctx, reference), Verbs.reviewClaim);
    expect(textOf(claimed)).toContain(en.approval.done.claimed);
    const old = channelCard(ctx, reference);

    // The request is posted again in the channel set now; its card in the old one no longer acts.
    await approvalChannelSet(ctx);
    expect(ctx.connector.channelPosts().at(-1)!.channelId).toBe(APPROVAL_CHANNEL);
    const moved = channelCard(ctx, reference);
    await expectRefused(ctx, { requestId, actor: isaiah, kind: 'notApprovalChannel' }, () =>
      pressFrom(ctx, 'otherChannel', isaiah, old, Verbs.reviewRelease),
    );
    const released = await inChannel(ctx, isaiah).press(moved, Verbs.reviewRelease);
    expect(textOf(released)).toContain(en.approval.done.released);
  });
});

describe('choosing the approval channel (over HTTP)', () => {
  const ctx = useBot();

  it('refuses someone outside the admin group and audits it', async () => {
    const reply = await inChannel(ctx, isaiah).say('set approval channel');
    expect(reply.body[0].text).toBe(en.approval.channel.notAdminTitle);
    expect(textsIn(reply)).toContain(en.approval.channel.notAdminBody);
    expect(stored(ctx).channels).toEqual([]);
    expect(stored(ctx).events.at(-1)).toMatchObject({
      request_id: '-',
      actor: isaiah.id,
      from_state: null,
      to_state: 'refused',
      reason: `refused set approval channel ${APPROVAL_CHANNEL}: notAdmin`,
    });
  });

  it('refuses the command in a 1:1 chat, even from an administrator', async () => {
    const reply = await inChat(ctx, lynne).say('set approval channel');
    expect(reply.body[0].text).toBe(en.approval.channel.notInChannelTitle);
    expect(stored(ctx).channels).toEqual([]);
  });

  it('takes the Japanese command, and the channel then gets its cards in Japanese', async () => {
    const reply = await inChannel(ctx, lynne, 'ja-JP').say('承認チャネルに設定');
    expect(reply.body[0].text).toBe(ja.approval.channel.setTitle);
    expect(stored(ctx).channels).toEqual([
      expect.objectContaining({
        channel_id: APPROVAL_CHANNEL,
        team_id: tenant.team.id,
        locale: 'ja',
        set_by: lynne.id,
      }),
    ]);
    const requestId = await inChat(ctx, alex).apply();
    const reference = storedRequest(ctx, requestId).reference;
    const card = channelCard(ctx, reference);
    expect(card.body.find((element: any) => element.type === 'TextBlock').text).toBe(
      format(ja.review.title, { reference }),
    );
    expect(executeActions(card).get(Verbs.reviewClaim).title).toBe(ja.review.actions.claim);
  });
});

describe('answering a click while the Bot Connector is slow (over HTTP)', () => {
  const ctx = useBot();

  it('answers the invoke first and updates the channel card after', async () => {
    const { reference, card } = await filedAndPosted(ctx, alex);
    ctx.connector.clear();
    const order: string[] = [];
    ctx.connector.latencyMs = 3_000;
    try {
      const answer = await inChannel(ctx, isaiah).click(card, Verbs.reviewClaim);
      order.push('invoke answered');
      expect(answer.status).toBe(200);
      expect(textsIn(answer.body.value)).toContain(en.approval.done.claimed);
      // The shared card's update and Alex's notice (sent side by side) were still on their way when the click was
      // answered.
      expect(await stillAnnouncing(ctx)).toBe(true);
      ctx.connector.latencyMs = 0;
      await ctx.bot.service.settle();
      order.push('channel card updated');
    } finally {
      ctx.connector.latencyMs = 0;
    }
    expect(order).toEqual(['invoke answered', 'channel card updated']);
    expect(await stillAnnouncing(ctx)).toBe(false);
    expect(ctx.connector.updates()).toHaveLength(1);
    expect(textsIn(channelCard(ctx, reference))).toContain(format(en.review.claimedBy, { name: 'Isaiah Langer' }));
  });
});
describe('requests wait while the bot is not in the helpdesk team (over HTTP)', () => {
  const ctx = useBot();

  it('keeps new requests and confirms them, then posts them all once the bot is added to the team again', async () => {
    await approvalChannelSet(ctx);
    ctx.connector.clear();
    const first = await inChat(ctx, alex).applyWith({
      beforeSubmit: () =>
        ctx.connector.failNext(403, 'BotNotInConversationRoster', 'The bot is not part of the conversation roster.'),
    });
    const firstReference = storedRequest(ctx, first.requestId).reference;
    expect(first.confirmation.body[0].text).toBe(
      format(en.application.confirmationTitle, { reference: firstReference }),
    );
    expect(storedRequest(ctx, first.requestId).state).toBe('pending_review');
    expect(ctx.connector.channelPosts()).toHaveLength(1);
    expect(stored(ctx).posts).toEqual([]);
    expect(stored(ctx).channels[0]!.unavailable_since).toEqual(expect.any(String));

    const second = await inChat(ctx, diego).applyWith();
    const secondReference = storedRequest(ctx, second.requestId).reference;
    expect(second.confirmation.body[0].text).toBe(
      format(en.application.confirmationTitle, { reference: secondReference }),
    );
    expect(ctx.connector.channelPosts()).toEqual([]);

    ctx.connector.clear();
    const added = await ctx.bot.post(teamInstall({ serviceUrl: ctx.connector.serviceUrl, from: lynne }));
    expect(added.status).toBe(200);
    await ctx.bot.service.settle();
    const posts = ctx.connector.channelPosts();
    expect(posts.map((post) => post.channelId)).toEqual([APPROVAL_CHANNEL, APPROVAL_CHANNEL, APPROVAL_CHANNEL]);
    expect(textsIn(posts[0]!.card)).toEqual([
      en.approval.channel.backTitle,
      format(en.approval.channel.backlog, { count: '2' }),
    ]);
    expect(textOf(posts[1]!.card)).toContain(firstReference);
    expect(textOf(posts[2]!.card)).toContain(secondReference);
    expect(stored(ctx).channels[0]!.unavailable_since).toBeNull();
    expect(
      stored(ctx)
        .posts.map((post) => post.request_id)
        .sort(),
    ).toEqual([first.requestId, second.requestId].sort());
  });
});

describe('a card whose message was deleted (over HTTP)', () => {
  const ctx = useBot();
  it('posts the card again when the message to update is gone (404)', async () => {
    const { reference, card } = await filedAndPosted(ctx, alex);
    ctx.connector.clear();
    ctx.connector.failNext(404, 'NotFound', 'The message was not found.', {
      matches: (call) => call.method === 'PUT',
    });
    await inChannel(ctx, isaiah).press(card, Verbs.reviewClaim);
    expect(ctx.connector.channelPosts()).toHaveLength(1);
    expect(textOf(ctx.connector.channelPosts()[0]!.card)).toContain(reference);
  });
});

/** The input with this id on a card, inside ShowCard panels too. */
const inputOn = (card: unknown, id: string): any =>
  objectsOf(card).find((object) => object.id === id && String(object.type).startsWith('Input.'));

describe('releasing and handing over a request (over HTTP)', () => {
  const ctx = useBot({ env: { APPLICATION_DAILY_CAP: '20' } });

  it('lets only the agent who claimed it release it; the card then offers Claim again', async () => {
    const { requestId, reference, card } = await filedAndPosted(ctx, alex);
    await inChannel(ctx, isaiah).press(card, Verbs.reviewClaim);
    const claimed = channelCard(ctx, reference);
    expect(executeActions(claimed).has(Verbs.reviewRelease)).toBe(true);
    expect(executeActions(claimed).has(Verbs.reviewClaim)).toBe(false);

    await expectRefused(ctx, { requestId, actor: ken, kind: 'notClaimer' }, () =>
      inChannel(ctx, ken).press(claimed, Verbs.reviewRelease),
    );
    const released = await inChannel(ctx, isaiah).press(claimed, Verbs.reviewRelease);
    expect(textsIn(released)).toContain(en.approval.done.released);
    expect(JSON.parse(storedRequest(ctx, requestId).review).claimedBy).toBeUndefined();
    expect(eventsOf(ctx, requestId).at(-1)).toMatchObject({
      actor: isaiah.id,
      from_state: 'pending_review',
      to_state: 'pending_review',
      reason: 'released the claim',
    });
    const shared = channelCard(ctx, reference);
    expect(textsIn(shared)).toContain(en.review.notClaimed);
    expect(executeActions(shared).has(Verbs.reviewClaim)).toBe(true);
    expect(executeActions(shared).has(Verbs.reviewRelease)).toBe(false);
  });

  it('hands it to an agent picked from the helpdesk group, who is told in their chat; the requester hears who has it', async () => {
    await inChat(ctx, ken).say('help');
    const { requestId, reference, card } = await filedAndPosted(ctx, diego);
    await inChannel(ctx, isaiah).press(card, Verbs.reviewClaim);
    const claimed = channelCard(ctx, reference);
    const picker = inputOn(claimed, 'handOverTo');
    // The helpdesk group less whoever has it (Isaiah); the subject and filer are no agents here.
    expect(picker.choices.map((choice: any) => choice.value).sort()).toEqual([ken.id, patti.id].sort());
    expect(picker.choices.find((choice: any) => choice.value === ken.id).title).toBe('高橋 健');

    const answer = await inChannel(ctx, isaiah).press(claimed, Verbs.reviewHandOver, { handOverTo: ken.id });
    expect(textsIn(answer)).toContain(en.approval.done.handedOver);
    expect(JSON.parse(storedRequest(ctx, requestId).review).claimedBy).toBe(ken.id);
    expect(eventsOf(ctx, requestId).at(-1)).toMatchObject({
      actor: isaiah.id,
      reason: `handed over from ${isaiah.id} to ${ken.id}`,
    });
    const shared = channelCard(ctx, reference);
    expect(textsIn(shared)).toContain(format(en.review.claimedBy, { name: '高橋 健' }));
    expect(
      inputOn(shared, 'handOverTo')
        .choices.map((choice: any) => choice.value)
        .sort(),
    ).toEqual([isaiah.id, patti.id].sort());
    const toKen = format(en.approval.notices.handedOverToYou, {
      by: 'Isaiah Langer',
      reference,
      subject: 'Diego Siciliani',
    });
    expect(noticesWith(ctx, ken, toKen)).toHaveLength(1);
    expect(
      cardsInChat(ctx, diego).filter((sent) => textsIn(sent).some((line) => line.includes('高橋 健'))),
    ).toHaveLength(1);

    // A forged choice of someone outside the helpdesk is refused and audited; Patti taking it over is not.
    await expectRefused(ctx, { requestId, actor: patti, kind: 'targetNotAgent' }, () =>
      inChannel(ctx, patti).press(shared, Verbs.reviewHandOver, { handOverTo: megan.id }),
    );
    const taken = await inChannel(ctx, patti).press(shared, Verbs.reviewHandOver, { handOverTo: patti.id });
    expect(textsIn(taken)).toContain(en.approval.done.claimed);
    expect(eventsOf(ctx, requestId).at(-1)).toMatchObject({ actor: patti.id, reason: `took over from ${ken.id}` });
    // Patti took it herself: nobody needs telling that it is hers.
    expect(
      noticesWith(
        ctx,
        patti,
        format(en.approval.notices.handedOverToYou, { by: 'Patti Fernandez', reference, subject: 'Diego Siciliani' }),
      ),
    ).toEqual([]);
  });

  it('pre-selects the verification offered on the approve form, and lists the numbers on file for a call back', async () => {
    const { card } = await filedAndPosted(ctx, shota, { verification: 'callback' });
    expect(inputOn(card, 'verification').value).toBe('callback');
    const runs = textRuns(card);
    // From the directory, never from what was typed.
    expect(runs).toEqual(expect.arrayContaining(['Mobile: +81 80 2345 6789', 'Work: +81 3 5555 0111']));
    expect(textBlocks(card)).toEqual(expect.arrayContaining([en.review.facts.numbersOnFile, en.review.facts.contact]));
    expect(runs).toContain('+65 8123 0000');
    expect(runs.filter((run) => run.includes('8123 0000'))).toEqual(['+65 8123 0000']);

    const { card: videoCard } = await filedAndPosted(ctx, priya, { verification: 'videoCall' });
    expect(inputOn(videoCard, 'verification').value).toBe('videoCall');
    expect(textBlocks(videoCard)).not.toContain(en.review.facts.numbersOnFile);
  });
});

describe('the risk signals of a decided request (over HTTP)', () => {
  const ctx = useBot({
    env: {
      APPROVAL_TEAM_ID: tenant.team.id,
      APPROVAL_CHANNEL_ID: tenant.team.approvalChannel.id,
      PASS_DELIVERY: 'subject',
    },
  });

  it('shows the signals seen at approval once decided, not the effects of the reset itself', async () => {
    const { requestId } = await inChat(ctx, alex).applyWith();
    const reference = storedRequest(ctx, requestId).reference as string;
    const riskLines = (card: unknown) => textRuns(card).filter((line) => line.startsWith('• '));
    const before = channelCard(ctx, reference);
    expect(textBlocks(before)).toContain(en.review.risksHeading);
    const seen = riskLines(before);
    expect(seen.length).toBeGreaterThan(0);

    await inChannel(ctx, isaiah).press(before, Verbs.reviewApprove, verified);
    expect(JSON.parse(storedRequest(ctx, requestId).review).risksAtDecision).toEqual(expect.any(Array));
    await execute(ctx);
    expect(storedRequest(ctx, requestId).state).toBe('completed');

    const after = channelCard(ctx, reference);
    expect(textBlocks(after)).toContain(en.review.risksHeadingAtDecision);
    expect(riskLines(after)).toEqual(seen);
    // What the reset itself did (a pass registered just now, one completed reset) is not a reason to doubt it.
    expect(textOf(after)).not.toContain(format(en.review.risks.recentResets, { count: '1' }));
    expect(textOf(after)).not.toContain(format(en.review.risks.methodsChangedRecently, { days: '7' }));
  });
});

describe('an agent taken out of the helpdesk group (DIRECTORY_CACHE_SECONDS=60, over HTTP)', () => {
  const clock = new MovableClock();
  const directory = new SimulatedDirectory(tenant, clock);
  const ctx = useBot({ env: { DIRECTORY_CACHE_SECONDS: '60' }, overrides: { directory, clock } });
  const helpdesk = tenant.groups.find((group) => group.purpose === 'helpdesk')!.id;

  it('may act for up to the cache time after removal, and is refused, audited, once it has passed', async () => {
    const { requestId, reference, card } = await filedAndPosted(ctx, diego);
    await inChannel(ctx, isaiah).press(card, Verbs.reviewClaim);
    directory.removeFromGroup(helpdesk, isaiah.id);

    // Still a member as far as this instance knows: the membership read a moment ago is reused.
    const asked = await inChannel(ctx, isaiah).press(channelCard(ctx, reference), Verbs.reviewAskInfo, {
      question: 'Which office are you near?',
    });
    expect(textsIn(asked)).toContain(en.approval.done.questionAsked);

    clock.advance(61_000);
    await expectRefused(ctx, { requestId, actor: isaiah, kind: 'notAgent' }, () =>
      inChannel(ctx, isaiah).press(asked, Verbs.reviewApprove, verified),
    );
    expect(storedRequest(ctx, requestId).state).toBe('pending_review');
  });
});

describe('the channel card after a click, with no directory cache (DIRECTORY_CACHE_SECONDS=0, over HTTP)', () => {
  const calls: string[] = [];
  const directory = new SimulatedDirectory(
    tenant,
    { now: () => new Date() },
    {
      failWith: (operation) => void calls.push(operation),
    },
  );
  const ctx = useBot({ env: { DIRECTORY_CACHE_SECONDS: '0' }, overrides: { directory } });

  it('is drawn from the facts the click was checked against: the click and its channel update read them once', async () => {
    const { requestId, reference, card } = await filedAndPosted(ctx, diego);
    calls.length = 0;
    await inChannel(ctx, isaiah).press(card, Verbs.reviewClaim);

    // One round of checks and facts at click time; the update that follows draws the card from them.
    const count = (operation: string) => calls.filter((call) => call === operation).length;
    for (const operation of ['getDirectoryRoles', 'getRecentSignIns', 'getAuthenticationMethods', 'getGroupMembers']) {
      expect(count(operation), `${operation} in ${calls.join(', ')}`).toBe(1);
    }
    expect(storedRequest(ctx, requestId).state).toBe('pending_review');
    expect(textOf(channelCard(ctx, reference))).toContain(format(en.review.claimedBy, { name: isaiah.displayName }));
  });
});
