import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { verifyAuditTrail } from '../../scripts/audit-verify.js';
import { stringsFor } from '../../src/content/strings/index.js';
import { LOCAL_AUDIT_KEY_SUFFIX } from '../../src/store/audit-keys.js';
import { inChannel, inChat, people, stored, textsIn } from '../support/approval-driver.js';
import { useBot } from '../support/use-bot.js';

const en = stringsFor('en');
const ja = stringsFor('ja');
const { alex, isaiah, ken, lynne, patti } = people;

/** The head of the bot's audit trail as stored. */
function head(ctx: Parameters<typeof stored>[0]) {
  const last = stored(ctx).events.at(-1)!;
  return { sequence: last.sequence as number, hash: last.hash as string };
}

/** The anchor log lines the bot wrote. */
function anchorLogs(ctx: Parameters<typeof stored>[0]) {
  return ctx.bot.logs.entries().filter((entry) => entry.msg === 'audit trail anchor');
}

describe('audit anchors in the approval channel (over HTTP)', () => {
  const ctx = useBot();

  it('made a local audit key beside the database on first start, and logged that without the key', () => {
    const key = readFileSync(`${ctx.bot.sqlitePath}${LOCAL_AUDIT_KEY_SUFFIX}`, 'utf8').trim();
    expect(key.length).toBeGreaterThanOrEqual(32);
    expect(ctx.bot.logs.entries().some((entry) => entry.msg.startsWith('generated an audit key for local mode'))).toBe(
      true,
    );
    expect(ctx.bot.logs.text()).not.toContain(key);
  });

  it('publishes the head when an agent asks in the approval channel, in the card and the log', async () => {
    expect((await inChannel(ctx, lynne).say('set approval channel')).body[0].text).toBe(en.approval.channel.setTitle);
    await inChat(ctx, alex).apply();
    const now = head(ctx);

    const card = await inChannel(ctx, isaiah).say('audit anchor');
    expect(card.body[0].text).toBe(en.audit.anchorTitle);
    const body = textsIn(card).join('\n');
    expect(body).toContain(`npm run audit:verify -- --anchor ${now.sequence}:${now.hash}`);
    expect(body).toContain(`event #${now.sequence}`);
    expect(anchorLogs(ctx).at(-1)).toMatchObject({
      auditAnchor: { sequence: now.sequence, hash: now.hash },
      trigger: 'asked',
      requestedBy: isaiah.id,
    });
    // What the card says is what audit:verify checks.
    expect(await verifyAuditTrail(ctx.bot.sqlitePath, { anchor: now })).toMatchObject({
      ok: true,
      anchor: { kind: 'contained' },
    });
  });

  it('answers an agent in Japanese and a lead, with the same anchor', async () => {
    const now = head(ctx);
    const card = await inChannel(ctx, ken, 'ja-JP').say('監査アンカー');
    expect(card.body[0].text).toBe(ja.audit.anchorTitle);
    expect(textsIn(card).join('\n')).toContain(`--anchor ${now.sequence}:${now.hash}`);
    const lead = await inChannel(ctx, patti).say('Audit anchor.');
    expect(lead.body[0].text).toBe(en.audit.anchorTitle);
  });

  it('refuses someone outside the helpdesk, and sends anyone who asks elsewhere to the approval channel', async () => {
    const logged = anchorLogs(ctx).length;
    const refused = await inChannel(ctx, alex).say('audit anchor');
    expect(refused.body[0].text).toBe(en.audit.notAllowedTitle);
    expect(textsIn(refused).join('\n')).toContain(en.audit.notAllowedBody);
    const elsewhere = await inChat(ctx, isaiah, 'ja-JP').say('監査アンカー');
    expect(elsewhere.body[0].text).toBe(ja.audit.notHereTitle);
    expect(anchorLogs(ctx)).toHaveLength(logged);
  });

  it("counts an anchor asked for today as the channel's daily one, and logs the daily one", async () => {
    await ctx.bot.service.runJobs();
    await ctx.bot.service.settle();
    expect(JSON.stringify(ctx.connector.channelPosts())).not.toContain(en.audit.anchorTitle);
    expect(anchorLogs(ctx).filter((entry) => entry.trigger === 'daily')).toEqual([
      expect.objectContaining({ auditAnchor: expect.objectContaining(head(ctx)) }),
    ]);
  });
});

describe('the daily audit anchor (over HTTP)', () => {
  const ctx = useBot();

  it('is posted in the approval channel and the log once a day, not on every run of the jobs', async () => {
    await inChannel(ctx, lynne).say('set approval channel');
    await inChat(ctx, alex).apply();
    ctx.connector.clear();
    await ctx.bot.service.runJobs();
    await ctx.bot.service.settle();
    const now = head(ctx);
    const posts = ctx.connector
      .channelPosts()
      .filter((post) => JSON.stringify(post.card).includes(en.audit.anchorTitle));
    expect(posts).toHaveLength(1);
    expect(textsIn(posts[0]!.card).join('\n')).toContain(`--anchor ${now.sequence}:${now.hash}`);
    expect(anchorLogs(ctx).filter((entry) => entry.trigger === 'daily')).toHaveLength(2);

    ctx.connector.clear();
    await ctx.bot.service.runJobs();
    await ctx.bot.service.settle();
    expect(JSON.stringify(ctx.connector.channelPosts())).not.toContain(en.audit.anchorTitle);
    expect(anchorLogs(ctx).filter((entry) => entry.trigger === 'daily')).toHaveLength(2);
  });
});
