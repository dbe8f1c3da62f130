import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { OPEN_STATES } from '../../src/domain/requests/request.js';
import { ServiceUnavailableError } from '../../src/directory/directory-errors.js';
import { SimulatedDirectory, type DirectoryOperation } from '../../src/directory/simulated-directory.js';
import { cardAction, personalMessage, tenant } from '../support/activities.js';
import { Verbs, inChat, people, storedRequest } from '../support/approval-driver.js';
import { startBot, type RunningBot } from '../support/bot-harness.js';
import { MovableClock, approvedRequestOf, execute } from '../support/execution-driver.js';
import { useBot } from '../support/use-bot.js';

/** One scrape, as `name{labels}` → value; names without labels stand alone. */
async function scrape(bot: RunningBot, headers: Record<string, string> = {}) {
  const response = await fetch(`${bot.url}/metrics`, { headers });
  const text = await response.text();
  const samples = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const at = line.lastIndexOf(' ');
    samples.set(line.slice(0, at), Number(line.slice(at + 1)));
  }
  return { response, text, value: (sample: string) => samples.get(sample) ?? 0 };
}

/** What moved between two scrapes. */
const moved = (before: { value(s: string): number }, after: { value(s: string): number }) => (sample: string) =>
  after.value(sample) - before.value(sample);

const { alex, diego, grady } = people;

