import type { Logger } from '../logging/create-logger.js';
import type { ExecutionService } from '../domain/requests/execution-service.js';
import { Periodic } from './periodic.js';

export interface ExecutionWorkerOptions {
  execution: ExecutionService;
  logger: Logger;
  intervalMs: number;
}

/**
 * Runs the execution outbox: every interval it leases the due jobs and carries them out. Jobs are
 * leased, so several instances on one database share the work without doing a job twice.
 */
export class ExecutionWorker extends Periodic {
  constructor(private readonly options: ExecutionWorkerOptions) {
    super(options.intervalMs);
  }

  protected async pass(): Promise<void> {
    try {
      while ((await this.options.execution.runDue()) > 0) {
        // Keep going while jobs were due: a backlog drains in one pass.
      }
    } catch (error) {
      this.options.logger.error({ err: error }, 'the execution worker failed; it runs again at the next interval');
    }
  }
}
