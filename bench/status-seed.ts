import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import type { DiagnosisRecord, DiagnosisRepository, DiagnosisResult } from '../src/domain/ports.js';
import type {
  ApprovalChannelRepository,
  ExecutionError,
  ExecutionJob,
  ExecutionJobRepository,
  ExecutionProgress,
  RequestRepository,
} from '../src/domain/requests/ports.js';
import {
  RESET_REASONS,
  VERIFICATION_METHODS,
  emptyReview,
  type RequestState,
  type Review,
  type VerificationMethod,
} from '../src/domain/requests/request.js';
import { SYSTEM_ACTOR } from '../src/domain/requests/review-service.js';
import type { Store } from '../src/store/store.js';
import { seededRandom, type BenchPopulation, type BenchTenant } from './status-population.js';

/*
 * Seeds the status bench's requests through the real repositories, so that the audit chain, the statistics'
 * counters, the execution outbox and every index hold exactly what production writes. Each request is a story told
 * in its own (past) time: filed, routed, perhaps sent to the manager, claimed, questioned, decided, carried out by
 * the execution outbox and followed up. Thousands of stories are told at once: on SQLite their calls interleaved in
 * one group commit per phase, on PostgreSQL each story's calls in turn, side by side on the pool (runSteps).
 */

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
/** How far back the requests go. */
const HISTORY_DAYS = 730;
/** Share of the requests still open at the end, spread over the queue's sections. */
const OPEN_SHARE = 0.0015;

type Fate =
  | 'completed'
  | 'failedThenCompleted'
  | 'rejected'
  | 'managerDeclined'
  | 'cancelled'
  | 'expired'
  | 'openPending'
  | 'openClaimed'
  | 'openAwaitingManager'
  | 'openApproved'
  | 'openFailed';

const OPEN_FATES: Array<[Fate, number]> = [
  ['openPending', 0.35],
  ['openClaimed', 0.25],
  ['openAwaitingManager', 0.15],
  ['openApproved', 0.1],
  ['openFailed', 0.15],
];

/** Diagnoses not followed by an application: how they ended, and where. */
const DIAGNOSIS_ENDINGS: Array<[DiagnosisResult, number]> = [
  ['resolved', 0.55],
  ['notResolved', 0.12],
  ['abandoned', 0.23],
  ['open', 0.1],
];
const OUTCOMES = [
  'account-disabled',
  'account-locked',
  'password-expired',
  'password-forgotten',
  'blocked-conditional-access',
  'device-not-compliant',
  'contact-helpdesk',
  'new-phone-old-available',
  'sign-in-another-way',
  'notifications-not-arriving',
  'number-matching',
  'identity-verification',
  'wog-mfa-setup',
  'not-eligible',
  'invitation-pending',
  'invitation-expired',
  'tap-active',
];
const ENTRIES = ['lost-phone', 'cant-sign-in', 'new-phone', 'no-prompt', 'authenticator-deleted', 'menu', 'symptoms'];
const NOTES = [
  'Lost my phone on the way to work.',
  'New phone, the old one was traded in.',
  'Authenticator app was removed by a phone reset.',
  'Phone stolen over the weekend; I am at my desk today.',
  '',
];
const METHOD_KINDS = ['microsoftAuthenticator', 'phone', 'softwareOath'] as const;
/** How agents verify people when the manager is not asked. */
const VERIFICATION_CHECKS = VERIFICATION_METHODS.filter((method) => method !== 'managerConfirmation');

/** What seeding did and what it cost. */
export interface SeedReport {
  requests: number;
  diagnoses: number;
  /** Repository calls that wrote, by kind. */
  writes: Record<string, number>;
  /** Wall time by phase, in milliseconds. */
  phases: Record<string, number>;
  /** Final state of the requests, by state. */
  states: Record<string, number>;
  totalMs: number;
}

export interface SeedOptions {
  store: Store;
  /**
   * Whether the store runs calls made together in the order they were made (SQLite's group commit), so that a
   * story's next call may be made before its previous one finished. Otherwise (a pool of connections) each
   * story's calls are made one after another, `lanes` stories at a time.
   */
  inOrder: boolean;
  /** Stories (or other calls) in progress at once where the calls are not run in order. */
  lanes: number;
  /** Runs the channel posts, each written at once, together (in one transaction on SQLite). */
  together: (work: () => void) => void;
  population: BenchPopulation;
  requests: number;
  /** Requests told at once: their calls of each phase share one group commit. */
  batch: number;
  /** The end of the history, in epoch milliseconds. */
  now: number;
  progress: (line: string) => void;
}

