import type { ServiceLevels } from '../domain/requests/service-levels.js';
import type { Logger } from '../logging/create-logger.js';
import { Periodic } from './periodic.js';

export interface ServiceLevelJobsOptions {
  serviceLevels: ServiceLevels;
  logger: Logger;
  /** How often to look for overdue requests (JOBS_INTERVAL_SECONDS, shorter for a short service level). */
  intervalMs: number;
}

/** How often the overdue check runs: the jobs' interval, or a quarter of a shorter service level (at least 1 s). */
export function serviceLevelInterval(jobsIntervalMs: number, reviewSlaMs: number): number {
  return Math.max(1_000, Math.min(jobsIntervalMs, Math.floor(reviewSlaMs / 4)));
}

/** Sends the overdue reminders and the leads' notices that are due. */
export class ServiceLevelJobs extends Periodic {
  constructor(private readonly options: ServiceLevelJobsOptions) {
    super(options.intervalMs);
  }

  protected async pass(): Promise<void> {
    const { serviceLevels, logger } = this.options;
    try {
      const report = await serviceLevels.runOnce();
      if (report.reminded.length > 0)
        logger.info({ references: report.reminded }, 'overdue requests: channel reminded');
      if (report.escalated.length > 0) logger.info({ references: report.escalated }, 'overdue requests: leads told');
      if (report.unheard.length > 0) {
        logger.warn(
          { references: report.unheard },
          'overdue requests: no helpdesk lead has a chat with the bot, so none was told',
        );
      }
      if (report.deferred.length > 0) {
        logger.info({ references: report.deferred }, 'overdue notices wait for the approval channel or the directory');
      }
    } catch (error) {
      logger.error({ err: error }, 'the overdue check failed; it runs again at the next interval');
    }
  }
}
