import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { format, stringsFor } from '../../src/content/strings/index.js';
import type { Locale } from '../../src/domain/locale.js';
import {
  buttonTitles,
  cardText,
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
const alex = demoUser('alexw');

/** The `diagnoses` row of one diagnosis and the stored requests, straight from the bot's SQLite file. */
function stored(ctx: BotUnderTest, diagnosisId: string) {
  const db = new Database(ctx.bot.sqlitePath, { readonly: true });
  try {
    const diagnosis = db.prepare('SELECT * FROM diagnoses WHERE id = ?').get(diagnosisId) as Record<string, any>;
    const requests = db.prepare('SELECT * FROM requests ORDER BY sequence').all() as Array<Record<string, any>>;
    return { diagnosis: { ...diagnosis, path: JSON.parse(diagnosis.path) } as Record<string, any>, requests };
  } finally {
    db.close();
  }
}

const referenceOf = (diagnosisId: string) => `DX-${diagnosisId.replace(/-/g, '').slice(0, 8).toUpperCase()}`;
const inputOf = (card: any, id: string): any => elementsOf(card).find((element: any) => element.id === id);
/** The ids of the methods a form lists, and of those it ticks. */
const listed = (form: any): string[] => inputOf(form, 'lostMethods').choices.map((choice: any) => choice.value);
const ticked = (form: any): string[] => String(inputOf(form, 'lostMethods').value).split(',').filter(Boolean);

function expectOutcome(card: any, id: string, locale: Locale): void {
  const outcome = knowledgeOutcome(id);
  expect(isQuestionCard(card), `expected the outcome ${id}, got a question`).toBe(false);
  expect(card.body[0].text).toBe(stringsFor(locale).diagnosis.categories[outcome.category]);
  expect(card.body[1].text).toBe(outcome.title[locale]);
}

function expectQuestion(card: any, id: string, locale: Locale): void {
  expect(isQuestionCard(card), `expected the question ${id}`).toBe(true);
  expect(promptOf(card)).toBe(knowledgeQuestion(id).prompt[locale]);
}

/**
 * Alex's journey as a new user tried it: "my authenticator is not working", the notification never
 * arrives, and "No, still stuck" twice (on the notification advice, then on signing in another way).
 */
async function stuckTwice(w: DiagnosisWalk, locale: Locale): Promise<void> {
  const d = stringsFor(locale).diagnosis;
  await w.say(locale === 'ja' ? '認証アプリが使えません' : 'my authenticator is not working');
  expectQuestion(w.last, 'q-mfa-problem', locale);
  await w.click('no-prompt');
  expectOutcome(w.last, 'notifications-not-arriving', locale);
  await w.click(d.no);
  expectOutcome(w.last, 'sign-in-another-way', locale);
  await w.click(d.no);
}

describe('never escalating too early (over HTTP)', () => {
  const ctx = useBot();

  it('asks Alex about his other methods after "No, still stuck" twice, and hands over to the helpdesk when his number works', async () => {
    const w = new DiagnosisWalk(ctx, { from: alex });
    await stuckTwice(w, 'en');
    const asked = w.last;
    expectQuestion(asked, 'q-methods-left', 'en');
    // The card shows what the directory lists, so he can tell which methods are meant.
    expect(evidenceLinesOf(asked)![0]).toContain('+65 •••• 4567');

    const { cards } = await w.click('works-still-stuck');
    expect(cards).toHaveLength(1);
    const [helpdesk] = cards;
    expectOutcome(helpdesk, 'contact-helpdesk', 'en');
    expect(isActionable(helpdesk)).toBe(false);
    expect(cardText(helpdesk)).not.toContain(en.diagnosis.didThisFixIt);
    expect(cardText(helpdesk)).toContain(
      format(en.diagnosis.helpdeskNextNoLink, { reference: referenceOf(w.diagnosisId) }),
    );

    // Nothing on the way said every method was out of reach, or offered the reset.
    const resetTitle = JSON.stringify(knowledgeOutcome('reset-needed').title.en);
    for (const card of w.cards) {
      expect(cardText(card)).not.toContain(resetTitle);
      expect(buttonTitles(card)).not.toContain(en.diagnosis.apply);
    }
    const { diagnosis } = stored(ctx, w.diagnosisId);
    expect(diagnosis).toMatchObject({
      user_id: alex.id,
      outcome: 'contact-helpdesk',
      result: 'notResolved',
      questions_asked: 2,
    });
    expect(diagnosis.path.filter((step: any) => step.via !== 'check')).toEqual([
      { node: 'q-mfa-problem', via: 'asked', choice: 'no-prompt' },
      { node: 'notifications-not-arriving', via: 'notFixed' },
      { node: 'sign-in-another-way', via: 'notFixed' },
      { node: 'q-methods-left', via: 'asked', choice: 'works-still-stuck' },
    ]);

    // The diagnosis is over: starting again is a new one, and the record stays as it ended.
    await w.say('my authenticator is not working');
    expect(stored(ctx, diagnosis.id).diagnosis).toMatchObject({ result: 'notResolved' });
  });

  it('does the same in Japanese when Alex is not sure, with the reference and how to reach the helpdesk in words', async () => {
    const w = new DiagnosisWalk(ctx, { from: alex, locale: 'ja-JP' });
    await stuckTwice(w, 'ja');
    expectQuestion(w.last, 'q-methods-left', 'ja');
    const { cards } = await w.click('not-sure');
    expectOutcome(cards[0], 'contact-helpdesk', 'ja');
    expect(isActionable(cards[0])).toBe(false);
    expect(cardText(cards[0])).not.toContain(ja.diagnosis.didThisFixIt);
    expect(cardText(cards[0])).toContain(
      format(ja.diagnosis.helpdeskNextNoLink, { reference: referenceOf(w.diagnosisId) }),
    );
    expect(stored(ctx, w.diagnosisId).diagnosis).toMatchObject({ locale: 'ja', result: 'notResolved' });
  });

  it('opens the application from the menu with Alex methods listed and none ticked, as nothing says one is lost', async () => {
    const w = new DiagnosisWalk(ctx, { from: alex });
    const { cards } = await w.say('reset');
    const [form] = cards;
    expect(form.body[0].text).toBe(en.application.title);
    expect(listed(form)).toHaveLength(2);
    expect(ticked(form)).toEqual([]);
  });
});

describe('the reset application after a diagnosis (over HTTP)', () => {
  const ctx = useBot();

  it('ticks both of Alex methods once he says none works, and records `applied` only when he sends it', async () => {
    const w = new DiagnosisWalk(ctx, { from: alex });
    await stuckTwice(w, 'en');
    await w.click('none-work');
    expectOutcome(w.last, 'reset-needed', 'en');
    const diagnosisId = w.diagnosisId;

    await w.click(en.diagnosis.apply);
    const form = w.last;
    expect(form.body[0].text).toBe(en.application.title);
    expect(ticked(form)).toEqual(listed(form));
    expect(ticked(form)).toHaveLength(2);
    // "Apply for a reset" only opened the form.
    expect(stored(ctx, diagnosisId).diagnosis).toMatchObject({ outcome: 'reset-needed', result: 'open' });

    const sent = await w.click(form.actions[0].title, {
      inputs: {
        reason: 'lostPhone',
        lostMethods: inputOf(form, 'lostMethods').value,
        verification: 'videoCall',
        contact: '+65 8123 0000',
      },
    });
    expect(sent.response.body.value.body[0].text).toMatch(/SIH-\d{6}/);
    const after = stored(ctx, diagnosisId);
    expect(after.diagnosis).toMatchObject({ outcome: 'reset-needed', result: 'applied' });
    const request = after.requests.find((candidate) => candidate.subject_id === alex.id)!;
    expect(JSON.parse(request.application)).toMatchObject({ diagnosisId, lostMethodIds: listed(form) });
  });

  it('carries the methods said to be lost through a line manager choosing whose account, for her own account only', async () => {
    const megan = demoUser('meganb');
    const w = new DiagnosisWalk(ctx, { from: megan });
    await stuckTwice(w, 'en');
    await w.click('none-work');
    await w.click(en.diagnosis.apply);
    const picker = w.last;
    expect(picker.body[0].text).toBe(en.application.subjectTitle);

    const own = await w.click(format(en.application.self, { name: 'Megan Bowen' }), { card: picker });
    const ownForm = own.response.body.value;
    expect(ownForm.actions[0].data.subjectId).toBe(megan.id);
    expect(ticked(ownForm)).toHaveLength(2);
    expect(ticked(ownForm)).toEqual(listed(ownForm));

    // Her diagnosis said nothing about Alex's methods.
    const report = await w.click('Alex Wilber', { card: picker });
    const reportForm = report.response.body.value;
    expect(reportForm.actions[0].data.subjectId).toBe(alex.id);
    expect(listed(reportForm)).toHaveLength(2);
    expect(ticked(reportForm)).toEqual([]);
  });
});

describe('the application a diagnosis opens, prefilled (over HTTP)', () => {
  const ctx = useBot();

  it('says Yuki lost her phone and ticks her only method, which the directory shows and her words ruled out', async () => {
    const w = new DiagnosisWalk(ctx, { from: demoUser('yuki.sato'), locale: 'ja-JP' });
    await w.say('スマホをなくしました');
    expectOutcome(w.last, 'reset-needed', 'ja');
    await w.click(ja.diagnosis.apply);
    const form = w.last;
    expect(form.body[0].text).toBe(ja.application.title);
    expect(inputOf(form, 'reason').value).toBe('lostPhone');
    expect(listed(form)).toHaveLength(1);
    expect(ticked(form)).toEqual(listed(form));
  });

  it('ticks only the hijacked number after a SIM swap, leaving Alex Authenticator unticked', async () => {
    const w = new DiagnosisWalk(ctx, { from: alex });
    await w.say('I think someone did a SIM swap on me');
    expectOutcome(w.last, 'possible-compromise', 'en');
    await w.click(en.diagnosis.apply);
    const form = w.last;
    expect(inputOf(form, 'reason').value).toBe('other');
    const phone = inputOf(form, 'lostMethods').choices.find((choice: any) => choice.title.includes('+65'));
    expect(listed(form)).toHaveLength(2);
    expect(ticked(form)).toEqual([phone.value]);
  });

  it('ticks nothing after prompts Alex did not start: they say nothing is lost', async () => {
    const w = new DiagnosisWalk(ctx, { from: alex });
    await w.say("I keep getting MFA requests I didn't make");
    expectOutcome(w.last, 'possible-compromise', 'en');
    await w.click(en.diagnosis.apply);
    expect(ticked(w.last)).toEqual([]);
    expect(inputOf(w.last, 'reason').value).toBe('other');
  });
});

describe('the helpdesk outcome with HELPDESK_URL configured (over HTTP)', () => {
  const url = 'https://helpdesk.contoso.example/new';
  const ctx = useBot({ env: { HELPDESK_URL: url } });

  it('links to the helpdesk and gives the reference, still without asking whether it fixed anything', async () => {
    const w = new DiagnosisWalk(ctx, { from: alex });
    await stuckTwice(w, 'en');
    const { cards } = await w.click('works-still-stuck');
    const [helpdesk] = cards;
    expectOutcome(helpdesk, 'contact-helpdesk', 'en');
    const links = elementsOf(helpdesk)
      .filter((element) => element.type === 'ActionSet')
      .flatMap((set) => set.actions.map((action: any) => ({ title: action.title, url: action.url })));
    expect(links).toContainEqual({ title: en.diagnosis.helpdeskLink, url });
    expect(cardText(helpdesk)).toContain(format(en.diagnosis.helpdeskNext, { reference: referenceOf(w.diagnosisId) }));
    expect(buttonTitles(helpdesk)).toEqual([]);
  });
});