interface Repositories {
  requests: RequestRepository;
  jobs: ExecutionJobRepository;
  diagnoses: DiagnosisRepository;
  channels: ApprovalChannelRepository;
}

/** How runSteps makes calls: in order on SQLite, otherwise story by story in `lanes` (SeedOptions). */
type Pace = Pick<SeedOptions, 'inOrder' | 'lanes'>;

const OWNER = 'bench-seed';

/** Seeds `requests` requests (with events, counters, jobs and channel posts) and about as many diagnoses. */
export async function seedStatusBench(options: SeedOptions): Promise<SeedReport> {
  const { store, population, requests: total, now, progress } = options;
  // A person appears once per batch; with one person for five requests, a twentieth of them per batch leaves plenty.
  const batch = Math.max(100, Math.min(options.batch, Math.floor(total / 20)));
  const started = performance.now();
  const random = seededRandom(7);
  const repositories: Repositories = {
    requests: store.requests,
    jobs: store.executionJobs,
    diagnoses: store.diagnoses,
    channels: store.channels,
  };
  const pace: Pace = options;
  const states: Record<string, number> = {};
  const tally = (told: readonly Story[]) =>
    told.forEach((story) => (states[story.reached] = (states[story.reached] ?? 0) + 1));
  const writes: Record<string, number> = {};
  const count = (kind: string, n = 1) => (writes[kind] = (writes[kind] ?? 0) + n);
  const phases: Record<string, number> = {};
  const timed = async <T>(phase: string, work: () => Promise<T>): Promise<T> => {
    const begins = performance.now();
    try {
      return await work();
    } finally {
      phases[phase] = (phases[phase] ?? 0) + performance.now() - begins;
    }
  };

  // When each request is filed, oldest first: weekdays five times as busy as weekend days.
  const times = new Float64Array(total);
  const from = now - HISTORY_DAYS * DAY;
  for (let n = 0; n < total; n++) {
    let at: number;
    do at = from + random() * (now - 10 * MINUTE - from);
    while ([0, 6].includes(new Date(at).getUTCDay()) && random() < 0.8);
    times[n] = at;
  }
  times.sort();

  // The requests still open at the end: recent ones (failed ones up to two weeks old).
  const openFates = new Map<number, Fate>();
  const recent = (days: number) => {
    let first = total;
    while (first > 0 && times[first - 1]! > now - days * DAY) first--;
    return first;
  };
  const wanted = Math.max(OPEN_FATES.length, Math.round(total * OPEN_SHARE));
  for (const [fate, share] of OPEN_FATES) {
    const first = recent(fate === 'openFailed' ? 14 : 3);
    for (let k = Math.max(1, Math.round(wanted * share)), tries = 0; k > 0 && tries < 100 * wanted; tries++) {
      const n = first + Math.floor(random() * (total - first));
      if (n < total && !openFates.has(n)) {
        openFates.set(n, fate);
        k--;
      }
    }
  }

  const busyUntil = new Map<BenchTenant, Float64Array>([
    [population.main, new Float64Array(population.main.people.length)],
    [population.other, new Float64Array(population.other.people.length)],
  ]);
  const deferred: Story[] = [];
  let diagnoses = 0;

  for (let first = 0; first < total; first += batch) {
    const last = Math.min(total, first + batch);
    const stories: Story[] = [];
    for (let n = first; n < last; n++) {
      const tenant = random() < population.other.share ? population.other : population.main;
      stories.push(
        new Story(repositories, random, count, tenant, busyUntil.get(tenant)!, times[n]!, openFates.get(n), now),
      );
    }
    // Diagnoses that did not lead to an application, over the same days, about as many as the requests in all.
    const records: DiagnosisRecord[] = stories.flatMap((story) => story.diagnosis ?? []);
    const span = [times[first]!, times[last - 1]!] as const;
    for (let k = Math.round((last - first) * 0.75); k > 0; k--) {
      const tenant = random() < population.other.share ? population.other : population.main;
      const person = tenant.people[Math.floor(random() * tenant.people.length)]!;
      const result = pick(random, DIAGNOSIS_ENDINGS);
      const startedAt = span[0] + random() * (span[1] - span[0]);
      records.push(diagnosisRecord(random, tenant.id, person, startedAt, result));
    }
    diagnoses += records.length;

    for (const story of stories) story.fileAndReview();
    const saves = records.map((record) => ({
      at: record.startedAt.getTime(),
      call: () => repositories.diagnoses.save(record),
    }));
    count('diagnosis save', saves.length);
    await timed('file and review', () => runSteps(pace, stories, saves));
    // The publisher posts every routed request's card to the approval channel.
    await timed('channel posts', async () => {
      const posts: Array<Promise<void>> = [];
      if (pace.inOrder)
        options.together(() => stories.forEach((story) => posts.push(story.post() ?? Promise.resolve())));
      else
        await inLanes(
          pace.lanes,
          stories.map((story) => () => story.post() ?? Promise.resolve()),
        );
      await Promise.all(posts);
    });
    await timed('execution', () => executeDue(repositories, pace, new Map(stories.map((story) => [story.id, story]))));
    deferred.push(...stories.filter((story) => story.deferred));
    tally(stories.filter((story) => !story.deferred));
    for (const story of stories) story.release();
    if ((last / batch) % 10 === 0 || last === total) {
      const seconds = (performance.now() - started) / 1000;
      progress(`  seeded ${last.toLocaleString('en')} requests in ${seconds.toFixed(0)} s`);
    }
  }

  // The open requests that are approved or failed: approved last, so that no execution worker picks them up.
  const failing = deferred.filter((story) => story.fate === 'openFailed');
  for (const story of failing) story.approve();
  await timed('file and review', () => runSteps(pace, failing));
  await timed('execution', () => executeDue(repositories, pace, new Map(failing.map((story) => [story.id, story]))));
  const approving = deferred.filter((story) => story.fate === 'openApproved');
  for (const story of approving) story.approve();
  await timed('file and review', () => runSteps(pace, approving));
  tally(deferred);
  return { requests: total, diagnoses, writes, phases, states, totalMs: performance.now() - started };
}

