import { describe, expect, it } from 'vitest';
import type { Activity } from 'botbuilder';
import { loadConfig } from '../../src/config/load-config.js';
import { createBotAdapter } from '../../src/teams/bot-adapter.js';
import { personalMessage } from '../support/activities.js';

/**
 * botbuilder builds a Bot Connector client (its own HTTP pipeline and credentials) for every turn and every message
 * the bot starts; the adapter keeps one per bot, endpoint and audience instead, which are all a client depends on.
 */
describe('Bot Connector clients', () => {
  const adapter = () => createBotAdapter(loadConfig({ SQLITE_PATH: ':memory:' }));
  const activity = (serviceUrl: string) => personalMessage('hello', { serviceUrl }) as unknown as Activity;

  it("are built once per endpoint and audience and shared by turns and the bot's own messages", async () => {
    const bot = adapter();
    const first = await bot.authenticate(activity('https://smba.example/amer/'), '');
    const second = await bot.authenticate(activity('https://smba.example/amer/'), '');
    const turnClient = await first.connectorFactory!.create('https://smba.example/amer/', undefined);

    expect(await second.connectorFactory!.create('https://smba.example/amer/', undefined)).toBe(turnClient);
    expect(await bot.proactiveConnector('', 'https://smba.example/amer/')).toBe(turnClient);
    expect(await first.connectorFactory!.create('https://smba.example/emea/', undefined)).not.toBe(turnClient);
    expect(await first.connectorFactory!.create('https://smba.example/amer/', 'https://api.botframework.us')).not.toBe(
      turnClient,
    );
  });

  it('keep the deadline on a shared client: its calls still carry an abort signal', async () => {
    const bot = adapter();
    const { connectorFactory } = await bot.authenticate(activity('http://127.0.0.1:9/'), '');
    const client = await connectorFactory!.create('http://127.0.0.1:9/', undefined);
    const again = await connectorFactory!.create('http://127.0.0.1:9/', undefined);
    // Wrapped once: a second wrapping would add a second abort signal argument and the call would be sent unbounded.
    expect(again.conversations).toBe(client.conversations);
  });

  it('are not shared between adapters (each bot process or test keeps its own)', async () => {
    const one = await adapter().proactiveConnector('', 'https://smba.example/amer/');
    const other = await adapter().proactiveConnector('', 'https://smba.example/amer/');
    expect(other).not.toBe(one);
  });

  it('are kept for a bounded number of endpoints: the oldest is built again after many others', async () => {
    const bot = adapter();
    const first = await bot.proactiveConnector('', 'https://smba.example/0/');
    for (let index = 1; index <= 64; index += 1) await bot.proactiveConnector('', `https://smba.example/${index}/`);
    expect(await bot.proactiveConnector('', 'https://smba.example/64/')).toBe(
      await bot.proactiveConnector('', 'https://smba.example/64/'),
    );
    expect(await bot.proactiveConnector('', 'https://smba.example/0/')).not.toBe(first);
  });
});
