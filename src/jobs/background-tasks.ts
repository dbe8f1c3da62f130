import type { Logger } from '../logging/create-logger.js';

/**
 * Work that runs after a turn has been answered (channel card updates, notices), tracked so
 * shutdown can wait for it and tests can wait until everything announced has been delivered.
 * A failing task is logged and never takes the process down.
 */
export class BackgroundTasks {
  private readonly pending = new Set<Promise<void>>();

  constructor(private readonly logger: Logger) {}

  /** Starts `work` now, without waiting for it. */
  run(label: string, work: () => Promise<void>): void {
    const task = Promise.resolve()
      .then(work)
      .catch((error: unknown) => this.logger.error({ err: error, task: label }, 'background task failed'))
      .finally(() => this.pending.delete(task));
    this.pending.add(task);
  }

  /** Resolves once no task is running, including tasks started by tasks. */
  async idle(): Promise<void> {
    while (this.pending.size > 0) await Promise.allSettled([...this.pending]);
  }
}
