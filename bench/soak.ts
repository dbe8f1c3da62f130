import { fork, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { Verbs } from '../src/cards/verbs.js';
import { loadDemoTenant } from '../src/directory/demo-tenant.js';
import { projectRoot } from '../src/project-root.js';
import { cardAction, personalMessage, type Sender } from '../test/support/activities.js';
import { ms, type Verdict } from './report.js';
import { ALEX_DIAGNOSIS } from './people.js';
import { soakPeople, type SoakBotMessage, type SoakParentMessage } from './soak-people.js';

/* eslint-disable no-console -- a benchmark reports to the terminal */

/** The part's name, as BENCH_ONLY picks it. */
export const SOAK_SCENARIO = 'soak';

const TURNS = Number(process.env.BENCH_SOAK_TURNS ?? 100_000);
const SAMPLE_EVERY = Number(process.env.BENCH_SOAK_SAMPLE_EVERY ?? 2_000);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 16);
/**
 * An upward trend: resident memory, or the live heap within it, grows over the second half faster than this
 * (least-squares slope) and clearly so (over three standard errors). RSS alone moves by megabytes from one sample to
 * the next, so a steady leak shows first in the heap after GC. 0.5 MB per 10,000 turns is 50 bytes a turn.
 */
const FLAT_MB_PER_10K = 0.5;

interface Sample {
  turns: number;
  rssMb: number;
  heapMb: number;
}

/** Everything a turn of the soak needs to know of the cards the bot sent. */
interface Seen {
  diagnosisId: string | undefined;
  nodes: string[];
  /** The application form's submit button and the methods to send as lost. */
  submit: Record<string, unknown> | undefined;
  lostMethods: string | undefined;
}

type Json = Record<string, unknown>;

/** Every object in a parsed card or activity, depth first. */
function* objects(value: unknown): Generator<Json> {
  if (Array.isArray(value)) for (const item of value) yield* objects(item);
  else if (value && typeof value === 'object') {
    yield value as Json;
    for (const inner of Object.values(value)) yield* objects(inner);
  }
}

/**
 * 100,000 turns of mixed traffic against the bot in a process of its own: people chatting (greetings, the Help
 * button, a diagnosis and its clicks, their requests), applications for a reset, agents claiming and approving them
 * in the approval channel (and asking for the queue), the reset worker carrying them out, a lead's statistics and a
 * manager's team. Every SAMPLE_EVERY turns the bot drains its background work, collects garbage twice and reports its
 * resident memory; the verdict is on the least-squares slope over the second half.
 */
