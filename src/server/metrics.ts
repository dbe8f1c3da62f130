import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { DirectoryCallOutcome } from '../directory/metered-directory.js';
import type { Clock } from '../domain/ports.js';
import type { ExecutionEvent } from '../domain/requests/execution-service.js';
import type { OperationsReadings } from '../domain/requests/ports.js';

export interface MetricsOptions {
  readings: OperationsReadings;
  clock: Clock;
  hourlyCap: number;
}

const HOUR_MS = 3_600_000;
/** Answer latencies: Teams wants an invoke answered within 5 s and a message within about 15. */
const ANSWER_BUCKETS = [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 3, 5, 10, 15];
const DIRECTORY_BUCKETS = [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30];

/**
 * The bot's Prometheus metrics, in a registry of its own (two bots in one process never share one).
 * Labels are kinds from fixed lists (activity types, verb families, directory operations, outcomes),
 * never ids or anything a person typed.
 */
export class BotMetrics {
  readonly registry = new Registry();
  private readonly turns: Counter<'kind'>;
  private readonly turnSeconds: Histogram<'kind'>;
  private readonly clicks: Counter<'family'>;
  private readonly clickSeconds: Histogram<'family'>;
  private readonly directoryCalls: Counter<'operation' | 'outcome'>;
  private readonly directoryErrors: Counter<'operation' | 'outcome'>;
  private readonly directorySeconds: Histogram<'operation'>;
  private readonly executionsStarted: Counter;
  private readonly executionAttempts: Counter<'outcome'>;

  constructor(options: MetricsOptions) {
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry });
    this.turns = new Counter({
      name: 'signinhelp_turns_total',
      help: 'Activities handled (after authentication), by activity type.',
      labelNames: ['kind'],
      registers,
    });
    this.turnSeconds = new Histogram({
      name: 'signinhelp_turn_duration_seconds',
      help: 'Time from receiving an activity to answering it, by activity type.',
      labelNames: ['kind'],
      buckets: ANSWER_BUCKETS,
      registers,
    });
    this.clicks = new Counter({
      name: 'signinhelp_card_clicks_total',
      help: 'Card buttons pressed (Action.Execute or Action.Submit), by verb family.',
      labelNames: ['family'],
      registers,
    });
    this.clickSeconds = new Histogram({
      name: 'signinhelp_card_click_duration_seconds',
      help: 'Time from a button press to its answer, by verb family.',
      labelNames: ['family'],
      buckets: ANSWER_BUCKETS,
      registers,
    });
    this.directoryCalls = new Counter({
      name: 'signinhelp_directory_calls_total',
      help: 'Calls to the directory (Microsoft Graph, or the simulated one) past the cache, by operation and outcome.',
      labelNames: ['operation', 'outcome'],
      registers,
    });
    this.directoryErrors = new Counter({
      name: 'signinhelp_directory_errors_total',
      help: 'Directory calls that failed, by operation and outcome.',
      labelNames: ['operation', 'outcome'],
      registers,
    });
    this.directorySeconds = new Histogram({
      name: 'signinhelp_directory_call_duration_seconds',
      help: 'Time a directory call took, failures included, by operation.',
      labelNames: ['operation'],
      buckets: DIRECTORY_BUCKETS,
      registers,
    });
    this.executionsStarted = new Counter({
      name: 'signinhelp_executions_started_total',
      help: 'Approved requests whose reset started.',
      registers,
    });
    this.executionAttempts = new Counter({
      name: 'signinhelp_execution_attempts_total',
      help: 'Runs of a reset job, by how the run ended.',
      labelNames: ['outcome'],
      registers,
    });

    const { readings, clock, hourlyCap } = options;
    new Gauge({
      name: 'signinhelp_requests',
      help: 'Requests in each open state now, read from the store when scraped.',
      labelNames: ['state'],
      registers,
      async collect() {
        const counts = await readings.openRequestsByState();
        this.reset();
        for (const [state, count] of Object.entries(counts)) this.set({ state }, count);
      },
    });
    new Gauge({
      name: 'signinhelp_review_oldest_age_seconds',
      help: 'How long the request waiting longest for review has waited; 0 when none waits.',
      registers,
      async collect() {
        const since = await readings.oldestPendingReviewSince();
        this.set(since ? Math.max(0, (clock.now().getTime() - since.getTime()) / 1_000) : 0);
      },
    });
    new Gauge({
      name: 'signinhelp_execution_hourly_cap',
      help: 'Resets a tenant may start in an hour (EXECUTION_HOURLY_CAP).',
      registers,
      collect() {
        this.set(hourlyCap);
      },
    });
    new Gauge({
      name: 'signinhelp_executions_started_last_hour',
      help: 'Resets started in the last hour by the busiest tenant; at the cap, further resets wait.',
      registers,
      async collect() {
        this.set(await readings.mostExecutionsStartedSince(new Date(clock.now().getTime() - HOUR_MS)));
      },
    });
  }

  /** One activity answered; `family` is the verb family when it pressed a card button. */
  turnAnswered(kind: string, family: string | undefined, seconds: number): void {
    this.turns.inc({ kind });
    this.turnSeconds.observe({ kind }, seconds);
    if (family === undefined) return;
    this.clicks.inc({ family });
    this.clickSeconds.observe({ family }, seconds);
  }

  directoryCalled(operation: string, outcome: DirectoryCallOutcome, seconds: number): void {
    this.directoryCalls.inc({ operation, outcome });
    this.directorySeconds.observe({ operation }, seconds);
    if (outcome !== 'ok') this.directoryErrors.inc({ operation, outcome });
  }

  /** A reset started, or one run of its steps ended (counted by outcome, in snake case). */
  executionObserved(event: ExecutionEvent): void {
    if (event === 'started') this.executionsStarted.inc();
    else this.executionAttempts.inc({ outcome: event.replace(/[A-Z]/g, (letter) => `_${letter.toLowerCase()}`) });
  }

  /** The scrape: content type and body. */
  async render(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }
}