/** Runs the execution outbox until it is empty: lease every due job, carry each out (or fail it, or follow up). */
async function executeDue(repositories: Repositories, pace: Pace, stories: ReadonlyMap<string, Story>): Promise<void> {
  // Leased as of well after the history ends, so that every job written so far is due.
  const leaseAt = new Date(Date.now() + 400 * DAY);
  const until = new Date(leaseAt.getTime() + HOUR);
  for (;;) {
    const leased: ExecutionJob[] = [];
    for (let more = true; more;) {
      const jobs = await repositories.jobs.lease(OWNER, leaseAt, until, 5_000);
      leased.push(...jobs);
      more = jobs.length === 5_000;
    }
    if (leased.length === 0) return;
    const executing = leased.map((job) => {
      const story = stories.get(job.requestId);
      if (!story) throw new Error(`an execution job of an earlier batch is still due: ${job.requestId}`);
      story.execute(job);
      return story;
    });
    await runSteps(pace, executing);
  }
}

/** A repository call to make, and when (in the story's time) it happens. */
interface Step {
  at: number;
  call: () => Promise<unknown>;
}

/**
 * Makes the stories' queued calls. In order (SQLite): in one turn of the event loop, so that they share one group
 * commit, in the order they happen. The group commit runs them in that order, so a story's next step sees its
 * previous one, and the audit trail holds each phase's events in time order as production would: a request's events
 * close together in time (filing and routing, the execution's steps) lie next to each other, the others thousands of
 * events apart. On a pool, whose connections finish calls in any order, each story's calls wait for the one before.
 */
async function runSteps(pace: Pace, stories: readonly Story[], others: readonly Step[] = []): Promise<void> {
  if (!pace.inOrder) {
    const chains = stories.map((story) => {
      const steps = story.takeSteps();
      return async () => {
        for (const step of steps) await step.call();
      };
    });
    await inLanes(pace.lanes, [...others.map((step) => step.call), ...chains]);
    return;
  }
  const steps = [...others, ...stories.flatMap((story) => story.takeSteps())];
  // Stable: a story's steps at the same moment keep their order.
  steps.sort((a, b) => a.at - b.at);
  await Promise.all(steps.map((step) => step.call()));
}

/**
 * Runs the tasks, `lanes` at a time: a pool queues what it cannot serve and fails a call that waited too long, so
 * no more are started than it can take.
 */
async function inLanes(lanes: number, tasks: ReadonlyArray<() => Promise<unknown>>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(lanes, tasks.length) }, async () => {
      while (next < tasks.length) await tasks[next++]!();
    }),
  );
}

