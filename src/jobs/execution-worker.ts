import type { Logger } from '../logging/create-logger.js';
import type { ExecutionService } from '../domain/requests/execution-service.js';

export interface ExecutionWorkerOptions {
  execution: ExecutionService;
  logger: Logger;
  intervalMs: number;
}

/**
 * Runs the execution outbox: every interval it leases the due jobs and carries them out. Jobs are
 * leased, so several instances on one database share the work without doing a job twice.
 */
export class ExecutionWorker {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;

  constructor(private readonly options: ExecutionWorkerOptions) {}

  start(): void {
    this.timer ??= setInterval(() => void this.runOnce(), this.options.intervalMs);
    this.timer.unref();
  }

  /** Stops the timer and waits for the job in progress, so no step is left half-recorded. */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.running;
  }

  /** Runs every job that is due now; overlapping calls share the pass in progress. */
  runOnce(): Promise<void> {
    this.running ??= this.pass().finally(() => (this.running = undefined));
    return this.running;
  }

  private async pass(): Promise<void> {
    try {
      while ((await this.options.execution.runDue()) > 0) {
        // Keep going while jobs were due: a backlog drains in one pass.
      }
    } catch (error) {
      this.options.logger.error({ err: error }, 'the execution worker failed; it runs again at the next interval');
    }
  }
}
