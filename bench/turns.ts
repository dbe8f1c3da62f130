import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Worker } from 'node:worker_threads';
import Database from 'better-sqlite3';
import { loadConfig } from '../src/config/load-config.js';
import { createBotService, type BotService } from '../src/create-bot-service.js';
import { loadDemoTenant } from '../src/directory/demo-tenant.js';
import { SimulatedDirectory } from '../src/directory/simulated-directory.js';
import { systemClock } from '../src/domain/system-clock.js';
import { ConfigurationError } from '../src/errors.js';
import { createLogger } from '../src/logging/create-logger.js';
import { emptyReview, OPEN_STATES, type ResetRequest } from '../src/domain/requests/request.js';
import type { StoreBackend } from '../src/store/store.js';
import { startApprovalFloorBot, startEchoBot, startPostgresEchoBot } from './echo-bot.js';
import { ALEX_DIAGNOSIS, copiesOfAlex, persona, withPeople } from './people.js';
import type { BenchPostgres } from './postgres.js';
import {
  STORE_NAMES,
  type Approvable,
  type BotTarget,
  type CacheState,
  type LoadPlan,
  type Result,
  type ReviewLedgerEntry,
  type ToMain,
  type ToWorker,
} from './protocol.js';
import { median, ms, printTable, quantile, type Verdict } from './report.js';

/* eslint-disable no-console -- a benchmark reports to the terminal */

const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 16);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 3);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const WARMUP_SECONDS = 1;
/** The directory latency of the slow scenarios: Graph often takes 100-800 ms a call. */
const LATENCY_MS = Number(process.env.BENCH_LATENCY_MS ?? 500);
/**
 * People who have talked to each bot in their 1:1 chat, and whose requests are clicked on: each request of a run is
 * a different person's (one open request each), in turn.
 */
const SUBJECTS = Number(process.env.BENCH_SUBJECTS ?? 5_000);

/** How long the bench waits for a bot's background work to drain after a run before it reports it and goes on. */
const DRAIN_GIVE_UP_MS = 60_000;

/** Where a diagnosis rests once its first question was answered. */
const OUTCOME = ALEX_DIAGNOSIS.outcome;

/** A bot under test in this thread, and what it logged at warn and above. */
interface Bot {
  target: BotTarget;
  service: BotService;
  /** Its SQLite file; undefined on PostgreSQL. */
  sqlitePath: string | undefined;
  logged: LogCount;
  /** The next bench subject to file a request for. */
  nextSubject: number;
  nextThread: number;
}

interface LogCount {
  warn: number;
  error: number;
  first: string[];
}

/** Whether this version of the bot reads `name` (it rejects a value that is not a number). */
function hasSetting(name: string): boolean {
  try {
    loadConfig({ [name]: 'not a number' });
    return false;
  } catch (error) {
    return error instanceof ConfigurationError && error.problems.some((problem) => problem.startsWith(name));
  }
}

/** A silent logger that counts the bot's warnings and errors, so that a failing background task shows. */
function countingLogger(count: LogCount) {
  return createLogger(
    { level: 'warn' },
    {
      write(line: string) {
        const { level, msg } = JSON.parse(line) as { level: string; msg: string };
        if (level === 'warn') count.warn += 1;
        else count.error += 1;
        if (count.first.length < 3) count.first.push(`${level}: ${msg}`);
      },
    },
  );
}

/** A bot the turns bench starts: its key and label in the table, directory latency and cache, and backend. */
export interface BotSpec {
  key: string;
  label: string;
  latencyMs: number;
  cache: CacheState;
  store: StoreBackend;
}

/**
 * The bots to start: on SQLite (unless `stores.sqlite` is false) at zero latency and at LATENCY_MS, cold and warm
 * when the bot has a directory cache; on PostgreSQL (with `stores.postgres`) those at zero latency and warm, as a
 * cold cache would measure the directory again. The first is the bot at zero latency.
 */
