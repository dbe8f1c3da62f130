/* eslint-disable no-console -- the load reports its progress to the terminal */
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { parentPort, workerData } from 'node:worker_threads';
import { Verbs } from '../src/cards/verbs.js';
import type { StoreBackend } from '../src/store/store.js';
import { cardAction, personalMessage } from '../test/support/activities.js';
import { ALEX_DIAGNOSIS } from './people.js';
import {
  STORE_NAMES,
  type Approvable,
  type BotTarget,
  type LoadPlan,
  type Result,
  type ReviewLedgerEntry,
  type Target,
  type ToMain,
  type ToWorker,
} from './protocol.js';

/*
 * The load side of `npm run bench`, in a worker thread so that the bots' thread does nothing else: clients that
 * post activities, and the Bot Connector that takes the bots' sends. The main thread seeds requests and drains the
 * bots' background work when asked (protocol.ts).
 */

const plan = workerData as LoadPlan;
const port = parentPort!;

/** The question a copy of Alex's description starts with, and where his answer to it leads. */
const { question: QUESTION, outcome: OUTCOME } = ALEX_DIAGNOSIS;

/** The design's targets (DESIGN.md, issue 12). */
const RATIO_TARGET: Target = { kind: 'ratio', max: 1.5 };
const ANSWER_TARGET: Target = { kind: 'p99', maxMs: 300 };
/** Claim and approve with every directory read made at click time: one parallel round of reads. */
const COLD_ANSWER_TARGET: Target = { kind: 'p99', maxMs: 1_000 };

// ---------------------------------------------------------------------------------------------------------------
// Asking the main thread

let nextQuestion = 0;
const answers = new Map<number, (message: ToWorker) => void>();
port.on('message', (message: ToWorker) => {
  answers.get(message.id)?.(message);
  answers.delete(message.id);
});

function ask<K extends 'seed' | 'settle'>(
  message: Omit<Extract<ToMain, { kind: K }>, 'id'>,
): Promise<Extract<ToWorker, { kind: K extends 'seed' ? 'seeded' : 'settled' }>> {
  const id = nextQuestion++;
  return new Promise((resolve) => {
    answers.set(id, resolve as (message: ToWorker) => void);
    port.postMessage({ ...message, id } as unknown as ToMain);
  });
}

// ---------------------------------------------------------------------------------------------------------------
// The Bot Connector

/** A message the bot sent into a 1:1 chat: when, and the diagnosis and diagnosis nodes its buttons carry. */
interface Sent {
  seq: number;
  at: number;
  diagnosisId: string | undefined;
  nodes: string[];
}

/** How long a card that a turn brings may take to reach the Bot Connector before the turn counts as failed. */
const CARD_WAIT_MS = 10_000;
/** How long a turn may take to be answered before it counts as failed (Teams gives up on an invoke after 5 s). */
const ANSWER_WAIT_MS = 30_000;

let sends = 0;
/** The last few messages into each 1:1 chat, and who waits for the next one. */
const recent = new Map<string, Sent[]>();
const waiters = new Map<string, Set<(sent: Sent) => void>>();

function record(conversation: string, body: string): void {
  const sent: Sent = {
    seq: ++sends,
    at: performance.now(),
    diagnosisId: /"diagnosisId":"([0-9a-f-]{36})"/.exec(body)?.[1],
    nodes: [...body.matchAll(/"node":"([^"]+)"/g)].map((match) => match[1]!),
  };
  recent.set(conversation, [...(recent.get(conversation) ?? []).slice(-3), sent]);
  for (const waiter of waiters.get(conversation) ?? []) waiter(sent);
}

/** The first message into `conversation` after `afterSeq` that `matches`; undefined when none came in CARD_WAIT_MS. */
function nextSent(conversation: string, afterSeq: number, matches: (sent: Sent) => boolean): Promise<Sent | undefined> {
  const already = recent.get(conversation)?.find((sent) => sent.seq > afterSeq && matches(sent));
  if (already) return Promise.resolve(already);
  return new Promise((resolve) => {
    const listening = waiters.get(conversation) ?? new Set();
    const done = (sent: Sent | undefined) => {
      clearTimeout(timer);
      listening.delete(waiter);
      if (listening.size === 0) waiters.delete(conversation);
      resolve(sent);
    };
    const waiter = (sent: Sent) => {
      if (sent.seq > afterSeq && matches(sent)) done(sent);
    };
    const timer = setTimeout(() => done(undefined), CARD_WAIT_MS);
    listening.add(waiter);
    waiters.set(conversation, listening);
  });
}