export async function runSoak(): Promise<Verdict[]> {
  const began = performance.now();
  const demo = loadDemoTenant();
  const { people, applicants, agents, lead, manager } = soakPeople(demo);
  const channelId = demo.team.approvalChannel.id;

  // The Bot Connector: answers every send at once and remembers what the clients need from the cards.
  const seen = new Map<string, Seen>();
  /** How many messages each 1:1 chat got, and who waits for its next one. */
  const received = new Map<string, number>();
  const waiting = new Map<string, () => void>();
  const routed: Array<{ requestId: string; version: number; thread: string }> = [];
  let threads = 0;
  const sink = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const created = req.url?.endsWith('/v3/conversations') ?? false;
      const thread = created ? `${channelId};messageid=${++threads}` : undefined;
      const conversation = decodeURIComponent(/\/v3\/conversations\/([^/]+)\//.exec(req.url ?? '')?.[1] ?? '');
      if (body.includes('Action.Execute')) remember(body, thread ?? conversation, created);
      if (conversation.startsWith('a:')) {
        received.set(conversation, (received.get(conversation) ?? 0) + 1);
        waiting.get(conversation)?.();
      }
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(thread ? `{"id":"${thread}","activityId":"${threads}"}` : '{"id":"1"}');
    });
  });
  const remember = (body: string, conversation: string, posted: boolean) => {
    const card: Seen = { diagnosisId: undefined, nodes: [], submit: undefined, lostMethods: undefined };
    for (const object of objects(JSON.parse(body))) {
      const data = object.data as Json | undefined;
      if (object.type === 'Action.Execute' && data) {
        if (typeof data.diagnosisId === 'string' && data.diagnosisId) card.diagnosisId = data.diagnosisId;
        if (typeof data.node === 'string') card.nodes.push(data.node);
        if (object.verb === Verbs.applicationSubmit) card.submit = data;
        // A request's card posted in the approval channel: the agents' queue.
        if (posted && object.verb === Verbs.reviewClaim) {
          routed.push({ requestId: String(data.requestId), version: Number(data.version), thread: conversation });
        }
      }
      // "reset" without a diagnosis ticks nothing; the applicant ticks the first method listed, as a person would.
      if (object.id === 'lostMethods') {
        const first = (object.choices as Array<{ value: string }> | undefined)?.[0]?.value;
        card.lostMethods = String(object.value || first || '');
      }
    }
    seen.set(conversation, card);
  };
  await new Promise<void>((resolve) => sink.listen(0, '127.0.0.1', resolve));
  const serviceUrl = `http://127.0.0.1:${(sink.address() as AddressInfo).port}/`;

  // The bot, in its own process.
  const child = fork(new URL('./soak-bot.ts', import.meta.url), [], {
    cwd: projectRoot,
    execArgv: ['--import', 'tsx', '--expose-gc', '--disable-warning=DEP0111'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const killed = () => child.kill('SIGKILL');
  process.once('exit', killed);
  try {
    const ready = await next(child);
    if (ready.kind !== 'ready') throw new Error('the soak bot did not start');
    const url = `http://127.0.0.1:${ready.port}/api/messages`;

    let turns = 0;
    let errors = 0;
    let unexpected = 0;
    const problems: string[] = [];
    const note = (problem: string) => {
      unexpected += 1;
      if (problems.length < 5) problems.push(problem);
    };
    /**
     * Posts one turn. For a turn in a 1:1 chat that brings a card (sent before or after the answer), the client
     * waits for it, as a person does, before its next turn.
     */
    const post = async (activity: { conversation: { id: string } }, bringsCard = false) => {
      turns += 1;
      const conversation = activity.conversation.id;
      const before = received.get(conversation) ?? 0;
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(activity),
        signal: AbortSignal.timeout(30_000),
      }).catch((error: unknown) => ({ status: 0, text: async () => String(error) }));
      const text = await response.text();
      if (response.status !== 200) {
        errors += 1;
        if (problems.length < 5) problems.push(`HTTP ${response.status}: ${text.slice(0, 120)}`);
        return;
      }
      if (!bringsCard || (received.get(conversation) ?? 0) > before) return;
      const arrived = await new Promise<boolean>((resolve) => {
        const timer = setTimeout(() => resolve(false), 10_000);
        waiting.set(conversation, () => {
          clearTimeout(timer);
          resolve(true);
        });
      });
      waiting.delete(conversation);
      if (!arrived) note('no card within 10 s');
    };
    const chat = (from: Sender) => ({ serviceUrl, from, conversationId: `a:personal-${from.id}` });
    const inChannel = (from: Sender, conversation: string, activity: Json) => ({
      ...activity,
      conversation: { id: conversation, conversationType: 'channel', isGroup: true, tenantId: demo.tenant.id },
      channelData: {
        tenant: { id: demo.tenant.id },
        team: { id: demo.team.id, name: demo.team.name },
        channel: { id: channelId },
      },
      from: { id: `29:${from.id}`, name: from.displayName, aadObjectId: from.id },
    });

    // What each client does, one turn per call: 13 people in turn among the soak's people, two agents, and the
    // lead and a manager taking turns on the last client.
    let nextApplicant = 0;
    const applications = { filed: 0, claimed: 0, approved: 0 };
    const personClients = Math.max(1, CONCURRENCY - 3);
    const person = (client: number) => {
      let cycle = 0;
      let step = 0;
      let applicant: Sender | undefined;
      return async () => {
        const who = people[(client + personClients * cycle) % people.length]!;
        const options = chat(who);
        const card = () => seen.get(options.conversationId);
        switch (step++) {
          case 0:
            return post(personalMessage('hi', options), true);
          case 1:
            return post(cardAction(Verbs.helpShow, options), true);
          case 2:
            return post(personalMessage(ALEX_DIAGNOSIS.description, options), true);
          case 3: {
            const diagnosisId = card()?.diagnosisId;
            if (!diagnosisId || !card()?.nodes.includes(ALEX_DIAGNOSIS.question)) {
              note(`a description started no diagnosis at ${ALEX_DIAGNOSIS.question}`);
            }
            const { question: node, choice } = ALEX_DIAGNOSIS;
            return post(cardAction(Verbs.diagnosisAnswer, options, { diagnosisId, node, choice }), true);
          }
          case 4: {
            const outcome = card();
            if (!outcome?.nodes.includes(ALEX_DIAGNOSIS.outcome)) note('the diagnosis click sent no outcome');
            const verb = cycle % 2 === 0 ? Verbs.diagnosisFixed : Verbs.diagnosisNotFixed;
            return post(
              cardAction(verb, options, { diagnosisId: outcome?.diagnosisId, node: ALEX_DIAGNOSIS.outcome }),
              true,
            );
          }
          case 5:
            return post(personalMessage('my requests', options), true);
          case 6:
            if (cycle % 3 !== 0) step = 9;
            return post(cardAction(Verbs.requestsMine, options), true);
          case 7:
            applicant = applicants[nextApplicant++ % applicants.length]!;
            return post(personalMessage('reset', chat(applicant)), true);
          default: {
            step = 0;
            cycle += 1;
            if (!applicant) return post(personalMessage('help', options), true);
            const form = seen.get(chat(applicant).conversationId);
            if (!form?.submit) note('"reset" sent no application form');
            applications.filed += 1;
            const submitting = applicant;
            applicant = undefined;
            return post(
              cardAction(Verbs.applicationSubmit, chat(submitting), {
                ...form?.submit,
                reason: 'lostPhone',
                lostMethods: form?.lostMethods,
                verification: 'videoCall',
                contact: '+65 8123 0000',
                note: 'Lost my phone on the way to work.',
              }),
            );
          }
        }
      };
    };
    const agent = (who: Sender) => {
      let claimed: (typeof routed)[number] | undefined;
      let asked = 0;
      return async () => {
        const click = (verb: string, request: (typeof routed)[number], data: Json = {}) =>
          post(
            inChannel(who, request.thread, {
              ...cardAction(
                verb,
                { serviceUrl, from: who },
                { requestId: request.requestId, version: request.version, ...data },
              ),
            }),
          );
        if (claimed) {
          const request = claimed;
          claimed = undefined;
          applications.approved += 1;
          return click(Verbs.reviewApprove, request, {
            verification: 'videoCall',
            verificationNote: 'Photo ID matched on a video call',
          });
        }
        const request = routed.shift();
        if (request) {
          applications.claimed += 1;
          claimed = { ...request, version: request.version + 1 };
          return click(Verbs.reviewClaim, request);
        }
        asked += 1;
        return post(inChannel(who, channelId, { ...personalMessage(asked % 2 ? 'queue' : 'help', chat(who)) }));
      };
    };
    const leadAndManager = () => {
      let step = 0;
      return async () => {
        switch (step++ % 4) {
          case 0:
            return post(personalMessage('stats', chat(lead)), true);
          case 1:
            return post(personalMessage('queue', chat(lead)), true);
          case 2:
            return post(personalMessage('my team', chat(manager)), true);
          default:
            return post(cardAction(Verbs.requestsMine, chat(manager)), true);
        }
      };
    };
    const clients = [
      ...Array.from({ length: personClients }, (_, client) => person(client)),
      agent(agents[0]!),
      agent(agents[1]!),
      leadAndManager(),
    ];

    const samples: Sample[] = [];
    let logged: Extract<SoakBotMessage, { kind: 'sample' }>['logged'] = { warn: 0, error: 0, first: [] };
    let stored: Record<string, number> = {};
    const sample = async () => {
      child.send({ kind: 'sample' } satisfies SoakParentMessage);
      const reply = await next(child);
      if (reply.kind !== 'sample') throw new Error('the soak bot answered something else');
      samples.push({ turns, rssMb: reply.rss / 2 ** 20, heapMb: reply.heapUsed / 2 ** 20 });
      logged = reply.logged;
      stored = reply.requests;
    };
    await sample();
    const driving = performance.now();
    let drivenMs = 0;
    while (turns < TURNS) {
      const until = Math.min(TURNS, turns + SAMPLE_EVERY);
      const batchBegins = performance.now();
      await Promise.all(
        clients.map(async (turn) => {
          while (turns < until) await turn();
        }),
      );
      drivenMs += performance.now() - batchBegins;
      await sample();
      if (samples.length % 10 === 1) {
        const last = samples.at(-1)!;
        console.log(`soak: ${last.turns} turns, RSS ${last.rssMb.toFixed(1)} MB, heap ${last.heapMb.toFixed(1)} MB`);
      }
    }
    const drivingMin = (performance.now() - driving) / 60_000;

    child.send({ kind: 'stop' } satisfies SoakParentMessage);
    await new Promise((resolve) => child.once('exit', resolve));

    const secondHalf = samples.filter((one) => one.turns >= TURNS / 2);
    const rss = slope(secondHalf.map((one) => [one.turns, one.rssMb]));
    const heap = slope(secondHalf.map((one) => [one.turns, one.heapMb]));
    const rising = ({ perTenThousand, standardError }: ReturnType<typeof slope>) =>
      perTenThousand > FLAT_MB_PER_10K && perTenThousand > 3 * standardError;
    const upward = rising(rss) || rising(heap);
    const first = samples[0]!;
    const last = samples.at(-1)!;
    const minutes = (performance.now() - began) / 60_000;

    console.log(
      `\nSign-in Help bench: soak, ${turns.toLocaleString('en')} turns of mixed traffic in ${minutes.toFixed(1)} min (${(turns / (drivenMs / 1000)).toFixed(0)} turns/s while driven, ${drivingMin.toFixed(1)} min with the samples); the bot in its own process, ${CONCURRENCY} clients`,
    );
    console.log(
      `  mix: ${personClients} clients of people (greeting, Help button, a diagnosis with two clicks, "my requests" typed and clicked, a reset application every third round), 2 agents (claim and approve each routed request, else "queue" or "help" in the channel), the lead and a manager (stats, queue, my team, my requests); approved resets carried out within seconds (EXECUTION_POLL_SECONDS=1), passes to the person's chat`,
    );
    console.log(
      `  applications: ${applications.filed} filed, ${applications.claimed} claimed, ${applications.approved} approved; stored requests at the end: ${Object.entries(
        stored,
      )
        .map(([state, count]) => `${state} ${count}`)
        .join(
          ', ',
        )}; HTTP errors ${errors}, unexpected answers ${unexpected}${problems.length ? ` (${problems.join('; ')})` : ''}; the bot logged ${logged.error} errors, ${logged.warn} warnings${logged.first.length ? ` (${logged.first.join(' | ')})` : ''}`,
    );
    console.log(
      `  resident memory after GC, every ${SAMPLE_EVERY.toLocaleString('en')} turns (MB): ${samples
        .filter((_, n) => n % 5 === 0 || n === samples.length - 1)
        .map((one) => `${(one.turns / 1000).toFixed(0)}k ${one.rssMb.toFixed(0)}`)
        .join(', ')}`,
    );
    console.log(
      `  start ${first.rssMb.toFixed(1)} MB (heap ${first.heapMb.toFixed(1)}), end ${last.rssMb.toFixed(1)} MB (heap ${last.heapMb.toFixed(1)}); max ${Math.max(...samples.map((one) => one.rssMb)).toFixed(1)} MB`,
    );
    console.log(
      `  slope over the second half (least squares, ${secondHalf.length} samples): RSS ${signed(rss.perTenThousand)} ± ${rss.standardError.toFixed(2)} MB per 10k turns, heap ${signed(heap.perTenThousand)} ± ${heap.standardError.toFixed(2)} MB per 10k turns; upward trend (RSS or heap over ${FLAT_MB_PER_10K} MB per 10k turns and over 3 standard errors): ${upward ? `YES (${[rising(rss) && 'RSS', rising(heap) && 'heap'].filter(Boolean).join(' and ')})` : 'no'}`,
    );
    return [
      {
        what: `soak: memory slope over the second half of ${turns.toLocaleString('en')} turns`,
        figure: `RSS ${signed(rss.perTenThousand)}, heap ${signed(heap.perTenThousand)} MB / 10k turns`,
        target: 'no upward trend',
        ok: !upward && errors === 0,
      },
    ];
  } finally {
    process.removeListener('exit', killed);
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await new Promise<void>((resolve) => sink.close(() => resolve()));
  }
}

