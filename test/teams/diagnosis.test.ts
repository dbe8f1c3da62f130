import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { Verbs } from '../../src/cards/verbs.js';
import { format, stringsFor } from '../../src/content/strings/index.js';
import { loadDemoTenant } from '../../src/directory/demo-tenant.js';
import { ServiceUnavailableError, ThrottledError } from '../../src/directory/directory-errors.js';
import { SimulatedDirectory, type DirectoryOperation } from '../../src/directory/simulated-directory.js';
import { MAX_QUESTIONS } from '../../src/domain/diagnosis/knowledge.js';
import type { Locale } from '../../src/domain/locale.js';
import { systemClock } from '../../src/domain/system-clock.js';
import { DeadlineExceededError } from '../../src/domain/with-deadline.js';
import { tenant } from '../support/activities.js';
import {
  buttonTitles,
  cardText,
  choicesOf,
  DiagnosisWalk,
  demoUser,
  elementsOf,
  evidenceLinesOf,
  isActionable,
  isQuestionCard,
  knowledgeOutcome,
  knowledgeQuestion,
  promptOf,
} from '../support/diagnosis-driver.js';
import { useBot, type BotUnderTest } from '../support/use-bot.js';

const en = stringsFor('en');
const ja = stringsFor('ja');
const languageOf = (locale: string): Locale => (locale.startsWith('ja') ? 'ja' : 'en');

/** What Teams shows in place of the clicked card when the click was for an earlier step. */
const staleNote = (locale: Locale) => ({
  statusCode: 200,
  type: 'application/vnd.microsoft.activity.message',
  value: stringsFor(locale).diagnosis.staleAnswer,
});

/** A row of the `diagnoses` table, its JSON columns parsed. */
interface DiagnosisRow {
  id: string;
  tenant_id: string;
  user_id: string;
  locale: string;
  entry: string;
  outcome: string | null;
  result: string;
  questions_asked: number;
  path: unknown[];
  evidence_gaps: string[];
}

/** Reads one diagnosis record straight from the bot's SQLite file. */
function diagnosisRow(sqlitePath: string, id: string): DiagnosisRow | undefined {
  const db = new Database(sqlitePath, { readonly: true });
  try {
    const row = db.prepare('SELECT * FROM diagnoses WHERE id = ?').get(id) as Record<string, any> | undefined;
    return (
      row && ({ ...row, path: JSON.parse(row.path), evidence_gaps: JSON.parse(row.evidence_gaps) } as DiagnosisRow)
    );
  } finally {
    db.close();
  }
}

/** The record of diagnosis `id` in the SQLite file of the bot under test. */
const recordOf = (ctx: BotUnderTest, id: string) => diagnosisRow(ctx.bot.sqlitePath, id);

/** The input with this id anywhere in a card. */
function inputOf(card: any, id: string): any {
  const input = elementsOf(card).find((element: any) => element.id === id);
  if (!input) throw new Error(`no input ${id} on the card`);
  return input;
}

/** Asserts that `card` is the outcome `id`: its category line and title, in `locale`. */
function expectOutcome(card: any, id: string, locale: Locale): void {
  const outcome = knowledgeOutcome(id);
  expect(isQuestionCard(card), `expected the outcome ${id}, got a question`).toBe(false);
  expect(card.body[0].text).toBe(stringsFor(locale).diagnosis.categories[outcome.category]);
  expect(card.body[1].text).toBe(outcome.title[locale]);
}

/** Asserts that `card` asks the question `id` in `locale`. */
function expectQuestion(card: any, id: string, locale: Locale): void {
  const question = knowledgeQuestion(id);
  expect(isQuestionCard(card), `expected the question ${id}`).toBe(true);
  expect(promptOf(card)).toBe(question.prompt[locale]);
  expect(choicesOf(card).map((choice) => choice.title)).toEqual(question.choices.map((choice) => choice.label[locale]));
}

/** The helpdesk reference a notice gives for a diagnosis: DX- and the start of its id. */
const referenceIn = (card: any): string | undefined => /DX-[0-9A-F]{8}/.exec(cardText(card))?.[0];
const referenceOf = (diagnosisId: string) => `DX-${diagnosisId.replace(/-/g, '').slice(0, 8).toUpperCase()}`;

/** Walks started in the current test; none may ask more questions than the limit. */
function walks(ctx: BotUnderTest) {
  const started: DiagnosisWalk[] = [];
  afterEach(() => {
    for (const walk of started.splice(0)) expect(walk.questions.length).toBeLessThanOrEqual(MAX_QUESTIONS);
  });
  return (alias: string, locale = 'en-US') => {
    const walk = new DiagnosisWalk(ctx, { from: demoUser(alias), locale });
    started.push(walk);
    return walk;
  };
}

