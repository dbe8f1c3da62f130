import { describe, expect, it } from 'vitest';
import { emptyReview, type Review } from '../../../src/domain/requests/request.js';
import {
  bucketDuration,
  daysBetween,
  durationBucket,
  periodDays,
  summarise,
  tallyDiagnosis,
  tallyFiled,
  tallyTransition,
  type Tally,
  type TallyRow,
} from '../../../src/domain/requests/statistics.js';

const HOUR = 3_600_000;
const filedAt = new Date('2026-11-20T09:00:00Z');
const decidedAt = new Date(filedAt.getTime() + 3 * HOUR);

/** Adds tallies up the way the store does: per tenant, day, metric and key. */
function addUp(tallies: readonly Tally[]): TallyRow[] {
  const rows = new Map<string, TallyRow>();
  for (const tally of tallies) {
    const key = `${tally.day}|${tally.metric}|${tally.key}`;
    const row = rows.get(key) ?? { day: tally.day, metric: tally.metric, key: tally.key, count: 0 };
    row.count += tally.delta;
    rows.set(key, row);
  }
  return [...rows.values()];
}

/** What the store answers for a period: totals over the days, and filed/reached day by day. */
function stored(tallies: readonly Tally[], from: string, to: string) {
  const rows = addUp(tallies).filter((row) => row.day >= from && row.day <= to);
  const totals = addUp(rows.map((row) => ({ day: '', metric: row.metric, key: row.key, delta: row.count })));
  return { totals, daily: rows.filter((row) => row.metric === 'filed' || row.metric === 'reached') };
}

describe('what each change counts', () => {
  it('counts a filing on its UTC day', () => {
    expect(tallyFiled(new Date('2026-11-20T23:59:59Z'))).toEqual([
      { day: '2026-11-20', metric: 'filed', key: '', delta: 1 },
    ]);
  });

  it("counts an approval as a decision by the agent, with the time since filing, on the approval's day", () => {
    const tallies = tallyTransition({
      createdAt: filedAt,
      from: 'pending_review',
      to: 'approved',
      at: decidedAt,
      actor: 'agent-1',
      review: emptyReview(),
    });
    expect(tallies).toEqual([
      { day: '2026-11-20', metric: 'reached', key: 'approved', delta: 1 },
      { day: '2026-11-20', metric: 'toDecision', key: String(durationBucket(3 * HOUR)), delta: 1 },
      { day: '2026-11-20', metric: 'decision', key: 'agent-1|approved', delta: 1 },
    ]);
  });

  it("counts a manager's decline as a rejection, but not as an agent's decision", () => {
    const review: Review = {
      ...emptyReview(),
      manager: { managerId: 'manager-1', status: 'declined', note: undefined, at: decidedAt },
    };
    const tallies = tallyTransition({
      createdAt: filedAt,
      from: 'awaiting_manager',
      to: 'rejected',
      at: decidedAt,
      actor: 'manager-1',
      review,
    });
    expect(tallies.map((tally) => tally.metric)).toEqual(['reached', 'toDecision', 'managerDeclined']);
  });

  it('counts nothing for a claim or a question, and no second approval for a retry after a failure', () => {
    const base = { createdAt: filedAt, at: decidedAt, actor: 'a', review: emptyReview() };
    expect(tallyTransition({ ...base, from: 'pending_review', to: 'pending_review' })).toEqual([]);
    expect(tallyTransition({ ...base, from: 'submitted', to: 'pending_review' })).toEqual([]);
    expect(tallyTransition({ ...base, from: 'failed', to: 'approved' })).toEqual([]);
    expect(tallyTransition({ ...base, from: 'executing', to: 'completed' }).map((t) => t.metric)).toEqual([
      'reached',
      'toCompletion',
    ]);
  });

  it('moves a diagnosis from how it stood to how it stands, on the day it started', () => {
    const startedAt = new Date('2026-11-20T10:00:00Z');
    const open = { startedAt, result: 'open' as const, outcome: undefined };
    const resolved = { startedAt, result: 'resolved' as const, outcome: 'sign-in-another-way' };
    expect(tallyDiagnosis(undefined, open)).toEqual([
      { day: '2026-11-20', metric: 'diagnosis', key: 'open|', delta: 1 },
    ]);
    expect(tallyDiagnosis(open, resolved)).toEqual([
      { day: '2026-11-20', metric: 'diagnosis', key: 'open|', delta: -1 },
      { day: '2026-11-20', metric: 'diagnosis', key: 'resolved|sign-in-another-way', delta: 1 },
    ]);
    expect(tallyDiagnosis(resolved, resolved)).toEqual([]);
  });
});

describe('durations in buckets', () => {
  it('reads every duration back within 5% of itself', () => {
    for (const ms of [61_000, 5 * 60_000, HOUR, 7.5 * HOUR, 30 * HOUR, 20 * 24 * HOUR]) {
      const read = bucketDuration(durationBucket(ms));
      expect(Math.abs(read - ms) / ms).toBeLessThan(0.05);
    }
  });
});

