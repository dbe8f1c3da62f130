import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startBot, type RunningBot } from '../support/bot-harness.js';
import { FakeConnector } from '../support/fake-connector.js';

/** A Teams activity as Teams sends it, recorded in test/fixtures, aimed at the fake connector. */
function fixture(name: string, serviceUrl: string): unknown {
  const text = readFileSync(new URL(`../fixtures/${name}.json`, import.meta.url), 'utf8');
  return JSON.parse(text.replaceAll('{{serviceUrl}}', serviceUrl));
}

describe('activities shaped exactly as Teams sends them', () => {
  let connector: FakeConnector;
  let bot: RunningBot;

  beforeAll(async () => {
    connector = await new FakeConnector().start();
    bot = await startBot();
  });
  afterAll(async () => {
    await bot.stop();
    await connector.stop();
  });
  beforeEach(() => connector.clear());

  it('answers a Japanese personal message with the Japanese welcome card, as a reply to it', async () => {
    const response = await bot.post(fixture('teams-personal-message', connector.serviceUrl));
    expect(response.status).toBe(200);
    const [call] = connector.calls;
    expect(call!.path).toMatch(/\/v3\/conversations\/.+\/activities\/1764031425678$/);
    expect(call!.body.replyToId).toBe('1764031425678');
    expect(call!.body.attachments[0].content.body[0].text).toBe('サインイン ヘルプ');
  });

  it('answers a recorded Action.Execute invoke within the same HTTP response', async () => {
    const response = await bot.post(fixture('teams-adaptive-card-action', connector.serviceUrl));
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ statusCode: 200, type: 'application/vnd.microsoft.activity.message' });
    expect(connector.sentCards()[0].body[0].text).toBe('できること');
  });
});