/** A Bot Connector that answers every send at once, so the bot is what is measured. */
async function startSink(): Promise<{ serviceUrl: string; stop(): Promise<void> }> {
  let threads = 0;
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const conversation = decodeURIComponent(/\/v3\/conversations\/([^/]+)\//.exec(req.url ?? '')?.[1] ?? '');
      if (conversation.startsWith('a:')) record(conversation, Buffer.concat(chunks).toString('utf8'));
      res.writeHead(200, { 'content-type': 'application/json' });
      // createConversation answers with the new thread's ids; a send with the activity's id.
      threads += 1;
      res.end(
        req.url?.endsWith('/v3/conversations')
          ? `{"id":"${plan.approvalChannelId};messageid=p${threads}","activityId":"p${threads}"}`
          : '{"id":"1"}',
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port: sinkPort } = server.address() as AddressInfo;
  return {
    serviceUrl: `http://127.0.0.1:${sinkPort}/`,
    stop: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

const sink = await startSink();
port.postMessage({ kind: 'connector', serviceUrl: sink.serviceUrl } satisfies ToMain);

// ---------------------------------------------------------------------------------------------------------------
// Driving a bot

interface Answer {
  status: number;
  /** The answer's body, parsed: an invoke's card or note; nothing for a message. */
  body: unknown;
}

/** What a check found: a problem, and when the card the turn brought reached the Bot Connector. */
interface Checked {
  problem?: string | undefined;
  /** Milliseconds from the turn's start to the card it brought, and that card. */
  cardMs?: number | undefined;
  sent?: Sent | undefined;
}

/** A turn of a script; `measured: false` for turns that only prepare the measured one. */
type Turn = (
  body: unknown,
  options?: { measured?: boolean; check?: (answer: Answer, started: number) => Promise<Checked> },
) => Promise<Answer>;

interface Iteration {
  client: number;
  iteration: number;
  turn: Turn;
  /** The next request prepared for this run; undefined once they are used up. */
  takeRequest: () => Approvable[number] | undefined;
}

interface Scenario {
  name: string;
  url: string;
  bot: BotTarget | undefined;
  target: Target;
  /** Requests one iteration uses (claimed or approved); the main thread seeds them before the run. */
  requestsPerIteration: number;
  /** The turns of one iteration, in order; false when it could not run (no request left). */
  script: (iteration: Iteration) => Promise<boolean>;
}

type Outcome = Pick<Result, 'latencies' | 'cards' | 'perSecond' | 'errors' | 'failures' | 'ranOut' | 'cpuMsPerTurn'>;

/** Clock ticks a second of /proc's CPU times: 100 on every Linux Node.js runs on (USER_HZ). */
const TICKS_PER_SECOND = 100;

/**
 * CPU time (user and system, ms) spent so far by the process's main thread, where the bots run: its task's fields 14
 * and 15 in /proc. Undefined where there is no /proc.
 */
function botThreadCpuMs(): number | undefined {
  try {
    const stat = readFileSync(`/proc/${process.pid}/task/${process.pid}/stat`, 'utf8');
    // The command name, in parentheses, may hold spaces: fields are counted after its closing parenthesis.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / TICKS_PER_SECOND;
  } catch {
    return undefined;
  }
}

/** A run: what it measured, whether some of its turns only prepared others, and how many iterations it ran. */
interface Run {
  outcome: Outcome;
  prepared: boolean;
  iterations: number;
}

const reviewLedger = new Map<string, ReviewLedgerEntry>();
const diagnosisClicks: Record<string, number> = {};

/**
 * Drives `scenario` with one client per conversation for `seconds` after a warm-up. A client waits for the card its
 * turn brings before its next turn, as a person does: work put off until after the answer still costs turns/s.
 */
async function drive(scenario: Scenario, requests: Approvable = []): Promise<Run> {
  const latencies: number[] = [];
  const cards: number[] = [];
  const failures: string[] = [];
  let errors = 0;
  let prepared = false;
  let ranOut = false;
  let iterations = 0;
  let nextRequest = 0;
  const warmupEnds = performance.now() + plan.warmupSeconds * 1000;
  const ends = warmupEnds + plan.seconds * 1000;
  const fail = (reason: string) => {
    errors += 1;
    if (failures.length < 5) failures.push(reason);
  };
  let cpuAtWarmupEnd: number | undefined;
  const warmedUp = setTimeout(() => (cpuAtWarmupEnd = botThreadCpuMs()), warmupEnds - performance.now());
  const turn: Turn = async (body, { measured = true, check } = {}) => {
    if (!measured) prepared = true;
    const started = performance.now();
    let answer: Answer;
    try {
      const response = await fetch(`${scenario.url}/api/messages`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(ANSWER_WAIT_MS),
      });
      const text = await response.text();
      answer = { status: response.status, body: text ? safeJson(text) : undefined };
      if (response.status !== 200) fail(`HTTP ${response.status}: ${text.slice(0, 120)}`);
    } catch (error) {
      answer = { status: 0, body: undefined };
      fail(`no answer: ${(error as Error).message}`);
    }
    const elapsed = performance.now() - started;
    const counted = measured && started >= warmupEnds;
    if (counted) latencies.push(elapsed);
    if (answer.status === 200 && check) {
      const { problem, cardMs } = await check(answer, started);
      if (problem) fail(problem);
      else if (counted && cardMs !== undefined) cards.push(cardMs);
    }
    return answer;
  };
  await Promise.all(
    Array.from({ length: plan.concurrency }, async (_, client) => {
      for (let iteration = 0; performance.now() < ends; iteration++) {
        const took = await scenario.script({
          client,
          iteration,
          turn,
          takeRequest: () => requests[nextRequest++],
        });
        if (!took) {
          ranOut = true;
          return;
        }
        iterations += 1;
      }
    }),
  );
  clearTimeout(warmedUp);
  const cpuAtEnd = botThreadCpuMs();
  const cpuMsPerTurn =
    cpuAtWarmupEnd === undefined || cpuAtEnd === undefined || prepared || latencies.length === 0
      ? undefined
      : (cpuAtEnd - cpuAtWarmupEnd) / latencies.length;
  return {
    outcome: { latencies, cards, perSecond: latencies.length / plan.seconds, errors, failures, ranOut, cpuMsPerTurn },
    prepared,
    iterations,
  };
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** A check that the turn brought a message into the client's chat that `matches`: what `what` says otherwise. */
function bringsCard(
  client: number,
  what: string,
  matches: (sent: Sent) => boolean = () => true,
): (answer: Answer, started: number) => Promise<Checked> {
  const conversation = options(client).conversationId;
  const before = sends;
  return async (_answer, started) => {
    const sent = await nextSent(conversation, before, matches);
    return sent ? { cardMs: sent.at - started, sent } : { problem: `${what} within ${CARD_WAIT_MS} ms` };
  };
}

// ---------------------------------------------------------------------------------------------------------------
// What the clients do

const options = (client: number) => ({
  serviceUrl: sink.serviceUrl,
  from: plan.people[client]!,
  conversationId: `a:personal-${plan.people[client]!.id}`,
});

/** A press on a button of a request's card, in that request's thread of the approval channel. */
function channelInvoke(verb: string, request: Approvable[number], data: Record<string, unknown> = {}) {
  return {
    type: 'invoke',
    name: 'adaptiveCard/action',
    id: `${verb}-${request.id}-${request.version}`,
    timestamp: new Date().toISOString(),
    channelId: 'msteams',
    serviceUrl: sink.serviceUrl,
    locale: 'en-US',
    from: { id: `29:${plan.agent.id}`, name: plan.agent.displayName, aadObjectId: plan.agent.id },
    recipient: { id: '28:bench-bot', name: 'Sign-in Help' },
    conversation: { id: request.thread, conversationType: 'channel', isGroup: true, tenantId: plan.tenantId },
    channelData: {
      tenant: { id: plan.tenantId },
      team: plan.team,
      channel: { id: plan.approvalChannelId },
    },
    value: {
      action: {
        type: 'Action.Execute',
        verb,
        data: { verb, requestId: request.id, version: request.version, ...data },
      },
      trigger: 'manual',
    },
  };
}

const approvalInputs = { verification: 'videoCall', verificationNote: 'Photo ID matched on a video call' };

/**
 * Presses `verb` on the request as it stands; the request moves on by one version when the press is answered
 * (the database says afterwards whether it really did: each press that took effect raised its version).
 */
async function press(
  scenario: Scenario,
  turn: Turn,
  request: Approvable[number],
  verb: string,
  expect: ReviewLedgerEntry['expect'],
  measured: boolean,
): Promise<void> {
  const answer = await turn(channelInvoke(verb, request, verb === Verbs.reviewApprove ? approvalInputs : {}), {
    measured,
  });
  const entry = reviewLedger.get(request.id) ?? {
    bot: scenario.bot!.key,
    scenario: scenario.name,
    requestId: request.id,
    answered: 0,
    expect,
  };
  if (answer.status === 200) entry.answered += 1;
  reviewLedger.set(request.id, entry);
  request.version += 1;
}

/**
 * A scenario of presses on the card of one seeded request an iteration, in order; only those marked are measured, and
 * the request must end in `expect`.
 */
function reviewClicks(
  name: string,
  bot: BotTarget,
  target: Scenario['target'],
  expect: ReviewLedgerEntry['expect'],
  presses: ReadonlyArray<{ verb: string; measured: boolean }>,
): Scenario {
  const scenario: Scenario = {
    name,
    url: bot.url,
    bot,
    target,
    requestsPerIteration: 1,
    script: async ({ turn, takeRequest }) => {
      const request = takeRequest();
      if (!request) return false;
      for (const { verb, measured } of presses) await press(scenario, turn, request, verb, expect, measured);
      return true;
    },
  };
  return scenario;
}

/** A description starts a diagnosis: the bot must send the first question of a new diagnosis. */
async function startDiagnosis(turn: Turn, client: number, measured: boolean): Promise<string | undefined> {
  const previous = recent.get(options(client).conversationId)?.at(-1)?.diagnosisId;
  const question = bringsCard(
    client,
    `a description started no new diagnosis at ${QUESTION}`,
    (sent) => sent.diagnosisId !== undefined && sent.diagnosisId !== previous && sent.nodes.includes(QUESTION),
  );
  let started: string | undefined;
  await turn(personalMessage(ALEX_DIAGNOSIS.description, options(client)), {
    measured,
    check: async (answer, begins) => {
      const checked = await question(answer, begins);
      started = checked.sent?.diagnosisId;
      return checked;
    },
  });
  return started;
}

/**
 * Alex's answer to the question: the invoke must answer with the answered card (not the note for an old card), and the
 * bot must then send the outcome for this diagnosis.
 */
async function answerDiagnosis(
  turn: Turn,
  bot: BotTarget,
  client: number,
  diagnosisId: string,
  measured: boolean,
): Promise<void> {
  const outcome = bringsCard(
    client,
    `the diagnosis click sent no ${OUTCOME} card for its diagnosis`,
    (sent) => sent.diagnosisId === diagnosisId && sent.nodes.includes(OUTCOME),
  );
  const answer = await turn(
    cardAction(Verbs.diagnosisAnswer, options(client), { diagnosisId, node: QUESTION, choice: ALEX_DIAGNOSIS.choice }),
    {
      measured,
      check: async (answered, started) => {
        const type = (answered.body as { type?: unknown } | undefined)?.type;
        if (type !== 'application/vnd.microsoft.card.adaptive') {
          return { problem: `the diagnosis click was answered with ${String(type)}, not the answered card` };
        }
        return outcome(answered, started);
      },
    },
  );
  if (answer.status === 200) diagnosisClicks[bot.key] = (diagnosisClicks[bot.key] ?? 0) + 1;
}

// ---------------------------------------------------------------------------------------------------------------
// The scenarios

const zero = plan.bots[0]!;

/** The echo bot on `store`: a greeting, and the Help button. */
function echoBot(store: StoreBackend): { message: Scenario; invoke: Scenario } {
  // The SQLite echo bot keeps the names the bench has always shown.
  const on = store === 'sqlite' ? '' : `, ${STORE_NAMES[store]}`;
  const message: Scenario = {
    name: `echo bot: message${on}`,
    url: plan.echoUrls[store]!,
    bot: undefined,
    target: { kind: 'none' },
    requestsPerIteration: 0,
    // A greeting: the echo bot echoes it, Sign-in Help answers with the welcome card.
    script: async ({ client, turn }) => {
      await turn(personalMessage('hello', options(client)), {
        check: bringsCard(client, 'a greeting brought no answer'),
      });
      return true;
    },
  };
  const invoke: Scenario = {
    ...message,
    name: `echo bot: invoke${on}`,
    // The Help button: the echo bot sends a message then answers; Sign-in Help answers, then sends the welcome card.
    script: async ({ client, turn }) => {
      await turn(cardAction(Verbs.helpShow, options(client)), {
        check: bringsCard(client, 'the Help button brought no card'),
      });
      return true;
    },
  };
  return { message, invoke };
}
const { message: echoMessage, invoke: echoInvoke } = echoBot('sqlite');

/** The throughput scenarios at zero latency, each turn measured, as the bench has always run them. */
const throughput: Array<{ scenario: Scenario; baseline: Scenario }> = [
  {
    scenario: {
      ...echoMessage,
      name: 'welcome turn',
      url: zero.url,
      bot: zero,
    },
    baseline: echoMessage,
  },
  {
    scenario: {
      name: 'diagnosis turns',
      url: zero.url,
      bot: zero,
      target: RATIO_TARGET,
      requestsPerIteration: 0,
      // A description starts a diagnosis, then a click answers its question, and again.
      script: async ({ client, turn }) => {
        const diagnosisId = await startDiagnosis(turn, client, true);
        if (diagnosisId) await answerDiagnosis(turn, zero, client, diagnosisId, true);
        return true;
      },
    },
    baseline: echoMessage,
  },
  {
    scenario: { ...echoInvoke, name: 'Help button (invoke)', url: zero.url, bot: zero },
    baseline: echoInvoke,
  },
  {
    scenario: reviewClicks('approval click', zero, RATIO_TARGET, 'approved', [
      { verb: Verbs.reviewApprove, measured: true },
    ]),
    baseline: echoInvoke,
  },
  // What the approval click would cost were the checks free: the work every approval does, on the echo bot.
  ...(plan.floorUrl ? [{ scenario: approvalFloor(plan.floorUrl), baseline: echoInvoke }] : []),
  // The same click on PostgreSQL, next to the echo bot keeping its state there.
  ...plan.bots
    .filter((bot) => bot.store !== 'sqlite' && bot.latencyMs === 0)
    .map((bot) => ({
      scenario: reviewClicks(`approval click, ${STORE_NAMES[bot.store]}`, bot, RATIO_TARGET, 'approved', [
        { verb: Verbs.reviewApprove, measured: true },
      ]),
      baseline: echoBot(bot.store).invoke,
    })),
];

/**
 * The approve button on the floor bot (echo-bot.ts), each press naming a request id of its own, for which the press
 * appends an audit event: the answer must be a card. Measured for information, next to the approval click: no target.
 */
function approvalFloor(url: string): Scenario {
  return {
    name: 'approval click, floor',
    url,
    bot: undefined,
    target: { kind: 'none' },
    requestsPerIteration: 0,
    script: async ({ client, iteration, turn }) => {
      const request = {
        id: `floor-${client}-${iteration}`,
        version: 2,
        thread: `${plan.approvalChannelId};messageid=floor`,
      };
      await turn(channelInvoke(Verbs.reviewApprove, request, approvalInputs), {
        check: async (answer) => {
          const type = (answer.body as { type?: unknown } | undefined)?.type;
          return type === 'application/vnd.microsoft.card.adaptive'
            ? {}
            : { problem: `the floor bot answered the approval with ${String(type)}, not the card` };
        },
      });
      return true;
    },
  };
}

/** The clicks whose answer time is the point, on every bot: zero latency, and 500 ms with the cache cold and warm. */
function clickScenarios(bot: BotTarget): Array<{ scenario: Scenario; baseline: Scenario }> {
  const coldReview = bot.cache === 'cold' || bot.cache === 'none';
  const reviewTarget = bot.latencyMs > 0 && coldReview ? COLD_ANSWER_TARGET : ANSWER_TARGET;
  // Claim, release, claim again: the measured claim follows this agent's reads of the same request and person.
  const claim = reviewClicks(`claim click, ${bot.label}`, bot, reviewTarget, 'claimed', [
    { verb: Verbs.reviewClaim, measured: false },
    { verb: Verbs.reviewRelease, measured: false },
    { verb: Verbs.reviewClaim, measured: true },
  ]);
  // The agent's usual order: claim the request, then approve it.
  const approve = reviewClicks(`approve click, ${bot.label}`, bot, reviewTarget, 'approved', [
    { verb: Verbs.reviewClaim, measured: false },
    { verb: Verbs.reviewApprove, measured: true },
  ]);
  const baseline = echoBot(bot.store).invoke;
  // Only claims and approvals write requests: on another backend, the diagnosis click measures nothing new.
  if (bot.store !== 'sqlite') return [claim, approve].map((scenario) => ({ scenario, baseline }));
  const diagnosis: Scenario = {
    name: `diagnosis click, ${bot.label}`,
    url: bot.url,
    bot,
    target: ANSWER_TARGET,
    requestsPerIteration: 0,
    script: async ({ client, turn }) => {
      const diagnosisId = await startDiagnosis(turn, client, false);
      if (diagnosisId) await answerDiagnosis(turn, bot, client, diagnosisId, true);
      return true;
    },
  };
  return [claim, approve, diagnosis].map((scenario) => ({ scenario, baseline }));
}

const clicks = plan.bots.flatMap(clickScenarios);
// Grouped by kind of click, so that the table shows each click at every latency side by side.
const byKind = (kind: string) => clicks.filter((pair) => pair.scenario.name.startsWith(kind));
const pairs = [...throughput, ...byKind('claim'), ...byKind('approve'), ...byKind('diagnosis click')];

// BENCH_ONLY=diagnosis runs only the scenarios whose name contains it (for profiling); BENCH_ONLY=postgres those on it.
const only = plan.only?.toLowerCase();
const chosen = pairs.filter((pair) => !only || pair.scenario.name.toLowerCase().includes(only));

// ---------------------------------------------------------------------------------------------------------------
// The rounds

/**
 * Requests a run will use: twice what the last round used, or at first 600 a second (the machine's noise moves a
 * round's pace by half). What is left over is closed after the run.
 */
const used = new Map<string, number>();
function requestsFor(scenario: Scenario): number {
  const last = used.get(scenario.name);
  const iterations = last === undefined ? (plan.seconds + plan.warmupSeconds) * 600 : last * 2 + plan.concurrency * 8;
  return Math.ceil(iterations * scenario.requestsPerIteration);
}

/** The round's CPU per turn next to its baseline's, when both were measured. */
function cpuText(outcome: Outcome, base: Outcome): string {
  if (outcome.cpuMsPerTurn === undefined || base.cpuMsPerTurn === undefined) return '';
  return `, CPU ${outcome.cpuMsPerTurn.toFixed(2)} ms a turn (baseline ${base.cpuMsPerTurn.toFixed(2)})`;
}

const mean = (values: number[]) => values.reduce((sum, value) => sum + value, 0) / Math.max(1, values.length);

// Each round runs every baseline just before its scenario, so that both meet the machine in the same state; the
// cost is the median over rounds of these paired ratios. A scenario's background work is drained before the next
// pair starts, so that no pair pays for the one before.
const results: Result[] = [];
for (let round = 0; round < plan.rounds; round++) {
  for (const { scenario, baseline } of chosen) {
    const requests =
      scenario.requestsPerIteration > 0
        ? (await ask<'seed'>({ kind: 'seed', bot: scenario.bot!.key, count: requestsFor(scenario) })).requests
        : [];
    const base = (await drive(baseline)).outcome;
    const { outcome, prepared, iterations } = await drive(scenario, requests);
    if (scenario.requestsPerIteration > 0) used.set(scenario.name, iterations);
    // The floor bot leaves no background work: its messages are sent before its answer.
    const { ms: drainMs, done } = scenario.bot
      ? await ask<'settle'>({
          kind: 'settle',
          bot: scenario.bot.key,
          requests: requests.map((request) => request.id),
          reviews: requests.flatMap((request) => reviewLedger.get(request.id) ?? []),
        })
      : { ms: 0, done: true };
    for (const request of requests) reviewLedger.delete(request.id);
    if (!done) {
      outcome.errors += 1;
      outcome.failures.push(`background work still running ${Math.round(drainMs / 1000)} s after the run`);
    }
    results.push({ ...base, name: baseline.name, baseline: undefined, round, target: baseline.target });
    results.push({
      ...outcome,
      name: scenario.name,
      baseline: baseline.name,
      round,
      target: scenario.target,
      cost: prepared ? mean(outcome.latencies) / mean(base.latencies) : base.perSecond / outcome.perSecond,
      costBy: prepared ? 'mean latency' : 'turns/s',
      drainMs,
    });
    const sorted = [...outcome.latencies].sort((a, b) => a - b);
    const at = (q: number) => (sorted[Math.floor(q * sorted.length)] ?? Number.NaN).toFixed(0);
    console.log(
      `  round ${round + 1}/${plan.rounds} ${scenario.name}: ${sorted.length} turns, p50 ${at(0.5)} ms, p99 ${at(0.99)} ms, ${outcome.errors} errors, ${done ? `drained in ${drainMs.toFixed(0)} ms` : `NOT drained after ${drainMs.toFixed(0)} ms`}${cpuText(outcome, base)}`,
    );
  }
}
await sink.stop();
port.postMessage({
  kind: 'results',
  results,
  diagnosisClicks,
} satisfies ToMain);