export function botSpecs(cacheSetting: boolean, stores: { sqlite: boolean; postgres: boolean }): BotSpec[] {
  const onSqlite: BotSpec[] = cacheSetting
    ? [
        { key: 'zero', label: '0 ms', latencyMs: 0, cache: 'warm', store: 'sqlite' },
        { key: 'slow-cold', label: `${LATENCY_MS} ms, cold`, latencyMs: LATENCY_MS, cache: 'cold', store: 'sqlite' },
        { key: 'slow-warm', label: `${LATENCY_MS} ms, warm`, latencyMs: LATENCY_MS, cache: 'warm', store: 'sqlite' },
      ]
    : [
        { key: 'zero', label: '0 ms', latencyMs: 0, cache: 'none', store: 'sqlite' },
        { key: 'slow', label: `${LATENCY_MS} ms`, latencyMs: LATENCY_MS, cache: 'none', store: 'sqlite' },
      ];
  const onPostgres = stores.postgres
    ? onSqlite
        .filter((spec) => spec.cache !== 'cold')
        .map((spec) => ({
          ...spec,
          key: `${spec.key}-postgres`,
          label: `${spec.label}, ${STORE_NAMES.postgres}`,
          store: 'postgres' as const,
        }))
    : [];
  return [...(stores.sqlite ? onSqlite : []), ...onPostgres];
}

/**
 * Turns per second and answer times of the bot next to a minimal echo bot on the same stack, at zero directory
 * latency and at LATENCY_MS, with the directory cache cold and warm; with `postgres`, the approval click and the
 * warm claim and approve clicks again on bots keeping their records there, next to an echo bot keeping its state
 * there. `sqlite: false` (BENCH_ONLY=postgres) starts no bot or echo bot on SQLite. Prints the table; the verdicts
 * of its targets.
 */
