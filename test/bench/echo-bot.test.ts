import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { startApprovalFloorBot, startEchoBot, type EchoBot } from '../../bench/echo-bot.js';
import { Verbs } from '../../src/cards/verbs.js';
import { cardAction, tenant } from '../support/activities.js';
import { FakeConnector } from '../support/fake-connector.js';
import { tempFolder } from '../support/temp-folders.js';

const started: Array<{ stop(): Promise<void> }> = [];
afterEach(async () => {
  for (const running of started.splice(0).reverse()) await running.stop();
});

async function start<T extends { stop(): Promise<void> }>(running: Promise<T>): Promise<T> {
  const value = await running;
  started.push(value);
  return value;
}

/** An approve press on a request's card in the approval channel's thread, as the bench sends it. */
function approvePress(serviceUrl: string, requestId: string) {
  const press = cardAction(Verbs.reviewApprove, { serviceUrl }, { requestId, version: 2 });
  const thread = `${tenant.team.approvalChannel.id};messageid=17`;
  return {
    ...press,
    conversation: { id: thread, conversationType: 'channel', isGroup: true, tenantId: tenant.tenant.id },
  };
}

async function post(bot: EchoBot, activity: unknown) {
  const response = await fetch(`${bot.url}/api/messages`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(activity),
  });
  return { status: response.status, body: (await response.json()) as { type?: string; value?: unknown } };
}

describe('the floor under the approval click (bench)', () => {
  it('appends one audit event, sends the channel update and the notice, and answers with the card', async () => {
    const connector = await start(new FakeConnector().start());
    const path = join(tempFolder('floor-bot-'), 'floor.sqlite');
    const bot = await start(startApprovalFloorBot(path));

    const answer = await post(bot, approvePress(connector.serviceUrl, 'request-1'));

    expect(answer.status).toBe(200);
    expect(answer.body.type).toBe('application/vnd.microsoft.card.adaptive');
    expect(JSON.stringify(answer.body.value)).toContain('SIH-000001');
    const sent = connector.calls.map((call) => [call.method, call.conversationId]);
    expect(sent).toEqual(
      expect.arrayContaining([
        ['PUT', `${tenant.team.approvalChannel.id};messageid=17`],
        ['POST', expect.stringMatching(/^a:personal-/)],
      ]),
    );
    expect(sent).toHaveLength(2);
    await bot.stop();
    started.splice(started.indexOf(bot), 1);
    const db = new Database(path, { readonly: true });
    const events = db.prepare('SELECT request_id, from_state, to_state FROM request_events').all();
    db.close();
    expect(events).toEqual([{ request_id: 'request-1', from_state: 'pending_review', to_state: 'approved' }]);
  });

  it('echoes any other button, as the echo bot does', async () => {
    const connector = await start(new FakeConnector().start());
    const bot = await start(startApprovalFloorBot(join(tempFolder('floor-bot-'), 'floor.sqlite')));
    const echo = await start(startEchoBot(join(tempFolder('echo-bot-'), 'echo.sqlite')));

    for (const target of [bot, echo]) {
      const before = connector.calls.length;
      const answer = await post(target, cardAction(Verbs.helpShow, { serviceUrl: connector.serviceUrl }));
      expect(answer.status).toBe(200);
      expect(connector.calls.slice(before).map((call) => call.body?.text)).toEqual([`echo: ${Verbs.helpShow}`]);
    }
  });
});
