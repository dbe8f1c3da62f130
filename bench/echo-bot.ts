import { Application, type TurnState } from '@microsoft/teams-ai';
import restify from 'restify';
import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import type { TurnContext } from 'botbuilder';
import { renderNoticeCard } from '../src/cards/notice.js';
import type { AdaptiveCard } from '../src/cards/render-card.js';
import { renderReviewCard } from '../src/cards/review.js';
import { Verbs } from '../src/cards/verbs.js';
import { loadConfig, type Config } from '../src/config/load-config.js';
import { format, stringsFor } from '../src/content/strings/index.js';
import type { StateStore } from '../src/domain/ports.js';
import { systemClock } from '../src/domain/system-clock.js';
import { createLogger } from '../src/logging/create-logger.js';
import { auditKeyRing } from '../src/store/audit-chain.js';
import { createStore } from '../src/store/create-store.js';
import { closeDatabase } from '../src/store/sqlite/group-commit.js';
import { openDatabase } from '../src/store/sqlite/open-database.js';
import { SqliteStateStore } from '../src/store/sqlite/sqlite-state-store.js';
import { createBotAdapter } from '../src/teams/bot-adapter.js';
import { TeamsMessenger } from '../src/teams/proactive/messenger.js';
import { minimalReviewView } from '../test/support/review-views.js';

/**
 * The baseline for `npm run bench`: the smallest useful bot on the same stack (restify,
 * teams-ai Application on a TeamsAdapter, the same SQLite state store), echoing text back.
 */
export async function startEchoBot(sqlitePath: string): Promise<EchoBot> {
  const config = loadConfig({ PORT: '0', SQLITE_PATH: sqlitePath });
  const db = openDatabase(sqlitePath, createLogger({ level: 'silent' }));
  const storage = new SqliteStateStore(db, { now: () => new Date() });
  return serveEcho(config, storage, async () => closeDatabase(db));
}

/** The same echo bot with its state in the PostgreSQL database at `databaseUrl`: the baseline of bots on it. */
export async function startPostgresEchoBot(databaseUrl: string): Promise<EchoBot> {
  const config = loadConfig({ PORT: '0', DATABASE_URL: databaseUrl });
  // The echo bot writes no audit events; the store wants keys all the same.
  const auditKeys = auditKeyRing(randomBytes(32).toString('base64'));
  const store = await createStore(config, createLogger({ level: 'silent' }), { auditKeys, clock: systemClock });
  return serveEcho(config, store.state, () => store.close());
}

/**
 * A floor under the approval click: the echo bot on the bot's own store, whose approve button does less than any
 * approval must, with none of the checks (who clicked, where, on which version, with what roles): one event appended
 * to the audit trail (an approval also changes the request, its tallies and the execution queue in that write), the
 * smallest request card drawn for the answer, and the two messages that follow an approval, sent through the bot's
 * own messenger (the card updated for everyone in the channel, a notice in the requester's chat). Any other button
 * echoes. Whatever the bot's checks cost, its approval click cannot cost less than this.
 */
export async function startApprovalFloorBot(sqlitePath: string): Promise<EchoBot> {
  const config = loadConfig({ PORT: '0', SQLITE_PATH: sqlitePath });
  const store = await createStore(config, createLogger({ level: 'silent' }), {
    auditKeys: auditKeyRing(randomBytes(32).toString('base64')),
    clock: systemClock,
  });
  const strings = stringsFor('en');
  const approve = async (context: TurnContext, messenger: TeamsMessenger): Promise<AdaptiveCard> => {
    const { activity } = context;
    const requestId = String(
      (activity.value as { action?: { data?: { requestId?: unknown } } }).action?.data?.requestId,
    );
    const tenantId = activity.conversation.tenantId ?? 'bench';
    const actor = activity.from.aadObjectId ?? 'bench';
    await store.requests.appendEvent({
      requestId,
      tenantId,
      actor,
      at: new Date(),
      from: 'pending_review',
      to: 'approved',
      reason: 'the approval floor',
    });
    const reference = 'SIH-000001';
    const card = renderReviewCard(strings, minimalReviewView({ requestId, reference, state: 'approved' }));
    const title = format(strings.approval.noticeTitle, { reference });
    const body = format(strings.approval.notices.approved, { reference });
    const thread = activity.conversation.id;
    await Promise.all([
      messenger.updateCard(
        {
          requestId,
          tenantId,
          channelId: thread.split(';')[0]!,
          conversationId: thread,
          messageId: thread.split('messageid=')[1] ?? '1',
          serviceUrl: activity.serviceUrl,
          postedAt: new Date(),
        },
        card,
      ),
      messenger.sendCard(
        {
          channelId: 'msteams',
          serviceUrl: activity.serviceUrl,
          user: activity.from,
          bot: activity.recipient,
          conversation: { id: `a:personal-${actor}`, conversationType: 'personal', tenantId },
        },
        renderNoticeCard({ title, body, tone: 'default' }),
      ),
    ]);
    return card;
  };
  return serveEcho(config, store.state, () => store.close(), approve);
}

export interface EchoBot {
  url: string;
  stop(): Promise<void>;
}

async function serveEcho(
  config: Config,
  storage: StateStore,
  close: () => Promise<void>,
  approve?: (context: TurnContext, messenger: TeamsMessenger) => Promise<AdaptiveCard>,
): Promise<EchoBot> {
  const adapter = createBotAdapter(config);
  const messenger = new TeamsMessenger(adapter, 'echo');
  const app = new Application<TurnState>({ adapter, botAppId: 'echo', storage, startTypingTimer: false });
  app.activity('message', async (context) => {
    await context.sendActivity(`echo: ${context.activity.text}`);
  });
  // Echoes the card action's verb as a message, then acknowledges: one send, like the bot's buttons.
  app.activity('invoke', async (context) => {
    const verb = String(context.activity.value?.action?.verb);
    if (approve && verb === Verbs.reviewApprove) {
      const card = await approve(context, messenger);
      await context.sendActivity({
        type: 'invokeResponse',
        value: { status: 200, body: { statusCode: 200, type: 'application/vnd.microsoft.card.adaptive', value: card } },
      });
      return;
    }
    await context.sendActivity(`echo: ${verb}`);
    await context.sendActivity({
      type: 'invokeResponse',
      value: {
        status: 200,
        body: { statusCode: 200, type: 'application/vnd.microsoft.activity.message', value: 'ok' },
      },
    });
  });

  const server = restify.createServer();
  server.use(restify.plugins.jsonBodyParser());
  server.post('/api/messages', async (req, res) => {
    await adapter.process(req, res, (context) => app.run(context).then(() => undefined));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    stop: async () => {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await close();
    },
  };
}