const signed = (value: number) => `${value >= 0 ? '+' : ''}${ms(value, 2)}`;

/** The least-squares slope of y over x, per 10,000 x, with its standard error. */
function slope(points: Array<[number, number]>): { perTenThousand: number; standardError: number } {
  const n = points.length;
  if (n < 3) return { perTenThousand: Number.NaN, standardError: Number.NaN };
  const meanX = points.reduce((sum, [x]) => sum + x, 0) / n;
  const meanY = points.reduce((sum, [, y]) => sum + y, 0) / n;
  const sxx = points.reduce((sum, [x]) => sum + (x - meanX) ** 2, 0);
  const b = points.reduce((sum, [x, y]) => sum + (x - meanX) * (y - meanY), 0) / sxx;
  const residuals = points.reduce((sum, [x, y]) => sum + (y - meanY - b * (x - meanX)) ** 2, 0);
  const standardError = Math.sqrt(residuals / (n - 2) / sxx);
  return { perTenThousand: b * 10_000, standardError: standardError * 10_000 };
}

/** The next message of the soak's bot. */
function next(child: ChildProcess): Promise<SoakBotMessage> {
  return new Promise((resolve, reject) => {
    const onExit = (code: number | null) => reject(new Error(`the soak bot exited (${code})`));
    child.once('exit', onExit);
    child.once('message', (message) => {
      child.removeListener('exit', onExit);
      resolve(message as SoakBotMessage);
    });
  });
}