describe('diagnosis conversations over HTTP, with the simulated demo directory', () => {
  const ctx = useBot();
  const walk = walks(ctx);

  describe('outcomes the directory already shows', () => {
    it.each([
      ['adelev', 'en-US', "I can't sign in", 'account-locked'],
      ['johannal', 'en-US', 'cant login', 'account-disabled'],
      ['shota.yamada', 'ja-JP', 'サインインできない', 'password-expired'],
      ['priya.raman', 'en-US', "I can't sign in", 'blocked-conditional-access'],
      ['weiling.tan', 'en-US', 'cant sign in', 'device-not-compliant'],
      ['misaki.nakamura', 'ja-JP', 'サインインできない', 'invitation-pending'],
      ['henriettam', 'en-GB', "I can't sign in", 'invitation-expired'],
      ['aisyah.rahman', 'en-US', "I can't sign in", 'tap-active'],
    ])('answers %s (%s) saying %j with %s, without asking a question', async (alias, locale, text, outcomeId) => {
      const language = languageOf(locale);
      const d = stringsFor(language).diagnosis;
      const w = walk(alias, locale);
      const { response, cards } = await w.say(text);
      expect(response.status).toBe(200);
      expect(cards).toHaveLength(1);
      expect(w.questions).toHaveLength(0);
      expectOutcome(cards[0], outcomeId, language);
      expect(buttonTitles(cards[0])).toEqual([d.yes, d.no]);
      expect(cardText(cards[0])).toContain(d.didThisFixIt);
      expect(recordOf(ctx, w.diagnosisId)).toMatchObject({
        tenant_id: tenant.tenant.id,
        user_id: demoUser(alias).id,
        locale: language,
        entry: 'cant-sign-in',
        outcome: outcomeId,
        result: 'open',
        questions_asked: 0,
        path: [{ node: 'triage', via: 'check' }],
      });
    });
  });

  describe('evidence before words', () => {
    it.each([
      ['adelev', 'I lost my phone', 'account-locked'],
      ['johannal', 'I got a new phone', 'account-disabled'],
      ['aisyah.rahman', 'authenticator deleted', 'tap-active'],
    ])(
      'answers %s typing %j with %s, which the directory shows, not with what the words suggest',
      async (alias, text, outcomeId) => {
        const w = walk(alias);
        const { cards } = await w.say(text);
        expect(w.questions).toHaveLength(0);
        expectOutcome(cards[0], outcomeId, 'en');
        expect(recordOf(ctx, w.diagnosisId)).toMatchObject({ outcome: outcomeId, questions_asked: 0 });
      },
    );
  });

  describe('starting over', () => {
    it('records an unfinished diagnosis as abandoned when the person starts another', async () => {
      const w = walk('alexw');
      await w.say('I lost my phone');
      const first = w.diagnosisId;
      await w.say('I got a new phone');
      const second = w.diagnosisId;
      expect(second).not.toBe(first);
      expect(recordOf(ctx, first)).toMatchObject({ result: 'abandoned' });
      expect(recordOf(ctx, second)).toMatchObject({ result: 'open' });
    });
  });

  describe('a lost phone', () => {
    it('sends Alex, whose directory shows a second method, to sign in another way without asking about it', async () => {
      const w = walk('alexw');
      const { cards } = await w.say('lost my phone');
      expect(cards).toHaveLength(1);
      expect(w.questions).toHaveLength(0);
      expectOutcome(cards[0], 'sign-in-another-way', 'en');
      expect(buttonTitles(cards[0])).toEqual([en.diagnosis.yes, en.diagnosis.no]);
      expect(recordOf(ctx, w.diagnosisId)).toMatchObject({
        user_id: demoUser('alexw').id,
        entry: 'lost-phone',
        outcome: 'sign-in-another-way',
        result: 'open',
        questions_asked: 0,
        path: [
          { node: 'c-other-method', via: 'check' },
          { node: 'q-other-method', via: 'evidence', choice: 'yes' },
        ],
      });
    });

    it('answers the click with the answered card, without buttons, and sends the next step as a new message', async () => {
      const w = walk('alexw', 'ja-JP');
      const { cards } = await w.say('スマホを機種変更した');
      expectQuestion(cards[0], 'q-old-phone', 'ja');
      const yes = knowledgeQuestion('q-old-phone').choices.find((choice) => choice.id === 'yes')!.label.ja;

      const { response, cards: next } = await w.click(yes);
      expect(response.status).toBe(200);
      expect(response.body.type).toBe('application/vnd.microsoft.card.adaptive');
      const answered = response.body.value;
      expect(isActionable(answered)).toBe(false);
      expect(cardText(answered)).toContain(knowledgeQuestion('q-old-phone').prompt.ja);
      expect(cardText(answered)).toContain(`回答: ${yes}`);
      expect(next).toHaveLength(1);
      expectOutcome(next[0], 'new-phone-old-available', 'ja');
    });

    it('skips the other-method question for Diego, whose only method was on the lost phone, and offers the reset', async () => {
      const w = walk('diegos');
      const { cards } = await w.say('lost my phone');
      expect(cards).toHaveLength(1);
      expect(w.questions).toHaveLength(0);
      expectOutcome(cards[0], 'reset-needed', 'en');
      expect(buttonTitles(cards[0])).toEqual([en.diagnosis.apply, en.diagnosis.noLongerNeeded]);
      expect(cardText(cards[0])).not.toContain(en.diagnosis.didThisFixIt);
      expect(recordOf(ctx, w.diagnosisId)).toMatchObject({
        entry: 'lost-phone',
        outcome: 'reset-needed',
        result: 'open',
        questions_asked: 0,
        path: [
          { node: 'c-other-method', via: 'check' },
          { node: 'q-other-method', via: 'evidence', choice: 'no' },
          { node: 'c-self-verification', via: 'check' },
        ],
      });

      const applied = await w.click(en.diagnosis.apply);
      expect(cardText(applied.response.body.value)).toContain(`You answered: ${en.diagnosis.apply}`);
      expect(applied.cards).toHaveLength(1);
      // The application opens right away, prefilled with what the diagnosis learned.
      const form = applied.cards[0];
      expect(form.body[0].text).toBe(en.application.title);
      expect(inputOf(form, 'reason').value).toBe('lostPhone');
      expect(inputOf(form, 'lostMethods').value).toBe(inputOf(form, 'lostMethods').choices[0].value);
      expect(form.actions[0].data).toMatchObject({ verb: 'application.submit', subjectId: demoUser('diegos').id });
      // The form is open, not sent: the record says so until it is.
      expect(recordOf(ctx, w.diagnosisId)).toMatchObject({
        outcome: 'reset-needed',
        result: 'open',
        questions_asked: 0,
      });
    });

    it('does the same for 佐藤 由紀 in Japanese, up to the application notice', async () => {
      const w = walk('yuki.sato', 'ja-JP');
      const { cards } = await w.say('スマホをなくした');
      expect(w.questions).toHaveLength(0);
      expectOutcome(cards[0], 'reset-needed', 'ja');
      expect(buttonTitles(cards[0])).toEqual([ja.diagnosis.apply, ja.diagnosis.noLongerNeeded]);

      const applied = await w.click(ja.diagnosis.apply);
      expect(applied.cards[0].body[0].text).toBe(ja.application.title);
      expect(inputOf(applied.cards[0], 'reason').value).toBe('lostPhone');
      expect(recordOf(ctx, w.diagnosisId)).toMatchObject({
        user_id: demoUser('yuki.sato').id,
        locale: 'ja',
        entry: 'lost-phone',
        outcome: 'reset-needed',
        result: 'open',
      });
    });

    it('answers a question sent through Action.Submit like one sent through Action.Execute', async () => {
      const w = walk('alexw');
      await w.say('I got a new phone');
      expectQuestion(w.last, 'q-old-phone', 'en');
      // The old phone is gone: a lost phone after all, and his second method is the way back in.
      const { response, cards } = await w.click('no', { via: 'submit' });
      expect(response.status).toBe(200);
      expect(cards).toHaveLength(1);
      expectOutcome(cards[0], 'sign-in-another-way', 'en');
      expect(recordOf(ctx, w.diagnosisId)).toMatchObject({
        outcome: 'sign-in-another-way',
        questions_asked: 1,
        path: [
          { node: 'q-old-phone', via: 'asked', choice: 'no' },
          { node: 'c-other-method', via: 'check' },
          { node: 'q-other-method', via: 'evidence', choice: 'yes' },
        ],
      });
    });
  });

  describe('the welcome card', () => {
    it("starts from the I can't sign in button with the methods masked, and never stores or shows the number", async () => {
      const w = walk('alexw');
      await w.say('hello');
      const started = await w.click(en.welcome.actionCantSignIn);
      expect(started.response.body.value).toBe(en.actions.answered);
      const [first] = started.cards;
      // His recent sign-ins stopped at verification, so the first question is about that.
      expectQuestion(first, 'q-mfa-problem', 'en');
      const evidence = evidenceLinesOf(first)!;
      expect(evidence[0]).toContain('Authenticator on iPhone 15');
      expect(evidence[0]).toContain('+65 •••• 4567');
      expect(evidence).toContain(en.diagnosis.facts.mfaNotCompleted);

      await w.click('lost-or-reset');
      expectOutcome(w.last, 'sign-in-another-way', 'en');
      await w.click(en.diagnosis.no);
      expectQuestion(w.last, 'q-methods-left', 'en');
      await w.click('none-work');
      expectOutcome(w.last, 'reset-needed', 'en');
      const done = await w.click(en.diagnosis.noLongerNeeded);
      expect(done.cards[0].body[0].text).toBe(en.diagnosis.resolvedTitle);

      expect(w.questions.map((card) => elementsOf(card).find((element) => element.isSubtle)?.text)).toEqual(
        ['1', '2'].map((number) => format(en.diagnosis.progress, { number })),
      );
      expect(recordOf(ctx, w.diagnosisId)).toMatchObject({
        entry: 'menu',
        outcome: 'reset-needed',
        result: 'resolved',
        questions_asked: 2,
        path: [
          { node: 'triage', via: 'check' },
          { node: 'q-mfa-problem', via: 'asked', choice: 'lost-or-reset' },
          { node: 'c-other-method', via: 'check' },
          { node: 'q-other-method', via: 'evidence', choice: 'yes' },
          { node: 'sign-in-another-way', via: 'notFixed' },
          { node: 'c-self-verification', via: 'check' },
          { node: 'q-methods-left', via: 'asked', choice: 'none-work' },
          { node: 'c-no-method-left', via: 'check' },
        ],
      });

      const fullNumber = /\+?65[\s-]*9123[\s-]*4567/;
      const everythingShown = [...w.cards, ...w.responses.map((response) => response.text)];
      expect(everythingShown.length).toBeGreaterThan(5);
      for (const seen of everythingShown) expect(cardText(seen)).not.toMatch(fullNumber);
      expect(ctx.bot.logs.text()).not.toMatch(fullNumber);
      const stored = [ctx.bot.sqlitePath, `${ctx.bot.sqlitePath}-wal`]
        .filter((path) => existsSync(path))
        .map((path) => readFileSync(path).toString('latin1'))
        .join('\n');
      expect(stored).toContain(w.diagnosisId);
      expect(stored).not.toContain('9123 4567');
      expect(stored).not.toContain('91234567');
    });
  });

  describe('did this fix it?', () => {
    it('thanks the person on yes, closes the diagnosis, and treats a later click on the old card as stale', async () => {
      const w = walk('weiling.tan');
      const { cards } = await w.say("I can't sign in");
      const [outcome] = cards;
      const fixed = await w.click(en.diagnosis.yes);
      expect(isActionable(fixed.response.body.value)).toBe(false);
      expect(cardText(fixed.response.body.value)).toContain(`You answered: ${en.diagnosis.yes}`);
      expect(fixed.cards).toHaveLength(1);
      expect(fixed.cards[0].body[0].text).toBe(en.diagnosis.resolvedTitle);
      const closed = recordOf(ctx, w.diagnosisId);
      expect(closed).toMatchObject({ outcome: 'device-not-compliant', result: 'resolved' });

      const late = await w.click(en.diagnosis.no, { card: outcome });
      expect(late.response.body).toEqual(staleNote('en'));
      expect(late.cards).toHaveLength(0);
      expect(recordOf(ctx, w.diagnosisId)).toEqual(closed);
    });

    it.each([
      ['johannal', 'en-US', 'account-disabled'],
      ['shota.yamada', 'ja-JP', 'password-expired'],
    ])(
      'moves %s (%s) from %s to the helpdesk on no: how to reach it and the reference, with nothing more to answer',
      async (alias, locale, firstOutcome) => {
        const language = languageOf(locale);
        const d = stringsFor(language).diagnosis;
        const w = walk(alias, locale);
        await w.say(language === 'ja' ? 'サインインできない' : "I can't sign in");
        expectOutcome(w.last, firstOutcome, language);
        const handedOver = await w.click(d.no);
        expect(handedOver.cards).toHaveLength(1);
        const [helpdesk] = handedOver.cards;
        expectOutcome(helpdesk, 'contact-helpdesk', language);
        expect(isActionable(helpdesk)).toBe(false);
        expect(cardText(helpdesk)).not.toContain(d.didThisFixIt);
        // No HELPDESK_URL here: the card says in words how to reach the helpdesk, and what to tell it.
        expect(cardText(helpdesk)).toContain(format(d.helpdeskNextNoLink, { reference: referenceOf(w.diagnosisId) }));
        expect(referenceIn(helpdesk)).toBe(referenceOf(w.diagnosisId));
        expect(recordOf(ctx, w.diagnosisId)).toMatchObject({
          outcome: 'contact-helpdesk',
          result: 'notResolved',
          questions_asked: 0,
          path: [
            { node: 'triage', via: 'check' },
            { node: firstOutcome, via: 'notFixed' },
          ],
        });
      },
    );

    it('asks Alex about his other methods when signing in another way failed, and offers the reset once none works', async () => {
      const w = walk('alexw');
      await w.say('lost my phone');
      // The directory shows his second method, so he is sent to it without being asked first.
      expectOutcome(w.last, 'sign-in-another-way', 'en');
      await w.click(en.diagnosis.no);
      expectQuestion(w.last, 'q-methods-left', 'en');
      await w.click('none-work');
      expectOutcome(w.last, 'reset-needed', 'en');
      await w.click(en.diagnosis.apply);
      expect(w.last.body[0].text).toBe(en.application.title);
      expect(w.last.actions[0].data.diagnosisId).toBe(w.diagnosisId);
      const record = recordOf(ctx, w.diagnosisId)!;
      expect(record).toMatchObject({ outcome: 'reset-needed', result: 'open' });
      expect(record.path.filter((step: any) => step.via !== 'check')).toEqual([
        { node: 'q-other-method', via: 'evidence', choice: 'yes' },
        { node: 'sign-in-another-way', via: 'notFixed' },
        { node: 'q-methods-left', via: 'asked', choice: 'none-work' },
        { node: 'reset-needed', via: 'notFixed' },
      ]);
    });
  });

  describe('wrong turns and tampered clicks', () => {
    it('answers a click on an earlier question with the stale note and changes nothing', async () => {
      // Megan signs in fine: nothing in the directory answers the first questions for her.
      const w = walk('meganb');
      const { cards } = await w.say('diagnose');
      const [first] = cards;
      await w.click('cannot-verify');
      expectQuestion(w.last, 'q-mfa-problem', 'en');
      const before = recordOf(ctx, w.diagnosisId);

      const stale = await w.click('password-not-accepted', { card: first });
      expect(stale.response.status).toBe(200);
      expect(stale.response.body).toEqual(staleNote('en'));
      expect(stale.cards).toHaveLength(0);
      expect(recordOf(ctx, w.diagnosisId)).toEqual(before);

      // The current question still takes its answer.
      await w.click('no-prompt');
      expectOutcome(w.last, 'notifications-not-arriving', 'en');
      expect(recordOf(ctx, w.diagnosisId)).toMatchObject({
        entry: 'command',
        questions_asked: 2,
        path: [
          { node: 'triage', via: 'check' },
          { node: 'q-symptom', via: 'asked', choice: 'cannot-verify' },
          { node: 'q-mfa-problem', via: 'asked', choice: 'no-prompt' },
        ],
      });
    });

    it('answers a stale Action.Submit with the stale note as a message, in Japanese', async () => {
      const w = walk('alexw', 'ja-JP');
      const { cards } = await w.say('スマホを機種変更した');
      expectQuestion(cards[0], 'q-old-phone', 'ja');
      await w.click('yes', { via: 'submit' });
      const before = ctx.connector.sentActivities().length;
      const stale = await w.click('no', { card: cards[0], via: 'submit' });
      expect(stale.response.status).toBe(200);
      expect(stale.cards).toHaveLength(0);
      const sentSince = ctx.connector.sentActivities().slice(before);
      expect(sentSince.map((activity) => activity.text)).toEqual([ja.diagnosis.staleAnswer]);
    });

    /** The data of the button that answers the current question; each case below spoils one part. */
    const valid = (diagnosisId: string) => ({ diagnosisId, node: 'q-old-phone', choice: 'yes' });
    const { diagnosisAnswer: ANSWER, diagnosisFixed: FIXED, diagnosisNotFixed: NOT_FIXED } = Verbs;
    it.each<[string, string, (diagnosisId: string) => Record<string, unknown>]>([
      ['an unknown diagnosis id', ANSWER, (id) => ({ ...valid(id), diagnosisId: randomUUID() })],
      ['no diagnosis id', ANSWER, (id) => ({ ...valid(id), diagnosisId: undefined })],
      ['an unknown node', ANSWER, (id) => ({ ...valid(id), node: 'q-nowhere' })],
      ['no node', ANSWER, (id) => ({ ...valid(id), node: undefined })],
      ['the node of another step', ANSWER, (id) => ({ ...valid(id), node: 'q-symptom', choice: 'cannot-verify' })],
      ['an outcome as the node', ANSWER, (id) => ({ ...valid(id), node: 'reset-needed' })],
      ['an unknown choice', ANSWER, (id) => ({ ...valid(id), choice: 'maybe' })],
      ['a built-in property name as the choice', ANSWER, (id) => ({ ...valid(id), choice: 'constructor' })],
      ['no choice', ANSWER, (id) => ({ ...valid(id), choice: undefined })],
      ['fields of the wrong type', ANSWER, (id) => ({ diagnosisId: [id], node: { id: 'q-old-phone' }, choice: 1 })],
      ['"it worked" for a question', FIXED, (id) => ({ diagnosisId: id, node: 'q-old-phone' })],
      ['"still stuck" for an outcome not shown', NOT_FIXED, (id) => ({ diagnosisId: id, node: 'reset-needed' })],
    ])(
      'answers a click with %s with the stale note, never an error, and keeps the diagnosis where it was',
      async (_case, verb, data) => {
        const w = walk('alexw');
        await w.say('I got a new phone');
        expectQuestion(w.last, 'q-old-phone', 'en');
        const before = recordOf(ctx, w.diagnosisId);

        const { response, cards } = await w.post(verb, data(w.diagnosisId));
        expect(response.status).toBe(200);
        expect(response.body).toEqual(staleNote('en'));
        expect(cards).toHaveLength(0);
        expect(recordOf(ctx, w.diagnosisId)).toEqual(before);

        await w.click('yes');
        expectOutcome(w.last, 'new-phone-old-available', 'en');
      },
    );
  });

  describe('text the bot does not recognise', () => {
    it('offers a returning user the symptoms, and starts the diagnosis at the one they pick', async () => {
      const w = walk('alexw');
      await w.say('hello');
      const { cards } = await w.say('asdf qwerty');
      expect(cards).toHaveLength(1);
      const [symptoms] = cards;
      expect(symptoms.body[0].text).toBe(en.diagnosis.symptomsTitle);
      const list = elementsOf(symptoms).find((element) => element.type === 'Input.ChoiceSet');
      expect(list).toMatchObject({ id: 'intent', isRequired: true });
      expect(list.choices.map((choice: any) => choice.title)).toContain(en.diagnosis.symptoms.lostPhone);

      const started = await w.click(en.diagnosis.symptoms.newPhone);
      expect(started.response.body.value).toBe(en.actions.answered);
      expect(started.cards).toHaveLength(1);
      expectQuestion(started.cards[0], 'q-old-phone', 'en');
      expect(recordOf(ctx, w.diagnosisId)).toMatchObject({
        entry: 'symptoms',
        result: 'open',
        questions_asked: 0,
        path: [],
      });
    });

    it('offers the symptoms in Japanese to a Japanese speaker', async () => {
      const w = walk('ken.takahashi', 'ja-JP');
      await w.say('こんにちは');
      const { cards } = await w.say('あいうえお');
      expect(cards[0].body[0].text).toBe(ja.diagnosis.symptomsTitle);
      expect(choicesOf(cards[0]).map((choice) => choice.title)).toContain(ja.diagnosis.symptoms.lostPhone);
    });

    it.each([
      ['an intent that does not exist', 'drop-table'],
      ['an inherited property name', '__proto__'],
    ])('starts at the beginning when the picked symptom is %s', async (_case, intent) => {
      const w = walk('alexw');
      const { response, cards } = await w.post(Verbs.diagnoseStart, { intent });
      expect(response.status).toBe(200);
      expect(response.body.value).toBe(en.actions.answered);
      expect(cards).toHaveLength(1);
      // The beginning is the directory triage, which for Alex (sign-ins stopping at verification) asks about that.
      expectQuestion(cards[0], 'q-mfa-problem', 'en');
      expect(recordOf(ctx, w.diagnosisId)).toMatchObject({ path: [{ node: 'triage', via: 'check' }] });
    });

    it('answers a picked symptom that is not text with the stale note, starts nothing, and audits the click', async () => {
      const w = walk('alexw');
      const { response, cards } = await w.post(Verbs.diagnoseStart, { intent: 42 });
      expect(response.status).toBe(200);
      expect(response.body).toEqual(staleNote('en'));
      expect(cards).toHaveLength(0);
      const db = new Database(ctx.bot.sqlitePath, { readonly: true });
      try {
        const last = db.prepare('SELECT actor, reason FROM request_events ORDER BY sequence DESC LIMIT 1').get();
        expect(last).toEqual({ actor: demoUser('alexw').id, reason: `refused ${Verbs.diagnoseStart}: tamperedCard` });
      } finally {
        db.close();
      }
    });

    it('greets a first-time user whose first words it does not recognise, and offers the symptoms the next time', async () => {
      const newcomer = { id: randomUUID(), displayName: 'Nina Newcomer' };
      const w = new DiagnosisWalk(ctx, { from: newcomer });
      const first = await w.say('asdf qwerty');
      expect(first.cards).toHaveLength(1);
      expect(first.cards[0].body[0].text).toBe(en.welcome.title);
      const second = await w.say('asdf qwerty');
      expect(second.cards[0].body[0].text).toBe(en.diagnosis.symptomsTitle);
    });

    it('answers hello with the welcome card, even from a returning user', async () => {
      const w = walk('alexw');
      await w.say('diagnose');
      const { cards } = await w.say('hello');
      expect(cards).toHaveLength(1);
      expect(cards[0].body[0].text).toBe(en.welcome.title);
      expect(buttonTitles(cards[0])).toContain(en.welcome.actionCantSignIn);
    });
  });

  describe('free text', () => {
    it.each([
      // Alex's recent sign-ins stopped at verification: the triage asks about that, not what happens.
      ['cant login', 'en-US', 'cant-sign-in', 'question', 'q-mfa-problem'],
      ['cant loggin', 'en-US', 'cant-sign-in', 'question', 'q-mfa-problem'],
      ['new phone', 'en-US', 'new-phone', 'question', 'q-old-phone'],
      ['i got a new phnoe', 'en-US', 'new-phone', 'question', 'q-old-phone'],
      // The directory shows his second method, so he is not asked whether he has one.
      ['authenticator deleted', 'en-US', 'authenticator-deleted', 'outcome', 'sign-in-another-way'],
      ['authenticater deleted', 'en-US', 'authenticator-deleted', 'outcome', 'sign-in-another-way'],
      ["number doesn't match", 'en-US', 'number-mismatch', 'outcome', 'number-matching'],
      ['numbr doesnt match', 'en-US', 'number-mismatch', 'outcome', 'number-matching'],
      ['サインインできない', 'ja-JP', 'cant-sign-in', 'question', 'q-mfa-problem'],
      ['スマホを機種変更した', 'ja-JP', 'new-phone', 'question', 'q-old-phone'],
    ])('starts the right diagnosis from %j (%s)', async (text, locale, intent, kind, node) => {
      const language = languageOf(locale);
      const w = walk('alexw', locale);
      const { cards } = await w.say(text);
      expect(cards).toHaveLength(1);
      if (kind === 'question') expectQuestion(cards[0], node, language);
      else expectOutcome(cards[0], node, language);
      expect(recordOf(ctx, w.diagnosisId)).toMatchObject({ entry: intent, locale: language });
    });

    it.each([
      ['my phone fell in the river and everything was on that phone', 'en-US'],
      ['スマホを水没させました。認証アプリしか登録していません', 'ja-JP'],
    ])(
      'takes what %j says about the other methods over the directory, and records it as said',
      async (text, locale) => {
        // The directory shows Alex's second method; he says it was on the lost phone too.
        const w = walk('alexw', locale);
        const { cards } = await w.say(text);
        expectOutcome(cards[0], 'reset-needed', languageOf(locale));
        expect(recordOf(ctx, w.diagnosisId)?.path).toContainEqual({
          node: 'q-other-method',
          via: 'said',
          choice: 'no',
        });
      },
    );
  });

  describe('the question limit', () => {
    it('numbers the questions of the first-sign-in path and asks no more than four', async () => {
      // Megan signs in fine: the directory answers none of these questions for her.
      const w = walk('meganb');
      await w.say('cant login');
      await w.click('first-time-setup');
      expectQuestion(w.last, 'q-onboarding', 'en');
      await w.click('accept-invitation');
      expectQuestion(w.last, 'q-invitation', 'en');
      await w.click('no-or-older');
      expectOutcome(w.last, 'invitation-expired', 'en');
      expect(w.questions.map((card) => elementsOf(card).find((element) => element.isSubtle)?.text)).toEqual(
        ['1', '2', '3'].map((number) => format(en.diagnosis.progress, { number })),
      );
      expect(recordOf(ctx, w.diagnosisId)).toMatchObject({ outcome: 'invitation-expired', questions_asked: 3 });
    });
  });
});

