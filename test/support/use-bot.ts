import { afterAll, beforeAll, beforeEach } from 'vitest';
import { startBot, type RunningBot, type StartOptions } from './bot-harness.js';
import { FakeConnector } from './fake-connector.js';

/** A running bot and the fake Bot Connector its replies go to, for one describe block. */
export interface BotUnderTest {
  readonly bot: RunningBot;
  readonly connector: FakeConnector;
}

/**
 * Registers the hooks that start a bot and a fake connector before the block's tests, clear
 * the connector's record before each test and stop both afterwards. `options` may be a
 * function, for settings that only exist once earlier hooks have run.
 */
export function useBot(options: StartOptions | (() => StartOptions) = {}): BotUnderTest {
  let bot: RunningBot | undefined;
  let connector: FakeConnector | undefined;
  beforeAll(async () => {
    connector = await new FakeConnector().start();
    bot = await startBot(typeof options === 'function' ? options() : options);
  });
  afterAll(async () => {
    await bot?.stop();
    await connector?.stop();
  });
  beforeEach(() => connector?.clear());
  return {
    get bot() {
      if (!bot) throw new Error('the bot starts in beforeAll');
      return bot;
    },
    get connector() {
      if (!connector) throw new Error('the connector starts in beforeAll');
      return connector;
    },
  };
}