describe('/metrics over HTTP', () => {
  const clock = new MovableClock();
  /** The next call of this operation fails with 503, as Graph's would. */
  let failNext: DirectoryOperation | undefined;
  const directory = new SimulatedDirectory(tenant, clock, {
    failWith: (operation) => {
      if (operation !== failNext) return undefined;
      failNext = undefined;
      return new ServiceUnavailableError();
    },
  });
  const ctx = useBot({
    env: {
      APPROVAL_TEAM_ID: tenant.team.id,
      APPROVAL_CHANNEL_ID: tenant.team.approvalChannel.id,
      PASS_DELIVERY: 'subject',
    },
    overrides: { directory, clock },
  });

  /** The open requests by state, counted in the database itself. */
  const storedOpenStates = () => {
    const db = new Database(ctx.bot.sqlitePath, { readonly: true });
    try {
      const rows = db.prepare('SELECT state, COUNT(*) AS n FROM requests GROUP BY state').all() as Array<{
        state: string;
        n: number;
      }>;
      return Object.fromEntries(
        [...OPEN_STATES].map((state) => [state, rows.find((row) => row.state === state)?.n ?? 0]),
      );
    } finally {
      db.close();
    }
  };

  it('answers in the Prometheus text format, with the process metrics beside the bot own', async () => {
    const { response, text } = await scrape(ctx.bot);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(text).toContain('# TYPE signinhelp_turns_total counter');
    expect(text).toContain('# TYPE signinhelp_turn_duration_seconds histogram');
    expect(text).toContain('# TYPE signinhelp_directory_calls_total counter');
    expect(text).toContain('# TYPE signinhelp_requests gauge');
    expect(text).toContain('signinhelp_execution_hourly_cap 20');
    expect(text).toContain('# TYPE process_cpu_user_seconds_total counter');
    expect(text).toContain('# TYPE nodejs_heap_size_used_bytes gauge');
  });

  it('moves the counters through a diagnosis message, a card click, an application and its reset', async () => {
    const options = { serviceUrl: ctx.connector.serviceUrl, from: alex, conversationId: `a:chat-${alex.id}` };
    const start = await scrape(ctx.bot);

    expect((await ctx.bot.post(personalMessage("I can't sign in, I lost my phone", options))).status).toBe(200);
    await ctx.bot.service.settle();
    const afterMessage = await scrape(ctx.bot);
    const byMessage = moved(start, afterMessage);
    expect(byMessage('signinhelp_turns_total{kind="message"}')).toBe(1);
    expect(byMessage('signinhelp_turn_duration_seconds_count{kind="message"}')).toBe(1);
    // The diagnosis looked before asking: the directory was read, and each read was timed.
    expect(byMessage('signinhelp_directory_calls_total{operation="getUser",outcome="ok"}')).toBeGreaterThan(0);
    expect(byMessage('signinhelp_directory_call_duration_seconds_count{operation="getUser"}')).toBeGreaterThan(0);

    expect((await ctx.bot.post(cardAction(Verbs.diagnoseStart, options))).status).toBe(200);
    const afterClick = await scrape(ctx.bot);
    const byClick = moved(afterMessage, afterClick);
    expect(byClick('signinhelp_turns_total{kind="invoke"}')).toBe(1);
    expect(byClick('signinhelp_card_clicks_total{family="diagnose"}')).toBe(1);
    expect(byClick('signinhelp_card_click_duration_seconds_count{family="diagnose"}')).toBe(1);

    const requestId = await approvedRequestOf(ctx, alex);
    const afterApproval = await scrape(ctx.bot);
    const byApplication = moved(afterClick, afterApproval);
    expect(byApplication('signinhelp_card_clicks_total{family="application"}')).toBe(1);
    expect(byApplication('signinhelp_card_clicks_total{family="review"}')).toBe(1);
    expect(afterApproval.value('signinhelp_requests{state="approved"}')).toBe(1);

    await execute(ctx);
    expect(storedRequest(ctx, requestId).state).toBe('completed');
    const afterReset = await scrape(ctx.bot);
    const byReset = moved(afterApproval, afterReset);
    expect(byReset('signinhelp_executions_started_total')).toBe(1);
    expect(byReset('signinhelp_execution_attempts_total{outcome="completed"}')).toBe(1);
    expect(byReset('signinhelp_directory_calls_total{operation="createTemporaryAccessPass",outcome="ok"}')).toBe(1);
    expect(afterReset.value('signinhelp_requests{state="approved"}')).toBe(0);
    expect(afterReset.value('signinhelp_executions_started_last_hour')).toBe(1);

    // Labels are kinds, never who or what: no user id, conversation id or typed text in a scrape.
    for (const secret of [alex.id, `a:chat-${alex.id}`, 'lost my phone', requestId]) {
      expect(afterReset.text).not.toContain(secret);
    }
  });

  it('reads requests by state and the longest wait for review from the store when scraped', async () => {
    // Diego's application waits for review.
    await inChat(ctx, diego).apply();
    const counted = storedOpenStates();
    expect(counted.pending_review).toBeGreaterThan(0);
    const now = await scrape(ctx.bot);
    for (const [state, count] of Object.entries(counted)) {
      expect(now.value(`signinhelp_requests{state="${state}"}`), state).toBe(count);
    }
    // A request waiting for review: its wait grows with the clock, two hours on.
    clock.advance(2 * 3_600_000);
    const later = await scrape(ctx.bot);
    expect(later.value('signinhelp_review_oldest_age_seconds')).toBeGreaterThanOrEqual(7_200);
    expect(later.value('signinhelp_review_oldest_age_seconds')).toBeLessThan(7_200 + 60);
    // An hour and more after the reset started, it no longer counts against the cap.
    expect(later.value('signinhelp_executions_started_last_hour')).toBe(0);
  });

  it('counts a failing directory call as an error of its operation', async () => {
    const before = await scrape(ctx.bot);
    failNext = 'getUser';
    await ctx.bot.post(
      personalMessage("I can't sign in", { serviceUrl: ctx.connector.serviceUrl, from: grady, conversationId: 'a:g' }),
    );
    await ctx.bot.service.settle();
    const after = await scrape(ctx.bot);
    expect(moved(before, after)('signinhelp_directory_errors_total{operation="getUser",outcome="server_error"}')).toBe(
      1,
    );
  });

  it('keeps a registry per bot: a second bot in the same process starts at zero', async () => {
    const other = await startBot();
    try {
      const first = await scrape(ctx.bot);
      const second = await scrape(other);
      expect(first.value('signinhelp_turns_total{kind="message"}')).toBeGreaterThan(0);
      expect(second.response.status).toBe(200);
      expect(second.value('signinhelp_turns_total{kind="message"}')).toBe(0);
    } finally {
      await other.stop();
    }
  });
});

describe('/metrics settings', () => {
  it('answers 404 with METRICS_ENABLED=false', async () => {
    const bot = await startBot({ env: { METRICS_ENABLED: 'false' } });
    try {
      expect((await scrape(bot)).response.status).toBe(404);
    } finally {
      await bot.stop();
    }
  });

  it('asks for METRICS_TOKEN as a bearer token when it is set', async () => {
    const token = 'scrape-token-0123456789';
    const bot = await startBot({ env: { METRICS_TOKEN: token } });
    try {
      expect((await scrape(bot)).response.status).toBe(401);
      expect((await scrape(bot, { authorization: 'Bearer wrong-token-0123456789' })).response.status).toBe(401);
      const allowed = await scrape(bot, { authorization: `Bearer ${token}` });
      expect(allowed.response.status).toBe(200);
      expect(allowed.text).toContain('signinhelp_turns_total');
      expect(bot.logs.text()).not.toContain(token);
    } finally {
      await bot.stop();
    }
  });
});
