import { randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Locator, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocaleRelay } from '../../scripts/lib/locale-relay.js';
import { formatHours } from '../../src/cards/format-time.js';
import { format, stringsFor, type Strings } from '../../src/content/strings/index.js';
import type { Locale } from '../../src/domain/locale.js';
import type { DiagnosisResult } from '../../src/domain/ports.js';
import { emptyReview } from '../../src/domain/requests/request.js';
import { seedRequest } from '../support/seed-requests.js';
import { alex, tenant } from '../support/activities.js';
import { startBot, type RunningBot } from '../support/bot-harness.js';
import {
  CHROMIUM,
  CHROMIUM_ARGS,
  chromiumMissing,
  demoUser,
  newClientContext,
  playgroundConfigFor,
  RESULTS_DIR,
  screenshotInto,
  see,
  sendMessage,
  startPlayground,
} from '../support/playground-driver.js';

const STEP_TIMEOUT_MS = 15_000;
const RUN_TIMEOUT_MS = 100_000;
/** REVIEW_SLA_HOURS for these runs: 3.6 seconds, so the reminder and the leads' notice come within the walk. */
const REVIEW_SLA_HOURS = '0.001';
const REVIEW_SLA_MS = 3_600;
const JOBS_INTERVAL_SECONDS = 5;
/** From filing, how long the channel reminder and the leads' notice may take to show in Patti's client. */
const SERVICE_LEVEL_BUDGET_MS = 20_000;
/** After both notices showed, how long to watch for a second one: two job intervals. */
const WATCH_FOR_REPEATS_MS = 2 * JOBS_INTERVAL_SECONDS * 1_000;
/**
 * The approval channel comes from APPROVAL_CHANNEL_ID, so it speaks the bot's DEFAULT_LOCALE (unset: English)
 * whatever language the clients use; the 1:1 chats speak the client's language.
 */
const CHANNEL_LOCALE: Locale = 'en';
/** The period `stats` shows when none is asked for: one point a day in each series of the line chart. */
const DEFAULT_STATS_DAYS = 30;
/** What Alex types as his contact: nobody but him and the helpdesk may see it again. */
const CONTACT = '+65 8123 4499';

/** One walk: the language the clients speak and the words people type in it. */
interface Run {
  name: string;
  locale: Locale;
  /** What the locale relay stamps on every activity; undefined leaves the Playground's en-US. */
  clientLocale: string | undefined;
  commands: { reset: string; myTeam: string; queue: string; stats: string; status: string };
}

const RUNS: Run[] = [
  {
    name: 'english',
    locale: 'en',
    clientLocale: undefined,
    commands: { reset: 'reset', myTeam: 'my team', queue: 'queue', stats: 'stats', status: 'status' },
  },
  {
    name: 'japanese',
    locale: 'ja',
    clientLocale: 'ja-JP',
    commands: { reset: 'リセット', myTeam: 'チームの申請', queue: 'キュー', stats: '統計', status: '状況' },
  },
];

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** A whole-text pattern for a string template, its `{placeholders}` replaced by the given pattern sources. */
function templatePattern(template: string, values: Record<string, string>): RegExp {
  const source = escapeRegExp(template).replace(/\\\{(\w+)\\\}/g, (match, key: string) => values[key] ?? match);
  return new RegExp(`^${source}$`);
}

/** The Adaptive Cards on `page` whose heading is exactly `title`. */
function cardsTitled(page: Page, title: string | RegExp): Locator {
  return page
    .locator('.ac-adaptiveCard')
    .filter({ has: page.getByRole('heading', { name: title, exact: typeof title === 'string' }) });
}

/** Milliseconds left until `deadline`, at least one. */
const until = (deadline: number) => Math.max(1, deadline - Date.now());

/**
 * A week of helpdesk history before the walk, stored through the bot's own repositories as the review and
 * the diagnosis would store it (so the statistics count it exactly as they count real work): requests filed
 * by people outside the Playground, decided by Isaiah and Patti and carried out, and diagnoses that ended in
 * different ways. Without it the statistics card would have no decisions and no diagnoses, and shows neither
 * the bar chart nor the donut.
 */
