import type { Logger } from '../logging/create-logger.js';
import type { ApprovalChannelRepository } from '../domain/requests/ports.js';
import { OPEN_STATES } from '../domain/requests/request.js';
import type { ReviewService } from '../domain/requests/review-service.js';
import { Periodic } from './periodic.js';

/** Posts a tenant's requests that have no card in its approval channel yet. */
export interface BacklogPoster {
  postBacklog(tenantId: string): Promise<number>;
  /** Tries again the channel cards the Bot Connector failed on whose wait is over; how many it tried. */
  retryDuePosts(): Promise<number>;
}

export interface ReviewJobsOptions {
  review: ReviewService;
  channels: ApprovalChannelRepository;
  backlog: BacklogPoster;
  logger: Logger;
  intervalMs: number;
  /** How often channel cards the Bot Connector failed on are checked for a due retry (every second by default). */
  retryCheckMs?: number;
}

/** Tries failed channel cards again as their waits run out, between the passes of the review jobs. */
class ChannelCardRetries extends Periodic {
  constructor(
    private readonly backlog: BacklogPoster,
    private readonly logger: Logger,
    intervalMs: number,
  ) {
    super(intervalMs);
  }

  protected async pass(): Promise<void> {
    try {
      await this.backlog.retryDuePosts();
    } catch (error) {
      this.logger.error({ err: error }, 'retrying channel cards failed; they are tried again at the next check');
    }
  }
}

/**
 * The periodic work of the review: expire requests nobody acted on, and post requests that are
 * still waiting for a channel (one that was down, or set while the bot was busy). Every change
 * is a compare-and-set, so two instances running it at once expire each request once. Between
 * passes, a channel card the Bot Connector failed on is tried again as soon as its wait is over.
 */
export class ReviewJobs extends Periodic {
  private readonly retries: ChannelCardRetries;

  constructor(private readonly options: ReviewJobsOptions) {
    super(options.intervalMs);
    this.retries = new ChannelCardRetries(options.backlog, options.logger, options.retryCheckMs ?? 1_000);
  }

  override start(): void {
    super.start();
    this.retries.start();
  }

  override async stop(): Promise<void> {
    await Promise.all([super.stop(), this.retries.stop()]);
  }

  protected async pass(): Promise<void> {
    const { review, channels, backlog, logger } = this.options;
    try {
      await backlog.retryDuePosts();
      const expired = await review.expireStale();
      if (expired > 0) logger.info({ expired }, 'expired requests nobody acted on');
      for (const tenantId of await channels.tenantsWithUnposted([...OPEN_STATES])) {
        await backlog.postBacklog(tenantId);
      }
    } catch (error) {
      logger.error({ err: error }, 'review jobs failed; they run again at the next interval');
    }
  }
}
