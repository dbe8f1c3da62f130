import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { Verbs } from '../../src/cards/verbs.js';
import type { ResetRequest } from '../../src/domain/requests/request.js';
import { cardAction, personalInstall, tenant, type Sender } from '../support/activities.js';
import { APPROVAL_CHANNEL, people } from '../support/approval-driver.js';
import {
  sharedBackends,
  startInstance,
  stopInstances,
  type BotInstance,
  type SharedDatabase,
} from '../support/bot-instances.js';
import { FakeConnector, isChannelPost, type ConnectorCall } from '../support/fake-connector.js';
import { FakeGraph } from '../support/fake-graph.js';
import { seedRequest } from '../support/seed-requests.js';

/*
 * Issue 15, "several instances for real": two bot processes (test/support/instance-child.ts) on one database,
 * PostgreSQL and SQLite alike, the same test bodies on each. Both read the fake Graph and answer through the fake
 * Bot Connector; the test starts their jobs and presses their buttons at the same moment, and counts what reached
 * Graph and Teams.
 */

const HOUR_MS = 3_600_000;
const DAILY_CAP = 2;
const HOURLY_CAP = 2;
/** The same for both instances and every test: the caps low enough to reach, passes to the subject's own chat. */
const INSTANCE_SETTINGS = {
  APPLICATION_DAILY_CAP: String(DAILY_CAP),
  EXECUTION_HOURLY_CAP: String(HOURLY_CAP),
  PASS_DELIVERY: 'subject',
  REVIEW_SLA_HOURS: '1',
  // Each test reseeds the fake Graph: nothing read in an earlier one may be reused.
  DIRECTORY_CACHE_SECONDS: '0',
};
/** Agents pressing Approve on the same card, one on each instance. */
const AGENTS: readonly [Sender, Sender] = [people.isaiah, people.ken];
/** Ordinary accounts with methods to delete, one request each. */
const SUBJECTS = [people.alex, people.diego, people.shota, people.weiling, people.priya, people.megan];

const isPassCreation = (call: { method: string; path: string }) =>
  call.method === 'POST' && /\/temporaryAccessPassMethods$/.test(call.path);

