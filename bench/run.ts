import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Worker } from 'node:worker_threads';
import { loadConfig } from '../src/config/load-config.js';
import { createBotService } from '../src/create-bot-service.js';
import { loadDemoTenant, type DemoTenant } from '../src/directory/demo-tenant.js';
import { SimulatedDirectory } from '../src/directory/simulated-directory.js';
import { systemClock } from '../src/domain/system-clock.js';
import { createLogger } from '../src/logging/create-logger.js';
import { SqliteApprovalChannelRepository } from '../src/store/sqlite/sqlite-approval-channel-repository.js';
import { SqliteRequestRepository } from '../src/store/sqlite/sqlite-request-repository.js';
import { seedRequest } from '../test/support/seed-requests.js';
import { startEchoBot } from './echo-bot.js';
import type { Approvable, LoadMessage, LoadPlan, Result } from './load.js';
import { STATUS_SCENARIO, runStatusBench } from './status.js';

/* eslint-disable no-console -- a benchmark reports to the terminal */

const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 16);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 3);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const WARMUP_SECONDS = 1;
/** More requests than the fastest approval clicks can use up: each click approves a different one. */
const APPROVABLE = ROUNDS * (SECONDS + WARMUP_SECONDS) * 800;

const sqlite = () => join(mkdtempSync(join(tmpdir(), 'bench-')), 'bench.sqlite');

const ONLY = process.env.BENCH_ONLY || undefined;
/** BENCH_ONLY=status runs only the status queries; any other value picks among the turn scenarios (load.ts). */
const statusOnly = ONLY !== undefined && STATUS_SCENARIO.includes(ONLY);

if (!statusOnly) await runTurns();
if (!ONLY || statusOnly) {
  if (!(await runStatusBench())) process.exitCode = 1;
}

