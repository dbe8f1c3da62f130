import type { Logger } from '../logging/create-logger.js';
import type { ApprovalChannelRepository } from '../domain/requests/ports.js';
import { OPEN_STATES } from '../domain/requests/request.js';
import type { ReviewService } from '../domain/requests/review-service.js';
import { Periodic } from './periodic.js';

/** Posts a tenant's requests that have no card in its approval channel yet. */
export interface BacklogPoster {
  postBacklog(tenantId: string): Promise<number>;
}

export interface ReviewJobsOptions {
  review: ReviewService;
  channels: ApprovalChannelRepository;
  backlog: BacklogPoster;
  logger: Logger;
  intervalMs: number;
}

/**
 * The periodic work of the review: expire requests nobody acted on, and post requests that are
 * still waiting for a channel (one that was down, or set while the bot was busy). Every change
 * is a compare-and-set, so two instances running it at once expire each request once.
 */
export class ReviewJobs extends Periodic {
  constructor(private readonly options: ReviewJobsOptions) {
    super(options.intervalMs);
  }

  protected async pass(): Promise<void> {
    const { review, channels, backlog, logger } = this.options;
    try {
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
