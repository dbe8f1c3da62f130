import { mkdtempSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { loadConfig } from '../src/config/load-config.js';
import { createBotService } from '../src/create-bot-service.js';
import { loadDemoTenant, type DemoTenant } from '../src/directory/demo-tenant.js';
import { SimulatedDirectory } from '../src/directory/simulated-directory.js';
import { systemClock } from '../src/domain/system-clock.js';
import { createLogger } from '../src/logging/create-logger.js';
import { cardAction, personalMessage } from '../test/support/activities.js';
import { startEchoBot } from './echo-bot.js';

/* eslint-disable no-console -- a benchmark reports to the terminal */

const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 16);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 3);
const WARMUP_SECONDS = 1;

interface Result {
  name: string;
  turns: number;
  perSecond: number;
  p50: number;
  p99: number;
  errors: number;
}

const sqlite = () => join(mkdtempSync(join(tmpdir(), 'bench-')), 'bench.sqlite');

/** A Bot Connector that answers every send at once, so the bot is what is measured. */
async function startSink(): Promise<{ serviceUrl: string; stop(): Promise<void> }> {
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      // Remember each conversation's latest diagnosis, so the next turn can answer its question.
      const body = Buffer.concat(chunks).toString('utf8');
      const diagnosisId = /"diagnosisId":"([0-9a-f-]{36})"/.exec(body)?.[1];
      const conversation = /\/v3\/conversations\/([^/]+)\//.exec(req.url ?? '')?.[1];
      if (diagnosisId && conversation) diagnoses.set(decodeURIComponent(conversation), diagnosisId);
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"id":"1"}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    serviceUrl: `http://127.0.0.1:${port}/`,
    stop: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/** The latest diagnosis id the bot sent into each conversation. */
const diagnoses = new Map<string, string>();

/** Drives `url` with CONCURRENCY clients, each in its own conversation, for SECONDS after a warm-up. */
async function drive(
  name: string,
  url: string,
  activity: (client: number, iteration: number) => unknown,
): Promise<Result> {
  const latencies: number[] = [];
  let errors = 0;
  const warmupEnds = performance.now() + WARMUP_SECONDS * 1000;
  const ends = warmupEnds + SECONDS * 1000;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async (_, client) => {
      for (let iteration = 0; performance.now() < ends; iteration++) {
        const started = performance.now();
        const response = await fetch(`${url}/api/messages`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(activity(client, iteration)),
        });
        await response.arrayBuffer();
        if (started < warmupEnds) continue;
        if (response.status !== 200) errors += 1;
        latencies.push(performance.now() - started);
      }
    }),
  );
  latencies.sort((a, b) => a - b);
  const at = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? NaN;
  return { name, turns: latencies.length, perSecond: latencies.length / SECONDS, p50: at(0.5), p99: at(0.99), errors };
}

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);

const sink = await startSink();

/**
 * Each client is its own person in their own 1:1 chat, as under real load: the demo tenant plus
 * CONCURRENCY copies of Alex (two methods, the Authenticator failing), so every diagnosis does the same work.
 */
const demo = loadDemoTenant();
const alexInDemo = demo.users.find((user) => user.persona === 'requester')!;
const people = Array.from({ length: CONCURRENCY }, (_, client) => {
  const number = String(client + 1).padStart(12, '0');
  return {
    ...alexInDemo,
    id: `b0000000-0000-4000-8000-${number}`,
    displayName: `Bench Person ${client + 1}`,
    userPrincipalName: `bench${client + 1}@contoso.example`,
    inPlayground: false,
  };
});
const benchTenant: DemoTenant = { ...demo, users: [...demo.users, ...people] };
const options = (client: number) => ({
  serviceUrl: sink.serviceUrl,
  from: people[client]!,
  conversationId: `a:personal-${people[client]!.id}`,
});

const echo = await startEchoBot(sqlite());

