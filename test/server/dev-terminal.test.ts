import { spawn, spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BOT_NODE_ARGS } from '../../scripts/lib/bot-launch.js';
import { projectRoot } from '../../src/project-root.js';
import { requestLogLevel, SLOW_REQUEST_MS } from '../../src/server/create-server.js';
import { personalMessage } from '../support/activities.js';
import { tempSqlitePath } from '../support/bot-harness.js';
import { LOCAL_ENV, waitForListening, watchChild, type ChildBot } from '../support/child-bot.js';
import { FakeConnector } from '../support/fake-connector.js';

/** The bot as `npm run dev` starts it (same Node arguments), at the default log level. */
function spawnDevBot(env: Record<string, string>): ChildBot {
  const child = spawn(process.execPath, [...BOT_NODE_ARGS], {
    cwd: projectRoot,
    env: { ...process.env, ...LOCAL_ENV, LOG_LEVEL: '', NODE_OPTIONS: '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return watchChild(child);
}

/** stderr of a short Node program run with `args` before it. */
const stderrOf = (args: string[], program: string): string =>
  spawnSync(process.execPath, [...args, '-e', program], { cwd: projectRoot, encoding: 'utf8' }).stderr;

describe('what the terminal of `npm run dev` shows', () => {
  let connector: FakeConnector;
  beforeAll(async () => {
    connector = await new FakeConnector().start();
  });
  afterAll(async () => {
    await connector.stop();
  });

  it('shows the banner and what happened, but no line per HTTP request and no DEP0111, at the default level', async () => {
    const bot = spawnDevBot({ PORT: '0', SQLITE_PATH: tempSqlitePath() });
    try {
      const port = await waitForListening(bot);
      for (const text of ['hello', 'help']) {
        const response = await fetch(`http://127.0.0.1:${port}/api/messages`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(personalMessage(text, { serviceUrl: connector.serviceUrl })),
        });
        expect(response.status).toBe(200);
      }
      expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(200);
      bot.process.kill('SIGTERM');
      expect((await bot.exited).code).toBe(0);

      expect(connector.sentCards().length).toBeGreaterThanOrEqual(2);
      expect(bot.stderr()).toContain('LOCAL MODE: authentication is OFF');
      expect(bot.stderr()).not.toMatch(/DEP0111|DeprecationWarning/);
      expect(bot.stdout()).toContain('Sign-in Help is listening');
      expect(bot.stdout()).not.toContain('request finished');
    } finally {
      bot.process.kill('SIGKILL');
    }
  });

  it("hides exactly restify's DEP0111 (spdy's http-deceiver), and every other warning still shows", () => {
    const loadRestify = "require('restify')";
    expect(stderrOf([], loadRestify)).toContain('[DEP0111]');
    expect(stderrOf([BOT_NODE_ARGS[0]!], loadRestify)).toBe('');
    const otherDeprecation = "process.emitWarning('old API', 'DeprecationWarning', 'DEP0005')";
    expect(stderrOf([BOT_NODE_ARGS[0]!], otherDeprecation)).toContain('[DEP0005]');
  });
});

describe('the level of the "request finished" line', () => {
  it('keeps requests in local mode at debug, so LOG_LEVEL=debug shows them with their request ids', () => {
    expect(requestLogLevel('local', '/api/messages', 200, 40)).toBe('debug');
    expect(requestLogLevel('local', '/healthz', 200, 1)).toBe('debug');
    expect(requestLogLevel('local', '/api/messages', 401, 3)).toBe('debug');
  });

  it("gives production's operators one line per activity at info, and probes at debug", () => {
    expect(requestLogLevel('production', '/api/messages', 200, 40)).toBe('info');
    expect(requestLogLevel('production', '/readyz', 200, 1)).toBe('debug');
  });

  it('warns about server errors and slow requests in every mode', () => {
    for (const mode of ['local', 'production'] as const) {
      expect(requestLogLevel(mode, '/api/messages', 500, 40)).toBe('warn');
      expect(requestLogLevel(mode, '/api/messages', 200, SLOW_REQUEST_MS)).toBe('warn');
      expect(requestLogLevel(mode, '/healthz', 200, SLOW_REQUEST_MS + 1)).toBe('warn');
      expect(requestLogLevel(mode, '/api/messages', 200, SLOW_REQUEST_MS - 1)).not.toBe('warn');
    }
  });
});