export async function runTurns(
  only: string | undefined,
  postgres: BenchPostgres | undefined,
  { sqlite: onSqlite }: { sqlite: boolean },
): Promise<Verdict[]> {
  const demo = loadDemoTenant();
  const agent = persona(demo, 'helpdesk agent');
  const people = copiesOfAlex(demo, 'b0000000', 'Bench person', CONCURRENCY);
  const subjects = copiesOfAlex(demo, 'c0000000', 'Bench subject', SUBJECTS);
  const benchTenant = withPeople(demo, people, subjects);
  const cacheSetting = hasSetting('DIRECTORY_CACHE_SECONDS');
  const files: string[] = [];
  const sqlite = () => {
    const path = join(mkdtempSync(join(tmpdir(), 'bench-')), 'bench.sqlite');
    files.push(path);
    return path;
  };

  const echo = onSqlite ? await startEchoBot(sqlite()) : undefined;
  const floor = onSqlite ? await startApprovalFloorBot(sqlite()) : undefined;
  const postgresEcho = postgres && (await startPostgresEchoBot(await postgres.database('echo')));
  const bots = new Map<string, Bot>();
  for (const spec of botSpecs(cacheSetting, { sqlite: onSqlite, postgres: postgres !== undefined })) {
    const sqlitePath = spec.store === 'sqlite' ? sqlite() : undefined;
    const config = loadConfig({
      PORT: '0',
      ...(sqlitePath
        ? { SQLITE_PATH: sqlitePath }
        : // A key of its own: without it local mode would keep one beside the default SQLite file.
          { DATABASE_URL: await postgres!.database(spec.key.replace(/-/g, '_')), AUDIT_KEY: randomKey() }),
      APPROVAL_TEAM_ID: demo.team.id,
      APPROVAL_CHANNEL_ID: demo.team.approvalChannel.id,
      SIMULATED_DIRECTORY_LATENCY_MS: String(spec.latencyMs),
      // Cold: every read goes to the directory. Warm: the default cache life.
      ...(spec.cache === 'cold' ? { DIRECTORY_CACHE_SECONDS: '0' } : {}),
      // The click is measured, not the reset it sets off: approved requests stay approved during the run; and the
      // periodic jobs (expiry, reminders) stay out of the measurement (the soak runs them).
      EXECUTION_POLL_SECONDS: '86400',
      JOBS_INTERVAL_SECONDS: '86400',
    });
    const logged: LogCount = { warn: 0, error: 0, first: [] };
    const service = await createBotService(config, countingLogger(logged), {
      // The bench's people are not in demo/tenant.json; the latency is the setting's, as local mode wires it.
      directory: new SimulatedDirectory(benchTenant, systemClock, { latencyMs: config.simulatedDirectoryLatencyMs }),
    });
    const port = await service.start();
    const url = `http://127.0.0.1:${port}`;
    while ((await fetch(`${url}/readyz`)).status !== 200) await new Promise((resolve) => setTimeout(resolve, 5));
    bots.set(spec.key, {
      target: { ...spec, url },
      service,
      sqlitePath,
      logged,
      nextSubject: 0,
      nextThread: 0,
    });
  }

  /**
   * Every subject has talked to the bot in their 1:1 chat (they filed there), so that they hear of the decision and
   * the bot keeps as many chats as a tenant of that size would, the same in every round.
   */
  async function seedChats(bot: Bot, serviceUrl: string): Promise<void> {
    const { addresses } = bot.service.store;
    const now = new Date();
    for (let start = 0; start < subjects.length; start += 500) {
      await Promise.all(
        subjects.slice(start, start + 500).map((subject) =>
          addresses.save({
            key: `user:${subject.id}`,
            kind: 'personal',
            tenantId: demo.tenant.id,
            aadObjectId: subject.id,
            teamId: undefined,
            locale: 'en-US',
            reference: {
              channelId: 'msteams',
              serviceUrl,
              user: { id: `29:${subject.id}`, name: subject.displayName, aadObjectId: subject.id },
              bot: { id: `28:${demo.bot.id}`, name: demo.bot.name },
              conversation: { id: `a:personal-${subject.id}`, conversationType: 'personal', tenantId: demo.tenant.id },
            },
            updatedAt: now,
          }),
        ),
      );
    }
  }

  /** Requests as filed and routed to the helpdesk: pending review at version 2, each card in its own thread. */
  async function seed(bot: Bot, count: number, serviceUrl: string): Promise<Approvable> {
    const { requests: repository, channels } = bot.service.store;
    const channelId = demo.team.approvalChannel.id;
    const tenantId = demo.tenant.id;
    const seeded: Approvable = [];
    // One open request a person: a run gets at most one request of each subject (it may then run out, and says so).
    const take = Math.min(count, subjects.length);
    for (let start = 0; start < take; start += 250) {
      // After the last subject the first again: their requests were closed after their run.
      const batch = Array.from({ length: Math.min(250, take - start) }, () => ({
        subject: subjects[bot.nextSubject++ % subjects.length]!,
        messageId: String(++bot.nextThread),
      }));
      seeded.push(
        ...(await Promise.all(
          batch.map(async ({ subject, messageId }) => {
            const now = new Date();
            const id = randomUUID();
            const event = { requestId: id, tenantId, actor: subject.id, at: now, reason: 'seeded by the bench' };
            const application = {
              subjectId: subject.id,
              reason: 'lostPhone' as const,
              lostMethodIds: [],
              verification: 'videoCall' as const,
              contact: '+65 8123 0000',
              note: 'Lost my phone on the way to work.',
              diagnosisId: undefined,
            };
            // No daily cap: a subject files again in a later round, once the earlier request was closed.
            const created = await repository.create(
              {
                id,
                tenantId,
                filerId: subject.id,
                application,
                state: 'submitted',
                review: emptyReview(),
                createdAt: now,
                updatedAt: now,
              },
              { ...event, from: null, to: 'submitted' },
              { dailyCap: Number.MAX_SAFE_INTEGER, since: now },
            );
            if (created.kind !== 'created') throw new Error(`the bench could not file a request: ${created.kind}`);
            const routed = await repository.compareAndSet({
              id,
              expectedVersion: 1,
              to: 'pending_review',
              at: now,
              event: {
                ...event,
                from: 'submitted',
                to: 'pending_review',
              },
            });
            if (!routed) throw new Error('the bench could not send a request to the helpdesk');
            const thread = `${channelId};messageid=${messageId}`;
            await channels.savePost({
              requestId: id,
              tenantId,
              channelId,
              conversationId: thread,
              messageId,
              serviceUrl,
              postedAt: now,
            });
            return { id, version: 2, thread };
          }),
        )),
      );
    }
    return seeded;
  }

  const plan: LoadPlan = {
    echoUrls: { sqlite: echo?.url, postgres: postgresEcho?.url },
    floorUrl: floor?.url,
    bots: [...bots.values()].map((bot) => bot.target),
    concurrency: CONCURRENCY,
    seconds: SECONDS,
    warmupSeconds: WARMUP_SECONDS,
    rounds: ROUNDS,
    only,
    people,
    agent,
    tenantId: demo.tenant.id,
    team: { id: demo.team.id, name: demo.team.name },
    approvalChannelId: demo.team.approvalChannel.id,
  };

  /** What the review clicks did, by scenario: checked after each run, in that run's requests. */
  const reviewed = new Map<string, { checked: number; wrong: string[] }>();
  /** Once a run is checked, its requests still open are closed, as a helpdesk would have decided them. */
  async function checkAndClose(bot: Bot, requests: string[], reviews: ReviewLedgerEntry[]): Promise<void> {
    const repository = bot.service.store.requests;
    for (const entry of reviews) {
      const tally = reviewed.get(entry.scenario) ?? { checked: 0, wrong: [] };
      const problem = checkReview(entry, await repository.find(entry.requestId), agent.id);
      tally.checked += 1;
      if (problem) tally.wrong.push(problem);
      reviewed.set(entry.scenario, tally);
    }
    for (let start = 0; start < requests.length; start += 250) {
      await Promise.all(
        requests.slice(start, start + 250).map(async (id) => {
          const request = await repository.find(id);
          if (!request || !OPEN_STATES.has(request.state)) return;
          const now = new Date();
          await repository.compareAndSet({
            id,
            expectedVersion: request.version,
            to: 'cancelled',
            at: now,
            event: {
              requestId: id,
              tenantId: request.tenantId,
              actor: 'bench',
              at: now,
              from: request.state,
              to: 'cancelled',
              reason: 'closed by the bench after its run',
            },
          });
        }),
      );
    }
  }

  const began = performance.now();
  // The clients and the Bot Connector run in a worker thread, so the bots have this thread to themselves. Between
  // runs the worker asks this thread for requests to click on, and to drain a bot's background work.
  const { results, diagnosisClicks } = await new Promise<Extract<ToMain, { kind: 'results' }>>((resolve, reject) => {
    const worker = new Worker(new URL('./load-worker.mjs', import.meta.url), { workerData: plan });
    let serviceUrl = '';
    let chats: Promise<unknown> = Promise.resolve();
    const answer = (message: ToWorker) => worker.postMessage(message);
    worker.on('message', (message: ToMain) => {
      switch (message.kind) {
        case 'connector':
          serviceUrl = message.serviceUrl;
          chats = Promise.all([...bots.values()].map((bot) => seedChats(bot, serviceUrl)));
          return;
        case 'seed':
          chats
            .then(() => seed(bots.get(message.bot)!, message.count, serviceUrl))
            .then((requests) => answer({ kind: 'seeded', id: message.id, requests }), reject);
          return;
        case 'settle': {
          const begins = performance.now();
          const bot = bots.get(message.bot)!;
          // A drain that does not end is reported, not waited for: the bench goes on with the next pair.
          const drained = Promise.race([
            bot.service.settle().then(() => true),
            new Promise<false>((resolve) => setTimeout(() => resolve(false), DRAIN_GIVE_UP_MS).unref()),
          ]);
          drained
            .then(async (done) => {
              const ms = performance.now() - begins;
              await checkAndClose(bot, message.requests, message.reviews);
              answer({ kind: 'settled', id: message.id, ms, done });
            })
            .catch(reject);
          return;
        }
        case 'results':
          resolve(message);
          // Its message port would keep this process alive.
          void worker.terminate();
      }
    });
    worker.once('error', reject);
  });
  const minutes = (performance.now() - began) / 60_000;

  // What every diagnosis click should have done, read back from each bot's database.
  for (const bot of bots.values()) await bot.service.settle();
  const problems = { byScenario: reviewed, diagnosis: checkDiagnoses(bots, diagnosisClicks) };
  for (const bot of bots.values()) await bot.service.stop();
  await echo?.stop();
  await floor?.stop();
  await postgresEcho?.stop();
  for (const file of files) rmSync(dirname(file), { recursive: true, force: true });

  return printTurns(results, problems, bots, cacheSetting, minutes, postgres);
}

