import type { DiagnosisResult } from '../ports.js';
import type { RequestState, Review } from './request.js';

/**
 * The helpdesk's statistics are counters per tenant and UTC day, kept by the store in the same
 * transaction as the change they count, so that a period's figures are a sum over a few thousand
 * rows however many requests there are. This module decides what each change counts; the store
 * only adds the numbers up.
 */

/** What a counter counts. */
export type TallyMetric =
  /** Requests filed (key ''). */
  | 'filed'
  /** Requests that reached a state (key: approved, rejected, cancelled, expired, completed, failed). */
  | 'reached'
  /** An agent's decision (key: `<agent id>|approved` or `<agent id>|rejected`). */
  | 'decision'
  /** Declined by the subject's manager (key ''). */
  | 'managerDeclined'
  /** Time from filing to the decision (approved or rejected), as a histogram bucket (key: bucket). */
  | 'toDecision'
  /** Time from filing to the completed reset, as a histogram bucket (key: bucket). */
  | 'toCompletion'
  /** Diagnoses by how they ended and the outcome shown last (key: `<result>|<outcome>`). */
  | 'diagnosis';

/** One change to one counter. */
export interface Tally {
  /** The UTC day, `YYYY-MM-DD`. */
  day: string;
  metric: TallyMetric;
  key: string;
  delta: number;
}

/** A counter as the store sums it over a period. */
export interface TallyRow {
  day: string;
  metric: TallyMetric;
  key: string;
  count: number;
}

const DAY_MS = 86_400_000;

/** The UTC day of a moment, as counters are keyed. */
export function dayOf(at: Date): string {
  return at.toISOString().slice(0, 10);
}

/** The first millisecond of a UTC day keyed as dayOf keys it. */
function startOf(day: string): number {
  return Date.parse(`${day}T00:00:00Z`);
}

// Durations are counted in buckets 10% wide (bucket n holds (1.1^n - 1) to (1.1^(n+1) - 1) seconds), so a
// median read from them is within 5% of the exact one.
const BUCKET_BASE = 1.1;

/** The histogram bucket of a duration. */
export function durationBucket(ms: number): number {
  const seconds = Math.max(0, ms) / 1_000;
  return Math.floor(Math.log(seconds + 1) / Math.log(BUCKET_BASE));
}

/** The duration a bucket stands for: the geometric middle of its bounds, in milliseconds. */
export function bucketDuration(bucket: number): number {
  const low = BUCKET_BASE ** bucket - 1;
  const high = BUCKET_BASE ** (bucket + 1) - 1;
  return Math.sqrt(Math.max(low, 0.5) * high) * 1_000;
}

/** What filing a request counts. */
export function tallyFiled(createdAt: Date): Tally[] {
  return [{ day: dayOf(createdAt), metric: 'filed', key: '', delta: 1 }];
}

/** A change of a request's state, as the store sees it: the stored request before and what it becomes. */
export interface TallyTransition {
  createdAt: Date;
  from: RequestState;
  to: RequestState;
  at: Date;
  actor: string;
  /** The review after the change. */
  review: Review;
}

const COUNTED_STATES: ReadonlySet<RequestState> = new Set([
  'approved',
  'rejected',
  'cancelled',
  'expired',
  'completed',
  'failed',
]);

/** What one state change counts; a review-only change (a claim, a question) counts nothing. */
export function tallyTransition(change: TallyTransition): Tally[] {
  const { from, to, at, actor, review, createdAt } = change;
  // A retry (failed → approved) is not a second approval.
  if (from === to || !COUNTED_STATES.has(to) || from === 'failed') return [];
  const day = dayOf(at);
  const tallies: Tally[] = [{ day, metric: 'reached', key: to, delta: 1 }];
  const sinceFiling = { day, key: String(durationBucket(at.getTime() - createdAt.getTime())), delta: 1 };
  if (to === 'approved' || to === 'rejected') {
    tallies.push({ ...sinceFiling, metric: 'toDecision' });
    const manager = review.manager;
    if (to === 'rejected' && manager?.status === 'declined' && manager.managerId === actor) {
      tallies.push({ day, metric: 'managerDeclined', key: '', delta: 1 });
    } else {
      tallies.push({ day, metric: 'decision', key: `${actor}|${to}`, delta: 1 });
    }
  }
  if (to === 'completed') tallies.push({ ...sinceFiling, metric: 'toCompletion' });
  return tallies;
}

