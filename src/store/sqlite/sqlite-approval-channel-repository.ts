import type { ApprovalChannel, ApprovalChannelRepository, ChannelPost } from '../../domain/requests/ports.js';
import type { RequestState } from '../../domain/requests/request.js';
import { groupCommitFor } from './group-commit.js';
import type { SqliteDatabase } from './open-database.js';

interface ChannelRow {
  tenant_id: string;
  team_id: string;
  channel_id: string;
  service_url: string;
  locale: string;
  set_by: string;
  set_at: string;
  unavailable_since: string | null;
}

interface PostRow {
  request_id: string;
  tenant_id: string;
  channel_id: string;
  conversation_id: string;
  message_id: string;
  service_url: string;
  posted_at: string;
}

/**
 * Approval channels in `approval_channels`, the cards posted there in `channel_posts` and the claims on posting
 * them in `channel_post_claims`.
 */
export class SqliteApprovalChannelRepository implements ApprovalChannelRepository {
  private readonly selectChannel;
  private readonly upsertChannel;
  private readonly updateUnavailable;
  private readonly selectPost;
  private readonly selectPosts;
  private readonly upsertClaim;
  private readonly upsertPost;
  private readonly deleteClaim;
  private readonly selectUnposted;
  private readonly selectTenantsWithUnposted;

  constructor(private readonly db: SqliteDatabase) {
    this.selectChannel = db.prepare<[string], ChannelRow>('SELECT * FROM approval_channels WHERE tenant_id = ?');
    this.upsertChannel = db.prepare<[ChannelRow]>(
      `INSERT INTO approval_channels (tenant_id, team_id, channel_id, service_url, locale, set_by, set_at,
                                      unavailable_since)
       VALUES (@tenant_id, @team_id, @channel_id, @service_url, @locale, @set_by, @set_at, @unavailable_since)
       ON CONFLICT (tenant_id) DO UPDATE SET team_id = excluded.team_id, channel_id = excluded.channel_id,
         service_url = excluded.service_url, locale = excluded.locale, set_by = excluded.set_by,
         set_at = excluded.set_at, unavailable_since = excluded.unavailable_since`,
    );
    this.updateUnavailable = db.prepare<[string, string]>(
      'UPDATE approval_channels SET unavailable_since = COALESCE(unavailable_since, ?) WHERE tenant_id = ?',
    );
    this.selectPost = db.prepare<[string], PostRow>('SELECT * FROM channel_posts WHERE request_id = ?');
    this.selectPosts = db.prepare<[string], PostRow>(
      'SELECT * FROM channel_posts WHERE request_id IN (SELECT value FROM json_each(?))',
    );
    // Claimed when nobody holds it, by its own holder again, or when the holder's lease ran out.
    this.upsertClaim = db.prepare<{ id: string; channel: string; owner: string; now: string; until: string }>(
      `INSERT INTO channel_post_claims (request_id, channel_id, owner, lease_until)
       VALUES (@id, @channel, @owner, @until)
       ON CONFLICT (request_id, channel_id) DO UPDATE SET owner = excluded.owner, lease_until = excluded.lease_until
        WHERE channel_post_claims.owner = excluded.owner OR channel_post_claims.lease_until <= @now`,
    );
    this.upsertPost = db.prepare<[PostRow]>(
      `INSERT INTO channel_posts (request_id, tenant_id, channel_id, conversation_id, message_id, service_url, posted_at)
       VALUES (@request_id, @tenant_id, @channel_id, @conversation_id, @message_id, @service_url, @posted_at)
       ON CONFLICT (request_id) DO UPDATE SET channel_id = excluded.channel_id,
         conversation_id = excluded.conversation_id, message_id = excluded.message_id,
         service_url = excluded.service_url, posted_at = excluded.posted_at`,
    );
    this.deleteClaim = db.prepare<[string, string]>(
      'DELETE FROM channel_post_claims WHERE request_id = ? AND channel_id = ?',
    );
    // A request counts as posted only in the channel that is set now: after the helpdesk moves to
    // another channel, its open requests are posted there too.
    this.selectUnposted = db
      .prepare<[string, string, string, number], string>(
        `SELECT r.id FROM requests r
           LEFT JOIN channel_posts p ON p.request_id = r.id AND p.channel_id = ?
          WHERE r.tenant_id = ? AND p.request_id IS NULL AND r.state IN (SELECT value FROM json_each(?))
          ORDER BY r.sequence LIMIT ?`,
      )
      .pluck();
    this.selectTenantsWithUnposted = db
      .prepare<[string], string>(
        `SELECT DISTINCT r.tenant_id FROM requests r
           LEFT JOIN channel_posts p ON p.request_id = r.id
          WHERE p.request_id IS NULL AND r.state IN (SELECT value FROM json_each(?))`,
      )
      .pluck();
  }

