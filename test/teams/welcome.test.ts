import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { FakeConnector } from '../support/fake-connector.js';
import { alex, ken, personalInstall, personalMessage } from '../support/activities.js';
import { startBot, type RunningBot } from '../support/bot-harness.js';

describe('welcome', () => {
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

  it('greets a user who installs the bot with the welcome card in English', async () => {
    const response = await bot.post(personalInstall({ serviceUrl: connector.serviceUrl }));
    expect(response.status).toBe(200);
    const [card] = connector.sentCards();
    console.log(JSON.stringify(connector.calls, null, 1).slice(0, 3000));
    expect(card.body[0].text).toBe('Sign-in Help');
  });
});
