import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocaleRelay, type LocaleRelay } from '../../scripts/lib/locale-relay.js';
import { loadKnowledge } from '../../src/content/diagnosis/load-knowledge.js';
import { stringsFor } from '../../src/content/strings/index.js';
import { alex, tenant } from '../support/activities.js';
import { startBot, type RunningBot } from '../support/bot-harness.js';
import {
  CHROMIUM,
  CHROMIUM_ARGS,
  chromiumMissing,
  newClientContext,
  playgroundConfigFor,
  RESULTS_DIR,
  see,
  sendMessage,
  startPlayground,
  type Playground,
} from '../support/playground-driver.js';

const knowledge = loadKnowledge(new Set(['securityInfo', 'passwordReset', 'authenticatorApp', 'deviceCompliance']));
const nodeById = (id: string) => knowledge.nodes.find((node) => node.id === id);
/** The English label of a choice in the shipped knowledge, so the test follows content changes. */
const choiceLabel = (question: string, choice: string): string => {
  const node = nodeById(question);
  if (node?.kind !== 'question') throw new Error(`no question ${question}`);
  return node.choices.find((c) => c.id === choice)!.label.en;
};
const questionPrompt = (question: string): string => {
  const node = nodeById(question);
  if (node?.kind !== 'question') throw new Error(`no question ${question}`);
  return node.prompt.en;
};
const outcomeTitle = (outcome: string): string => {
  const node = nodeById(outcome);
  if (node?.kind !== 'outcome') throw new Error(`no outcome ${outcome}`);
  return node.title.en;
};

const STEP_TIMEOUT_MS = 20_000;
const TEST_TIMEOUT_MS = 120_000;

/** Picks a choice on the latest question card and presses its Next button. */
async function answer(page: Page, label: string): Promise<void> {
  const card = page
    .locator('.ac-adaptiveCard')
    .filter({ has: page.getByRole('radio') })
    .last();
  await card.getByRole('radio', { name: label, exact: true }).check();
  await card.getByRole('button', { name: stringsFor('en').diagnosis.next, exact: true }).click();
}