const startupBegins = performance.now();
const config = loadConfig({ PORT: '0', SQLITE_PATH: sqlite(), LOG_LEVEL: 'silent' });
const service = createBotService(config, createLogger({ level: 'silent' }), {
  directory: new SimulatedDirectory(benchTenant, systemClock),
});
const port = await service.start();
const url = `http://127.0.0.1:${port}`;
while ((await fetch(`${url}/readyz`)).status !== 200) await new Promise((resolve) => setTimeout(resolve, 5));
const startupMs = performance.now() - startupBegins;

/** A diagnosis as people use it: a description starts it, then a click answers its question, and again. */
const diagnosisTurn = (client: number, iteration: number) => {
  const conversation = options(client).conversationId;
  const diagnosisId = diagnoses.get(conversation);
  return iteration % 2 === 0 || !diagnosisId
    ? personalMessage('I lost my phone', options(client))
    : cardAction('diagnosis.answer', options(client), { diagnosisId, node: 'q-other-method', choice: 'yes' });
};

const scenarios: Array<{
  name: string;
  url: string;
  activity: (client: number, iteration: number) => unknown;
  baseline?: string;
}> = [
  { name: 'echo bot: message (baseline)', url: echo.url, activity: (c) => personalMessage('hello', options(c)) },
  {
    name: 'Sign-in Help: welcome turn',
    url,
    activity: (c) => personalMessage('hello', options(c)),
    baseline: 'echo bot: message (baseline)',
  },
  {
    name: 'Sign-in Help: diagnosis turns',
    url,
    activity: diagnosisTurn,
    baseline: 'echo bot: message (baseline)',
  },
  { name: 'echo bot: invoke (baseline)', url: echo.url, activity: (c) => cardAction('help.show', options(c)) },
  {
    name: 'Sign-in Help: Help button (invoke)',
    url,
    activity: (c) => cardAction('help.show', options(c)),
    baseline: 'echo bot: invoke (baseline)',
  },
];

// Rounds interleave the scenarios so that a busy moment on the machine hits all of them alike;
// each scenario reports its median round.
// BENCH_ONLY=diagnosis runs only the scenarios whose name contains it, with their baselines (for profiling).
const only = process.env.BENCH_ONLY;
const chosen = only
  ? scenarios.filter(
      (scenario) =>
        scenario.name.includes(only) ||
        scenarios.some((other) => other.name.includes(only) && other.baseline === scenario.name),
    )
  : scenarios;
const rounds = new Map<string, Result[]>(chosen.map((scenario) => [scenario.name, []]));
for (let round = 0; round < ROUNDS; round++) {
  for (const scenario of chosen) {
    rounds.get(scenario.name)!.push(await drive(scenario.name, scenario.url, scenario.activity));
  }
}
await service.stop();
await echo.stop();
await sink.stop();

const median = (name: string): Result => {
  const sorted = [...rounds.get(name)!].sort((a, b) => a.perSecond - b.perSecond);
  return sorted[Math.floor(sorted.length / 2)]!;
};

console.log(
  `\nSign-in Help bench: ${CONCURRENCY} concurrent conversations, ${ROUNDS} interleaved rounds of ${SECONDS} s (after ${WARMUP_SECONDS} s warm-up), median round\n`,
);
console.log(
  'scenario                              turns/s   p50 ms   p99 ms  errors  cost vs baseline (target <= 1.5x)',
);
for (const scenario of chosen) {
  const result = median(scenario.name);
  const cost = scenario.baseline ? `${(median(scenario.baseline).perSecond / result.perSecond).toFixed(2)}x` : '';
  console.log(
    `${result.name.padEnd(36)} ${result.perSecond.toFixed(0).padStart(8)} ${result.p50.toFixed(1).padStart(8)} ${result.p99.toFixed(1).padStart(8)} ${String(result.errors).padStart(7)}  ${cost}`,
  );
}
console.log(`\nstartup to ready (in process, target < 2000 ms): ${startupMs.toFixed(0)} ms`);