/** An AUDIT_KEY for a bot on PostgreSQL, for this run only. */
const randomKey = () => randomBytes(32).toString('base64');

/** Problems found in the databases, by scenario; plus how many clicks each scenario had checked. */
interface ClickProblems {
  byScenario: Map<string, { checked: number; wrong: string[] }>;
  diagnosis: string[];
}

/** What is wrong with a request after its clicks, if anything: each answered click raised its version by one. */
function checkReview(entry: ReviewLedgerEntry, request: ResetRequest | undefined, agentId: string): string | undefined {
  const version = 2 + entry.answered;
  const where =
    entry.expect === 'approved'
      ? request?.state === 'approved'
      : request?.state === 'pending_review' && request.review.claimedBy === agentId;
  if (request && request.version === version && where) return undefined;
  return `${entry.requestId}: ${request ? `${request.state} at version ${request.version}` : 'missing'}, expected ${entry.expect} at version ${version}`;
}

/** Each answered diagnosis click must have stored its diagnosis at the outcome: what differs, by bot. */
function checkDiagnoses(bots: Map<string, Bot>, diagnosisClicks: Record<string, number>): string[] {
  const problems: string[] = [];
  for (const [key, bot] of bots) {
    // Bots on PostgreSQL are not sent diagnosis clicks.
    if (bot.sqlitePath === undefined) continue;
    // The store has no count of diagnoses by outcome: the bench reads the bot's file beside it.
    const db = new Database(bot.sqlitePath, { readonly: true });
    const stored = db
      .prepare<[string], number>('SELECT COUNT(*) FROM diagnoses WHERE outcome = ?')
      .pluck()
      .get(OUTCOME);
    db.close();
    const clicked = diagnosisClicks[key] ?? 0;
    if (stored !== clicked) {
      problems.push(
        `${bot.target.label}: ${clicked} diagnosis clicks answered, ${stored ?? 0} diagnoses at ${OUTCOME}`,
      );
    }
  }
  return problems;
}