  async find(tenantId: string): Promise<ApprovalChannel | undefined> {
    const row = this.selectChannel.get(tenantId);
    if (!row) return undefined;
    return {
      tenantId: row.tenant_id,
      teamId: row.team_id,
      channelId: row.channel_id,
      serviceUrl: row.service_url,
      locale: row.locale,
      setBy: row.set_by,
      setAt: new Date(row.set_at),
      unavailableSince: row.unavailable_since === null ? undefined : new Date(row.unavailable_since),
    };
  }

  async save(channel: ApprovalChannel): Promise<void> {
    this.upsertChannel.run({
      tenant_id: channel.tenantId,
      team_id: channel.teamId,
      channel_id: channel.channelId,
      service_url: channel.serviceUrl,
      locale: channel.locale,
      set_by: channel.setBy,
      set_at: channel.setAt.toISOString(),
      unavailable_since: channel.unavailableSince?.toISOString() ?? null,
    });
  }

  async markUnavailable(tenantId: string, since: Date): Promise<void> {
    this.updateUnavailable.run(since.toISOString(), tenantId);
  }

  async findPost(requestId: string): Promise<ChannelPost | undefined> {
    const row = this.selectPost.get(requestId);
    return row ? toPost(row) : undefined;
  }

  async findPosts(requestIds: readonly string[]): Promise<ChannelPost[]> {
    if (requestIds.length === 0) return [];
    return this.selectPosts.all(JSON.stringify(requestIds)).map(toPost);
  }

  async claimPost(requestId: string, channelId: string, owner: string, now: Date, until: Date): Promise<boolean> {
    // One statement in the write transaction: another instance's claim on the file waits for it, then sees it.
    const claimed = await groupCommitFor(this.db).run(
      () =>
        this.upsertClaim.run({
          id: requestId,
          channel: channelId,
          owner,
          now: now.toISOString(),
          until: until.toISOString(),
        }).changes,
    );
    return claimed === 1;
  }

  async savePost(post: ChannelPost): Promise<void> {
    this.db.transaction(() => {
      this.upsertPost.run({
        request_id: post.requestId,
        tenant_id: post.tenantId,
        channel_id: post.channelId,
        conversation_id: post.conversationId,
        message_id: post.messageId,
        service_url: post.serviceUrl,
        posted_at: post.postedAt.toISOString(),
      });
      this.deleteClaim.run(post.requestId, post.channelId);
    })();
  }

  async unposted(
    tenantId: string,
    channelId: string,
    states: readonly RequestState[],
    limit: number,
  ): Promise<string[]> {
    return this.selectUnposted.all(channelId, tenantId, JSON.stringify(states), limit);
  }

  async tenantsWithUnposted(states: readonly RequestState[]): Promise<string[]> {
    return this.selectTenantsWithUnposted.all(JSON.stringify(states));
  }
}

function toPost(row: PostRow): ChannelPost {
  return {
    requestId: row.request_id,
    tenantId: row.tenant_id,
    channelId: row.channel_id,
    conversationId: row.conversation_id,
    messageId: row.message_id,
    serviceUrl: row.service_url,
    postedAt: new Date(row.posted_at),
  };
}