/** A diagnosis as the counters see it. */
export interface TalliedDiagnosis {
  startedAt: Date;
  result: DiagnosisResult;
  outcome: string | undefined;
}

/** What saving a diagnosis changes: it leaves its old line and joins its new one. */
export function tallyDiagnosis(previous: TalliedDiagnosis | undefined, next: TalliedDiagnosis): Tally[] {
  const keyOf = (diagnosis: TalliedDiagnosis) => `${diagnosis.result}|${diagnosis.outcome ?? ''}`;
  const nextTally: Tally = { day: dayOf(next.startedAt), metric: 'diagnosis', key: keyOf(next), delta: 1 };
  if (!previous) return [nextTally];
  const previousTally: Tally = { day: dayOf(previous.startedAt), metric: 'diagnosis', key: keyOf(previous), delta: -1 };
  if (previousTally.day === nextTally.day && previousTally.key === nextTally.key) return [];
  return [previousTally, nextTally];
}

/** The periods the lead can choose, in days. */
export const STATISTICS_PERIODS = [7, 30, 90] as const;
export type StatisticsPeriod = (typeof STATISTICS_PERIODS)[number];

/** The days a period covers: the last `days` UTC days, today included. */
export function periodDays(days: StatisticsPeriod, now: Date): { from: string; to: string } {
  const from = new Date(now.getTime() - (days - 1) * DAY_MS);
  return { from: dayOf(from), to: dayOf(now) };
}

/**
 * Every UTC day from `from` to `to` (`YYYY-MM-DD`, both included), in order: the daily counters are looked up day by
 * day rather than read out of every counter in the range.
 */
export function daysBetween(from: string, to: string): string[] {
  const days: string[] = [];
  const last = startOf(to);
  for (let at = startOf(from); at <= last; at += DAY_MS) days.push(dayOf(new Date(at)));
  return days;
}

/** A median and a 90th percentile, in milliseconds, over `count` durations. */
export interface DurationSummary {
  count: number;
  median: number;
  p90: number;
}

/** The helpdesk's figures for one period. */
export interface Statistics {
  days: StatisticsPeriod;
  from: string;
  to: string;
  filed: number;
  approved: number;
  rejected: number;
  cancelled: number;
  expired: number;
  completed: number;
  /** Resets that stopped and needed an agent. */
  failed: number;
  /** Of `rejected`, those the subject's manager declined. */
  managerDeclined: number;
  toDecision: DurationSummary | undefined;
  toCompletion: DurationSummary | undefined;
  /** Agents by decisions, most first. */
  decisionsByAgent: Array<{ agentId: string; approved: number; rejected: number }>;
  diagnoses: {
    total: number;
    /** The person said the steps fixed it. */
    resolved: number;
    /** They went on to apply for a reset. */
    applied: number;
    /** Nothing they could try worked. */
    notResolved: number;
    /** Still going, or left for a new one. */
    unfinished: number;
    /** resolved / (resolved + applied + notResolved); undefined when none ended. */
    selfServiceRate: number | undefined;
  };
  /** The outcomes diagnoses ended on most, with how many of those the person fixed or applied for a reset. */
  topOutcomes: Array<{ outcome: string; count: number; resolved: number; applied: number }>;
  /** Filed and completed per day (7 and 30 days) or per week starting on the label's day (90 days). */
  volume: Array<{ label: string; filed: number; completed: number }>;
}

const TOP_OUTCOMES = 5;

/**
 * Turns a period's counters into the figures the lead reads: `totals` summed over the period's
 * days, `daily` the filed and reached counters day by day (StatisticsRepository.tallies).
 */