async function seedLastWeek(bot: RunningBot): Promise<void> {
  const { requests, diagnoses } = bot.service.store;
  const tenantId = tenant.tenant.id;
  const agents = [demoUser('isaiahl').id, demoUser('pattif').id];
  const now = Date.now();
  let person = 0;
  for (let daysAgo = 1; daysAgo <= 6; daysAgo += 1) {
    const filedAt = new Date(now - daysAgo * 86_400_000);
    for (let i = 0; i < (daysAgo % 3) + 1; i += 1) {
      const subjectId = `e2e-history-${(person += 1)}`;
      const agent = agents[i % 2]!;
      if (i === 2) {
        const id = await seedRequest(requests, { tenantId, subjectId, now: filedAt });
        const review = { ...emptyReview(), rejection: { by: agent, reason: 'Could not verify', at: filedAt } };
        const at = later(filedAt, 3);
        await requests.compareAndSet({
          id,
          expectedVersion: 2,
          to: 'rejected',
          at,
          event: event(id, agent, 'rejected', at),
          review,
        });
        continue;
      }
      const id = await seedRequest(requests, { tenantId, subjectId, approverId: agent, now: filedAt });
      const started = later(filedAt, 3);
      const done = later(filedAt, 3.1);
      await requests.compareAndSet({
        id,
        expectedVersion: 3,
        to: 'executing',
        at: started,
        event: event(id, 'system', 'executing', started),
      });
      await requests.compareAndSet({
        id,
        expectedVersion: 4,
        to: 'completed',
        at: done,
        event: event(id, 'system', 'completed', done),
      });
    }
    const ended: DiagnosisResult = daysAgo % 2 === 0 ? 'notResolved' : 'applied';
    const endings: Array<{ result: DiagnosisResult; outcome: string | undefined }> = [
      { result: 'resolved', outcome: 'sign-in-another-way' },
      { result: ended, outcome: 'reset-needed' },
      ...(daysAgo === 1 ? [{ result: 'abandoned' as const, outcome: undefined }] : []),
    ];
    for (const ending of endings) {
      await diagnoses.save({
        id: randomUUID(),
        tenantId,
        userId: `e2e-history-${daysAgo}`,
        locale: 'en',
        entry: 'menu',
        startedAt: filedAt,
        updatedAt: filedAt,
        path: [],
        outcome: ending.outcome,
        result: ending.result,
        questionsAsked: 1,
        evidenceGaps: [],
      });
    }
  }

  function later(at: Date, hours: number): Date {
    return new Date(at.getTime() + hours * 3_600_000);
  }
  function event(requestId: string, actor: string, to: 'rejected' | 'executing' | 'completed', at: Date) {
    return { requestId, tenantId, actor, at, from: null, to, reason: 'history for the walk' };
  }
}