describe.each(sharedBackends())('two bot processes on one $name database', (backend) => {
  let database: SharedDatabase;
  let graph: FakeGraph;
  let connector: FakeConnector;
  /** Instance A and instance B. */
  let instances: [BotInstance, BotInstance] | undefined;
  /** Each test works in a tenant of its own: the database, the instances and the fakes serve them all. */
  let tenantId: string;

  // A bot process takes seconds to start: the two serve every test of the block.
  beforeAll(async () => {
    graph = await new FakeGraph().start();
    connector = await new FakeConnector().start();
    database = await backend.open();
  });

  afterAll(async () => {
    // Every process first, whatever the tests left running; then what they talked to, then the database.
    await stopInstances();
    await connector?.stop();
    await graph?.stop();
    await database?.close();
  });

  beforeEach(async () => {
    // One killed by an earlier test is replaced.
    const running = (instance: BotInstance | undefined) =>
      instance && instance.child.process.exitCode === null && instance.child.process.signalCode === null
        ? instance
        : startInstance(database, graph, INSTANCE_SETTINGS);
    instances = await Promise.all([running(instances?.[0]), running(instances?.[1])]);
    tenantId = randomUUID();
    // Every account as the demo tenant has it, methods included, and nothing recorded yet.
    graph.seedDemoTenant(tenant);
    graph.clearCalls();
    graph.revocations.length = 0;
    graph.passes.length = 0;
    connector.clear();
    await withChannel(tenantId);
  });

  const both = (): [BotInstance, BotInstance] => instances!;

  /** Runs the same work on both instances at the same moment. */
  const onBoth = (command: 'runJobs' | 'runExecution') => Promise.all(both().map((instance) => instance.run(command)));

  /** The tenant's approval channel, as `set approval channel` saves it. */
  const withChannel = (id: string) =>
    database.store.channels.save({
      tenantId: id,
      teamId: tenant.team.id,
      channelId: APPROVAL_CHANNEL,
      serviceUrl: connector.serviceUrl,
      locale: 'en-US',
      setBy: people.patti.id,
      setAt: new Date(),
      unavailableSince: undefined,
    });

  /** The methods a reset of `subject` deletes: every one but the password. */
  const lostMethods = (subject: Sender) =>
    graph
      .user(subject.id)!
      .methods.filter((method) => !String(method['@odata.type']).includes('password'))
      .map((method) => method.id);

  /** A request for `subject` waiting for review since `at`, or approved by `approverId` with its execution job. */
  const waitingRequest = (subject: Sender, options: { at?: Date; approverId?: string; tenantId?: string } = {}) =>
    seedRequest(database.store.requests, {
      tenantId: options.tenantId ?? tenantId,
      subjectId: subject.id,
      lostMethodIds: lostMethods(subject),
      approverId: options.approverId,
      now: options.at,
    });

  /** Each person says hello to the bot in their 1:1 chat, so that it can write to them later. */
  async function greet(senders: Sender[], inTenant = tenantId): Promise<void> {
    for (const from of senders) {
      const install = personalInstall({ serviceUrl: connector.serviceUrl, from, tenantId: inTenant });
      expect((await both()[0].post(install)).status).toBe(200);
    }
  }

  const find = async (id: string): Promise<ResetRequest> => (await database.store.requests.find(id))!;

  /** Calls the bots made into one conversation (a 1:1 chat, or a card's thread in the channel) to post in it. */
  const postsTo = (conversationId: string): ConnectorCall[] =>
    connector.calls.filter(
      (call) => call.method === 'POST' && call.conversationId === conversationId && call.path.endsWith('/activities'),
    );

  /** Messages to `subject`'s chat that hold one of their passes. */
  const passMessagesTo = (subject: Sender) => {
    const values = graph.passes.filter((pass) => pass.userId === subject.id).map((pass) => pass.value);
    return postsTo(`a:personal-${subject.id}`).filter((call) =>
      values.some((value) => JSON.stringify(call.body).includes(value)),
    );
  };

  /**
   * Graph's record of the resets of `subject`: deletions of each method (Graph's phone method ids are the same for
   * everyone), revocations of their sessions, passes made.
   */
  function resetsOf(subject: Sender, methods: readonly string[]) {
    const theirs = graph.calls.filter((call) => call.path.includes(`/users/${subject.id}/`));
    return {
      deletions: methods.map(
        (id) => theirs.filter((call) => call.method === 'DELETE' && call.path.endsWith(`/${id}`)).length,
      ),
      revocations: theirs.filter((call) => call.path.endsWith('/revokeSignInSessions')).length,
      passes: graph.passes.filter((pass) => pass.userId === subject.id).length,
    };
  }

  /** Every change of state of the request in its audit trail, as `from>to`. */
  const transitionsOf = async (id: string) =>
    (await database.store.requests.eventsOf(id))
      .filter((event) => event.from !== event.to && event.to !== 'refused')
      .map((event) => `${event.from}>${event.to}`);

  it('carries out each request once when Approve is pressed on both at the same moment', async () => {
    // Each round in a tenant of its own, so that the hourly cap (2, for the cap's test) holds none back.
    const rounds = [SUBJECTS.slice(0, 2), SUBJECTS.slice(2, 4), SUBJECTS.slice(4)];
    const requests: Array<{ id: string; subject: Sender; methods: string[] }> = [];
    for (const [round, subjects] of rounds.entries()) {
      const inTenant = round === 0 ? tenantId : randomUUID();
      await withChannel(inTenant);
      await greet(subjects, inTenant);
      const cards = await Promise.all(
        subjects.map(async (subject) => ({
          id: await waitingRequest(subject, { tenantId: inTenant }),
          subject,
          methods: lostMethods(subject),
        })),
      );
      // Both presses on every card of the round leave together; then both workers run together.
      const presses = cards.flatMap(({ id }, card) =>
        both().map((instance, which) =>
          instance.post(approveClick(AGENTS[which]!, id, inTenant, connector.serviceUrl, `${round}${card}`)),
        ),
      );
      for (const press of await Promise.all(presses)) expect(press.status).toBe(200);
      await onBoth('runExecution');
      requests.push(...cards);
    }

    for (const { id, subject, methods } of requests) {
      const request = await find(id);
      expect(request.state, subject.displayName).toBe('completed');
      expect(request.review.approvals).toHaveLength(1);
      expect(resetsOf(subject, methods), subject.displayName).toEqual({
        deletions: methods.map(() => 1),
        revocations: 1,
        passes: 1,
      });
      expect(passMessagesTo(subject), subject.displayName).toHaveLength(1);
      expect(await transitionsOf(id)).toEqual([
        'null>submitted',
        'submitted>pending_review',
        'pending_review>approved',
        'approved>executing',
        'executing>completed',
      ]);
    }
    expect(await database.store.requests.verifyAuditChain()).toMatchObject({ ok: true });
  });

  it('posts each waiting request to the channel once when both run the backlog job at the same moment', async () => {
    const waiting = await Promise.all(SUBJECTS.map((subject) => waitingRequest(subject)));
    // Teams answers no post until both instances have sent one: the moment they race for, on any machine.
    connector.hold();

    const running = onBoth('runJobs');
    await until(() => connector.calls.filter(isChannelPost).length >= 2);
    connector.release();
    await running;

    const posts = connector.channelPosts();
    for (const id of waiting) {
      const { reference } = await find(id);
      const cards = posts.filter((post) => JSON.stringify(post.card).includes(reference));
      expect(cards, reference).toHaveLength(1);
    }
  });

  it('reminds the channel and tells the leads once when both run the service-level job at the same moment', async () => {
    // Pending for three times the service level (one hour): the channel's reminder and the leads' notice are due.
    const since = new Date(Date.now() - 3 * HOUR_MS);
    const id = await waitingRequest(people.alex, { at: since });
    const thread = `${APPROVAL_CHANNEL};messageid=${since.getTime()}`;
    await database.store.channels.savePost({
      requestId: id,
      tenantId,
      channelId: APPROVAL_CHANNEL,
      conversationId: thread,
      messageId: String(since.getTime()),
      serviceUrl: connector.serviceUrl,
      postedAt: since,
    });
    await greet([people.patti]);
    connector.clear();

    await onBoth('runJobs');

    expect(postsTo(thread)).toHaveLength(1);
    expect(postsTo(`a:personal-${people.patti.id}`)).toHaveLength(1);
  });

  it("never files more than the filer's daily cap, however the submissions race across both", async () => {
    const megan = people.megan;
    // Megan files for herself and her two reports, each on both instances at once: six submissions, room for two.
    const subjects = [megan, people.alex, people.yuki];
    const submissions = subjects.flatMap((subject) =>
      both().map((instance) =>
        instance.post(
          cardAction(
            Verbs.applicationSubmit,
            { serviceUrl: connector.serviceUrl, from: megan, conversationId: `a:chat-${megan.id}`, tenantId },
            {
              subjectId: subject.id,
              reason: 'lostPhone',
              lostMethods: lostMethods(subject).slice(0, 1).join(','),
              verification: 'videoCall',
              contact: '+65 8123 0000',
              note: 'Lost on the way to work.',
            },
          ),
        ),
      ),
    );
    for (const submission of await Promise.all(submissions)) expect(submission.status).toBe(200);

    const filed = await database.store.requests.listForPerson(tenantId, megan.id, 50);
    expect(filed.filter((request) => request.filerId === megan.id)).toHaveLength(DAILY_CAP);
  });

  it("never starts more than the tenant's hourly cap of resets, however both workers race", async () => {
    const approved = await Promise.all(
      SUBJECTS.map((subject) => waitingRequest(subject, { approverId: people.isaiah.id })),
    );

    await onBoth('runExecution');
    await onBoth('runExecution');

    const states = await Promise.all(approved.map(async (id) => (await find(id)).state));
    expect(
      states.filter((state) => state !== 'approved'),
      states.join(', '),
    ).toHaveLength(HOURLY_CAP);
    const revoked = SUBJECTS.filter((subject) => resetsOf(subject, []).revocations > 0);
    expect(revoked).toHaveLength(HOURLY_CAP);
  });

  it('finishes, on the other instance, a reset whose worker was killed before the pass: each step once', async () => {
    const [a, b] = both();
    const subject = people.alex;
    const methods = lostMethods(subject);
    const id = await waitingRequest(subject, { approverId: people.isaiah.id });
    await greet([subject]);
    const passCall = graph.holdNext(isPassCreation);

    const running = a.run('runExecution').then(
      () => 'finished',
      () => 'killed',
    );
    await passCall.arrived;
    await a.kill();
    passCall.drop();
    expect(await running).toBe('killed');
    expect(resetsOf(subject, methods)).toEqual({ deletions: methods.map(() => 1), revocations: 1, passes: 0 });
    expect((await find(id)).state).toBe('executing');

    // B looks once A's lease (two minutes) has run out.
    await b.run({ command: 'setClock', offsetMs: 3 * 60_000 });
    try {
      await b.run('runExecution');
    } finally {
      await b.run({ command: 'setClock', offsetMs: 0 });
    }

    expect((await find(id)).state).toBe('completed');
    expect(resetsOf(subject, methods)).toEqual({ deletions: methods.map(() => 1), revocations: 1, passes: 1 });
    expect(passMessagesTo(subject)).toHaveLength(1);
    expect((await transitionsOf(id)).filter((transition) => transition === 'executing>completed')).toHaveLength(1);
    expect(await database.store.requests.verifyAuditChain()).toMatchObject({ ok: true });
  });
});