export function summarise(
  tallies: { totals: readonly TallyRow[]; daily: readonly TallyRow[] },
  days: StatisticsPeriod,
  now: Date,
): Statistics {
  const { from, to } = periodDays(days, now);
  const inPeriod = tallies.totals;
  const sum = (metric: TallyMetric, key?: string) =>
    inPeriod.reduce(
      (total, row) => (row.metric === metric && (key === undefined || row.key === key) ? total + row.count : total),
      0,
    );

  const agents = new Map<string, { agentId: string; approved: number; rejected: number }>();
  const outcomes = new Map<string, Statistics['topOutcomes'][number]>();
  const endings: Record<DiagnosisResult, number> = { open: 0, resolved: 0, notResolved: 0, applied: 0, abandoned: 0 };
  for (const row of inPeriod) {
    if (row.metric === 'decision') {
      const cut = row.key.lastIndexOf('|');
      const agentId = row.key.slice(0, cut);
      const decision = row.key.slice(cut + 1) === 'approved' ? 'approved' : 'rejected';
      const agent = agents.get(agentId) ?? { agentId, approved: 0, rejected: 0 };
      agent[decision] += row.count;
      agents.set(agentId, agent);
    } else if (row.metric === 'diagnosis') {
      const cut = row.key.indexOf('|');
      const result = row.key.slice(0, cut) as DiagnosisResult;
      const outcome = row.key.slice(cut + 1);
      if (result in endings) endings[result] += row.count;
      if (outcome !== '' && result !== 'open' && result !== 'abandoned') {
        const entry = outcomes.get(outcome) ?? { outcome, count: 0, resolved: 0, applied: 0 };
        entry.count += row.count;
        if (result === 'resolved') entry.resolved += row.count;
        if (result === 'applied') entry.applied += row.count;
        outcomes.set(outcome, entry);
      }
    }
  }
  const ended = endings.resolved + endings.applied + endings.notResolved;
  return {
    days,
    from,
    to,
    filed: sum('filed'),
    approved: sum('reached', 'approved'),
    rejected: sum('reached', 'rejected'),
    cancelled: sum('reached', 'cancelled'),
    expired: sum('reached', 'expired'),
    completed: sum('reached', 'completed'),
    failed: sum('reached', 'failed'),
    managerDeclined: sum('managerDeclined'),
    toDecision: durations(inPeriod.filter((row) => row.metric === 'toDecision')),
    toCompletion: durations(inPeriod.filter((row) => row.metric === 'toCompletion')),
    decisionsByAgent: [...agents.values()].sort(
      (a, b) => b.approved + b.rejected - (a.approved + a.rejected) || a.agentId.localeCompare(b.agentId),
    ),
    diagnoses: {
      total: Object.values(endings).reduce((a, b) => a + b, 0),
      resolved: endings.resolved,
      applied: endings.applied,
      notResolved: endings.notResolved,
      unfinished: endings.open + endings.abandoned,
      selfServiceRate: ended === 0 ? undefined : endings.resolved / ended,
    },
    topOutcomes: [...outcomes.values()]
      .sort((a, b) => b.count - a.count || a.outcome.localeCompare(b.outcome))
      .slice(0, TOP_OUTCOMES),
    volume: volumeSeries(tallies.daily, days, from),
  };
}

/** The median and 90th percentile of the durations a histogram holds. */
function durations(rows: readonly TallyRow[]): DurationSummary | undefined {
  const buckets = new Map<number, number>();
  for (const row of rows) buckets.set(Number(row.key), (buckets.get(Number(row.key)) ?? 0) + row.count);
  const sorted = [...buckets.entries()].filter(([, count]) => count > 0).sort(([a], [b]) => a - b);
  const count = sorted.reduce((total, [, n]) => total + n, 0);
  if (count === 0) return undefined;
  const quantile = (q: number): number => {
    // The smallest bucket that holds at least q of the durations (nearest rank).
    const rank = Math.max(1, Math.ceil(q * count));
    let seen = 0;
    for (const [bucket, n] of sorted) {
      seen += n;
      if (seen >= rank) return bucketDuration(bucket);
    }
    return bucketDuration(sorted.at(-1)![0]);
  };
  return { count, median: quantile(0.5), p90: quantile(0.9) };
}

function volumeSeries(rows: readonly TallyRow[], days: StatisticsPeriod, from: string): Statistics['volume'] {
  const step = days === 90 ? 7 : 1;
  const start = startOf(from);
  const points = Array.from({ length: Math.ceil(days / step) }, (_, i) => ({
    label: dayOf(new Date(start + i * step * DAY_MS)),
    filed: 0,
    completed: 0,
  }));
  for (const row of rows) {
    const isFiled = row.metric === 'filed';
    if (!isFiled && !(row.metric === 'reached' && row.key === 'completed')) continue;
    const index = Math.floor((startOf(row.day) - start) / (step * DAY_MS));
    const point = points[index];
    if (!point) continue;
    if (isFiled) point.filed += row.count;
    else point.completed += row.count;
  }
  return points;
}
