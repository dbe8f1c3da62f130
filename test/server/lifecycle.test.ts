import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { personalMessage } from '../support/activities.js';
import { tempSqlitePath } from '../support/bot-harness.js';
import { spawnBot, waitForListening } from '../support/child-bot.js';
import { FakeConnector } from '../support/fake-connector.js';

const CONFIG_ERROR_EXIT = 78;

describe('starting and stopping the bot process', () => {
  let connector: FakeConnector;
  beforeAll(async () => {
    connector = await new FakeConnector().start();
  });
  afterAll(async () => {
    await connector.stop();
  });

  it('refuses to start in local mode when NODE_ENV is production, naming the settings', async () => {
    const bot = spawnBot({ NODE_ENV: 'production', PORT: '0', SQLITE_PATH: tempSqlitePath() });
    const { code } = await bot.exited;
    expect(code).toBe(CONFIG_ERROR_EXIT);
    expect(bot.stderr()).toContain('NODE_ENV is "production" but MicrosoftAppId is empty');
    expect(bot.stderr()).not.toMatch(/\bat .+:\d+:\d+/);
  });

  it('refuses to start in production mode without credentials, tenant and allowlist', async () => {
    const bot = spawnBot({
      NODE_ENV: 'production',
      PORT: '0',
      SQLITE_PATH: tempSqlitePath(),
      MicrosoftAppId: '7d3c9a51-2f4e-4b6a-8c1d-0e9f8a7b6c5d',
    });
    const { code } = await bot.exited;
    expect(code).toBe(CONFIG_ERROR_EXIT);
    const stderr = bot.stderr();
    expect(stderr).toContain('MicrosoftAppTenantId is required');
    expect(stderr).toContain('ALLOWED_TENANTS is required');
    expect(stderr).toContain('set MicrosoftAppPassword');
    expect(stderr).toContain('See .env.example');
  });

  it('starts in local mode on loopback with a banner, and finishes a turn in flight on SIGTERM', async () => {
    const sqlitePath = tempSqlitePath();
    const bot = spawnBot({ PORT: '0', SQLITE_PATH: sqlitePath });
    try {
      const port = await waitForListening(bot);
      expect(bot.stderr()).toContain('LOCAL MODE: authentication is OFF');
      expect(bot.stdout()).toContain('"host":"127.0.0.1"');

      connector.latencyMs = 1_500;
      const inFlight = fetch(`http://127.0.0.1:${port}/api/messages`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(personalMessage('hello', { serviceUrl: connector.serviceUrl })),
      });
      while (connector.calls.length === 0) await new Promise((resolve) => setTimeout(resolve, 20));
      bot.process.kill('SIGTERM');

      const response = await inFlight;
      expect(response.status).toBe(200);
      const { code } = await bot.exited;
      expect(code).toBe(0);
      expect(connector.sentCards()).toHaveLength(1);
      await expect(fetch(`http://127.0.0.1:${port}/healthz`)).rejects.toThrow();
      // A cleanly closed WAL database leaves no write-ahead log behind.
      expect(existsSync(`${sqlitePath}-wal`)).toBe(false);
      expect(bot.stdout()).toContain('shutting down: finishing turns in flight');
    } finally {
      connector.latencyMs = 0;
      bot.process.kill('SIGKILL');
    }
  });
});
