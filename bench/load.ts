import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { parentPort, workerData } from 'node:worker_threads';
import { Verbs } from '../src/cards/verbs.js';
import { cardAction, personalMessage, type Sender } from '../test/support/activities.js';

/*
 * The load side of `npm run bench`, in a worker thread so that the bots' thread does nothing else: clients that
 * post activities, and the Bot Connector that takes the bots' sends.
 */

export interface LoadPlan {
  echoUrl: string;
  botUrl: string;
  concurrency: number;
  seconds: number;
  warmupSeconds: number;
  rounds: number;
  only: string | undefined;
  /** One person per client, each in their own 1:1 chat. */
  people: Sender[];
  /** The helpdesk agent who approves in the approval channel. */
  agent: Sender;
  tenantId: string;
  team: { id: string; name: string };
  approvalChannelId: string;
}

/** Requests waiting in pending_review at `version`, one per approval click; sent once the sink is up. */
export type Approvable = Array<{ id: string; version: number }>;

/** What the worker tells the bench: where its Bot Connector listens, then the results. */
export type LoadMessage =
  { kind: 'connector'; serviceUrl: string } | { kind: 'results'; results: Result[]; approvalClicks: number };

export interface Result {
  name: string;
  baseline: string | undefined;
  round: number;
  /** The baseline's turns per second over this scenario's, measured back to back; for scenarios only. */
  cost?: number;
  turns: number;
  perSecond: number;
  p50: number;
  p99: number;
  errors: number;
}

const plan = workerData as LoadPlan;

/** The latest diagnosis id the bot sent into each conversation. */
const diagnoses = new Map<string, string>();

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
      // createConversation answers with the new thread's ids; a send with the activity's id.
      res.end(
        req.url?.endsWith('/v3/conversations')
          ? `{"id":"${plan.approvalChannelId};messageid=${Date.now()}","activityId":"${Date.now()}"}`
          : '{"id":"1"}',
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    serviceUrl: `http://127.0.0.1:${port}/`,
    stop: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

const sink = await startSink();
parentPort!.postMessage({ kind: 'connector', serviceUrl: sink.serviceUrl } satisfies LoadMessage);
const approvable = await new Promise<Approvable>((resolve) => parentPort!.once('message', resolve));
const options = (client: number) => ({
  serviceUrl: sink.serviceUrl,
  from: plan.people[client]!,
  conversationId: `a:personal-${plan.people[client]!.id}`,
});

/** Drives `url` with one client per conversation for `seconds` after a warm-up; null when there was no turn. */
async function drive(
  name: string,
  url: string,
  activity: (client: number, iteration: number) => unknown,
): Promise<Omit<Result, 'baseline' | 'round'>> {
  const latencies: number[] = [];
  let errors = 0;
  const warmupEnds = performance.now() + plan.warmupSeconds * 1000;
  const ends = warmupEnds + plan.seconds * 1000;
  await Promise.all(
    Array.from({ length: plan.concurrency }, async (_, client) => {
      for (let iteration = 0; performance.now() < ends; iteration++) {
        const body = activity(client, iteration);
        if (body === undefined) {
          errors += 1;
          return;
        }
        const started = performance.now();
        const response = await fetch(`${url}/api/messages`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(body),
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
  return {
    name,
    turns: latencies.length,
    perSecond: latencies.length / plan.seconds,
    p50: at(0.5),
    p99: at(0.99),
    errors,
  };
}

/** A diagnosis as people use it: a description starts it, then a click answers its question, and again. */
const diagnosisTurn = (client: number, iteration: number) => {
  const conversation = options(client).conversationId;
  const diagnosisId = diagnoses.get(conversation);
  return iteration % 2 === 0 || !diagnosisId
    ? personalMessage('I lost my phone', options(client))
    : cardAction('diagnosis.answer', options(client), { diagnosisId, node: 'q-other-method', choice: 'yes' });
};

/** The agent approves the next waiting request, in that request's thread of the approval channel. */
let nextApproval = 0;
const approvalClick = (client: number) => {
  const request = approvable[nextApproval++];
  if (!request) return undefined;
  const verb = Verbs.reviewApprove;
  const thread = `${plan.approvalChannelId};messageid=${client}`;
  return {
    type: 'invoke',
    name: 'adaptiveCard/action',
    id: `approve-${nextApproval}`,
    timestamp: new Date().toISOString(),
    channelId: 'msteams',
    serviceUrl: sink.serviceUrl,
    locale: 'en-US',
    from: { id: `29:${plan.agent.id}`, name: plan.agent.displayName, aadObjectId: plan.agent.id },
    recipient: { id: '28:bench-bot', name: 'Sign-in Help' },
    conversation: { id: thread, conversationType: 'channel', isGroup: true, tenantId: plan.tenantId },
    channelData: {
      tenant: { id: plan.tenantId },
      team: plan.team,
      channel: { id: plan.approvalChannelId },
    },
    value: {
      action: {
        type: 'Action.Execute',
        verb,
        data: {
          verb,
          requestId: request.id,
          version: request.version,
          verification: 'videoCall',
          verificationNote: 'Photo ID matched on a video call',
        },
      },
      trigger: 'manual',
    },
  };
};

interface Scenario {
  name: string;
  url: string;
  activity: (client: number, iteration: number) => unknown;
}

const echoMessage: Scenario = {
  name: 'echo bot: message (baseline)',
  url: plan.echoUrl,
  activity: (c) => personalMessage('hello', options(c)),
};
const echoInvoke: Scenario = {
  name: 'echo bot: invoke (baseline)',
  url: plan.echoUrl,
  activity: (c) => cardAction('help.show', options(c)),
};

/** Each scenario with the baseline it is compared to. */
const pairs: Array<{ scenario: Scenario; baseline: Scenario }> = [
  {
    scenario: { name: 'Sign-in Help: welcome turn', url: plan.botUrl, activity: echoMessage.activity },
    baseline: echoMessage,
  },
  {
    scenario: { name: 'Sign-in Help: diagnosis turns', url: plan.botUrl, activity: diagnosisTurn },
    baseline: echoMessage,
  },
  {
    scenario: { name: 'Sign-in Help: Help button (invoke)', url: plan.botUrl, activity: echoInvoke.activity },
    baseline: echoInvoke,
  },
  {
    scenario: { name: 'Sign-in Help: approval click', url: plan.botUrl, activity: approvalClick },
    baseline: echoInvoke,
  },
];

// BENCH_ONLY=diagnosis runs only the scenarios whose name contains it (for profiling).
const chosen = pairs.filter((pair) => !plan.only || pair.scenario.name.includes(plan.only));

// Each round runs every baseline just before its scenario, so that both meet the machine in the same state; the
// cost is the median over rounds of these paired ratios.
const results: Result[] = [];
for (let round = 0; round < plan.rounds; round++) {
  for (const { scenario, baseline } of chosen) {
    const base = await drive(baseline.name, baseline.url, baseline.activity);
    const measured = await drive(scenario.name, scenario.url, scenario.activity);
    results.push({ ...base, baseline: undefined, round });
    results.push({ ...measured, baseline: baseline.name, round, cost: base.perSecond / measured.perSecond });
  }
}
await sink.stop();
parentPort!.postMessage({
  kind: 'results',
  results,
  approvalClicks: Math.min(nextApproval, approvable.length),
} satisfies LoadMessage);
