import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Locator, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocaleRelay, type LocaleRelay } from '../../scripts/lib/locale-relay.js';
import { loadKnowledge } from '../../src/content/diagnosis/load-knowledge.js';
import { format, stringsFor } from '../../src/content/strings/index.js';
import { SimulatedDirectory } from '../../src/directory/simulated-directory.js';
import { alex, tenant } from '../support/activities.js';
import { startBot, type RunningBot } from '../support/bot-harness.js';
import { MovableClock } from '../support/execution-driver.js';
import {
  CHROMIUM,
  CHROMIUM_ARGS,
  chromiumMissing,
  demoUser,
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
/** How long a pass works, set here so the test knows how far to move the clock past it. */
const PASS_LIFETIME_MINUTES = 60;

/** The pass on a pass card: the eight characters in its emphasis container. */
const passOn = (card: Locator): Locator => card.locator('.ac-container').getByText(/^\S{8}$/);

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
  // The bot's clock and the simulated directory's are one the test moves, so a pass can expire without waiting.
  const clock = new MovableClock();
  /** Stops what a test started and has not stopped yet, newest first: also after a test timed out. */
  const stops: Array<() => unknown> = [];
  const stopAll = async () => {
    for (let stop = stops.pop(); stop; stop = stops.pop()) await Promise.resolve(stop()).catch(() => {});
  };

  beforeAll(async () => {
    if (chromiumMissing) return;
    // Requests go to the demo team's approval channel, as `npm run dev` sets it up.
    bot = await startBot({
      env: {
        APPROVAL_TEAM_ID: tenant.team.id,
        APPROVAL_CHANNEL_ID: tenant.team.approvalChannel.id,
        PASS_LIFETIME_MINUTES: String(PASS_LIFETIME_MINUTES),
      },
      overrides: { clock, directory: new SimulatedDirectory(tenant, clock) },
    });
    relay = await startLocaleRelay(bot.url);
    playground = await startPlayground(`${relay.url}/api/messages`);
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  }, TEST_TIMEOUT_MS);

  afterAll(async () => {
    await stopAll();
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

        // His recent sign-ins stopped at verification, so the first question is about his phone.
        await see(
          'what the sign-in log showed',
          page.getByText(strings.diagnosis.facts.mfaNotCompleted, { exact: true }).last(),
        );
        await see(
          'the question about his phone',
          page.getByText(questionPrompt('q-mfa-problem'), { exact: true }).last(),
        );
        // One diagnosis path, clicked through: a new phone with the old one at hand.
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
    'lets Diego apply for a reset, Isaiah approve it after a video call and issue the pass in his own chat, where alone it shows until it expires',
    async () => {
      const strings = stringsFor('en');
      const isaiah = demoUser('isaiahl');
      const subject = demoUser('diegos').displayName;
      if (chromiumMissing) throw new Error(chromiumMissing);
      relay!.locale = undefined;
      let requester: Page | undefined;
      let agent: Page | undefined;
      try {
        // Each person has their own Teams client: a Playground and a browser context each, one bot.
        const openClient = async (alias: string) => {
          const playground = await startPlayground(`${relay!.url}/api/messages`, playgroundConfigFor(alias));
          stops.push(() => playground.stop());
          const context = await newClientContext(browser!, STEP_TIMEOUT_MS);
          stops.push(() => context.close());
          return { playground, page: await context.newPage() };
        };
        const asIsaiah = await openClient('isaiahl');
        const asDiego = await openClient('diegos');
        agent = asIsaiah.page;
        requester = asDiego.page;
        // Diego opens his client first. Isaiah opens his next, which installs the bot in his view of the
        // team last: the bot then reaches the approval channel through Isaiah's client.
        await requester!.goto(asDiego.playground.url);
        await see('the welcome card', requester!.locator('.ac-adaptiveCard').first());
        await agent!.goto(asIsaiah.playground.url);
        // His client opens on his 1:1 chat with the bot, listed beside the team: the bot greets him there, and
        // keeps that chat's address (through his own Playground) for the pass it will offer him.
        const personalChat = agent!.getByRole('treeitem', { name: /Personal Chat/ });
        const channel = agent!.getByRole('treeitem', { name: /Sign-in approvals/ });
        await see(
          "the welcome card in Isaiah's chat",
          agent!.getByRole('heading', { name: strings.welcome.title, exact: true }).first(),
        );
        const address = await bot!.service.store.addresses.find(tenant.tenant.id, `user:${isaiah.id}`);
        expect(address?.kind).toBe('personal');
        expect(new URL(address!.reference.serviceUrl as string).port).toBe(new URL(asIsaiah.playground.url).port);
        await channel.click();
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
        const stateNow = async () =>
          (await bot!.service.store.requests.findByReference(tenant.tenant.id, reference))?.state;
        expect(await stateNow()).toBe('approved');

        // The worker resets at once (methods removed, sessions signed out) but makes no pass yet: it offers
        // Isaiah, who checked who Diego is, to issue it on the call, privately in his 1:1 chat with the bot.
        await bot!.service.runExecution();
        await bot!.service.settle();
        expect(await stateNow()).toBe('executing');
        const channelCard = agent!.locator('.ac-adaptiveCard').filter({ hasText: reference }).last();
        await see(
          'the wait for Isaiah on the channel card',
          channelCard.getByText(format(strings.review.execution.waitingForPass, { name: isaiah.displayName })),
        );
        const titled = (client: Page, title: string) =>
          client
            .locator('.ac-adaptiveCard')
            .filter({ has: client.getByRole('heading', { name: title, exact: true }) })
            .last();
        const passTitle = format(strings.pass.titleFor, { subject });
        await personalChat.click();
        const offer = await see(
          "the offer in Isaiah's chat",
          titled(agent!, format(strings.pass.offerTitle, { subject })),
        );
        await see(
          'the offer worded for a video call',
          offer.getByText(
            format(strings.pass.offer.when.videoCall, { subject, minutes: String(PASS_LIFETIME_MINUTES) }),
          ),
        );
        expect(await passOn(offer).count()).toBe(0);

        // On the call again, Isaiah presses the button: the pass is made then, and the invoke's answer replaces
        // the offer with the pass, on that card only.
        await offer.getByRole('button', { name: strings.pass.offer.button, exact: true }).click();
        const shown = await see('the pass on the pressed card', titled(agent!, passTitle));
        await see(
          'what to do with it on the video call',
          shown.getByText(format(strings.pass.shown.videoCall, { subject })),
        );
        const pass = await passOn(shown).first().innerText();
        expect(await agent!.getByRole('button', { name: strings.pass.offer.button, exact: true }).count()).toBe(0);
        await bot!.service.settle();
        expect(await stateNow()).toBe('completed');

        // Diego hears of it in his own chat, in the second person, with a way to object; he never sees the pass.
        const notice = requester!
          .locator('.ac-adaptiveCard')
          .filter({
            hasText: format(strings.approval.completion.toSubjectIssued, {
              reference,
              issuer: isaiah.displayName,
            }),
          })
          .last();
        await see("the reset's notice in Diego's chat", notice);
        await see(
          'the button "This was not me"',
          notice.getByRole('button', { name: strings.approval.completion.notYouButton, exact: true }),
        );
        expect(await requester!.locator('body').innerText()).not.toContain(pass);

        // The channel card says Isaiah issued it; the channel never shows the pass.
        await channel.click();
        await see(
          'the completion by Isaiah on the channel card',
          channelCard.getByText(format(strings.review.execution.doneToAgent, { name: isaiah.displayName })),
        );
        expect(await agent!.locator('body').innerText()).not.toContain(pass);

        // Once the pass has run out, the worker's follow-up updates Isaiah's card: it says so, without the pass.
        clock.advance((PASS_LIFETIME_MINUTES + 1) * 60_000);
        await bot!.service.runExecution();
        await bot!.service.settle();
        await personalChat.click();
        const closed = await see(
          "the expired pass's card in Isaiah's chat",
          titled(agent!, passTitle).filter({ hasText: strings.pass.closed.expired }),
        );
        expect(await passOn(closed).count()).toBe(0);
        expect(await agent!.locator('body').innerText()).not.toContain(pass);
        expect(await requester!.locator('body').innerText()).not.toContain(pass);
      } catch (error) {
        mkdirSync(RESULTS_DIR, { recursive: true });
        await agent?.screenshot({ path: join(RESULTS_DIR, 'playground-agent.png'), fullPage: true }).catch(() => {});
        await requester
          ?.screenshot({ path: join(RESULTS_DIR, 'playground-requester.png'), fullPage: true })
          .catch(() => {});
        throw error;
      } finally {
        await stopAll();
      }
    },
    TEST_TIMEOUT_MS,
  );
});
