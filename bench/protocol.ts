import type { StoreBackend } from '../src/store/store.js';
import type { Sender } from '../test/support/activities.js';

/*
 * What the bench's main thread (the bots) and its load worker (clients and Bot Connector) tell each other.
 */

/** How scenario names and tables call each backend. */
export const STORE_NAMES: Record<StoreBackend, string> = { sqlite: 'SQLite', postgres: 'PostgreSQL' };

/** How a bot under test reads the directory: the cache off (cold), on with the default life (warm), or absent. */
export type CacheState = 'cold' | 'warm' | 'none';

/** One Sign-in Help bot the load can drive. */
export interface BotTarget {
  /** Short name, as the worker asks for requests or a drain. */
  key: string;
  /** How the table names it, e.g. "500 ms, warm" (", PostgreSQL" added on PostgreSQL). */
  label: string;
  url: string;
  latencyMs: number;
  cache: CacheState;
  /** Where it keeps its requests and state; its baseline is the echo bot on the same. */
  store: StoreBackend;
}

export interface LoadPlan {
  /** The echo bot on each backend the bots use. */
  echoUrls: Partial<Record<StoreBackend, string>>;
  /** The floor under the approval click (echo-bot.ts), on SQLite; undefined when no bot runs there. */
  floorUrl: string | undefined;
  bots: BotTarget[];
  concurrency: number;
  seconds: number;
  warmupSeconds: number;
  rounds: number;
  /** BENCH_ONLY: only the scenarios whose name contains it (in any case). */
  only: string | undefined;
  /** One person per client, each in their own 1:1 chat. */
  people: Sender[];
  /** The helpdesk agent who claims and approves in the approval channel. */
  agent: Sender;
  tenantId: string;
  team: { id: string; name: string };
  approvalChannelId: string;
}

/** Requests waiting in pending_review at `version`, each posted in its own thread of the approval channel. */
export type Approvable = Array<{ id: string; version: number; thread: string }>;

/** What the clicks on one request should have done, checked against the bot's database after the run. */
export interface ReviewLedgerEntry {
  bot: string;
  scenario: string;
  requestId: string;
  /** Clicks on it that were answered with 200; each one that took effect raised the version by one. */
  answered: number;
  /** Where those clicks leave it. */
  expect: 'approved' | 'claimed';
}

/** The worker's messages to the main thread. */
export type ToMain =
  | { kind: 'connector'; serviceUrl: string }
  | { kind: 'seed'; id: number; bot: string; count: number }
  | {
      kind: 'settle';
      id: number;
      bot: string;
      /**
       * The requests prepared for the run just over, and what the clicks on them should have done: checked once the
       * bot's background work is drained, then every one still open is closed, so that unused requests do not pile
       * up into a queue no helpdesk has.
       */
      requests: string[];
      reviews: ReviewLedgerEntry[];
    }
  | {
      kind: 'results';
      results: Result[];
      /** Diagnosis clicks answered with 200, by bot: each must have stored its diagnosis at the outcome. */
      diagnosisClicks: Record<string, number>;
    };

/** The main thread's answers to the worker. */
export type ToWorker =
  | { kind: 'seeded'; id: number; requests: Approvable }
  | {
      kind: 'settled';
      id: number;
      ms: number;
      /** false: the background work was still running when the bench gave up waiting for it. */
      done: boolean;
    };

/** What a scenario is held to. */
export type Target = { kind: 'ratio'; max: number } | { kind: 'p99'; maxMs: number } | { kind: 'none' };

/** One run of a scenario or baseline, one round. */
export interface Result {
  name: string;
  /** The baseline it was measured right after; undefined for a baseline. */
  baseline: string | undefined;
  round: number;
  target: Target;
  /**
   * What this scenario costs next to its baseline, measured back to back; for scenarios only. Where every turn is
   * measured, the baseline's turns per second over the scenario's; where unmeasured turns prepare each click (a
   * diagnosis to click on, a claim before the approval), the clicks' mean latency over the baseline's.
   */
  cost?: number;
  costBy?: 'turns/s' | 'mean latency';
  /** Latencies of the measured turns, ms. */
  latencies: number[];
  /** For turns that bring a card into the chat (sent before or after the answer): ms from the turn's start to it. */
  cards: number[];
  perSecond: number;
  /** Turns answered with anything but 200, or whose check found they did not do what they should. */
  errors: number;
  /** The first few reasons, for the report. */
  failures: string[];
  /** The scenario used up the requests prepared for it before its time was over. */
  ranOut: boolean;
  /** How long the bot's background work (channel updates, notices) took to drain after this run. */
  drainMs?: number;
  /**
   * CPU time of the bots' thread per measured turn (ms), from the end of the warm-up to the last answer, on Linux;
   * undefined elsewhere, or where unmeasured turns prepare the measured ones. It is the bot's own cost where turns/s
   * is held back by something else (the load, the machine); it too moves with the machine's load.
   */
  cpuMsPerTurn?: number;
}
