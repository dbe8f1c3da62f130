import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resetLocalData } from '../../scripts/lib/reset-local-data.js';
import { tenant } from '../support/activities.js';
import { inChat, people, stored } from '../support/approval-driver.js';
import { startBot, tempSqlitePath, type RunningBot } from '../support/bot-harness.js';
import { evidenceLinesOf } from '../support/diagnosis-driver.js';
import { approvedRequestOf, execute } from '../support/execution-driver.js';
import { FakeConnector } from '../support/fake-connector.js';
import type { BotUnderTest } from '../support/use-bot.js';

const { diego } = people;
const channel = { APPROVAL_TEAM_ID: tenant.team.id, APPROVAL_CHANNEL_ID: tenant.team.approvalChannel.id };

/** What the diagnosis shows Diego from the directory ("Registered methods: …"). */
async function directoryAsDiegoSeesIt(ctx: BotUnderTest): Promise<string[]> {
  return evidenceLinesOf(await inChat(ctx, diego).say("I can't sign in")) ?? [];
}

describe('a local demo that starts again on the same SQLite file', () => {
  let connector: FakeConnector;
  let bot: RunningBot | undefined;
  const sqlitePath = tempSqlitePath();
  const ctx: BotUnderTest = {
    get bot() {
      if (!bot) throw new Error('no bot running');
      return bot;
    },
    get connector() {
      return connector;
    },
  };
  /** Stops the running bot and starts another on the same file, as `npm run dev` after Ctrl-C does. */
  const restart = async () => {
    await bot?.stop();
    bot = await startBot({ sqlitePath, env: channel });
  };

  beforeAll(async () => {
    connector = await new FakeConnector().start();
  });
  afterAll(async () => {
    await bot?.stop();
    await connector.stop();
  });

  it('shows the directory its stored requests left behind, and the demo tenant again after --reset', async () => {
    await restart();
    const before = await directoryAsDiegoSeesIt(ctx);
    expect(before.join('\n')).toContain('Pixel 8');
    await approvedRequestOf(ctx, diego);
    await execute(ctx);
    const afterReset = await directoryAsDiegoSeesIt(ctx);
    expect(afterReset.join('\n')).not.toContain('Pixel 8');

    await restart();
    // The request is still there, and so is what it did: the lost Pixel 8 stays deleted.
    expect(stored(ctx).requests).toHaveLength(1);
    expect(await directoryAsDiegoSeesIt(ctx)).toEqual(afterReset);

    await bot!.stop();
    bot = undefined;
    expect(resetLocalData(sqlitePath)).toContain(sqlitePath);
    await restart();
    expect(stored(ctx).requests).toEqual([]);
    expect(await directoryAsDiegoSeesIt(ctx)).toEqual(before);
  });
});