function pick<T>(random: () => number, weighted: ReadonlyArray<readonly [T, number]>): T {
  let r = random() * weighted.reduce((sum, [, weight]) => sum + weight, 0);
  for (const [value, weight] of weighted) {
    r -= weight;
    if (r <= 0) return value;
  }
  return weighted.at(-1)![0];
}

/** A duration between `low` and `high`, spread evenly on a log scale (most waits are short, some long). */
function between(random: () => number, low: number, high: number): number {
  return low * (high / low) ** random();
}

function diagnosisRecord(
  random: () => number,
  tenantId: string,
  userId: string,
  startedAt: number,
  result: DiagnosisResult,
  outcome?: string,
): DiagnosisRecord {
  const steps = 1 + Math.floor(random() * 4);
  const ended =
    outcome ?? (result === 'open' && random() < 0.5 ? undefined : OUTCOMES[Math.floor(random() * OUTCOMES.length)]);
  return {
    id: randomUUID(),
    tenantId,
    userId,
    locale: random() < 0.85 ? 'en' : 'ja',
    entry: ENTRIES[Math.floor(random() * ENTRIES.length)]!,
    startedAt: new Date(startedAt),
    updatedAt: new Date(startedAt + between(random, 20_000, 15 * MINUTE)),
    path: [
      { node: 'triage', via: 'intent' },
      ...Array.from({ length: steps - 1 }, (_, k) => ({
        node: `q-step-${k + 1}`,
        via: 'answer',
        choice: random() < 0.5 ? 'yes' : 'no',
      })),
      ...(ended ? [{ node: ended, via: 'answer', choice: 'yes' }] : []),
    ],
    outcome: ended,
    result,
    questionsAsked: steps - 1,
    evidenceGaps: random() < 0.05 ? ['signIns'] : [],
    evidence: {
      facts: { hasAuthenticator: random() < 0.8, accountEnabled: true, recentFailures: random() < 0.4 },
      methodKinds: ['microsoftAuthenticator', 'phone'].slice(0, 1 + Math.floor(random() * 2)),
    },
  };
}

/** One request, told step by step in its own time through the repositories. */
class Story {
  readonly id = randomUUID();
  readonly fate: Fate;
  readonly diagnosis: DiagnosisRecord | undefined;
  private readonly tenantId: string;
  private readonly subjectId: string;
  private readonly filerId: string;
  private readonly managerId: string | undefined;
  private readonly managerCheck: 'none' | 'filedByManager' | 'asked';
  private readonly agentId: string;
  private readonly verification: VerificationMethod;
  private readonly lostMethods: Array<{ id: string; kind: (typeof METHOD_KINDS)[number] }>;
  /** Durations shrink for requests filed just before the end of the history, so that nothing happens after it. */
  private readonly scale: number;
  private t: number;
  private state: RequestState = 'submitted';
  private version = 1;
  private review: Review = emptyReview();
  private routedAt: number | undefined;
  private attempts = 0;
  private readonly steps: Step[] = [];
  /** Frees the subject for requests filed after this one has ended; call once the batch is done. */
  readonly release: () => void;

