import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { useBot } from '../support/use-bot.js';

/** A Teams activity as Teams sends it, recorded in test/fixtures, aimed at the fake ctx.connector. */
function fixture(name: string, serviceUrl: string): unknown {
  const text = readFileSync(new URL(`../fixtures/${name}.json`, import.meta.url), 'utf8');
  return JSON.parse(text.replaceAll('{{serviceUrl}}', serviceUrl));
}

describe('activities shaped exactly as Teams sends them', () => {
  const ctx = useBot();

  it('starts a Japanese diagnosis for "I lost my phone", as a reply to the message', async () => {
    const response = await ctx.bot.post(fixture('teams-personal-message', ctx.connector.serviceUrl));
    expect(response.status).toBe(200);
    const [call] = ctx.connector.calls;
    expect(call!.path).toMatch(/\/v3\/conversations\/.+\/activities\/1764031425678$/);
    expect(call!.body.replyToId).toBe('1764031425678');
    // 高橋 健 has a second method registered, so the answer is to sign in with it, in Japanese.
    const card = call!.body.attachments[0].content;
    expect(card.body[0].text).toBe('ご自身で解決できます');
    expect(card.body[1].text).toBe('登録済みの別の方法でサインインする');
  });

  it('answers a recorded Action.Execute invoke within the same HTTP response', async () => {
    const response = await ctx.bot.post(fixture('teams-adaptive-card-action', ctx.connector.serviceUrl));
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ statusCode: 200, type: 'application/vnd.microsoft.activity.message' });
    await ctx.bot.service.settle();
    expect(ctx.connector.sentCards()[0].body[0].text).toBe('できること');
  });
});
