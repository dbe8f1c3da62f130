import { createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderNoticeCard } from '../../src/cards/notice.js';
import { Verbs } from '../../src/cards/verbs.js';
import { loadConfig } from '../../src/config/load-config.js';
import { createBotAdapter } from '../../src/teams/bot-adapter.js';
import { ConnectorBusyError, TeamsMessenger } from '../../src/teams/proactive/messenger.js';
import { cardAction, personalMessage, tenant } from '../support/activities.js';
import { useBot } from '../support/use-bot.js';

const CONNECTOR_TIMEOUT_MS = 1_000;
/** Teams shows "Unable to reach app" when an invoke is not answered within about 5 s. */
const TEAMS_INVOKE_LIMIT_MS = 5_000;
/** Slack for a loaded machine on top of the bound. */
const SLACK_MS = 1_500;

/** A Bot Connector endpoint that accepts connections and never answers. */
class SilentEndpoint {
  private readonly sockets = new Set<Socket>();
  private readonly server: Server = createServer((socket) => {
    this.sockets.add(socket);
    socket.on('error', () => undefined);
    socket.on('close', () => this.sockets.delete(socket));
  });
  get serviceUrl(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/`;
  }
  async start(): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return this;
  }
  async stop(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

/** An address where nothing listens: connections are refused. */
async function refusingServiceUrl(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}/`;
}

async function timed<T>(work: Promise<T>): Promise<{ result: T; ms: number }> {
  const started = Date.now();
  const result = await work;
  return { result, ms: Date.now() - started };
}

describe('a Bot Connector that refuses connections or never answers', () => {
  const silent = new SilentEndpoint();
  let refusing = '';
  const under = useBot({ env: { CONNECTOR_TIMEOUT_MS: String(CONNECTOR_TIMEOUT_MS) } });
  beforeAll(async () => {
    await silent.start();
    refusing = await refusingServiceUrl();
  });
  afterAll(() => silent.stop());

  const endpoints = () => [
    ['refuses connections', refusing],
    ['never answers', silent.serviceUrl],
  ];

  it.each([['refuses connections'], ['never answers']])(
    'answers a message within CONNECTOR_TIMEOUT_MS when the Bot Connector %s, and the next click in time',
    async (name) => {
      const serviceUrl = endpoints().find(([label]) => label === name)![1]!;
      const conversationId = `a:personal-connector-${name.replace(/\s/g, '-')}`;
      // The reply to the message cannot be delivered; the click right after it waits for that turn.
      const message = timed(under.bot.post(personalMessage('hello', { serviceUrl, conversationId })));
      await new Promise((resolve) => setTimeout(resolve, 50));
      const click = timed(under.bot.post(cardAction(Verbs.helpShow, { serviceUrl, conversationId })));

      const [sent, clicked] = await Promise.all([message, click]);
      expect(sent.result.status).toBe(200);
      expect(sent.ms).toBeLessThan(CONNECTOR_TIMEOUT_MS + SLACK_MS);
      expect(clicked.result.status).toBe(200);
      expect(clicked.result.body).toMatchObject({ statusCode: 200 });
      expect(clicked.ms).toBeLessThan(Math.min(TEAMS_INVOKE_LIMIT_MS, CONNECTOR_TIMEOUT_MS + SLACK_MS));
      expect(under.bot.logs.text()).toContain('the Bot Connector did not answer within 1000 ms');

      // Still healthy: probes answer and a conversation whose Bot Connector works gets its reply.
      expect((await under.bot.get('/healthz')).status).toBe(200);
      expect((await under.bot.get('/readyz')).status).toBe(200);
      const fine = await under.bot.post(personalMessage('hello', { serviceUrl: under.connector.serviceUrl }));
      expect(fine.status).toBe(200);
      expect(under.connector.sentCards()).toHaveLength(1);
    },
  );
});

describe('a turn slower than CONNECTOR_TIMEOUT_MS before it sends, to a Bot Connector that works', () => {
  // Every directory read takes 1.5 s: "I can't sign in" reads the evidence before it answers.
  const under = useBot({
    env: { CONNECTOR_TIMEOUT_MS: String(CONNECTOR_TIMEOUT_MS), SIMULATED_DIRECTORY_LATENCY_MS: '1500' },
  });

  it('still sends its reply: only the time spent waiting on the Bot Connector counts', async () => {
    const response = await under.bot.post(
      personalMessage("I can't sign in", { serviceUrl: under.connector.serviceUrl }),
    );
    expect(response.status).toBe(200);
    expect(under.connector.sentCards()).toHaveLength(1);
    expect(under.bot.logs.text()).not.toContain('the Bot Connector did not answer');
  });
});

describe('messages the bot starts itself, to a Bot Connector that never answers', () => {
  const silent = new SilentEndpoint();
  let messenger: TeamsMessenger;
  beforeAll(async () => {
    await silent.start();
    const config = loadConfig({ CONNECTOR_TIMEOUT_MS: String(CONNECTOR_TIMEOUT_MS) });
    messenger = new TeamsMessenger(createBotAdapter(config), tenant.bot.id);
  });
  afterAll(() => silent.stop());

  const card = renderNoticeCard({ title: 'Request SIH-000001', body: 'Approved.', tone: 'default' });

  it('gives up on a channel post within CONNECTOR_TIMEOUT_MS, as a failure worth another try', async () => {
    const post = timed(
      messenger
        .postCard({ tenantId: tenant.tenant.id, serviceUrl: silent.serviceUrl, channelId: tenant.team.id }, card)
        .catch((error: unknown) => error),
    );
    const { result, ms } = await post;
    expect(result).toBeInstanceOf(ConnectorBusyError);
    expect(ms).toBeLessThan(CONNECTOR_TIMEOUT_MS + SLACK_MS);
  });

  it('gives up on a 1:1 notice within CONNECTOR_TIMEOUT_MS', async () => {
    const reference = {
      serviceUrl: silent.serviceUrl,
      conversation: { id: 'a:personal-silent', conversationType: 'personal', tenantId: tenant.tenant.id },
      user: { id: '29:someone', name: 'Someone' },
    };
    const { result, ms } = await timed(messenger.sendCard(reference, card).catch((error: unknown) => error));
    expect((result as Error).message).toContain(`did not answer within ${CONNECTOR_TIMEOUT_MS} ms`);
    expect(ms).toBeLessThan(CONNECTOR_TIMEOUT_MS + SLACK_MS);
  });
});
