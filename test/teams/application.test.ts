import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { Verbs } from '../../src/cards/verbs.js';
import { format, stringsFor } from '../../src/content/strings/index.js';
import { cardAction, cardSubmit, personalMessage, type Sender } from '../support/activities.js';
import { executeActions, inChannel, textsIn } from '../support/approval-driver.js';
import { DiagnosisWalk, demoUser, elementsOf } from '../support/diagnosis-driver.js';
import { useBot, type BotUnderTest } from '../support/use-bot.js';

const en = stringsFor('en');
const ja = stringsFor('ja');
const alex = demoUser('alexw');
const megan = demoUser('meganb');
const yuki = demoUser('yuki.sato');
const lynne = demoUser('lynner');
const diego = demoUser('diegos');

const inputOf = (card: any, id: string): any => elementsOf(card).find((element: any) => element.id === id);
const textOf = (card: unknown) => JSON.stringify(card);

/** Stored requests and their audit events, read straight from the bot's SQLite file. */
function stored(ctx: BotUnderTest) {
  const db = new Database(ctx.bot.sqlitePath, { readonly: true });
  try {
    return {
      requests: db.prepare('SELECT * FROM requests ORDER BY sequence').all() as Array<Record<string, any>>,
      events: db.prepare('SELECT * FROM request_events ORDER BY sequence').all() as Array<Record<string, any>>,
    };
  } finally {
    db.close();
  }
}

/** One person's application conversation. */
function person(ctx: BotUnderTest, from: Sender, locale = 'en-US') {
  const options = () => ({ serviceUrl: ctx.connector.serviceUrl, from, locale, conversationId: `a:apply-${from.id}` });
  return {
    async say(text: string) {
      ctx.connector.clear();
      await ctx.bot.post(personalMessage(text, options()));
      return ctx.connector.sentCards().at(-1);
    },
    /** Presses the card's main button with these inputs, as Action.Execute; the answer replaces the card. */
    async press(card: any, inputs: Record<string, unknown> = {}, via: 'execute' | 'submit' = 'execute') {
      const action = card.actions[0];
      ctx.connector.clear();
      if (via === 'submit') {
        await ctx.bot.post(cardSubmit(action.verb, options(), { ...action.data, ...inputs }));
        return ctx.connector.sentCards().at(-1);
      }
      const response = await ctx.bot.post(cardAction(action.verb, options(), { ...action.data, ...inputs }));
      expect(response.status).toBe(200);
      expect(response.body.type).toBe('application/vnd.microsoft.card.adaptive');
      return response.body.value;
    },
  };
}

const complete = (card: any) => ({
  reason: 'lostPhone',
  lostMethods: inputOf(card, 'lostMethods')?.choices[0].value ?? '',
  verification: 'videoCall',
  contact: '+65 8123 0000',
  note: '',
});

