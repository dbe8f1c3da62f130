import { generateKeyPairSync } from 'node:crypto';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { alex, cardAction, personalMessage, tenant } from '../support/activities.js';
import { FakeTokenAuthority, StaticCredentialsFactory } from '../support/fake-token-authority.js';
import { useBot } from '../support/use-bot.js';

const APP_ID = '7d3c9a51-2f4e-4b6a-8c1d-0e9f8a7b6c5d';
const BOT_TENANT = '1e2d3c4b-5a69-4788-9a0b-c1d2e3f4a5b6';
const OTHER_TENANT = 'ffffffff-1111-4222-8333-444444444444';

describe('production mode inbound security', () => {
  let authority: FakeTokenAuthority;
  beforeAll(async () => {
    authority = await new FakeTokenAuthority(['msteams', 'webchat']).start();
  });
  afterAll(async () => {
    await authority.stop();
  });
  const ctx = useBot(() => ({
    env: {
      MicrosoftAppId: APP_ID,
      MicrosoftAppPassword: 'client-secret-value-never-logged',
      MicrosoftAppType: 'SingleTenant',
      MicrosoftAppTenantId: BOT_TENANT,
      ALLOWED_TENANTS: tenant.tenant.id,
      AUDIT_KEY: 'cHJvZHVjdGlvbi1tb2RlLXRlc3RzLWF1ZGl0LWtleQ==',
    },
    overrides: {
      adapter: {
        channelOpenIdMetadataUrl: authority.channelMetadataUrl,
        emulatorOpenIdMetadataUrl: authority.emulatorMetadataUrl,
        credentialsFactory: new StaticCredentialsFactory(APP_ID),
      },
    },
  }));

  const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
  const botStateRows = () => {
    const db = new Database(ctx.bot.sqlitePath, { readonly: true });
    try {
      return (db.prepare('SELECT COUNT(*) AS n FROM bot_state').get() as { n: number }).n;
    } finally {
      db.close();
    }
  };

  it('runs the turn for a Bot Connector token and replies with the bot credentials', async () => {
    const activity = personalMessage('hello', { serviceUrl: ctx.connector.serviceUrl });
    const response = await ctx.bot.post(activity, bearer(authority.channelToken(APP_ID, ctx.connector.serviceUrl)));
    expect(response.status).toBe(200);
    expect(ctx.connector.sentCards()[0].body[0].text).toBe('Sign-in Help');
    expect(ctx.connector.calls[0]!.authorization).toBe('Bearer outbound-test-token');
  });

  it('answers 401 without detail and runs nothing when the Authorization header is missing', async () => {
    const before = botStateRows();
    const response = await ctx.bot.post(personalMessage('hello', { serviceUrl: ctx.connector.serviceUrl }));
    expect(response.status).toBe(401);
    expect(response.text).toBe('');
    expect(ctx.connector.calls).toHaveLength(0);
    expect(botStateRows()).toBe(before);
  });

  it('answers 401, not 500, when the token signature is bad', async () => {
    const { privateKey: otherKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const forged = authority.sign(
      { iss: 'https://api.botframework.com', aud: APP_ID, serviceurl: ctx.connector.serviceUrl },
      { key: otherKey },
    );
    const response = await ctx.bot.post(
      personalMessage('hello', { serviceUrl: ctx.connector.serviceUrl }),
      bearer(forged),
    );
    expect(response.status).toBe(401);
    expect(response.text).toBe('');
    expect(ctx.connector.calls).toHaveLength(0);
  });

  it('answers 401 for an expired token, a token for another bot and a token for another service URL', async () => {
    const activity = personalMessage('hello', { serviceUrl: ctx.connector.serviceUrl });
    const now = Math.floor(Date.now() / 1000);
    const tokens = [
      authority.channelToken(APP_ID, ctx.connector.serviceUrl, { exp: now - 600, nbf: now - 4000, iat: now - 4000 }),
      authority.channelToken('00000000-1111-4222-8333-999999999999', ctx.connector.serviceUrl),
      authority.channelToken(APP_ID, 'https://smba.example.invalid/'),
      'not-a-jwt',
    ];
    for (const token of tokens) {
      const response = await ctx.bot.post(activity, bearer(token));
      expect(response.status).toBe(401);
      expect(response.text).toBe('');
    }
    expect(ctx.connector.calls).toHaveLength(0);
  });

  it('refuses a token the bot could have issued for itself (emulator-style issuer)', async () => {
    const selfIssued = authority.sign({
      iss: `https://sts.windows.net/${BOT_TENANT}/`,
      tid: BOT_TENANT,
      aud: APP_ID,
      appid: APP_ID,
      ver: '1.0',
    });
    const response = await ctx.bot.post(
      personalMessage('hello', { serviceUrl: ctx.connector.serviceUrl }),
      bearer(selfIssued),
    );
    expect(response.status).toBe(401);
    expect(ctx.connector.calls).toHaveLength(0);
    const refusal = ctx.bot.logs
      .entries()
      .find((entry) => entry.msg === 'refused an unauthenticated request' && /issuer/i.test(entry.reason));
    expect(refusal).toBeDefined();
  });

  it('refuses channels other than Teams even with a valid token', async () => {
    const activity = { ...personalMessage('hello', { serviceUrl: ctx.connector.serviceUrl }), channelId: 'webchat' };
    const response = await ctx.bot.post(activity, bearer(authority.channelToken(APP_ID, ctx.connector.serviceUrl)));
    expect(response.status).toBe(403);
    expect(ctx.connector.calls).toHaveLength(0);
  });

  it('refuses and logs a tenant that is not in ALLOWED_TENANTS', async () => {
    const activity = personalMessage('hello', { serviceUrl: ctx.connector.serviceUrl, tenantId: OTHER_TENANT });
    const response = await ctx.bot.post(activity, bearer(authority.channelToken(APP_ID, ctx.connector.serviceUrl)));
    expect(response.status).toBe(403);
    expect(ctx.connector.calls).toHaveLength(0);
    const logged = ctx.bot.logs.entries().find((entry) => entry.msg.includes('ALLOWED_TENANTS'));
    expect(logged?.tenantId).toBe(OTHER_TENANT);
  });

  it('answers a message without from.aadObjectId with a polite refusal and nothing else', async () => {
    const activity = personalMessage('hello', { serviceUrl: ctx.connector.serviceUrl, withAadObjectId: false });
    const response = await ctx.bot.post(activity, bearer(authority.channelToken(APP_ID, ctx.connector.serviceUrl)));
    expect(response.status).toBe(200);
    const cards = ctx.connector.sentCards();
    expect(cards).toHaveLength(1);
    expect(JSON.stringify(cards[0])).toContain('could not tell who you are');
  });

  it('answers a card action without from.aadObjectId with the refusal as the invoke response', async () => {
    const activity = cardAction('help.show', {
      serviceUrl: ctx.connector.serviceUrl,
      withAadObjectId: false,
      locale: 'ja-JP',
    });
    const response = await ctx.bot.post(activity, bearer(authority.channelToken(APP_ID, ctx.connector.serviceUrl)));
    expect(response.status).toBe(200);
    expect(response.body.type).toBe('application/vnd.microsoft.card.adaptive');
    expect(JSON.stringify(response.body.value)).toContain('どなたか確認できませんでした');
    expect(ctx.connector.calls).toHaveLength(0);
  });

  it('never writes the Authorization header, the token or the app password to the log', async () => {
    const token = authority.channelToken(APP_ID, ctx.connector.serviceUrl);
    await ctx.bot.post(personalMessage('hello', { serviceUrl: ctx.connector.serviceUrl, from: alex }), bearer(token));
    await ctx.bot.post(personalMessage('hello', { serviceUrl: ctx.connector.serviceUrl }), bearer(`${token}x`));
    const logs = ctx.bot.logs.text();
    expect(logs.length).toBeGreaterThan(0);
    expect(logs).not.toContain(token.split('.')[2]);
    expect(logs).not.toContain('client-secret-value-never-logged');
    expect(logs).not.toContain('outbound-test-token');
  });
});
