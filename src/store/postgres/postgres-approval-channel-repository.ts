import type { ApprovalChannel, ApprovalChannelRepository, ChannelPost } from '../../domain/requests/ports.js';
import type { RequestState } from '../../domain/requests/request.js';
import type { PostgresPool } from './open-pool.js';

interface ChannelRow {
  tenant_id: string;
  team_id: string;
  channel_id: string;
  service_url: string;
  locale: string;
  set_by: string;
  set_at: Date;
  unavailable_since: Date | null;
}

interface PostRow {
  request_id: string;
  tenant_id: string;
  channel_id: string;
  conversation_id: string;
  message_id: string;
  service_url: string;
  posted_at: Date;
}

/**
 * Approval channels in `approval_channels`, the cards posted there in `channel_posts` and the claims on posting
 * them in `channel_post_claims`. Ids are ordered byte by byte (COLLATE "C"), as SQLite orders them, whatever the
 * database's collation.
 */
export class PostgresApprovalChannelRepository implements ApprovalChannelRepository {
  constructor(private readonly pool: PostgresPool) {}

  async find(tenantId: string): Promise<ApprovalChannel | undefined> {
    const { rows } = await this.pool.query<ChannelRow>('SELECT * FROM approval_channels WHERE tenant_id = $1', [
      tenantId,
    ]);
    const row = rows[0];
    if (!row) return undefined;
    return {
      tenantId: row.tenant_id,
      teamId: row.team_id,
      channelId: row.channel_id,
      serviceUrl: row.service_url,
      locale: row.locale,
      setBy: row.set_by,
      setAt: row.set_at,
      unavailableSince: row.unavailable_since ?? undefined,
    };
  }

  async save(channel: ApprovalChannel): Promise<void> {
    await this.pool.query(
      `INSERT INTO approval_channels (tenant_id, team_id, channel_id, service_url, locale, set_by, set_at,
                                      unavailable_since)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
       ON CONFLICT (tenant_id) DO UPDATE SET team_id = excluded.team_id, channel_id = excluded.channel_id,
         service_url = excluded.service_url, locale = excluded.locale, set_by = excluded.set_by,
         set_at = excluded.set_at, unavailable_since = excluded.unavailable_since`,
      [
        channel.tenantId,
        channel.teamId,
        channel.channelId,
        channel.serviceUrl,
        channel.locale,
        channel.setBy,
        channel.setAt,
        channel.unavailableSince ?? null,
      ],
    );
  }

  async markUnavailable(tenantId: string, since: Date): Promise<void> {
    await this.pool.query(
      'UPDATE approval_channels SET unavailable_since = COALESCE(unavailable_since, $1) WHERE tenant_id = $2',
      [since, tenantId],
    );
  }

  async findPost(requestId: string): Promise<ChannelPost | undefined> {
    const { rows } = await this.pool.query<PostRow>('SELECT * FROM channel_posts WHERE request_id = $1', [requestId]);
    return rows[0] && toPost(rows[0]);
  }

  async findPosts(requestIds: readonly string[]): Promise<ChannelPost[]> {
    if (requestIds.length === 0) return [];
    const { rows } = await this.pool.query<PostRow>(
      'SELECT * FROM channel_posts WHERE request_id = ANY($1::text[]) ORDER BY request_id COLLATE "C"',
      [requestIds],
    );
    return rows.map(toPost);
  }

  async claimPost(requestId: string, channelId: string, owner: string, now: Date, until: Date): Promise<boolean> {
    // Claimed when nobody holds it, by its own holder again, or when the holder's lease ran out. One INSERT … ON
    // CONFLICT DO UPDATE: when two instances claim at once, the second waits for the first's row and then sees
    // its owner and lease, so one of them holds the claim.
    const { rowCount } = await this.pool.query(
      `INSERT INTO channel_post_claims (request_id, channel_id, owner, lease_until) VALUES ($1, $2, $3, $4)
       ON CONFLICT (request_id, channel_id) DO UPDATE SET owner = excluded.owner, lease_until = excluded.lease_until
        WHERE channel_post_claims.owner = excluded.owner OR channel_post_claims.lease_until <= $5`,
      [requestId, channelId, owner, until, now],
    );
    return rowCount === 1;
  }

  async savePost(post: ChannelPost): Promise<void> {
    // One statement: the post is stored and its claim ended together.
    await this.pool.query(
      `WITH ended AS (DELETE FROM channel_post_claims WHERE request_id = $1 AND channel_id = $3)
       INSERT INTO channel_posts (request_id, tenant_id, channel_id, conversation_id, message_id, service_url, posted_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7)
       ON CONFLICT (request_id) DO UPDATE SET channel_id = excluded.channel_id,
         conversation_id = excluded.conversation_id, message_id = excluded.message_id,
         service_url = excluded.service_url, posted_at = excluded.posted_at`,
      [
        post.requestId,
        post.tenantId,
        post.channelId,
        post.conversationId,
        post.messageId,
        post.serviceUrl,
        post.postedAt,
      ],
    );
  }

  async unposted(
    tenantId: string,
    channelId: string,
    states: readonly RequestState[],
    limit: number,
  ): Promise<string[]> {
    // A request counts as posted only in the channel that is set now: after the helpdesk moves to
    // another channel, its open requests are posted there too.
    const { rows } = await this.pool.query<{ id: string }>(
      `SELECT r.id FROM requests r
         LEFT JOIN channel_posts p ON p.request_id = r.id AND p.channel_id = $1
        WHERE r.tenant_id = $2 AND p.request_id IS NULL AND r.state = ANY($3::text[])
        ORDER BY r.sequence LIMIT $4`,
      [channelId, tenantId, states, limit],
    );
    return rows.map((row) => row.id);
  }

  async tenantsWithUnposted(states: readonly RequestState[]): Promise<string[]> {
    const { rows } = await this.pool.query<{ tenant_id: string }>(
      `SELECT r.tenant_id FROM requests r
         LEFT JOIN channel_posts p ON p.request_id = r.id
        WHERE p.request_id IS NULL AND r.state = ANY($1::text[])
        GROUP BY r.tenant_id ORDER BY r.tenant_id COLLATE "C"`,
      [states],
    );
    return rows.map((row) => row.tenant_id);
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
    postedAt: row.posted_at,
  };
}