/** Resolves once `condition` holds, looking again every few milliseconds. */
async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((resolve) => setTimeout(resolve, 5));
}

/** An agent presses Approve (after a video call) on a request's card, in its thread of the approval channel. */
function approveClick(agent: Sender, requestId: string, tenantId: string, serviceUrl: string, thread: string) {
  const verb = Verbs.reviewApprove;
  return {
    type: 'invoke',
    name: 'adaptiveCard/action',
    id: randomUUID(),
    timestamp: new Date().toISOString(),
    channelId: 'msteams',
    serviceUrl,
    locale: 'en-US',
    from: { id: `29:${agent.id}`, name: agent.displayName, aadObjectId: agent.id },
    recipient: { id: `28:${tenant.bot.id}`, name: tenant.bot.name },
    conversation: {
      id: `${APPROVAL_CHANNEL};messageid=${thread}`,
      conversationType: 'channel',
      isGroup: true,
      tenantId,
    },
    channelData: {
      tenant: { id: tenantId },
      team: { id: tenant.team.id, name: tenant.team.name },
      channel: { id: APPROVAL_CHANNEL },
    },
    value: {
      action: {
        type: 'Action.Execute',
        verb,
        data: { verb, requestId, version: 2, verification: 'videoCall', verificationNote: 'Photo ID matched.' },
      },
      trigger: 'manual',
    },
  };
}