function printTurns(
  results: Result[],
  problems: ClickProblems,
  bots: Map<string, Bot>,
  cacheSetting: boolean,
  minutes: number,
  postgres: BenchPostgres | undefined,
): Verdict[] {
  // Results come in pairs: a baseline, then the scenario measured right after it.
  const pairs = new Map<string, Array<{ base: Result; run: Result }>>();
  for (let n = 0; n + 1 < results.length; n += 2) {
    const run = results[n + 1]!;
    pairs.set(run.name, [...(pairs.get(run.name) ?? []), { base: results[n]!, run }]);
  }
  const sorted = (values: number[]) => [...values].sort((a, b) => a - b);
  const verdicts: Verdict[] = [];
  const rows = [...pairs].map(([name, runs]) => {
    const latencies = sorted(runs.flatMap(({ run }) => run.latencies));
    const base = sorted(runs.flatMap(({ base: baseline }) => baseline.latencies));
    const p50 = quantile(latencies, 0.5);
    const p99 = quantile(latencies, 0.99);
    const cost = median(runs.map(({ run }) => run.cost ?? Number.NaN));
    const errors = runs.reduce((sum, { run }) => sum + run.errors, 0);
    const ranOut = runs.some(({ run }) => run.ranOut);
    const wrong = problems.byScenario.get(name)?.wrong.length ?? 0;
    const { target } = runs[0]!.run;
    const met = target.kind === 'ratio' ? cost <= target.max : target.kind === 'p99' ? p99 < target.maxMs : undefined;
    const failed = errors > 0 || wrong > 0 || ranOut;
    const verdict = failed
      ? `FAILED (${[errors && `${errors} errors`, wrong && `${wrong} clicks not applied`, ranOut && 'ran out of requests'].filter(Boolean).join(', ')})`
      : met === undefined
        ? ''
        : met
          ? 'met'
          : 'MISSED';
    const targetText =
      target.kind === 'ratio' ? `<= ${target.max}x` : target.kind === 'p99' ? `p99 < ${target.maxMs} ms` : '';
    if (target.kind !== 'none') {
      verdicts.push({
        what: name,
        figure: target.kind === 'ratio' ? `${cost.toFixed(2)}x` : `p99 ${ms(p99, 0)} ms`,
        target: targetText,
        ok: failed ? false : met,
      });
    }
    const drain = median(runs.map(({ run }) => run.drainMs ?? 0));
    const cards = sorted(runs.flatMap(({ run }) => run.cards));
    const cpu = runs.every(({ base: baseline, run }) => baseline.cpuMsPerTurn && run.cpuMsPerTurn)
      ? {
          run: median(runs.map(({ run }) => run.cpuMsPerTurn!)),
          ratio: median(runs.map(({ base: baseline, run }) => run.cpuMsPerTurn! / baseline.cpuMsPerTurn!)),
        }
      : undefined;
    return [
      name,
      `${runs[0]!.base.name.replace('echo bot: ', 'echo ')} ${ms(quantile(base, 0.5))}`,
      median(runs.map(({ run }) => run.perSecond)).toFixed(0),
      ms(p50),
      ms(p99),
      cards.length ? `${ms(quantile(cards, 0.5), 0)} / ${ms(quantile(cards, 0.99), 0)}` : '',
      String(latencies.length),
      `${cost.toFixed(2)}x${runs[0]!.run.costBy === 'mean latency' ? '*' : ''}`,
      targetText,
      verdict,
      ms(drain, 0),
      cpu ? `${cpu.run.toFixed(2)} / ${cpu.ratio.toFixed(2)}x` : '',
    ];
  });

  const [zero] = bots.values();
  console.log(
    `\nSign-in Help bench: turns and clicks (${minutes.toFixed(1)} min): ${CONCURRENCY} concurrent conversations, ${ROUNDS} rounds of ${SECONDS} s after ${WARMUP_SECONDS} s warm-up; load and Bot Connector in a worker thread`,
  );
  console.log(
    [
      'Each scenario runs right after its baseline (the echo bot on the same stack); ratio = median over the rounds of the paired ratios:',
      "  the baseline's turns/s over the scenario's, or (*) where unmeasured turns prepare each click, the clicks' mean latency over the baseline's.",
      'p50 and p99 of the answer over every measured turn of all rounds (n); card = p50 / p99 from the turn to the card it brings into the chat, sent',
      '  before or after the answer (a client waits for it before its next turn, as a person does); drain = median time for the bot to finish its',
      "  background work (channel updates, notices) after a run, before the next pair starts; CPU = CPU time of the bots' thread per measured",
      "  turn (ms) and its median paired ratio to the baseline's, for information: the bot's own cost, which also moves with the machine's load.",
      `Directory: simulated, ${zero?.target.latencyMs ?? 0} ms or ${LATENCY_MS} ms a call (SIMULATED_DIRECTORY_LATENCY_MS). ${
        cacheSetting
          ? 'cold = DIRECTORY_CACHE_SECONDS=0, every read at click time; warm = the default cache life, and each measured click follows the same agent on the same request (claim, release, then the measured claim; claim, then the measured approval).'
          : 'The bot has no directory cache (no DIRECTORY_CACHE_SECONDS): every click reads the directory.'
      }`,
      'The claim and approve clicks run on requests seeded pending review; the diagnosis click answers the question that a description (unmeasured) started.',
      postgres
        ? `Store: SQLite unless named; ", PostgreSQL": the bot keeps its records and state in a database of its own on ${postgres.label}, next to an echo bot keeping its state there.`
        : 'Store: SQLite (no PostgreSQL for the bench here: see above).',
    ].join('\n'),
  );
  console.log('');
  printTable(
    [
      'scenario',
      'baseline p50',
      'turns/s',
      'p50 ms',
      'p99 ms',
      'card ms',
      'n',
      'ratio',
      'target',
      'verdict',
      'drain ms',
      'CPU',
    ],
    rows,
    new Set([2, 3, 4, 5, 6, 7, 10, 11]),
  );

  console.log('');
  for (const [name, tally] of problems.byScenario) {
    console.log(
      `${name}: ${tally.checked} requests clicked, ${tally.checked - tally.wrong.length} where every answered click took effect${tally.wrong.length ? `; e.g. ${tally.wrong.slice(0, 2).join('; ')}` : ''}`,
    );
  }
  const failures = [...pairs].flatMap(([name, runs]) =>
    [...new Set(runs.flatMap(({ run }) => run.failures))].slice(0, 3).map((failure) => `${name}: ${failure}`),
  );
  for (const failure of failures) console.log(`failure: ${failure}`);
  console.log(
    problems.diagnosis.length === 0
      ? `diagnosis clicks: each was answered with the answered card, sent the ${OUTCOME} outcome of its own diagnosis into the chat and stored the diagnosis at it`
      : `diagnosis clicks NOT applied: ${problems.diagnosis.join('; ')}`,
  );
  for (const bot of bots.values()) {
    if (bot.logged.warn + bot.logged.error > 0) {
      console.log(
        `bot ${bot.target.label} logged ${bot.logged.error} errors and ${bot.logged.warn} warnings, e.g. ${bot.logged.first.join(' | ')}`,
      );
    }
  }
  if (problems.diagnosis.length > 0) {
    verdicts.push({
      what: 'diagnosis clicks applied',
      figure: problems.diagnosis.join('; '),
      target: 'all',
      ok: false,
    });
  }
  return verdicts;
}