describe('MFA reset applications (over HTTP)', () => {
  const ctx = useBot({ env: { APPLICATION_DAILY_CAP: '2' } });

  it('opens the form for the filer own account with `reset`, listing their methods masked', async () => {
    const form = await person(ctx, alex).say('reset');
    expect(form.body[0].text).toBe(en.application.title);
    const methods = inputOf(form, 'lostMethods');
    expect(methods.choices.map((choice: any) => choice.title)).toEqual([
      'Authenticator on iPhone 15 (default)',
      expect.stringMatching(/^Mobile phone \+65 •••• \d{4}$/),
    ]);
    expect(form.actions[0].data).toMatchObject({ verb: Verbs.applicationSubmit, subjectId: alex.id });
  });

  it('keeps everything typed and says what is wrong under each field when the form is incomplete', async () => {
    const diegoAsks = person(ctx, diego);
    const form = await diegoAsks.say('reset');
    const tooLong = 'x'.repeat(501);
    const again = await diegoAsks.press(form, {
      reason: '',
      contact: '  ',
      note: tooLong,
      verification: 'carrierPigeon',
    });
    expect(again.body[0].text).toBe(en.application.title);
    expect(inputOf(again, 'note').value).toBe(tooLong);
    expect(textOf(again)).toContain(en.application.problems.required);
    expect(textOf(again)).toContain('This is too long: at most 500 characters.');
    expect(textOf(again)).toContain(en.application.problems.invalid);
    expect(stored(ctx).requests.filter((r) => r.subject_id === diego.id)).toHaveLength(0);
  });

  it('stores a complete application with a readable reference and confirms it honestly', async () => {
    const alexAsks = person(ctx, alex);
    const form = await alexAsks.say('reset');
    const note = '[click me](https://evil.example) ${1+1}';
    const confirmation = await alexAsks.press(form, { ...complete(form), note });
    expect(confirmation.body[0].text).toMatch(/^Application received: SIH-\d{6}$/);
    expect(textOf(confirmation)).toContain('business days');
    const request = stored(ctx).requests.find((r) => r.subject_id === alex.id)!;
    // Filed, then sent straight on to review: Alex filed for himself and chose a video call.
    expect(request).toMatchObject({ filer_id: alex.id, state: 'pending_review', version: 2 });
    expect(request.reference).toBe(confirmation.body[0].text.split(': ')[1]);
    // Text is kept exactly as typed; it is never evaluated or turned into a link.
    expect(JSON.parse(request.application)).toMatchObject({ note, contact: '+65 8123 0000', reason: 'lostPhone' });
    const events = stored(ctx).events.filter((e) => e.request_id === request.id);
    expect(events).toEqual([
      expect.objectContaining({ actor: alex.id, from_state: null, to_state: 'submitted' }),
      expect.objectContaining({ actor: 'system', from_state: 'submitted', to_state: 'pending_review' }),
    ]);
  });

  it('refuses a second application while the first is open, with its reference, and audits the refusal', async () => {
    const alexAsks = person(ctx, alex);
    const form = await alexAsks.say('reset');
    const refusal = await alexAsks.press(form, complete(form));
    const request = stored(ctx).requests.find((r) => r.subject_id === alex.id)!;
    expect(refusal.body[0].text).toBe(en.application.openRequestTitle);
    expect(textOf(refusal)).toContain(request.reference);
    expect(stored(ctx).requests.filter((r) => r.subject_id === alex.id)).toHaveLength(1);
    expect(
      stored(ctx)
        .events.filter((e) => e.request_id === request.id)
        .map((e) => e.to_state),
    ).toEqual(['submitted', 'pending_review', 'refused']);
  });

  it('lets a line manager apply for a direct report, in Japanese, after choosing whose account', async () => {
    const meganAsks = person(ctx, megan, 'ja-JP');
    const picker = await meganAsks.say('リセット');
    expect(picker.body[0].text).toBe(ja.application.subjectTitle);
    const subjects = inputOf(picker, 'subjectId').choices.map((choice: any) => choice.value);
    expect(subjects).toEqual(expect.arrayContaining([megan.id, alex.id, yuki.id]));
    const form = await meganAsks.press(picker, { subjectId: yuki.id });
    expect(form.body[0].text).toBe('佐藤 由紀さんのリセットを申請');
    const confirmation = await meganAsks.press(form, complete(form));
    expect(confirmation.body[0].text).toMatch(/^申請を受け付けました: SIH-\d{6}$/);
    const request = stored(ctx).requests.find((r) => r.subject_id === yuki.id)!;
    expect(request.filer_id).toBe(megan.id);
    const [event] = stored(ctx).events.filter((e) => e.request_id === request.id);
    expect(event!.reason).toBe('application filed for a direct report');
  });

  it('lists the requests a person is the subject of or filed under My requests, with their state', async () => {
    const alexList = await person(ctx, alex).say('my requests');
    const alexRequest = stored(ctx).requests.find((r) => r.subject_id === alex.id)!;
    expect(alexList.body[0].text).toBe(en.requests.title);
    expect(textOf(alexList)).toContain(alexRequest.reference);
    expect(textOf(alexList)).toContain(en.requests.states.pending_review);

    const meganList = await person(ctx, megan, 'ja-JP').say('自分の申請');
    const yukiRequest = stored(ctx).requests.find((r) => r.subject_id === yuki.id)!;
    expect(textOf(meganList)).toContain(yukiRequest.reference);
    expect(textOf(meganList)).toContain('対象: 佐藤 由紀');
    expect(textOf(meganList)).toContain(ja.requests.states.pending_review);
    expect(textOf(meganList)).not.toContain(alexRequest.reference);
  });

  it('does not store a diagnosis reference that is not a diagnosis id', async () => {
    const shota = demoUser('shota.yamada');
    const shotaAsks = person(ctx, shota, 'ja-JP');
    const form = await shotaAsks.say('リセット');
    const forge = (diagnosisId: string) => ({
      ...form,
      actions: [{ ...form.actions[0], data: { ...form.actions[0].data, diagnosisId } }],
    });
    // Longer than any id: card data no form sends, refused as tampered and nothing filed.
    const tampered = await shotaAsks.press(forge('x'.repeat(5000)), complete(form));
    expect(textsIn(tampered)).toEqual([ja.approval.refusedTitle, ja.approval.refusals.tamperedCard]);
    expect(stored(ctx).requests.filter((r) => r.subject_id === shota.id)).toHaveLength(0);
    expect(stored(ctx).events.at(-1)).toMatchObject({
      actor: shota.id,
      to_state: 'refused',
      reason: `refused ${Verbs.applicationSubmit}: tamperedCard`,
    });
    const reply = await shotaAsks.press(forge('DX-1A2B3C4D'), complete(form));
    expect(reply.body[0].text).toMatch(/^申請を受け付けました: SIH-\d{6}$/);
    const request = stored(ctx).requests.find((r) => r.subject_id === shota.id)!;
    expect(JSON.parse(request.application).diagnosisId).toBeUndefined();
  });

  it('refuses an account that is neither the filer nor one of their reports, whatever the card says', async () => {
    const alexAsks = person(ctx, alex);
    const form = await alexAsks.say('reset');
    const forged = {
      ...form,
      actions: [{ ...form.actions[0], data: { ...form.actions[0].data, subjectId: lynne.id } }],
    };
    const refusal = await alexAsks.press(forged, complete(form));
    expect(refusal.body[0].text).toBe(en.application.notEligibleTitle);
    expect(stored(ctx).requests.filter((r) => r.subject_id === lynne.id)).toHaveLength(0);
  });

  it('answers the Action.Submit fallback like Action.Execute, as new messages', async () => {
    const patti = person(ctx, demoUser('weiling.tan'));
    const form = await patti.say('reset');
    const invalid = await patti.press(form, { reason: '' }, 'submit');
    expect(invalid.body[0].text).toBe(en.application.title);
    expect(textOf(invalid)).toContain(en.application.problems.required);
    const confirmation = await patti.press(form, complete(form), 'submit');
    expect(confirmation.body[0].text).toMatch(/^Application received: SIH-\d{6}$/);
  });

  it('keeps the audit chain intact through all of the above', async () => {
    const { verifyAuditTrail } = await import('../../scripts/audit-verify.js');
    const result = await verifyAuditTrail(ctx.bot.sqlitePath);
    expect(result.ok).toBe(true);
  });
});

