import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { alex, cardAction, personalMessage, teamInstall, tenant } from '../support/activities.js';
import { startBot, tempSqlitePath } from '../support/bot-harness.js';
import { FakeConnector } from '../support/fake-connector.js';

/** Reads a stored conversation's state straight from the SQLite file. */
function storedConversation(sqlitePath: string, conversationId: string): Record<string, any> | undefined {
  const db = new Database(sqlitePath, { readonly: true });
  try {
    // teams-ai keys state by the recipient (bot) id, `28:<app id>` in Teams.
    const key = `msteams/28:${tenant.bot.id}/conversations/${conversationId}`;
    const value = db.prepare('SELECT value FROM bot_state WHERE key = ?').pluck().get(key) as string | undefined;
    return value === undefined ? undefined : JSON.parse(value);
  } finally {
    db.close();
  }
}

describe('conversation state', () => {
  let connector: FakeConnector;

  beforeAll(async () => {
    connector = await new FakeConnector().start();
  });
  afterAll(async () => {
    await connector.stop();
  });

  it('survives a restart: the same file carries the conversation on', async () => {
    const sqlitePath = tempSqlitePath();
    const conversationId = 'a:restart-conversation';
    const options = { serviceUrl: connector.serviceUrl, conversationId };
    const first = await startBot({ sqlitePath });
    // Alex's recent sign-ins stopped at verification, so the bot asks what happened to his phone.
    await first.post(personalMessage("I can't sign in", options));
    const diagnosisId = storedConversation(sqlitePath, conversationId)?.diagnosis?.id as string;
    expect(diagnosisId).toEqual(expect.any(String));
    await first.stop();

    connector.clear();
    const second = await startBot({ sqlitePath });
    try {
      // The question asked before the restart is answered after it, and the diagnosis goes on.
      const answer = await second.post(
        cardAction('diagnosis.answer', options, { diagnosisId, node: 'q-mfa-problem', choice: 'no-prompt' }),
      );
      expect(answer.status).toBe(200);
      await second.service.settle();
      expect(JSON.stringify(connector.sentCards().at(-1))).toContain('Did this fix it?');
      expect(JSON.stringify(connector.sentCards().at(-1))).toContain('"node":"notifications-not-arriving"');
      await second.post(personalMessage('hello again', options));
      expect(JSON.stringify(connector.sentCards().at(-1))).toContain('Welcome back, Alex.');
    } finally {
      await second.stop();
    }
  });

  /** Diagnoses of the bot's file by how they ended, e.g. { open: 1, abandoned: 24 }. */
  const diagnosisResults = (sqlitePath: string): Record<string, number> => {
    const db = new Database(sqlitePath, { readonly: true });
    try {
      const rows = db.prepare('SELECT result, COUNT(*) AS n FROM diagnoses GROUP BY result').all() as Array<{
        result: string;
        n: number;
      }>;
      return Object.fromEntries(rows.map((row) => [row.result, row.n]));
    } finally {
      db.close();
    }
  };

  it('answers every message of a burst in one conversation, without errors or lost updates', async () => {
    const bot = await startBot();
    try {
      connector.clear();
      const conversationId = 'a:burst-conversation';
      // Each message starts a diagnosis and abandons the one before: only if every turn saw the state the
      // previous one left does exactly one stay open.
      const burst = Array.from({ length: 25 }, () =>
        bot.post(personalMessage('I lost my phone', { serviceUrl: connector.serviceUrl, conversationId })),
      );
      const responses = await Promise.all(burst);
      expect(responses.map((response) => response.status)).toEqual(Array(25).fill(200));
      expect(connector.sentCards()).toHaveLength(25);
      expect(diagnosisResults(bot.sqlitePath)).toEqual({ open: 1, abandoned: 24 });
      expect(bot.logs.entries().filter((entry) => entry.level === 'error')).toEqual([]);
    } finally {
      await bot.stop();
    }
  });

  it('keeps bursts in different conversations independent', async () => {
    const bot = await startBot();
    try {
      const sends = ['a:one', 'a:two', 'a:three'].flatMap((conversationId) =>
        Array.from({ length: 5 }, () =>
          bot.post(personalMessage('I lost my phone', { serviceUrl: connector.serviceUrl, conversationId })),
        ),
      );
      await Promise.all(sends);
      expect(diagnosisResults(bot.sqlitePath)).toEqual({ open: 3, abandoned: 12 });
    } finally {
      await bot.stop();
    }
  });
  it('remembers where to reach a person and a team channel for later notices', async () => {
    const bot = await startBot();
    try {
      await bot.post(
        personalMessage('hello', { serviceUrl: connector.serviceUrl, conversationId: 'a:alex-1on1', locale: 'ja-JP' }),
      );
      await bot.post(teamInstall({ serviceUrl: connector.serviceUrl }));
      const db = new Database(bot.sqlitePath, { readonly: true });
      const rows = db.prepare('SELECT * FROM conversation_addresses ORDER BY key').all() as Array<
        Record<string, string>
      >;
      db.close();
      const personal = rows.find((row) => row.key === `user:${alex.id}`)!;
      expect(personal).toMatchObject({
        kind: 'personal',
        aad_object_id: alex.id,
        tenant_id: tenant.tenant.id,
        locale: 'ja-JP',
      });
      expect(JSON.parse(personal.reference!)).toMatchObject({
        conversation: { id: 'a:alex-1on1' },
        serviceUrl: connector.serviceUrl,
      });
      expect(rows.find((row) => row.key === `channel:${tenant.team.id}`)).toMatchObject({
        kind: 'channel',
        team_id: tenant.team.id,
      });
    } finally {
      await bot.stop();
    }
  });

  it('keeps an address in each tenant for an object id that appears in two tenants', async () => {
    const bot = await startBot();
    const other = '0f0e0d0c-0b0a-4909-8807-060504030201';
    try {
      const say = (tenantId: string, conversationId: string) =>
        bot.post(personalMessage('hello', { serviceUrl: connector.serviceUrl, conversationId, tenantId }));
      await say(tenant.tenant.id, 'a:alex-at-home');
      await say(other, 'a:alex-as-guest');
      const db = new Database(bot.sqlitePath, { readonly: true });
      const rows = db
        .prepare('SELECT tenant_id, reference FROM conversation_addresses WHERE key = ? ORDER BY tenant_id')
        .all(`user:${alex.id}`) as Array<{ tenant_id: string; reference: string }>;
      db.close();
      expect(rows.map((row) => ({ tenant: row.tenant_id, chat: JSON.parse(row.reference).conversation.id }))).toEqual(
        [
          { tenant: tenant.tenant.id, chat: 'a:alex-at-home' },
          { tenant: other, chat: 'a:alex-as-guest' },
        ].sort((a, b) => a.tenant.localeCompare(b.tenant)),
      );
    } finally {
      await bot.stop();
    }
  });

  it('keeps a channel address at the channel, not at the thread the last activity came from', async () => {
    const bot = await startBot();
    try {
      const install = teamInstall({ serviceUrl: connector.serviceUrl });
      const inThread = (thread: string) => ({
        ...install,
        type: 'message',
        text: 'help',
        conversation: { ...install.conversation, id: `${tenant.team.id};messageid=${thread}` },
      });
      await bot.post(inThread('1001'));
      const first = storedAddress(bot.sqlitePath, `channel:${tenant.team.id}`);
      await bot.post(inThread('1002'));
      const second = storedAddress(bot.sqlitePath, `channel:${tenant.team.id}`);

      expect(JSON.parse(first!.reference!).conversation.id).toBe(tenant.team.id);
      // A click in another thread of the same channel does not rewrite it.
      expect(second).toEqual(first);
    } finally {
      await bot.stop();
    }
  });
});

/** One stored conversation address, read the way another process would. */
function storedAddress(sqlitePath: string, key: string): Record<string, string> | undefined {
  const db = new Database(sqlitePath, { readonly: true });
  try {
    return db.prepare('SELECT * FROM conversation_addresses WHERE key = ?').get(key) as
      Record<string, string> | undefined;
  } finally {
    db.close();
  }
}