describe('Sign-in Help in the Microsoft 365 Agents Playground (Chromium)', () => {
  let bot: RunningBot | undefined;
  let relay: LocaleRelay | undefined;
  let playground: Playground | undefined;
  let browser: Browser | undefined;

  beforeAll(async () => {
    if (chromiumMissing) return;
    // Requests go to the demo team's approval channel, as `npm run dev` sets it up.
    bot = await startBot({
      env: { APPROVAL_TEAM_ID: tenant.team.id, APPROVAL_CHANNEL_ID: tenant.team.approvalChannel.id },
    });
    relay = await startLocaleRelay(bot.url);
    playground = await startPlayground(`${relay.url}/api/messages`);
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  }, TEST_TIMEOUT_MS);

  afterAll(async () => {
    await browser?.close().catch(() => {});
    playground?.stop();
    await relay?.close();
    await bot?.stop();
  });

  /**
   * Opens the Playground in a fresh browser context whose traffic may only go to loopback (the
   * client asks Microsoft's CDN for fonts; refusing is harmless). Screenshots the page on failure.
   */
  async function inPlayground(
    name: string,
    locale: string | undefined,
    steps: (page: Page) => Promise<void>,
    target: () => Playground = () => playground!,
  ) {
    if (chromiumMissing) throw new Error(chromiumMissing);
    relay!.locale = locale;
    const context = await newClientContext(browser!, STEP_TIMEOUT_MS);
    const page = await context.newPage();
    try {
      await page.goto(target().url);
      await steps(page);
    } catch (error) {
      mkdirSync(RESULTS_DIR, { recursive: true });
      const path = join(RESULTS_DIR, `playground-${name}.png`);
      await page.screenshot({ path, fullPage: true }).catch(() => {});
      throw Object.assign(error as Error, { message: `${(error as Error).message}\nScreenshot: ${path}` });
    } finally {
      await context.close();
    }
  }

  it(
    "greets Alex with the welcome card, and walks one diagnosis from I can't sign in to a fix",
    async () => {
      const strings = stringsFor('en');
      await inPlayground('english', undefined, async (page) => {
        const welcomeCards = page
          .locator('.ac-adaptiveCard')
          .filter({ has: page.getByRole('heading', { name: strings.welcome.title, exact: true }) });
        // Opening the Playground installs the bot in the personal chat, and the bot greets first.
        await see('the welcome card sent on install', welcomeCards.first());

        await sendMessage(page, 'hello');
        const reply = await see('the welcome card in reply to "hello"', welcomeCards.nth(1));
        // The Playground's message carries the name "Alex Wilber"; the given name comes from the directory.
        const greeting = await reply.innerText();
        expect(greeting).toContain(alex.givenName);
        expect(greeting).not.toContain(alex.displayName);
        for (const label of [
          strings.welcome.actionCantSignIn,
          strings.welcome.actionMyRequests,
          strings.welcome.actionHelp,
        ]) {
          await see(`the button "${label}"`, reply.getByRole('button', { name: label, exact: true }));
        }

        await reply.getByRole('button', { name: strings.welcome.actionCantSignIn, exact: true }).click();
        await see(
          'the first diagnosis question',
          page.locator('.ac-adaptiveCard').getByRole('heading', { name: strings.diagnosis.title, exact: true }),
        );
        // The invoke's own answer (a message-type invoke response) shows under the pressed card.
        await see(
          "the invoke's short answer",
          page.getByLabel('Display Invoked Message').getByText(strings.actions.answered, { exact: true }),
        );
        // The directory was consulted first: Alex's methods are listed, masked.
        await see('the masked methods', page.getByText(/Registered methods: .*\+65 •••• \d{4}/).last());

        // One diagnosis path, clicked through: verification fails, new phone with the old one at hand.
        await answer(page, choiceLabel('q-symptom', 'cannot-verify'));
        await see('the second question', page.getByText(questionPrompt('q-mfa-problem'), { exact: true }).last());
        await answer(page, choiceLabel('q-mfa-problem', 'new-phone-have-old'));
        await see(
          'the outcome card',
          page.getByRole('heading', { name: outcomeTitle('new-phone-old-available'), exact: true }).last(),
        );
        await page.getByRole('button', { name: strings.diagnosis.yes, exact: true }).last().click();
        await see('the thanks', page.getByText(strings.diagnosis.resolvedTitle, { exact: true }).last());
        expect(await welcomeCards.count()).toBe(2);
      });
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'speaks Japanese to a ja-JP client: the Japanese welcome card, and the help card for ヘルプ',
    async () => {
      const strings = stringsFor('ja');
      await inPlayground('japanese', 'ja-JP', async (page) => {
        const welcomeCards = page
          .locator('.ac-adaptiveCard')
          .filter({ has: page.getByRole('heading', { name: strings.welcome.title, exact: true }) });
        await see('the Japanese welcome card sent on install', welcomeCards.first());

        await sendMessage(page, 'こんにちは');
        const reply = await see('the Japanese welcome card in reply to "こんにちは"', welcomeCards.nth(1));
        await reply.getByRole('button', { name: strings.welcome.actionHelp, exact: true }).click();
        await see(
          'the Japanese help card',
          page.locator('.ac-adaptiveCard').getByRole('heading', { name: strings.help.title, exact: true }),
        );
        await see(
          "the invoke's short answer in Japanese",
          page.getByLabel('Display Invoked Message').getByText(strings.actions.answered, { exact: true }),
        );
      });
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'lets Diego apply for a reset from the diagnosis, Isaiah approve it in the approval channel, and Diego receive the pass',
    async () => {
      const strings = stringsFor('en');
      // Each person has their own Teams client: two Playgrounds, one bot.
      const asIsaiah = await startPlayground(`${relay!.url}/api/messages`, playgroundConfigFor('isaiahl'));
      const asDiego = await startPlayground(`${relay!.url}/api/messages`, playgroundConfigFor('diegos'));
      if (chromiumMissing) throw new Error(chromiumMissing);
      relay!.locale = undefined;
      const viewport = { viewport: { width: 1400, height: 1000 } };
      const contexts = await Promise.all([browser!.newContext(viewport), browser!.newContext(viewport)]);
      const [requester, agent] = await Promise.all(contexts.map((context) => context.newPage()));
      for (const context of contexts) context.setDefaultTimeout(STEP_TIMEOUT_MS);
      try {
        // Diego opens his client first. Isaiah opens his next, which installs the bot in his view of the
        // team last: the bot then reaches the approval channel through Isaiah's client.
        await requester!.goto(asDiego.url);
        await see('the welcome card', requester!.locator('.ac-adaptiveCard').first());
        await agent!.goto(asIsaiah.url);
        await agent!.getByRole('treeitem', { name: /Sign-in approvals/ }).click();
        await see('the team greeting', agent!.getByText(strings.team.title).first());

        const page = requester!;
        await sendMessage(page, 'I lost my phone');
        // The directory shows one method, so no question is asked: straight to the reset.
        await see(
          'the reset outcome',
          page.getByRole('heading', { name: outcomeTitle('reset-needed'), exact: true }).last(),
        );
        await page.getByRole('button', { name: strings.diagnosis.apply, exact: true }).last().click();
        const form = page
          .locator('.ac-adaptiveCard')
          .filter({ has: page.getByText(strings.application.contactLabel) })
          .last();
        await see('the application form', form);
        await form.getByRole('radio', { name: strings.application.verifications.videoCall, exact: true }).check();
        await form.getByRole('textbox').first().fill('+65 8123 0000');
        await form.getByRole('button', { name: strings.application.submit, exact: true }).click();
        const confirmation = await see('the confirmation', page.getByText(/^Application received: SIH-\d{6}$/).last());
        const reference = (await confirmation.innerText()).split(': ')[1]!;

        // The request's card arrives in Isaiah's channel view; he approves after recording the verification.
        const card = agent!.locator('.ac-adaptiveCard').filter({ hasText: reference }).last();
        await see(`the card of ${reference} in the channel`, card);
        await see('the subject on the card', card.getByText('Diego Siciliani').first());
        await card.getByRole('button', { name: strings.review.actions.approve, exact: true }).click();
        await card.getByRole('radio', { name: strings.review.verificationsDone.videoCall, exact: true }).check();
        await card.getByRole('textbox').last().fill('Compared his face with his staff ID on a video call');
        await card.getByRole('button', { name: strings.review.actions.approveSubmit, exact: true }).click();
        // The card is updated for everyone in the channel: approved, with Isaiah's record of the check.
        const decided = agent!.locator('.ac-adaptiveCard').filter({ hasText: reference }).last();
        await see(
          'the approved state on the card',
          decided.getByText(new RegExp(`^${strings.review.states.approved}`)),
        );
        await see(
          'the recorded verification',
          decided.getByText('Compared his face with his staff ID on a video call'),
        );
        expect(await decided.getByRole('button', { name: strings.review.actions.approve, exact: true }).count()).toBe(
          0,
        );
        const state = bot!.service.db.prepare('SELECT state FROM requests WHERE reference = ?').pluck().get(reference);
        expect(state).toBe('approved');

        // The worker carries it out: Diego alone gets the pass, in his chat; the channel card says it is done.
        await bot!.service.runExecution();
        await bot!.service.settle();
        const passCard = requester!.locator('.ac-adaptiveCard').filter({ hasText: strings.pass.title }).last();
        await see("the pass in Diego's chat", passCard);
        const pass = await passCard
          .locator('.ac-container')
          .getByText(/^\S{8}$/)
          .first()
          .innerText();
        await see(
          'the completion on the channel card',
          agent!
            .locator('.ac-adaptiveCard')
            .filter({ hasText: reference })
            .last()
            .getByText(strings.review.execution.doneToSubject),
        );
        expect(await agent!.getByText(pass, { exact: true }).count()).toBe(0);
        const completed = bot!.service.db
          .prepare('SELECT state FROM requests WHERE reference = ?')
          .pluck()
          .get(reference);
        expect(completed).toBe('completed');
      } catch (error) {
        mkdirSync(RESULTS_DIR, { recursive: true });
        await agent!.screenshot({ path: join(RESULTS_DIR, 'playground-agent.png'), fullPage: true }).catch(() => {});
        await requester!
          .screenshot({ path: join(RESULTS_DIR, 'playground-requester.png'), fullPage: true })
          .catch(() => {});
        throw error;
      } finally {
        await Promise.all(contexts.map((context) => context.close()));
        asDiego.stop();
        asIsaiah.stop();
      }
    },
    TEST_TIMEOUT_MS,
  );
});