describe('diagnosis with an identity verification service configured', () => {
  const ctx = useBot({ env: { IDENTITY_VERIFICATION_URL: 'https://verify.contoso.example/start' } });
  const walk = walks(ctx);

  it('sends Diego to prove who he is online before the reset, and to the reset if that fails', async () => {
    const w = walk('diegos');
    await w.say('lost my phone');
    expectOutcome(w.last, 'identity-verification', 'en');
    const links = elementsOf(w.last)
      .filter((element) => element.type === 'ActionSet')
      .flatMap((set) => set.actions.map((action: any) => action.url));
    expect(links).toContain('https://verify.contoso.example/start');
    await w.click(en.diagnosis.no);
    expectOutcome(w.last, 'reset-needed', 'en');
  });
});

describe('diagnosis when the directory fails (over HTTP)', () => {
  let failure: (operation: DirectoryOperation) => Error | undefined = () => undefined;
  const ctx = useBot(() => ({
    overrides: {
      directory: new SimulatedDirectory(loadDemoTenant(), systemClock, { failWith: (operation) => failure(operation) }),
    },
  }));
  const walk = walks(ctx);
  afterEach(() => {
    failure = () => undefined;
  });

  it.each([
    ['throttled', () => new ThrottledError(30)],
    ['unavailable', () => new ServiceUnavailableError()],
  ])('asks instead when the directory is %s, and still reaches the outcome', async (_case, error) => {
    const message = error().message;
    failure = () => error();
    const w = walk('adelev');
    const { cards } = await w.say("I can't sign in");
    expect(cards).toHaveLength(1);
    expectQuestion(cards[0], 'q-symptom', 'en');
    expect(evidenceLinesOf(cards[0])).toEqual([en.diagnosis.unknownEvidence]);

    await w.click('locked-or-disabled');
    expectOutcome(w.last, 'account-locked', 'en');
    const record = recordOf(ctx, w.diagnosisId);
    expect(record).toMatchObject({ outcome: 'account-locked', questions_asked: 1 });
    expect([...record!.evidence_gaps].sort()).toEqual([
      `methods: ${message}`,
      `signIns: ${message}`,
      `user: ${message}`,
    ]);
  });

  it('uses what did arrive when only the sign-in log fails, and asks about the rest', async () => {
    failure = (operation) => (operation === 'getRecentSignIns' ? new ThrottledError(5) : undefined);
    const w = walk('adelev');
    const { cards } = await w.say("I can't sign in");
    expectQuestion(cards[0], 'q-symptom', 'en');
    const evidence = evidenceLinesOf(cards[0])!;
    expect(evidence[0]).toContain('+65 •••• 7890');
    expect(evidence).not.toContain(en.diagnosis.unknownEvidence);
    expect(recordOf(ctx, w.diagnosisId)?.evidence_gaps).toEqual([`signIns: ${new ThrottledError(5).message}`]);
  });
});

