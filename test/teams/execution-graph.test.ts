import type { TokenCredential } from '@azure/identity';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { format, stringsFor } from '../../src/content/strings/index.js';
import { GraphDirectory } from '../../src/directory/graph-directory.js';
import { tenant } from '../support/activities.js';
import {
  cardsInChat,
  channelCard,
  eventsOf,
  people,
  stored,
  storedRequest,
  textsIn,
} from '../support/approval-driver.js';
import { MovableClock, approvedRequestOf, databaseBytes, execute } from '../support/execution-driver.js';
import { FakeGraph } from '../support/fake-graph.js';
import { useBot } from '../support/use-bot.js';

const en = stringsFor('en');
const { alex, diego } = people;
const credential: TokenCredential = {
  getToken: async () => ({ token: 'graph-test-token', expiresOnTimestamp: Date.now() + 3_600_000 }),
};

describe('carrying out an approved reset through Microsoft Graph (fake Graph over HTTPS)', () => {
  const graph = new FakeGraph();
  const clock = new MovableClock();
  beforeAll(async () => {
    await graph.start();
    graph.seedDemoTenant(tenant);
  });
  afterAll(() => graph.stop());
  const ctx = useBot(() => ({
    env: {
      APPROVAL_TEAM_ID: tenant.team.id,
      APPROVAL_CHANNEL_ID: tenant.team.approvalChannel.id,
      PASS_DELIVERY: 'subject',
    },
    overrides: {
      clock,
      directory: new GraphDirectory({ credential, baseUrl: graph.baseUrl, fetch: graph.fetch }),
    },
  }));

  /** The Graph writes made for one user, in order, as `METHOD path`. */
  const writesFor = (userId: string) =>
    graph.calls
      .filter((call) => call.method !== 'GET' && decodeURIComponent(call.path).includes(`/users/${userId}/`))
      .filter((call) => !call.path.endsWith('/checkMemberGroups'))
      .map((call) => `${call.method} ${decodeURIComponent(call.path).replace(`/users/${userId}`, '/users/{id}')}`);

  it('makes exactly the Graph calls of a reset, in order, and the pass reaches only the subject', async () => {
    const requestId = await approvedRequestOf(ctx, alex);
    const lost = JSON.parse(storedRequest(ctx, requestId).application).lostMethodIds as string[];
    const kindOf = (id: string) => graph.user(alex.id)!.methods.find((method) => method.id === id)!;
    const lostPaths = lost.map((id) => {
      const type = String(kindOf(id)['@odata.type'])
        .replace('#microsoft.graph.', '')
        .replace('AuthenticationMethod', '');
      return `DELETE /v1.0/users/{id}/authentication/${type}Methods/${id}`;
    });
    graph.clearCalls();

    await execute(ctx);

    expect(storedRequest(ctx, requestId).state).toBe('completed');
    expect(writesFor(alex.id)).toEqual([
      ...lostPaths,
      'POST /v1.0/users/{id}/revokeSignInSessions',
      'POST /v1.0/users/{id}/authentication/temporaryAccessPassMethods',
    ]);
    for (const call of graph.calls) expect(call.authorization).toBe('Bearer graph-test-token');
    const tap = graph.calls.find((call) => call.path.endsWith('/temporaryAccessPassMethods'))!;
    expect(tap.body).toEqual({ lifetimeInMinutes: 60, isUsableOnce: true });

    const pass = graph.passes.filter((created) => created.userId === alex.id).at(-1)!.value;
    const passCards = cardsInChat(ctx, alex).filter((card) => JSON.stringify(card).includes(pass));
    expect(passCards).toHaveLength(1);
    const elsewhere = ctx.connector.calls.filter((call) => call.conversationId !== `a:chat-${alex.id}`);
    expect(JSON.stringify(elsewhere.map((call) => call.body))).not.toContain(pass);
    expect(databaseBytes(ctx)).not.toContain(pass);
    expect(ctx.bot.logs.text()).not.toContain(pass);
  });

  it('waits out throttling, continues where it stopped, and never deletes twice', async () => {
    const requestId = await approvedRequestOf(ctx, diego);
    graph.clearCalls();
    graph.failNext(
      { method: 'POST', path: /revokeSignInSessions$/ },
      { status: 429, code: 'TooManyRequests', message: 'Too many requests', retryAfterSeconds: 120 },
    );

    await execute(ctx);
    expect(storedRequest(ctx, requestId).state).toBe('executing');
    const attempt = eventsOf(ctx, requestId).find((event) => event.reason.includes('retrying'))!;
    expect(attempt.reason).toContain('revoke sessions');
    expect(attempt.graph_request_id).toEqual(expect.any(String));

    // Still inside Retry-After: nothing is tried.
    clock.advance(60_000);
    await execute(ctx);
    expect(writesFor(diego.id).filter((write) => write.includes('revokeSignInSessions'))).toHaveLength(1);

    clock.advance(90_000);
    await execute(ctx);
    expect(storedRequest(ctx, requestId).state).toBe('completed');
    const writes = writesFor(diego.id);
    expect(writes.filter((write) => write.startsWith('DELETE'))).toHaveLength(1);
    expect(writes.filter((write) => write.includes('revokeSignInSessions'))).toHaveLength(2);
    expect(writes.filter((write) => write.includes('temporaryAccessPassMethods'))).toHaveLength(1);
    expect(textsIn(channelCard(ctx, storedRequest(ctx, requestId).reference))).toContain(
      en.review.execution.doneToSubject,
    );
  });

  it('checks once the passes have expired: back in, or reminded with the channel told', async () => {
    // Diego (second test) lost his only method and set up a new Authenticator after the reset. Alex (first
    // test) still has the mobile number he did not apply for, but registered nothing new: that is no recovery.
    graph.user(diego.id)!.methods.push({
      '@odata.type': '#microsoft.graph.microsoftAuthenticatorAuthenticationMethod',
      id: 'a9f1c2d3-0000-4000-8000-00000000beef',
      displayName: 'Pixel 9',
      createdDateTime: clock.now().toISOString(),
    });
    const alexRequest = storedRequest(ctx, stored(ctx).requests.find((r) => r.subject_id === alex.id)!.id);
    const diegoRequest = storedRequest(ctx, stored(ctx).requests.find((r) => r.subject_id === diego.id)!.id);
    expect(
      graph.user(alex.id)!.methods.some((method) => String(method['@odata.type']).includes('phoneAuthentication')),
    ).toBe(true);

    await execute(ctx);
    expect(eventsOf(ctx, diegoRequest.id).some((event) => event.reason.startsWith('recovered'))).toBe(false);

    clock.advance(61 * 60_000);
    await execute(ctx);

    expect(eventsOf(ctx, diegoRequest.id).at(-1)!.reason).toBe('recovered: a new method is registered');
    expect(eventsOf(ctx, alexRequest.id).at(-1)!.reason).toBe('not recovered: no new method once the pass expired');
    expect(textsIn(channelCard(ctx, diegoRequest.reference))).toContain(en.review.execution.recovered);
    expect(cardsInChat(ctx, alex).flatMap(textsIn)).toContain(
      format(en.approval.notices.notRecovered, { reference: alexRequest.reference }),
    );
    const followUp = ctx.connector
      .channelPosts()
      .filter((post) =>
        textsIn(post.card).includes(format(en.approval.notRecoveredTitle, { reference: alexRequest.reference })),
      );
    expect(followUp).toHaveLength(1);
    // Checked once: nothing is due any more.
    await execute(ctx);
    expect(eventsOf(ctx, alexRequest.id).filter((event) => event.reason.startsWith('not recovered'))).toHaveLength(1);
  });

  it('deletes a default phone after the other methods, which Graph requires', async () => {
    const { megan } = people;
    // Megan's mobile number is her default method here.
    graph.user(megan.id)!.preferredMethod = 'sms';
    const requestId = await approvedRequestOf(ctx, megan, { allMethods: true });
    graph.clearCalls();

    await execute(ctx);

    expect(storedRequest(ctx, requestId).state).toBe('completed');
    const deletes = writesFor(megan.id).filter((write) => write.startsWith('DELETE'));
    expect(deletes.length).toBeGreaterThan(1);
    expect(deletes.at(-1)).toContain('/phoneMethods/');
    // Graph accepted every delete at the first try: no attempt failed.
    expect(eventsOf(ctx, requestId).some((event) => event.reason.includes('retrying'))).toBe(false);
  });
});
