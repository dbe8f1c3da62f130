import { renameSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeTokenAuthority, StaticCredentialsFactory } from '../support/fake-token-authority.js';
import { startBot } from '../support/bot-harness.js';
import { MovableClock } from '../support/execution-driver.js';
import { useBot } from '../support/use-bot.js';

const APP_ID = '7d3c9a51-2f4e-4b6a-8c1d-0e9f8a7b6c5d';
const BOT_TENANT = '1e2d3c4b-5a69-4788-9a0b-c1d2e3f4a5b6';

describe('/readyz and the database', () => {
  it('is not ready while the database file is not where the bot opened it, and ready again once it is back', async () => {
    const bot = await startBot();
    try {
      expect((await bot.get('/readyz')).status).toBe(200);
      // What an unmounted volume or a deleted file looks like to a process that still holds it open.
      renameSync(bot.sqlitePath, `${bot.sqlitePath}.moved`);
      const gone = await bot.get('/readyz');
      expect(gone.status).toBe(503);
      expect(gone.body).toEqual({ status: 'not_ready' });
      expect((await bot.get('/healthz')).status).toBe(200);
      renameSync(`${bot.sqlitePath}.moved`, bot.sqlitePath);
      expect((await bot.get('/readyz')).status).toBe(200);
    } finally {
      await bot.stop();
    }
  });

  it('is not ready once the database is closed', async () => {
    const bot = await startBot();
    try {
      expect((await bot.get('/readyz')).status).toBe(200);
      await bot.service.store.close();
      expect((await bot.get('/readyz')).status).toBe(503);
    } finally {
      await bot.stop().catch(() => undefined);
    }
  });
});

describe('/readyz and the Bot Framework token authority (production mode)', () => {
  let authority: FakeTokenAuthority;
  beforeAll(async () => {
    authority = await new FakeTokenAuthority().start();
  });
  afterAll(async () => {
    await authority.stop();
  });
  const clock = new MovableClock();
  const ctx = useBot(() => ({
    env: {
      MicrosoftAppId: APP_ID,
      MicrosoftAppPassword: 'client-secret-value-never-logged',
      MicrosoftAppType: 'SingleTenant',
      MicrosoftAppTenantId: BOT_TENANT,
      ALLOWED_TENANTS: BOT_TENANT,
      AUDIT_KEY: 'cmVhZGluZXNzLXRlc3RzLWF1ZGl0LWtleS12YWx1ZQ==',
    },
    overrides: {
      clock,
      adapter: {
        channelOpenIdMetadataUrl: authority.channelMetadataUrl,
        emulatorOpenIdMetadataUrl: authority.emulatorMetadataUrl,
        credentialsFactory: new StaticCredentialsFactory(APP_ID),
      },
    },
  }));

  it('answers 503 while the authority cannot be reached, asking it at most every 30 seconds', async () => {
    const ready = await ctx.bot.get('/readyz');
    expect(ready.status).toBe(200);
    expect(ready.body).toEqual({ status: 'ready', mode: 'production' });
    const asked = authority.metadataRequests;
    expect(asked).toBeGreaterThan(0);
    // Probes within the period share the last answer.
    for (let probe = 0; probe < 5; probe += 1) expect((await ctx.bot.get('/readyz')).status).toBe(200);
    expect(authority.metadataRequests).toBe(asked);

    authority.reachable = false;
    expect((await ctx.bot.get('/readyz')).status).toBe(200);
    clock.advance(31_000);
    expect((await ctx.bot.get('/readyz')).status).toBe(503);
    expect((await ctx.bot.get('/healthz')).status).toBe(200);

    authority.reachable = true;
    // The failure stands for its period too, then the authority is asked again.
    expect((await ctx.bot.get('/readyz')).status).toBe(503);
    clock.advance(31_000);
    expect((await ctx.bot.get('/readyz')).status).toBe(200);
    expect(authority.metadataRequests).toBe(asked + 1);
  });
});
