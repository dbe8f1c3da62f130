import { describe, expect, it } from 'vitest';
import { Verbs } from '../../src/cards/verbs.js';
import { cardAction, personalMessage } from '../support/activities.js';
import { startBot } from '../support/bot-harness.js';
import { useBot } from '../support/use-bot.js';

describe('the HTTP server', () => {
  const ctx = useBot({ env: { MAX_BODY_BYTES: '4096' } });

  const noStackTrace = (text: string) => {
    expect(text).not.toMatch(/\bat .+\.(js|ts):\d+/);
    expect(text).not.toContain('SyntaxError');
    expect(text).not.toContain('node_modules');
  };

  it('answers /healthz while the process is alive', async () => {
    const response = await ctx.bot.get('/healthz');
    expect(response.status).toBe(200);
    expect(response.body).toEqual({ status: 'ok' });
  });

  it('answers /readyz with the mode when the database is reachable', async () => {
    const response = await ctx.bot.get('/readyz');
    expect(response.status).toBe(200);
    expect(response.body).toEqual({ status: 'ready', mode: 'local' });
  });

  it.each([
    ['/', 'Sign-in Help'],
    ['/privacy', 'Privacy statement'],
    ['/terms', 'Terms of use'],
  ])('serves the page %s that the Teams manifest links to', async (path, title) => {
    const response = await fetch(`${ctx.bot.url}${path}`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(await response.text()).toContain(`<h1>${title}</h1>`);
  });

  it('serves the pages in Japanese by Accept-Language or ?lang=ja', async () => {
    const byHeader = await fetch(`${ctx.bot.url}/privacy`, { headers: { 'accept-language': 'ja-JP,ja;q=0.9' } });
    expect(await byHeader.text()).toContain('<h1>プライバシーに関する声明</h1>');
    const byQuery = await fetch(`${ctx.bot.url}/terms?lang=ja`);
    expect(byQuery.headers.get('content-language')).toBe('ja');
    expect(await byQuery.text()).toContain('<h1>利用条件</h1>');
  });

  it('echoes a well-formed x-request-id and invents one otherwise', async () => {
    const given = await fetch(`${ctx.bot.url}/healthz`, { headers: { 'x-request-id': 'trace-123' } });
    expect(given.headers.get('x-request-id')).toBe('trace-123');
    const invented = await fetch(`${ctx.bot.url}/healthz`, { headers: { 'x-request-id': 'bad id with spaces' } });
    expect(invented.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('answers malformed JSON with 400 and a fixed message, and stays up', async () => {
    const response = await ctx.bot.postRaw('{"type": "message", ');
    expect(response.status).toBe(400);
    expect(response.body).toEqual({ error: 'bad_request', message: 'The request body is not valid JSON.' });
    noStackTrace(response.text);
    expect((await ctx.bot.get('/healthz')).status).toBe(200);
  });

  it.each([
    ['an empty object', {}],
    ['an array', [1, 2]],
    ['a string', 'hello'],
    [
      'an activity without serviceUrl',
      { type: 'message', channelId: 'msteams', from: { id: 'x' }, recipient: { id: 'y' }, conversation: { id: 'z' } },
    ],
    [
      'an activity with a non-URL serviceUrl',
      {
        type: 'message',
        channelId: 'msteams',
        serviceUrl: 'not a url',
        from: { id: 'x' },
        recipient: { id: 'y' },
        conversation: { id: 'z' },
      },
    ],
    [
      'an activity without a conversation',
      {
        type: 'message',
        channelId: 'msteams',
        serviceUrl: 'http://127.0.0.1:9/',
        from: { id: 'x' },
        recipient: { id: 'y' },
      },
    ],
  ])('answers %s with 400 invalid_activity and runs no turn', async (_label, body) => {
    const response = await ctx.bot.post(body);
    expect(response.status).toBe(400);
    expect(response.body.error).toBe('invalid_activity');
    noStackTrace(response.text);
    expect(ctx.connector.calls).toHaveLength(0);
  });

  it('answers a body larger than MAX_BODY_BYTES with 413', async () => {
    const activity = personalMessage('x'.repeat(10_000), { serviceUrl: ctx.connector.serviceUrl });
    const response = await ctx.bot.post(activity);
    expect(response.status).toBe(413);
    expect(response.body.error).toBe('payload_too_large');
    expect(ctx.connector.calls).toHaveLength(0);
  });

  it('answers unknown paths with 404 and wrong methods without a stack trace', async () => {
    const missing = await ctx.bot.get('/nothing-here');
    expect(missing.status).toBe(404);
    expect(missing.body.error).toBe('not_found');
    const wrongMethod = await ctx.bot.get('/api/messages');
    expect([404, 405]).toContain(wrongMethod.status);
    noStackTrace(wrongMethod.text);
  });

  it('tells the user with a reference when a reply cannot be sent, and keeps serving', async () => {
    ctx.connector.failNext(403, 'BotNotInConversationRoster', 'The bot is not part of the conversation roster.');
    const response = await ctx.bot.post(personalMessage('hello', { serviceUrl: ctx.connector.serviceUrl }), {
      'x-request-id': 'req-failing-turn',
    });
    expect(response.status).toBe(200);
    const cards = ctx.connector.sentCards();
    expect(cards).toHaveLength(2);
    expect(JSON.stringify(cards[1])).toContain('req-failing-turn');
    expect(JSON.stringify(cards[1])).toContain('Nothing you typed is lost');
    const failure = ctx.bot.logs.entries().find((entry) => entry.msg === 'turn failed');
    expect(failure?.requestId).toBe('req-failing-turn');
    expect(failure?.conversationId).toBeDefined();
  });

  it('answers a card action that fails with an error card as the invoke response', async () => {
    const other = await startBot();
    try {
      // Without its database the turn fails before any handler runs.
      await other.service.store.close();
      const response = await other.post(
        cardAction(Verbs.helpShow, { serviceUrl: ctx.connector.serviceUrl, locale: 'ja-JP' }),
        { 'x-request-id': 'req-failing-invoke' },
      );
      expect(response.status).toBe(200);
      expect(response.body.type).toBe('application/vnd.microsoft.card.adaptive');
      expect(JSON.stringify(response.body.value)).toContain('req-failing-invoke');
      expect(JSON.stringify(response.body.value)).toContain('問題が発生しました');
      expect(ctx.connector.calls).toHaveLength(0);
    } finally {
      await other.stop();
    }
  });

  it('answers /readyz with 503 when the database is gone, while /healthz stays 200', async () => {
    const other = await startBot();
    await other.service.store.close();
    const ready = await other.get('/readyz');
    expect(ready.status).toBe(503);
    expect(ready.body).toEqual({ status: 'not_ready' });
    expect((await other.get('/healthz')).status).toBe(200);
    await other.stop().catch(() => undefined);
  });
});