  constructor(
    private readonly repositories: Repositories,
    private readonly random: () => number,
    private readonly count: (kind: string) => void,
    tenant: BenchTenant,
    busyUntil: Float64Array,
    createdAt: number,
    openFate: Fate | undefined,
    now: number,
  ) {
    this.tenantId = tenant.id;
    this.t = createdAt;
    // A subject without an open request; some people file far more often than most (scattered over the tree).
    const size = tenant.people.length;
    let subject = -1;
    for (let tries = 0; subject < 0; tries++) {
      if (tries > 10_000) throw new Error('every bench person has an open request; seed more people');
      const candidate = (Math.floor(size * random() ** (tries < 20 ? 1.4 : 1)) * 7_919 + 13) % size;
      if (busyUntil[candidate]! < createdAt) subject = candidate;
    }
    const manager = tenant.managerOf[subject]!;
    this.subjectId = tenant.people[subject]!;
    this.managerId = manager < 0 ? undefined : tenant.people[manager];
    const onBehalf = this.managerId !== undefined && random() < 0.04;
    this.filerId = onBehalf ? this.managerId! : this.subjectId;
    const asksManager =
      this.managerId !== undefined && !onBehalf && (openFate === 'openAwaitingManager' || random() < 0.06);
    this.managerCheck = onBehalf ? 'filedByManager' : asksManager ? 'asked' : 'none';
    this.verification = asksManager
      ? 'managerConfirmation'
      : random() < 0.7
        ? 'videoCall'
        : VERIFICATION_CHECKS[Math.floor(random() * VERIFICATION_CHECKS.length)]!;
    this.agentId = tenant.agents[Math.floor(random() * tenant.agents.length)]!;
    this.lostMethods = Array.from({ length: random() < 0.7 ? 1 : 2 }, (_, k) => ({
      id: randomUUID(),
      kind: METHOD_KINDS[k === 0 ? 0 : 1 + Math.floor(random() * 2)]!,
    }));
    this.fate = openFate ?? this.closedFate(createdAt > now - 10 * DAY);
    const longest = this.fate === 'expired' ? 9 * DAY : 3 * DAY;
    this.scale = Math.min(1, (now - createdAt - MINUTE) / longest);
    // Busy for the whole batch: its stories run at once, so a second request of the same subject would find this
    // one still open however much earlier it started.
    busyUntil[subject] = Infinity;
    this.release = () => (busyUntil[subject] = openFate ? Infinity : createdAt + longest * this.scale);
    this.diagnosis =
      random() < 0.3
        ? diagnosisRecord(
            random,
            tenant.id,
            this.filerId,
            createdAt - between(random, 2 * MINUTE, 20 * MINUTE),
            'applied',
            'reset-needed',
          )
        : undefined;
  }

  /** Where the story has got to: what its calls have stored once they are made. */
  get reached(): RequestState {
    return this.state;
  }

  get deferred(): boolean {
    return this.fate === 'openApproved' || this.fate === 'openFailed';
  }

  private closedFate(recent: boolean): Fate {
    const r = this.random();
    if (this.managerCheck === 'asked' && r < 0.12) return 'managerDeclined';
    if (r < 0.03) return 'cancelled';
    // An expiry takes a week: a request filed in the last days has not had the time.
    if (r < 0.055) return recent ? 'cancelled' : 'expired';
    if (r < 0.087) return 'rejected';
    if (r < 0.102) return 'failedThenCompleted';
    return 'completed';
  }

