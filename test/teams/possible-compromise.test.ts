import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { DEFAULT_KNOWLEDGE_PATH } from '../../src/content/diagnosis/load-knowledge.js';
import { format, stringsFor } from '../../src/content/strings/index.js';
import { POSSIBLE_COMPROMISE_OUTCOME } from '../../src/domain/diagnosis/possible-compromise.js';
import type { Locale } from '../../src/domain/locale.js';
import type { Sender } from '../support/activities.js';
import {
  Verbs,
  cardsInChat,
  channelCard,
  executeActions,
  inChannel,
  inChat,
  people,
  stored,
  textOf,
  textsIn,
} from '../support/approval-driver.js';
import { objectsOf } from '../support/card-tree.js';
import { DiagnosisWalk, elementsOf } from '../support/diagnosis-driver.js';
import { useBot, type BotUnderTest } from '../support/use-bot.js';

const en = stringsFor('en');
const ja = stringsFor('ja');
const { alex, yuki, diego, shota, megan, lynne, isaiah } = people;

/** Two outcomes that offer the reset: `possible-compromise` and `reset-needed`, each with its own intent. */
const KNOWLEDGE = fileURLToPath(new URL('../fixtures/knowledge-possible-compromise.json', import.meta.url));

/**
 * `person` tells the bot `text` in their chat, gets an outcome that offers the reset, applies from it
 * (one method lost, a call back to a number on file) and sends the form. The stored request.
 */
async function diagnosedAndApplied(
  ctx: BotUnderTest,
  person: Sender,
  text: string,
  options: { locale?: string; verification?: string } = {},
): Promise<{ reference: string; diagnosisId: string }> {
  const locale = options.locale ?? 'en-US';
  const strings = stringsFor(locale.startsWith('ja') ? 'ja' : 'en');
  const walk = new DiagnosisWalk(ctx, { from: person, locale, conversationId: `a:chat-${person.id}` });
  await walk.say(text);
  await walk.click(strings.diagnosis.apply);
  const form = walk.last;
  expect(form.body[0].text).toBe(strings.application.title);
  const lost = elementsOf(form).find((element: any) => element.id === 'lostMethods');
  await walk.click(form.actions[0].title, {
    inputs: {
      reason: 'other',
      lostMethods: lost.choices[0].value,
      verification: options.verification ?? 'callback',
      contact: '+65 8123 0000',
      note: 'Approval requests keep coming that I did not make.',
    },
  });
  const row = stored(ctx).requests.at(-1)!;
  expect(row.subject_id).toBe(person.id);
  expect(JSON.parse(row.application).diagnosisId).toBe(walk.diagnosisId);
  return { reference: row.reference as string, diagnosisId: walk.diagnosisId };
}

/** The red band of a card that holds `heading`, or undefined. */
const bandWith = (card: unknown, heading: string): any =>
  objectsOf(card)
    .filter((object) => object.type === 'Container' && object.style === 'attention')
    .find((container) => objectsOf(container.items).some((object) => object.text === heading));

/** Asserts the channel card warns of a possible compromise in `locale`, with what to check before approving. */
function expectWarned(card: unknown, locale: Locale): void {
  const c = stringsFor(locale).review.compromise;
  const band = bandWith(card, c.heading);
  expect(band, `a ${locale} compromise warning`).toBeDefined();
  expect(textsIn(band)).toEqual(
    expect.arrayContaining([c.heading, c.reported, c.checksHeading, ...c.checks.map((line) => `• ${line}`)]),
  );
}

/** Asserts a card has no compromise warning in either language. */
function expectNoWarning(card: unknown): void {
  for (const strings of [en, ja]) {
    expect(textOf(card)).not.toContain(strings.review.compromise.heading);
    expect(textOf(card)).not.toContain(strings.review.manager.compromise.heading);
  }
}

describe('the possible-compromise outcome', () => {
  it('is in the shipped knowledge under the id the flag reads, and offers the reset as the fixture does', () => {
    const outcomeIn = (path: string) =>
      (JSON.parse(readFileSync(path, 'utf8')).nodes as Array<Record<string, unknown>>).find(
        (node) => node.id === POSSIBLE_COMPROMISE_OUTCOME,
      );
    for (const path of [DEFAULT_KNOWLEDGE_PATH, KNOWLEDGE]) {
      expect(outcomeIn(path), path).toMatchObject({ kind: 'outcome', category: 'securityRisk', ifNotFixed: 'apply' });
    }
  });
});