describe('Status views and the review service level in the Microsoft 365 Agents Playground (Chromium)', () => {
  let browser: Browser | undefined;
  /** Stops whatever a run started and has not stopped yet, newest first: also after a run timed out. */
  const stops: Array<() => unknown> = [];
  const stopAll = async () => {
    for (let stop = stops.pop(); stop; stop = stops.pop()) await Promise.resolve(stop()).catch(() => {});
  };

  beforeAll(async () => {
    if (chromiumMissing) return;
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  });

  afterAll(async () => {
    await stopAll();
    await browser?.close().catch(() => {});
  });

  for (const run of RUNS) {
    it(
      `shows Megan her report's request, Patti the queue, the statistics and the overdue notices once, and Diego nothing (${run.name})`,
      async () => {
        if (chromiumMissing) throw new Error(chromiumMissing);
        const strings: Strings = stringsFor(run.locale);
        const channelStrings = stringsFor(CHANNEL_LOCALE);
        const people = ['meganb', 'diegos', 'alexw', 'pattif'] as const;
        const pages = new Map<(typeof people)[number], Page>();
        try {
          const bot = await startBot({
            env: {
              APPROVAL_TEAM_ID: tenant.team.id,
              APPROVAL_CHANNEL_ID: tenant.team.approvalChannel.id,
              REVIEW_SLA_HOURS,
              JOBS_INTERVAL_SECONDS: String(JOBS_INTERVAL_SECONDS),
            },
          });
          stops.push(() => bot.stop());
          await seedLastWeek(bot);
          const relay = await startLocaleRelay(bot.url);
          stops.push(() => relay.close());
          relay.locale = run.clientLocale;
          // Each person has their own Teams client: one Playground and one browser context each, one bot.
          const urls = new Map<(typeof people)[number], string>();
          await Promise.all(
            people.map(async (alias) => {
              const playground = await startPlayground(`${relay.url}/api/messages`, playgroundConfigFor(alias));
              stops.push(() => playground.stop());
              urls.set(alias, playground.url);
              const context = await newClientContext(browser!, STEP_TIMEOUT_MS);
              stops.push(() => context.close());
              pages.set(alias, await context.newPage());
            }),
          );
          const [megan, diego, alexPage, patti] = people.map((alias) => pages.get(alias)!) as [Page, Page, Page, Page];

          // 1. Megan, Diego and Alex open their clients; Patti opens hers last, which installs the bot in her
          // view of the team last: the bot then reaches the approval channel through Patti's client.
          const welcome = (page: Page) => cardsTitled(page, strings.welcome.title).first();
          await Promise.all(
            (['meganb', 'diegos', 'alexw'] as const).map(async (alias) => {
              await pages.get(alias)!.goto(urls.get(alias)!);
              await see(`the welcome card in ${alias}'s chat`, welcome(pages.get(alias)!));
            }),
          );
          await patti.goto(urls.get('pattif')!);
          await see("the welcome card in Patti's chat", welcome(patti));
          const channel = patti.getByRole('treeitem', {
            name: new RegExp(escapeRegExp(tenant.team.approvalChannel.name)),
          });
          const personalChat = patti.getByRole('treeitem', { name: /Personal Chat/ });
          await channel.click();
          await see('the team greeting', cardsTitled(patti, strings.team.title).first());

          // 2. Alex applies for a reset and reads his reference from the confirmation.
          await sendMessage(alexPage, run.commands.reset);
          const form = alexPage
            .locator('.ac-adaptiveCard')
            .filter({ has: alexPage.getByText(strings.application.contactLabel) })
            .last();
          await see('the application form', form);
          // Nothing is ticked until he says which method is lost: only his Authenticator is.
          await form.getByRole('checkbox').first().check();
          await form.getByRole('combobox').click();
          await alexPage.getByRole('option', { name: strings.application.reasons.lostPhone, exact: true }).click();
          await form.getByRole('radio', { name: strings.application.verifications.videoCall, exact: true }).check();
          await form.getByPlaceholder(strings.application.contactPlaceholder).fill(CONTACT);
          await form.getByRole('button', { name: strings.application.submit, exact: true }).click();
          const confirmationPattern = templatePattern(strings.application.confirmationTitle, {
            reference: '(SIH-\\d{6})',
          });
          const confirmation = await see(
            'the confirmation',
            alexPage.getByRole('heading', { name: confirmationPattern }).last(),
          );
          const filedAt = Date.now();
          const reference = confirmationPattern.exec(await confirmation.innerText())![1]!;

          // 3. Megan, Alex's line manager, did not file it, and sees it among her team's requests, without his contact.
          await sendMessage(megan, run.commands.myTeam);
          const teamCard = await see(
            "Megan's team card with Alex's request",
            cardsTitled(megan, strings.myTeam.title).filter({ hasText: reference }).last(),
          );
          await see('the request heading', teamCard.getByText(`${reference} · ${alex.displayName}`, { exact: true }));
          await see('its state', teamCard.getByText(strings.requests.states.pending_review, { exact: true }));
          const filedLine = format(strings.status.timeline.filed, { name: alex.displayName });
          await see('the filing in its timeline', teamCard.getByText(filedLine, { exact: true }));
          const seenByMegan = await megan.locator('body').innerText();
          expect(seenByMegan).not.toContain(CONTACT);
          expect(seenByMegan.replace(/\D/g, '')).not.toContain(CONTACT.replace(/\D/g, ''));

          // 4. Patti, agent and lead, sees the request waiting for review in the queue, then the statistics.
          await personalChat.click();
          await sendMessage(patti, run.commands.queue);
          const queueCard = await see(
            'the queue card',
            cardsTitled(patti, strings.queue.title).filter({ hasText: reference }).last(),
          );
          const pendingHeading = format(strings.queue.sectionHeading, {
            section: strings.queue.sections.pendingReview,
            count: '1',
          });
          const pendingSection = queueCard
            .locator('.ac-container')
            .filter({ has: patti.getByText(pendingHeading, { exact: true }) })
            .filter({ hasNot: patti.getByRole('heading', { name: strings.queue.title, exact: true }) });
          await see(`${reference} under "${pendingHeading}"`, pendingSection.getByText(reference).first());
          await screenshotCard(patti, queueCard, `status-${run.name}-queue`);

          await sendMessage(patti, run.commands.stats);
          const statsCard = await see('the statistics card', cardsTitled(patti, strings.stats.title).last());
          const s = strings.stats;
          // The Playground draws each chart as an SVG in an element whose accessible name says what it is
          // (the renderer's own English words around the card's axis titles), with the data points labelled.
          const lineChart = statsCard.getByRole('alert', {
            name: `Line chart with 2 series, X axis: ${s.dayAxis}, Y axis: ${s.countAxis}`,
          });
          await see('the volume drawn as a line chart', lineChart.locator('svg').first());
          const points = lineChart.getByRole('img', { name: new RegExp(`^Point \\d+, ${escapeRegExp(s.dayAxis)}=`) });
          expect(await points.count()).toBe(2 * DEFAULT_STATS_DAYS);
          const drawnAbove = new RegExp(
            `^Point \\d+, ${escapeRegExp(s.dayAxis)}=.*, ${escapeRegExp(s.countAxis)}=[1-9]`,
          );
          expect(await lineChart.getByRole('img', { name: drawnAbove }).count()).toBeGreaterThan(0);
          const barChart = statsCard.getByRole('alert', {
            name: `Vertical bar chart with 2 series, X axis: ${s.agentAxis}, Y axis: ${s.countAxis}`,
          });
          await see('the decisions drawn as a grouped bar chart', barChart.locator('svg').first());
          for (const agent of ['isaiahl', 'pattif']) {
            const name = new RegExp(
              `^${escapeRegExp(demoUser(agent).displayName)}, ${escapeRegExp(s.approvedLegend)}, `,
            );
            await see(`the bars of ${demoUser(agent).displayName}`, barChart.getByLabel(name));
          }
          const donut = statsCard.getByRole('alert', { name: 'Donut chart', exact: true });
          await see('the diagnoses drawn as a donut', donut.locator('svg').first());
          for (const ending of Object.values(s.endings)) {
            await see(`the slice "${ending}"`, donut.getByLabel(new RegExp(`^${escapeRegExp(ending)}, \\d+ `)));
          }
          // None of the fallback tables is shown.
          expect(await statsCard.getByRole('table').count()).toBe(0);
          expect(await statsCard.getByText(s.tableItem, { exact: true }).count()).toBe(0);
          await screenshotCard(patti, statsCard, `status-${run.name}-statistics`);

          // 5. The service level: one reminder under the request's card in the channel, which shows it overdue,
          // then one notice to Patti as a lead in her chat.
          await channel.click();
          const thread = patti
            .getByRole('group')
            .filter({ has: patti.getByRole('heading', { name: format(channelStrings.review.title, { reference }) }) });
          const reminderTitle = format(channelStrings.overdue.reminderTitle, { reference });
          const reminders = cardsTitled(patti, reminderTitle);
          await see(
            `the reminder under ${reference}'s card`,
            thread.getByRole('heading', { name: reminderTitle }),
            until(filedAt + SERVICE_LEVEL_BUDGET_MS),
          );
          const channelCard = thread.locator('.ac-adaptiveCard').first();
          // The first card of the thread is the request's own; the reminder is a reply after it.
          expect(await channelCard.innerText()).toContain(format(channelStrings.review.title, { reference }));
          const overdueLine = format(channelStrings.review.overdue, { hours: formatHours(REVIEW_SLA_MS) });
          await see('the overdue line on the card', channelCard.getByText(overdueLine));

          await personalChat.click();
          const leadNotices = cardsTitled(patti, format(strings.overdue.leadTitle, { reference }));
          await see("the leads' notice in Patti's chat", leadNotices.first(), until(filedAt + SERVICE_LEVEL_BUDGET_MS));
          await patti.waitForTimeout(WATCH_FOR_REPEATS_MS);
          expect(await leadNotices.count()).toBe(1);
          await channel.click();
          await see('the channel again', thread);
          expect(await reminders.count()).toBe(1);

          // 6. Diego, who has nothing to do with it, asks for Alex's request by its reference and learns nothing.
          await sendMessage(diego, `${run.commands.status} ${reference}`);
          const notFound = await see('the not-found card', cardsTitled(diego, strings.status.notFoundTitle).last());
          const seenByDiego = await notFound.innerText();
          for (const secret of [
            alex.displayName,
            strings.requests.states.pending_review,
            strings.review.states.pending_review,
            CONTACT,
          ]) {
            expect(seenByDiego).not.toContain(secret);
          }
          expect(await diego.getByText(alex.displayName).count()).toBe(0);
        } catch (error) {
          const shots = await Promise.all(
            [...pages].map(([alias, page]) => screenshotInto(page, `status-${run.name}-failure-${alias}`)),
          );
          throw Object.assign(error as Error, {
            message: `${(error as Error).message}\nScreenshots: ${shots.join(', ')}`,
          });
        } finally {
          await stopAll();
        }
      },
      RUN_TIMEOUT_MS,
    );
  }
});

/** Screenshots one card whole into test-results/: the window is made tall enough for it first. */
async function screenshotCard(page: Page, card: Locator, name: string): Promise<void> {
  const viewport = page.viewportSize();
  const box = await card.boundingBox();
  if (viewport && box) await page.setViewportSize({ width: viewport.width, height: Math.ceil(box.height) + 400 });
  try {
    await card.scrollIntoViewIfNeeded();
    // Off the card, so that no series is highlighted as under the pointer.
    await page.mouse.move(0, 0);
    mkdirSync(RESULTS_DIR, { recursive: true });
    await card.screenshot({ path: join(RESULTS_DIR, `${name}.png`) });
  } finally {
    if (viewport) await page.setViewportSize(viewport);
  }
}