  /** Filed, routed, and taken as far as the helpdesk takes it before the execution. */
  fileAndReview(): void {
    const { requests } = this.repositories;
    const at = new Date(this.t);
    const draft = [
      {
        id: this.id,
        tenantId: this.tenantId,
        filerId: this.filerId,
        application: {
          subjectId: this.subjectId,
          reason: RESET_REASONS[Math.floor(this.random() * RESET_REASONS.length)]!,
          lostMethodIds: this.lostMethods.map((method) => method.id),
          verification: this.verification,
          contact: `+65 8${String(Math.floor(this.random() * 10_000_000)).padStart(7, '0')}`,
          note: NOTES[Math.floor(this.random() * NOTES.length)]!,
          diagnosisId: this.diagnosis?.id,
        },
        state: 'submitted',
        review: emptyReview(),
        createdAt: at,
        updatedAt: at,
      },
      {
        requestId: this.id,
        tenantId: this.tenantId,
        actor: this.filerId,
        at,
        from: null,
        to: 'submitted',
        reason: this.filerId === this.subjectId ? 'application filed' : 'application filed for a direct report',
      },
      { dailyCap: 1_000, since: new Date(this.t - DAY) },
    ] as const;
    this.queue('create', () =>
      requests.create(...draft).then((created) => created.kind === 'created' || `could not file: ${created.kind}`),
    );

    if (this.managerCheck === 'asked') {
      const managerId = this.managerId!;
      this.move('awaiting_manager', 1_000, SYSTEM_ACTOR, "waiting for the subject's manager to confirm", {
        ...this.review,
        manager: { managerId, status: 'waiting', note: undefined, at: new Date(this.t + 1_000) },
      });
      this.routedAt = this.t;
      if (this.fate === 'openAwaitingManager') return;
      const answeredAt = this.t + this.wait(30 * MINUTE, DAY);
      if (this.fate === 'managerDeclined') {
        const note = 'I did not ask for this; please call me.';
        this.move('rejected', answeredAt - this.t, managerId, 'declined by the manager', {
          ...this.review,
          manager: { managerId, status: 'declined', note, at: new Date(answeredAt) },
          rejection: { by: managerId, reason: note, at: new Date(answeredAt) },
        });
        return;
      }
      this.move('pending_review', answeredAt - this.t, managerId, 'confirmed by the manager', {
        ...this.review,
        manager: { managerId, status: 'confirmed', note: undefined, at: new Date(answeredAt) },
      });
    } else if (this.managerCheck === 'filedByManager') {
      this.move(
        'pending_review',
        1_000,
        SYSTEM_ACTOR,
        "sent for review; the subject's manager filed it, which counts as their confirmation",
        {
          ...this.review,
          manager: { managerId: this.filerId, status: 'confirmed', note: undefined, at: new Date(this.t + 1_000) },
        },
      );
      this.routedAt = this.t;
    } else {
      this.move('pending_review', 1_000, SYSTEM_ACTOR, 'sent for review');
      this.routedAt = this.t;
    }
    if (this.fate === 'openPending') return;

    if (this.fate === 'openClaimed' || this.random() < 0.35) {
      const claimedAt = new Date(this.t + this.wait(2 * MINUTE, 2 * HOUR));
      this.move('pending_review', claimedAt.getTime() - this.t, this.agentId, 'claimed', {
        ...this.review,
        claimedBy: this.agentId,
        claimedAt,
      });
    }
    if (this.random() < 0.06) {
      const askedAt = new Date(this.t + this.wait(5 * MINUTE, HOUR));
      const question = {
        number: 1,
        askedBy: this.agentId,
        text: 'Which phone number can we call you back on?',
        askedAt,
        answer: undefined,
        answeredAt: undefined,
      };
      this.move('pending_review', askedAt.getTime() - this.t, this.agentId, 'asked the requester question 1', {
        ...this.review,
        questions: [question],
      });
      if (this.fate !== 'openClaimed' || this.random() < 0.5) {
        const answeredAt = new Date(this.t + this.wait(10 * MINUTE, 6 * HOUR));
        this.move('pending_review', answeredAt.getTime() - this.t, this.filerId, 'answered question 1', {
          ...this.review,
          questions: [{ ...question, answer: 'The mobile number on my application, after 2 pm.', answeredAt }],
        });
      }
    }
    if (this.fate === 'openClaimed' || this.deferred) return;

    switch (this.fate) {
      case 'cancelled':
        return this.move('cancelled', this.wait(5 * MINUTE, 6 * HOUR), this.filerId, 'cancelled by the requester');
      case 'expired':
        return this.move('expired', 7 * DAY, SYSTEM_ACTOR, 'nobody acted on it for 7 days');
      case 'rejected': {
        const at = new Date(this.t + this.wait(10 * MINUTE, 8 * HOUR));
        return this.move('rejected', at.getTime() - this.t, this.agentId, 'rejected by an agent', {
          ...this.review,
          rejection: { by: this.agentId, reason: 'We could not verify your identity on the call.', at },
        });
      }
      default:
        return this.approve();
    }
  }

  /** The agent approves after verifying the subject, which writes the execution job. */
  approve(): void {
    const at = new Date(this.t + this.wait(10 * MINUTE, 8 * HOUR));
    const { verification } = this;
    this.move('approved', at.getTime() - this.t, this.agentId, `approved, identity verified by ${verification}`, {
      ...this.review,
      approvals: [{ agentId: this.agentId, verification, note: 'Photo ID matched on a video call', at }],
    });
  }

  /** The request's card in the approval channel, posted when it was routed. */
  post(): Promise<void> | undefined {
    if (this.routedAt === undefined) return undefined;
    this.count('channel post');
    const channelId = '19:bench-approvals@thread.tacv2';
    const messageId = String(Math.floor(this.routedAt));
    return this.repositories.channels.savePost({
      requestId: this.id,
      tenantId: this.tenantId,
      channelId,
      conversationId: `${channelId};messageid=${messageId}`,
      messageId,
      serviceUrl: 'https://smba.trafficmanager.net/apac/',
      postedAt: new Date(this.routedAt + 2_000),
    });
  }