describe('a reset applied for from a possible compromise warns the helpdesk (over HTTP)', () => {
  const ctx = useBot({ env: { DIAGNOSIS_KNOWLEDGE_PATH: KNOWLEDGE } });

  it('shows the warning on the channel card in English, still there on the card a claim answers with', async () => {
    await inChannel(ctx, lynne).say('set approval channel');
    const { reference } = await diagnosedAndApplied(ctx, alex, 'I keep getting approval requests I did not make');
    const card = channelCard(ctx, reference);
    expectWarned(card, 'en');
    // The warning sits right under the state, above the facts of the request.
    expect(card.body.indexOf(bandWith(card, en.review.compromise.heading))).toBe(2);

    const claimed = await inChannel(ctx, isaiah).press(card, Verbs.reviewClaim);
    expect(textsIn(claimed)).toContain(en.approval.done.claimed);
    expectWarned(claimed, 'en');
    expectWarned(channelCard(ctx, reference), 'en');
  });

  it('shows none for a reset applied for from another outcome, or without a diagnosis', async () => {
    await inChannel(ctx, lynne).say('set approval channel');
    const fromDiagnosis = await diagnosedAndApplied(ctx, diego, 'I lost my phone');
    const card = channelCard(ctx, fromDiagnosis.reference);
    expect(textsIn(card)).toContain(en.review.risksHeading);
    expectNoWarning(card);

    const requestId = await inChat(ctx, shota).apply();
    const plain = stored(ctx).requests.find((request) => request.id === requestId)!;
    expect(JSON.parse(plain.application).diagnosisId).toBeUndefined();
    expectNoWarning(channelCard(ctx, plain.reference));
  });

  it('words it in Japanese for a channel set in Japanese', async () => {
    await inChannel(ctx, lynne, 'ja-JP').say('承認チャネルに設定');
    const { reference } = await diagnosedAndApplied(ctx, yuki, '身に覚えのない承認の要求が何度も届きます', {
      locale: 'ja-JP',
    });
    const card = channelCard(ctx, reference);
    expectWarned(card, 'ja');
    expect(textOf(card)).not.toContain(en.review.compromise.heading);
  });
});

describe('the manager asked to confirm is warned of a possible compromise (over HTTP)', () => {
  const ctx = useBot({ env: { DIAGNOSIS_KNOWLEDGE_PATH: KNOWLEDGE } });

  /** The confirmation card Megan got for `reference`. */
  const confirmationFor = (reference: string): any =>
    cardsInChat(ctx, megan).find(
      (sent) => executeActions(sent).has(Verbs.managerConfirm) && textOf(sent).includes(reference),
    );

  it('warns the manager in their language while asking, and the channel card too; the answered card records only the answer', async () => {
    await inChannel(ctx, lynne).say('set approval channel');
    await inChat(ctx, megan).say('help');
    const { reference } = await diagnosedAndApplied(ctx, alex, 'approval requests I did not make keep coming', {
      verification: 'managerConfirmation',
    });
    const m = en.review.manager.compromise;
    const confirmation = confirmationFor(reference);
    expect(confirmation, 'a confirmation card for Megan').toBeDefined();
    const band = bandWith(confirmation, m.heading);
    expect(new Set(textsIn(band))).toEqual(
      new Set([m.heading, format(m.reported, { name: 'Alex Wilber' }), format(m.advice, { name: 'Alex Wilber' })]),
    );
    // The agents see it while the manager has not answered yet.
    expectWarned(channelCard(ctx, reference), 'en');

    const answered = await inChat(ctx, megan).press(confirmation, Verbs.managerConfirm);
    expect(textsIn(answered)).toContain(en.review.manager.confirmed);
    expectNoWarning(answered);
    expectWarned(channelCard(ctx, reference), 'en');

    // In Japanese for a manager who talks to the bot in Japanese; none for a request without it.
    await inChat(ctx, megan, 'ja-JP').say('ヘルプ');
    const inJapanese = await diagnosedAndApplied(ctx, yuki, '心当たりのない承認の通知が来ます', {
      locale: 'ja-JP',
      verification: 'managerConfirmation',
    });
    const mJa = ja.review.manager.compromise;
    expect(textsIn(bandWith(confirmationFor(inJapanese.reference), mJa.heading))).toContain(
      format(mJa.advice, { name: '佐藤 由紀' }),
    );
    const plain = await diagnosedAndApplied(ctx, shota, 'lost my phone', { verification: 'managerConfirmation' });
    const plainConfirmation = confirmationFor(plain.reference);
    expect(plainConfirmation).toBeDefined();
    expectNoWarning(plainConfirmation);
  });
});