describe('diagnosis when the directory is slower than the evidence budget (over HTTP)', () => {
  const ctx = useBot(() => ({
    env: { EVIDENCE_BUDGET_MS: '300' },
    overrides: { directory: new SimulatedDirectory(loadDemoTenant(), systemClock, { latencyMs: 5_000 }) },
  }));
  const walk = walks(ctx);

  it('asks instead of waiting for the directory, and reaches the outcome long before the directory answers', async () => {
    const w = walk('priya.raman');
    const started = Date.now();
    const { cards } = await w.say("I can't sign in");
    const firstAnswerMs = Date.now() - started;
    expect(firstAnswerMs).toBeGreaterThanOrEqual(250);
    expect(firstAnswerMs).toBeLessThan(3_000);
    expectQuestion(cards[0], 'q-symptom', 'en');
    expect(evidenceLinesOf(cards[0])).toEqual([en.diagnosis.unknownEvidence]);

    await w.click('blocked-message');
    expect(Date.now() - started).toBeLessThan(3_000);
    expectOutcome(w.last, 'blocked-conditional-access', 'en');
    const late = new DeadlineExceededError(300).message;
    expect([...recordOf(ctx, w.diagnosisId)!.evidence_gaps].sort()).toEqual([
      `methods: ${late}`,
      `signIns: ${late}`,
      `user: ${late}`,
    ]);
  });
});