/** Turns per second and latency of the bot next to a minimal echo bot on the same stack. */
async function runTurns(): Promise<void> {
  /**
   * The demo tenant plus bench people, all copies of Alex (two methods, the Authenticator failing) so that every
   * diagnosis does the same work: one per client, each in their own 1:1 chat as under real load, and one per
   * request waiting for approval (a person may have only one open request).
   */
  const demo = loadDemoTenant();
  const alex = demo.users.find((user) => user.persona === 'requester')!;
  const agent = demo.users.find((user) => user.persona === 'helpdesk agent')!;
  const copyOfAlex = (prefix: string, label: string) => (n: number) => ({
    ...alex,
    id: `${prefix}-0000-4000-8000-${String(n + 1).padStart(12, '0')}`,
    displayName: `${label} ${n + 1}`,
    userPrincipalName: `${label.toLowerCase().replace(' ', '.')}${n + 1}@contoso.example`,
    inPlayground: false,
  });
  const people = Array.from({ length: CONCURRENCY }, (_, n) => copyOfAlex('b0000000', 'Bench person')(n));
  const subjects = Array.from({ length: APPROVABLE }, (_, n) => copyOfAlex('c0000000', 'Bench subject')(n));
  const benchTenant: DemoTenant = { ...demo, users: [...demo.users, ...people, ...subjects] };

  const echo = await startEchoBot(sqlite());

  const startupBegins = performance.now();
  const config = loadConfig({
    PORT: '0',
    SQLITE_PATH: sqlite(),
    LOG_LEVEL: 'silent',
    APPROVAL_TEAM_ID: demo.team.id,
    APPROVAL_CHANNEL_ID: demo.team.approvalChannel.id,
    // The click is measured, not the reset it sets off: approved requests stay approved during the run.
    EXECUTION_POLL_SECONDS: '86400',
  });
  const service = createBotService(config, createLogger({ level: 'silent' }), {
    directory: new SimulatedDirectory(benchTenant, systemClock),
  });
  const port = await service.start();
  const url = `http://127.0.0.1:${port}`;
  while ((await fetch(`${url}/readyz`)).status !== 200) await new Promise((resolve) => setTimeout(resolve, 5));
  const startupMs = performance.now() - startupBegins;

  /** Requests as filed and routed to the helpdesk: pending review at version 2, their cards in the channel. */
  async function seedApprovable(connectorUrl: string): Promise<Approvable> {
    const repository = new SqliteRequestRepository(service.db);
    const channels = new SqliteApprovalChannelRepository(service.db);
    const approvable: Approvable = [];
    for (const subject of subjects) {
      const now = new Date();
      const id = await seedRequest(repository, { tenantId: demo.tenant.id, subjectId: subject.id, now });
      const channelId = demo.team.approvalChannel.id;
      await channels.savePost({
        requestId: id,
        tenantId: demo.tenant.id,
        channelId,
        conversationId: `${channelId};messageid=${approvable.length + 1}`,
        messageId: String(approvable.length + 1),
        serviceUrl: connectorUrl,
        postedAt: now,
      });
      approvable.push({ id, version: 2 });
    }
    return approvable;
  }

  const plan: LoadPlan = {
    echoUrl: echo.url,
    botUrl: url,
    concurrency: CONCURRENCY,
    seconds: SECONDS,
    warmupSeconds: WARMUP_SECONDS,
    rounds: ROUNDS,
    only: process.env.BENCH_ONLY,
    people,
    agent,
    tenantId: demo.tenant.id,
    team: { id: demo.team.id, name: demo.team.name },
    approvalChannelId: demo.team.approvalChannel.id,
  };

  // The clients and the Bot Connector run in a worker thread, so the bots have this thread to themselves.
  // The requests to approve are seeded once its Bot Connector listens: their cards were posted there.
  const { results, approvalClicks } = await new Promise<{ results: Result[]; approvalClicks: number }>(
    (resolve, reject) => {
      const worker = new Worker(new URL('./load-worker.mjs', import.meta.url), { workerData: plan });
      worker.on('message', (message: LoadMessage) => {
        if (message.kind === 'results') resolve(message);
        else seedApprovable(message.serviceUrl).then((approvable) => worker.postMessage(approvable), reject);
      });
      worker.once('error', reject);
    },
  );
  await service.settle();
  const approved = service.db.prepare("SELECT COUNT(*) FROM requests WHERE state = 'approved'").pluck().get() as number;
  await service.stop();
  await echo.stop();

  const medianBy = <T>(items: T[], value: (item: T) => number): T | undefined =>
    [...items].sort((a, b) => value(a) - value(b))[Math.floor(items.length / 2)];

  console.log(
    `\nSign-in Help bench: ${CONCURRENCY} concurrent conversations, ${ROUNDS} rounds of ${SECONDS} s (after ${WARMUP_SECONDS} s warm-up); each scenario right after its baseline, cost = median of the paired ratios; load and Bot Connector in a worker thread\n`,
  );
  console.log(
    'scenario                              turns/s   p50 ms   p99 ms  errors  cost vs baseline (target <= 1.5x)',
  );
  for (const name of new Set(results.map((result) => result.name))) {
    const runs = results.filter((result) => result.name === name);
    const typical = medianBy(runs, (run) => run.perSecond)!;
    const cost = typical.cost === undefined ? undefined : medianBy(runs, (run) => run.cost ?? 0)!.cost!;
    const errors = runs.reduce((sum, run) => sum + run.errors, 0);
    console.log(
      `${name.padEnd(36)} ${typical.perSecond.toFixed(0).padStart(8)} ${typical.p50.toFixed(1).padStart(8)} ${typical.p99.toFixed(1).padStart(8)} ${String(errors).padStart(7)}  ${cost === undefined ? '' : `${cost.toFixed(2)}x`}`,
    );
  }
  if (approvalClicks > 0) {
    console.log(
      `\napproval clicks: ${approvalClicks}, requests approved: ${approved} (each click approves one request)`,
    );
    if (approved !== approvalClicks) process.exitCode = 1;
  }
  console.log(`startup to ready (in process, target < 2000 ms): ${startupMs.toFixed(0)} ms`);
}