describe('a period summed up', () => {
  const now = new Date('2026-11-26T12:00:00Z');

  it("names each day of a period for the stores' day-by-day look-up, across months, years and a leap day", () => {
    expect(daysBetween('2026-11-26', '2026-11-26')).toEqual(['2026-11-26']);
    expect(daysBetween('2027-12-30', '2028-01-02')).toEqual(['2027-12-30', '2027-12-31', '2028-01-01', '2028-01-02']);
    expect(daysBetween('2028-02-28', '2028-03-01')).toEqual(['2028-02-28', '2028-02-29', '2028-03-01']);
    expect(daysBetween('2026-11-27', '2026-11-26')).toEqual([]);
    for (const days of [7, 30, 90] as const) {
      const { from, to } = periodDays(days, now);
      const named = daysBetween(from, to);
      expect(named).toHaveLength(days);
      expect([named[0], named.at(-1)]).toEqual([from, to]);
    }
  });

  it('covers the last N UTC days, today included', () => {
    expect(periodDays(7, now)).toEqual({ from: '2026-11-20', to: '2026-11-26' });
    expect(periodDays(30, now)).toEqual({ from: '2026-10-28', to: '2026-11-26' });
  });

  it('gives counts, the median and 90th percentile, decisions per agent and the self-service rate', () => {
    const tallies: Tally[] = [];
    // Ten requests decided after 1 to 10 hours; agent A approves seven, agent B rejects three.
    for (let n = 1; n <= 10; n += 1) {
      const at = new Date(filedAt.getTime() + n * HOUR);
      tallies.push(...tallyFiled(filedAt));
      tallies.push(
        ...tallyTransition({
          createdAt: filedAt,
          from: 'pending_review',
          to: n <= 7 ? 'approved' : 'rejected',
          at,
          actor: n <= 7 ? 'agent-a' : 'agent-b',
          review: emptyReview(),
        }),
      );
    }
    // A filing outside the period does not count.
    tallies.push(...tallyFiled(new Date('2026-11-01T00:00:00Z')));
    const diagnosis = (result: 'resolved' | 'applied' | 'notResolved' | 'abandoned', outcome: string) =>
      tallyDiagnosis(undefined, { startedAt: filedAt, result, outcome });
    tallies.push(...diagnosis('resolved', 'another-way'), ...diagnosis('resolved', 'another-way'));
    tallies.push(...diagnosis('resolved', 'locked'), ...diagnosis('applied', 'reset'));
    tallies.push(...diagnosis('notResolved', 'locked'), ...diagnosis('abandoned', 'locked'));

    const stats = summarise(stored(tallies, '2026-11-20', '2026-11-26'), 7, now);
    expect(stats).toMatchObject({ filed: 10, approved: 7, rejected: 3, cancelled: 0, expired: 0 });
    expect(stats.decisionsByAgent).toEqual([
      { agentId: 'agent-a', approved: 7, rejected: 0 },
      { agentId: 'agent-b', approved: 0, rejected: 3 },
    ]);
    // Nearest rank: the 5th of ten is 5 h, the 9th is 9 h (within the buckets' 5%).
    expect(stats.toDecision!.count).toBe(10);
    expect(stats.toDecision!.median / HOUR).toBeCloseTo(5, 0);
    expect(Math.abs(stats.toDecision!.p90 / HOUR - 9)).toBeLessThan(0.45);
    expect(stats.toCompletion).toBeUndefined();
    expect(stats.diagnoses).toEqual({
      total: 6,
      resolved: 3,
      applied: 1,
      notResolved: 1,
      unfinished: 1,
      selfServiceRate: 3 / 5,
    });
    expect(stats.topOutcomes).toEqual([
      { outcome: 'another-way', count: 2, resolved: 2, applied: 0 },
      { outcome: 'locked', count: 2, resolved: 1, applied: 0 },
      { outcome: 'reset', count: 1, resolved: 0, applied: 1 },
    ]);
    expect(stats.volume).toHaveLength(7);
    expect(stats.volume[0]).toEqual({ label: '2026-11-20', filed: 10, completed: 0 });
    expect(stats.volume.slice(1).every((point) => point.filed === 0)).toBe(true);
  });

  it('groups ninety days into weeks starting on the first day', () => {
    const stats = summarise(stored(tallyFiled(new Date('2026-11-26T08:00:00Z')), '2026-08-29', '2026-11-26'), 90, now);
    expect(stats.volume).toHaveLength(13);
    expect(stats.volume[0]!.label).toBe('2026-08-29');
    expect(stats.volume.at(-1)).toEqual({ label: '2026-11-21', filed: 1, completed: 0 });
  });

  it('has no rate and no times when nothing ended', () => {
    const stats = summarise({ totals: [], daily: [] }, 30, now);
    expect(stats.diagnoses.selfServiceRate).toBeUndefined();
    expect(stats.toDecision).toBeUndefined();
    expect(stats.filed).toBe(0);
  });
});
