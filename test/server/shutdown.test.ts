import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { personalMessage } from '../support/activities.js';
import { tempSqlitePath } from '../support/bot-harness.js';
import { spawnBot as spawnChildBot, waitForListening, type ChildBot } from '../support/child-bot.js';
import { FakeConnector } from '../support/fake-connector.js';

const SHUTDOWN_TIMEOUT_MS = 1_500;
/** What the process may add to SHUTDOWN_TIMEOUT_MS (closing the database, the last log lines), and slack. */
const MARGIN_MS = 2_500;

/** A child bot that is killed when the test ends, however it ends. */
function spawnBot(env: Record<string, string>): ChildBot {
  const bot = spawnChildBot(env);
  onTestFinished(() => void bot.process.kill('SIGKILL'));
  return bot;
}

/** How the child ended, or 'still running' after `ms`. */
function exitWithin(bot: ChildBot, ms: number) {
  return Promise.race([
    bot.exited,
    new Promise<'still running'>((resolve) => setTimeout(resolve, ms, 'still running')),
  ]);
}

describe('shutting down, whatever stdout and the Bot Connector do', () => {
  let connector: FakeConnector;
  beforeAll(async () => {
    connector = await new FakeConnector().start();
  });
  afterAll(async () => {
    await connector.stop();
  });

  it('exits on SIGTERM within SHUTDOWN_TIMEOUT_MS after the reader of its stdout has gone', async () => {
    const bot = spawnBot({
      PORT: '0',
      SQLITE_PATH: tempSqlitePath(),
      SHUTDOWN_TIMEOUT_MS: String(SHUTDOWN_TIMEOUT_MS),
    });
    try {
      await waitForListening(bot);
      // As when the parent that read the bot's output has died: the pipe has no reader any more.
      bot.process.stdout!.destroy();
      bot.process.kill('SIGTERM');
      expect(await exitWithin(bot, SHUTDOWN_TIMEOUT_MS + MARGIN_MS)).toEqual({ code: 0, signal: null });
    } finally {
      bot.process.kill('SIGKILL');
    }
  });

  it('exits on SIGTERM while the reader of its stdout is alive but reads nothing', async () => {
    const bot = spawnBot({
      PORT: '0',
      SQLITE_PATH: tempSqlitePath(),
      SHUTDOWN_TIMEOUT_MS: String(SHUTDOWN_TIMEOUT_MS),
      LOG_LEVEL: 'debug',
    });
    try {
      const port = await waitForListening(bot);
      bot.process.stdout!.pause();
      // Enough log lines to fill the pipe many times over.
      await Promise.all(Array.from({ length: 200 }, () => fetch(`http://127.0.0.1:${port}/healthz`)));
      bot.process.kill('SIGTERM');
      expect(await exitWithin(bot, SHUTDOWN_TIMEOUT_MS + MARGIN_MS)).toEqual({ code: 0, signal: null });
    } finally {
      bot.process.kill('SIGKILL');
    }
  });

  it('gives up on a turn that outlives SHUTDOWN_TIMEOUT_MS, and a second SIGTERM ends the process at once, stdout or not', async () => {
    const started = (env: Record<string, string>) =>
      spawnBot({ PORT: '0', SQLITE_PATH: tempSqlitePath(), SHUTDOWN_TIMEOUT_MS: String(SHUTDOWN_TIMEOUT_MS), ...env });
    const [slow, impatient] = [started({}), started({ SHUTDOWN_TIMEOUT_MS: '60000' })];
    try {
      const ports = await Promise.all([waitForListening(slow), waitForListening(impatient)]);
      // The Bot Connector never answers the replies.
      connector.hold();
      for (const port of ports) {
        void fetch(`http://127.0.0.1:${port}/api/messages`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(personalMessage('hello', { serviceUrl: connector.serviceUrl })),
        }).catch(() => undefined);
      }
      await expect.poll(() => connector.calls.length, { timeout: 10_000 }).toBe(2);

      slow.process.kill('SIGTERM');
      // The second signal must end the process even when nothing can be written any more.
      impatient.process.stdout!.destroy();
      impatient.process.kill('SIGTERM');
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(impatient.process.exitCode).toBeNull();
      impatient.process.kill('SIGTERM');

      expect(await exitWithin(impatient, 1_000)).not.toBe('still running');
      expect(await exitWithin(slow, SHUTDOWN_TIMEOUT_MS + MARGIN_MS)).toEqual({ code: 0, signal: null });
    } finally {
      connector.release();
      slow.process.kill('SIGKILL');
      impatient.process.kill('SIGKILL');
    }
  });
});