describe('the daily cap on applications (over HTTP)', () => {
  const ctx = useBot({ env: { APPLICATION_DAILY_CAP: '1' } });

  it('refuses a filer over the cap with a clear card, stores nothing more and audits the refusal', async () => {
    const meganAsks = person(ctx, megan);
    let picker = await meganAsks.say('reset');
    let form = await meganAsks.press(picker, { subjectId: megan.id });
    expect((await meganAsks.press(form, complete(form))).body[0].text).toMatch(/^Application received/);

    picker = await meganAsks.say('reset');
    form = await meganAsks.press(picker, { subjectId: yuki.id });
    const refusal = await meganAsks.press(form, complete(form));
    expect(refusal.body[0].text).toBe(en.application.capReachedTitle);
    expect(textOf(refusal)).toContain('1 applications');
    expect(stored(ctx).requests).toHaveLength(1);
    expect(stored(ctx).events.some((e) => e.to_state === 'refused' && /the cap is 1/.test(e.reason))).toBe(true);
  });
});

describe('an application filed for someone else speaks of them (over HTTP)', () => {
  const ctx = useBot({ env: { APPLICATION_DAILY_CAP: '20' } });
  const isaiah = demoUser('isaiahl');
  const shota = demoUser('shota.yamada');

  /** Megan's form for `subject`, reached through her subject picker. */
  async function meganForm(locale: string, subject: Sender) {
    const meganAsks = person(ctx, megan, locale);
    const picker = await meganAsks.say('reset');
    return { meganAsks, form: await meganAsks.press(picker, { subjectId: subject.id }) };
  }

  /** The lines of the form a person reads: title, intro, labels and the verification choices. */
  const formLines = (form: any) => [
    form.body[0].text,
    form.body[1].inlines[0].text,
    inputOf(form, 'verification').label,
    ...inputOf(form, 'verification').choices.map((choice: any) => choice.title),
    inputOf(form, 'contact').label,
  ];

  it('names 佐藤 由紀 on the form, the corrected form and the confirmation Megan reads, in English', async () => {
    const { meganAsks, form } = await meganForm('en-US', yuki);
    const name = { name: '佐藤 由紀' };
    expect(formLines(form)).toEqual([
      'Apply for a reset for 佐藤 由紀',
      format(en.application.introFor, name),
      'How can the helpdesk confirm who 佐藤 由紀 is?',
      'A video call where 佐藤 由紀 shows photo ID',
      '佐藤 由紀 comes to an office in person, with their staff or student ID',
      'I (the manager) confirm it is them',
      'A call back to 佐藤 由紀 on a phone number already on file',
      'How can the helpdesk reach 佐藤 由紀?',
    ]);
    expect(textOf(form)).not.toMatch(/who you are|reach you|it is me|I show|my staff/);

    const again = await meganAsks.press(form, { ...complete(form), contact: 'call me' });
    expect(formLines(again)).toEqual(formLines(form));

    const confirmation = await meganAsks.press(form, complete(form));
    await ctx.bot.service.settle();
    expect(confirmation.body[0].text).toMatch(/^Application received: SIH-\d{6}$/);
    expect(textOf(confirmation)).toContain('They will contact 佐藤 由紀 as you asked to confirm who they are');
    expect(textOf(confirmation)).toContain('only then reset their methods');
    expect(textOf(confirmation)).not.toMatch(/your methods|who you are/);

    // Megan filed it, so the claim notice she gets must not promise to contact her.
    const request = stored(ctx).requests.find((r) => r.subject_id === yuki.id)!;
    await inChannel(ctx, demoUser('lynner')).say('set approval channel');
    const post = ctx.connector.channelPosts().find((p) => textOf(p.card).includes(request.reference))!;
    ctx.connector.clear();
    await inChannel(ctx, isaiah).press(post.card, Verbs.reviewClaim);
    const notice = ctx.connector
      .sentCards()
      .find((card) => textOf(card).includes(`is now handling request ${request.reference}`));
    expect(textsIn(notice)).toContain(
      format(en.approval.notices.claimed, { agent: 'Isaiah Langer', reference: request.reference }),
    );
    expect(textOf(notice)).not.toMatch(/contact you/);
  });

  it('names 佐藤 由紀 on every card in Japanese, and refuses a contact that is not one', async () => {
    const { meganAsks, form } = await meganForm('ja-JP', yuki);
    expect(formLines(form)).toEqual([
      '佐藤 由紀さんのリセットを申請',
      format(ja.application.introFor, { name: '佐藤 由紀' }),
      '佐藤 由紀さんの本人確認の手段を選択してください',
      '佐藤 由紀さんがビデオ通話で写真付きの身分証明書を見せる',
      '佐藤 由紀さんが職員証または学生証を持って窓口に行く',
      '上司である私が、本人であることを確認する',
      'ヘルプデスクが佐藤 由紀さんの登録済みの電話番号に折り返し電話する',
      'ヘルプデスクから佐藤 由紀さんへの連絡先',
    ]);
    const typed = { ...complete(form), verification: 'managerConfirmation', contact: '電話ください', note: '駅で紛失' };
    const again = await meganAsks.press(form, typed);
    expect(textOf(again)).toContain(ja.application.problems.notContact);
    expect(inputOf(again, 'contact').value).toBe('電話ください');
    expect(inputOf(again, 'verification').value).toBe('managerConfirmation');
    expect(inputOf(again, 'note').value).toBe('駅で紛失');
    expect(formLines(again)).toEqual(formLines(form));
  });

  it('refuses "call me" under the contact field, keeps everything typed, and accepts a phone number or an email', async () => {
    const diegoAsks = person(ctx, diego);
    const form = await diegoAsks.say('reset');
    expect(inputOf(form, 'verification').label).toBe(en.application.verificationLabel);
    expect(inputOf(form, 'contact').label).toBe(en.application.contactLabel);
    const typed = { ...complete(form), verification: 'callback', contact: 'call me', note: 'Lost it on the MRT' };
    const again = await diegoAsks.press(form, typed);
    expect(again.body[0].text).toBe(en.application.title);
    const contactAt = again.body.findIndex((element: any) => element.id === 'contact');
    expect(again.body[contactAt + 1]).toMatchObject({ text: en.application.problems.notContact, color: 'Attention' });
    for (const id of ['reason', 'lostMethods', 'verification', 'contact', 'note']) {
      expect(inputOf(again, id).value, id).toBe(typed[id as keyof typeof typed]);
    }
    expect(stored(ctx).requests.filter((r) => r.subject_id === diego.id)).toHaveLength(0);

    const accepted = await diegoAsks.press(again, { ...typed, contact: '+81-90-1234-5678' });
    expect(accepted.body[0].text).toMatch(/^Application received: SIH-\d{6}$/);
    await ctx.bot.service.settle();
    expect(JSON.parse(stored(ctx).requests.find((r) => r.subject_id === diego.id)!.application)).toMatchObject({
      contact: '+81-90-1234-5678',
    });
  });

  it.each([
    ['en-US', 'lost my phone', en],
    ['ja-JP', 'スマホをなくした', ja],
  ] as const)(
    'prefills "What happened?" from the diagnosis through the line manager\'s subject picker (%s)',
    async (locale, words, strings) => {
      const w = new DiagnosisWalk(ctx, { from: megan, locale });
      // Megan has two methods, so the lost phone first leads to signing in another way.
      await w.say(words);
      await w.click(strings.diagnosis.no);
      await w.click('none-work');
      const { cards } = await w.click(strings.diagnosis.apply);
      const picker = cards[0];
      expect(picker.body[0].text).toBe(strings.application.subjectTitle);
      for (const subject of [megan, shota]) {
        const { response } = await w.click(subject.id, { card: picker });
        const form = response.body.value;
        expect(form.body[0].text).not.toBe(strings.application.subjectTitle);
        expect(inputOf(form, 'reason').value).toBe('lostPhone');
        // She said none of her methods works: hers are ticked; the diagnosis says nothing of Shota's.
        const ticked = String(inputOf(form, 'lostMethods').value).split(',').filter(Boolean);
        expect(ticked).toHaveLength(subject === megan ? 2 : 0);
      }
    },
  );

  it.each([
    ['en-US', 'hello', 'asdf qwerty', en],
    ['ja-JP', 'こんにちは', 'あいうえお', ja],
  ] as const)(
    'prefills "What happened?" when the problem was picked on the symptoms card (%s)',
    async (locale, greeting, unknownWords, strings) => {
      const w = new DiagnosisWalk(ctx, { from: diego, locale });
      await w.say(greeting);
      await w.say(unknownWords);
      await w.click(strings.diagnosis.symptoms.lostPhone);
      const { cards } = await w.click(strings.diagnosis.apply);
      const form = cards.at(-1);
      expect(form.body[0].text).toBe(strings.application.title);
      expect(inputOf(form, 'reason').value).toBe('lostPhone');
    },
  );

  it("words the manager's confirmation card by who filed, in English and Japanese", async () => {
    await person(ctx, megan).say('help');
    ctx.connector.clear();
    const alexAsks = person(ctx, alex);
    const form = await alexAsks.say('reset');
    await alexAsks.press(form, { ...complete(form), verification: 'managerConfirmation' });
    await ctx.bot.service.settle();
    const forMegan = ctx.connector.sentCards().find((card) => executeActions(card).has(Verbs.managerConfirm));
    expect(textsIn(forMegan)).toContain(
      'Your direct report Alex Wilber asked the helpdesk to reset their verification methods.',
    );
    expect(textsIn(forMegan)).toContain('Alex Wilber themselves');
    expect(textOf(forMegan)).not.toMatch(/someone/i);

    await person(ctx, megan, 'ja-JP').say('ヘルプ');
    ctx.connector.clear();
    const shotaAsks = person(ctx, shota, 'ja-JP');
    const shotaForm = await shotaAsks.say('リセット');
    await shotaAsks.press(shotaForm, { ...complete(shotaForm), verification: 'managerConfirmation' });
    await ctx.bot.service.settle();
    const forMeganJa = ctx.connector.sentCards().find((card) => executeActions(card).has(Verbs.managerConfirm));
    expect(textsIn(forMeganJa)).toContain(
      '直属の部下の山田 翔太さんが、自分の本人確認の方法のリセットをヘルプデスクに申請しました。',
    );
  });
});
