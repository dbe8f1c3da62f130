/**
 * Background work that runs a pass every `intervalMs` once started, and on demand. A call while a
 * pass runs shares it, so passes never overlap; stopping waits for the one in progress.
 */
export abstract class Periodic {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;

  constructor(private readonly intervalMs: number) {}

  /** One round of the work; it handles its own errors, the next round comes anyway. */
  protected abstract pass(): Promise<void>;

  start(): void {
    this.timer ??= setInterval(() => void this.runOnce(), this.intervalMs);
    this.timer.unref();
  }

  /** Stops the timer and waits for a pass in progress. */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.running;
  }

  /** One pass, now; overlapping calls share the pass in progress. */
  runOnce(): Promise<void> {
    this.running ??= this.pass().finally(() => (this.running = undefined));
    return this.running;
  }
}
