import type { Clock } from '../domain/ports.js';
import type { AuditTrailRepository } from '../domain/requests/ports.js';
import type { Logger } from '../logging/create-logger.js';
import { Periodic } from './periodic.js';

/** Publishes the audit trail's head (AuditAnchors in the Teams layer). */
export interface AnchorPublisher {
  publishDaily(tenants: readonly string[]): Promise<number>;
}

export interface AuditJobsOptions {
  trail: AuditTrailRepository;
  anchors: AnchorPublisher;
  /** Tenants whose approval channel gets the daily anchor besides those that set one (the configured ones). */
  tenants: readonly string[];
  clock: Clock;
  logger: Logger;
  /** RETENTION_DAYS: contact details and notes of requests finished longer ago are removed. */
  retentionDays: number;
  intervalMs: number;
}

/** How many requests one batch of the purge handles; a pass runs batches until none is full. */
const PURGE_BATCH = 200;

/**
 * The audit trail's periodic work: remove personal data past the retention period (each removal an
 * audited change, so the chain still verifies), then publish the daily anchor.
 */
export class AuditJobs extends Periodic {
  constructor(private readonly options: AuditJobsOptions) {
    super(options.intervalMs);
  }

  protected async pass(): Promise<void> {
    const { trail, anchors, clock, logger, retentionDays } = this.options;
    try {
      const now = clock.now();
      const before = new Date(now.getTime() - retentionDays * 86_400_000);
      let purged = 0;
      for (;;) {
        const batch = await trail.purgePersonalData(before, now, PURGE_BATCH);
        purged += batch;
        if (batch < PURGE_BATCH) break;
      }
      if (purged > 0) {
        logger.info(
          { purged, retentionDays },
          'removed contact details and notes of requests past the retention period',
        );
      }
    } catch (error) {
      logger.error({ err: error }, 'the retention purge failed; it runs again at the next interval');
    }
    try {
      const tenants = new Set([...this.options.tenants, ...(await trail.tenantsWithChannel())]);
      await anchors.publishDaily([...tenants]);
    } catch (error) {
      logger.error({ err: error }, 'publishing the audit anchor failed; it is tried again at the next interval');
    }
  }
}