  /** What the execution worker does with this request's leased job. */
  execute(job: ExecutionJob): void {
    const { jobs } = this.repositories;
    if (job.status === 'followUp') {
      const recovered = this.random() < 0.9;
      this.saveProgress({ ...job.progress, recovered });
      this.note(
        this.wait(MINUTE, 2 * HOUR),
        recovered ? 'recovered: a new method is registered' : 'not recovered: no new method once the pass expired',
      );
      this.queue('job finish', () => jobs.finish(this.id, OWNER, 'done'));
      return;
    }
    this.move('executing', this.wait(2_000, MINUTE), SYSTEM_ACTOR, 'execution started');
    if ((this.fate === 'failedThenCompleted' && this.attempts === 0) || this.fate === 'openFailed') {
      this.attempts += 1;
      const graphRequestId = randomUUID();
      const error: ExecutionError = {
        step: 'issue pass',
        status: 503,
        code: 'serviceUnavailable',
        message: 'The service is temporarily unavailable.',
        graphRequestId,
      };
      this.move(
        'failed',
        this.wait(MINUTE, 30 * MINUTE),
        SYSTEM_ACTOR,
        'needs attention: "issue pass" failed after 5 attempt(s): 503 serviceUnavailable',
        undefined,
        graphRequestId,
      );
      this.queue('job finish', () => jobs.finish(this.id, OWNER, 'failed', error));
      if (this.fate === 'openFailed') return;
      // An agent sends it back to be carried out again, which puts the job back in the outbox.
      this.move('approved', this.wait(30 * MINUTE, DAY), this.agentId, 'sent back to be carried out again');
      return;
    }
    const progress: ExecutionProgress = {
      plan: this.lostMethods,
      kept: [randomUUID()],
    };
    this.saveProgress(progress);
    for (const method of this.lostMethods) {
      this.note(this.wait(500, 5_000), `deleted ${method.kind} method ${method.id}`);
    }
    this.note(this.wait(500, 5_000), 'sign-in sessions revoked');
    const passAt = new Date(this.t + this.wait(500, 5_000));
    this.note(passAt.getTime() - this.t, 'temporary access pass created (60 min) and delivered to the subject');
    this.saveProgress({
      ...progress,
      deleted: this.lostMethods.map((method) => method.id),
      sessionsRevoked: true,
      pass: { id: randomUUID(), createdAt: passAt.toISOString(), lifetimeInMinutes: 60 },
      delivered: { to: 'subject', at: passAt.toISOString() },
    });
    this.move('completed', this.wait(500, 5_000), SYSTEM_ACTOR, 'reset completed; pass delivered to the subject');
    this.queue('job follow-up', () => jobs.followUpAt(this.id, OWNER, new Date(passAt.getTime() + HOUR)));
  }

  private wait(low: number, high: number): number {
    return between(this.random, low, high) * this.scale;
  }

  /** Queues the repository call; true (or nothing) is success, a string says what went wrong. */
  private queue(kind: string, call: () => Promise<boolean | string | void>): void {
    this.count(kind);
    this.steps.push({
      at: this.t,
      call: () =>
        call().then((outcome) => {
          if (outcome === false || typeof outcome === 'string') {
            throw new Error(`bench request ${this.id}: ${kind} failed${outcome ? `: ${outcome}` : ''}`);
          }
        }),
    });
  }

  /** The calls queued since last asked, in order. */
  takeSteps(): Step[] {
    return this.steps.splice(0);
  }

  private move(
    to: RequestState,
    after: number,
    actor: string,
    reason: string,
    review?: Review,
    graphRequestId?: string,
  ): void {
    this.t += after;
    const at = new Date(this.t);
    const event = {
      requestId: this.id,
      tenantId: this.tenantId,
      actor,
      at,
      from: this.state,
      to,
      reason,
      ...(graphRequestId ? { graphRequestId } : {}),
    };
    const version = this.version;
    this.queue('compareAndSet', () =>
      this.repositories.requests.compareAndSet({ id: this.id, expectedVersion: version, to, at, event, review }),
    );
    this.state = to;
    this.version += 1;
    if (review) this.review = review;
  }

  /** An event of the execution that does not change the state. */
  private note(after: number, reason: string): void {
    this.t += after;
    const event = {
      requestId: this.id,
      tenantId: this.tenantId,
      actor: SYSTEM_ACTOR,
      at: new Date(this.t),
      from: this.state,
      to: this.state,
      reason,
    };
    this.queue('appendEvent', () => this.repositories.requests.appendEvent(event));
  }

  private saveProgress(progress: ExecutionProgress): void {
    const leaseUntil = new Date(Date.now() + 500 * DAY);
    this.queue('job progress', () => this.repositories.jobs.saveProgress(this.id, OWNER, progress, leaseUntil));
  }
}
