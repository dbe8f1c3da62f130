import { Application, type TurnState } from '@microsoft/teams-ai';
import restify from 'restify';
import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { loadConfig, type Config } from '../src/config/load-config.js';
import type { StateStore } from '../src/domain/ports.js';
import { systemClock } from '../src/domain/system-clock.js';
import { createLogger } from '../src/logging/create-logger.js';
import { auditKeyRing } from '../src/store/audit-chain.js';
import { createStore } from '../src/store/create-store.js';
import { closeDatabase } from '../src/store/sqlite/group-commit.js';
import { openDatabase } from '../src/store/sqlite/open-database.js';
import { SqliteStateStore } from '../src/store/sqlite/sqlite-state-store.js';
import { createBotAdapter } from '../src/teams/bot-adapter.js';

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

export interface EchoBot {
  url: string;
  stop(): Promise<void>;
}

async function serveEcho(config: Config, storage: StateStore, close: () => Promise<void>): Promise<EchoBot> {
  const adapter = createBotAdapter(config);
  const app = new Application<TurnState>({ adapter, botAppId: 'echo', storage, startTypingTimer: false });
  app.activity('message', async (context) => {
    await context.sendActivity(`echo: ${context.activity.text}`);
  });
  // Echoes the card action's verb as a message, then acknowledges: one send, like the bot's buttons.
  app.activity('invoke', async (context) => {
    await context.sendActivity(`echo: ${String(context.activity.value?.action?.verb)}`);
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
