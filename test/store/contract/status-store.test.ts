import { describe, expect, it } from 'vitest';
import type { DiagnosisRecord } from '../../../src/domain/ports.js';
import { durationBucket } from '../../../src/domain/requests/statistics.js';
import { MORNING as T0, TENANT, fileAndMove } from '../../support/request-drafts.js';
import { databasesPerTest, storeBackends } from '../../support/store-backends.js';

const HOUR = 3_600_000;
const at = (hours: number) => new Date(T0.getTime() + hours * HOUR);

describe.each(storeBackends())('status, statistics, overdue notices and views ($name)', (backend) => {
  const openDatabase = databasesPerTest(backend);

  const setUp = async () => {
    const database = await openDatabase();
    const { store } = database;
    return {
      requests: store.requests,
      statistics: store.statistics,
      notices: store.overdueNotices,
      views: store.views,
      diagnoses: store.diagnoses,
      countRows: database.countRows,
    };
  };

  describe('status queries', () => {
    it("lists a manager's direct reports' requests, newest first, and nobody else's", async () => {
      const { requests } = await setUp();
      const first = await fileAndMove(requests, 'report-1', [], at(0));
      const other = await fileAndMove(requests, 'stranger', [], at(1));
      const second = await fileAndMove(requests, 'report-2', [], at(2));
      const listed = await requests.listBySubjects(TENANT, ['report-1', 'report-2', 'report-3'], 10);
      expect(listed.map((request) => request.id)).toEqual([second.id, first.id]);
      expect(await requests.listBySubjects(TENANT, ['report-1', 'report-2'], 1)).toHaveLength(1);
      expect(await requests.listBySubjects('other-tenant', ['report-1'], 10)).toEqual([]);
      expect(await requests.listBySubjects(TENANT, [], 10)).toEqual([]);
      expect(listed.some((request) => request.id === other.id)).toBe(false);
    });

    it('puts every open request in exactly one queue section, counted, oldest first', async () => {
      const { requests } = await setUp();
      const pending = await fileAndMove(requests, 's1', [{ to: 'pending_review' }]);
      const claimed = await fileAndMove(requests, 's2', [
        { to: 'pending_review' },
        { to: 'pending_review', actor: 'agent', review: { claimedBy: 'agent', claimedAt: at(2) } },
      ]);
      const waiting = await fileAndMove(requests, 's3', [{ to: 'awaiting_manager' }]);
      const approved = await fileAndMove(requests, 's4', [
        { to: 'pending_review' },
        { to: 'approved', actor: 'agent' },
      ]);
      const failed = await fileAndMove(requests, 's5', [
        { to: 'pending_review' },
        { to: 'approved', actor: 'agent' },
        { to: 'executing' },
        { to: 'failed' },
      ]);
      const laterPending = await fileAndMove(requests, 's6', [{ to: 'pending_review' }], at(1));
      await fileAndMove(requests, 's7', [{ to: 'pending_review' }, { to: 'rejected', actor: 'agent' }]);
      await fileAndMove(requests, 's8', [{ to: 'cancelled' }]);

      const queue = await requests.queue(TENANT, 10);
      const ids = (group: keyof typeof queue) => queue[group].oldest.map((request) => request.id);
      expect(ids('pendingReview')).toEqual([pending.id, laterPending.id]);
      expect(ids('claimed')).toEqual([claimed.id]);
      expect(ids('awaitingManager')).toEqual([waiting.id]);
      expect(ids('approved')).toEqual([approved.id]);
      expect(ids('needsAttention')).toEqual([failed.id]);
      expect(Object.fromEntries(Object.entries(queue).map(([group, section]) => [group, section.count]))).toEqual({
        needsAttention: 1,
        pendingReview: 2,
        claimed: 1,
        awaitingManager: 1,
        approved: 1,
      });
      // A section lists at most what is asked for, and still counts them all.
      expect((await requests.queue(TENANT, 1)).pendingReview).toMatchObject({ count: 2 });
      expect((await requests.queue(TENANT, 1)).pendingReview.oldest).toHaveLength(1);
    });

    it('keeps when a request entered review, through claims, and forgets it once decided', async () => {
      const { requests } = await setUp();
      const claimed = await fileAndMove(requests, 's1', [
        { to: 'pending_review' },
        { to: 'pending_review', actor: 'agent', review: { claimedBy: 'agent' } },
      ]);
      expect(claimed.pendingSince).toEqual(at(1));
      const decided = await fileAndMove(requests, 's2', [{ to: 'pending_review' }, { to: 'approved', actor: 'a' }]);
      expect(decided.pendingSince).toBeUndefined();
    });
  });

  describe('statistics counters', () => {
    it('counts filings, decisions and times in the transaction of each change', async () => {
      const { requests, statistics } = await setUp();
      await fileAndMove(requests, 's1', [{ to: 'pending_review' }, { to: 'approved', actor: 'agent-a' }]);
      await fileAndMove(requests, 's2', [{ to: 'pending_review' }, { to: 'rejected', actor: 'agent-b' }]);
      await fileAndMove(requests, 's3', [
        { to: 'pending_review' },
        { to: 'approved', actor: 'agent-a' },
        { to: 'executing' },
        { to: 'completed' },
      ]);
      // A refused change counts nothing.
      expect(
        await requests.compareAndSet({
          id: 'req-missing',
          expectedVersion: 1,
          to: 'approved',
          at: at(9),
          event: {
            requestId: 'req-missing',
            tenantId: TENANT,
            actor: 'x',
            at: at(9),
            from: 'pending_review',
            to: 'approved',
            reason: 'x',
          },
        }),
      ).toBe(false);

      const { totals, daily } = await statistics.tallies(TENANT, '2026-11-24', '2026-11-24');
      const count = (metric: string, key = '') =>
        totals.find((row) => row.metric === metric && row.key === key)?.count ?? 0;
      expect(count('filed')).toBe(3);
      expect(count('reached', 'approved')).toBe(2);
      expect(count('reached', 'rejected')).toBe(1);
      expect(count('reached', 'completed')).toBe(1);
      expect(count('decision', 'agent-a|approved')).toBe(2);
      expect(count('decision', 'agent-b|rejected')).toBe(1);
      expect(count('toDecision', String(durationBucket(2 * HOUR)))).toBe(3);
      expect(count('toCompletion', String(durationBucket(4 * HOUR)))).toBe(1);
      expect(daily).toContainEqual({ day: '2026-11-24', metric: 'filed', key: '', count: 3 });
      expect(await statistics.tallies(TENANT, '2026-11-25', '2026-11-30')).toEqual({ totals: [], daily: [] });
      expect(await statistics.tallies('other-tenant', '2026-11-24', '2026-11-24')).toEqual({ totals: [], daily: [] });
    });

    it("reads a range's days, its first and last included, across a month's end, and no day outside it", async () => {
      const { requests, statistics } = await setUp();
      // Filed (and approved two hours later) on Nov 21, 22, 24 (twice), 30, then Dec 1 and 2.
      for (const [n, days] of [-3, -2, 0, 0, 6, 7, 8].entries()) {
        await fileAndMove(requests, `s${n}`, [{ to: 'pending_review' }, { to: 'approved', actor: 'a' }], at(days * 24));
      }
      expect(
        at(7 * 24)
          .toISOString()
          .slice(0, 10),
      ).toBe('2026-12-01');

      const { totals, daily } = await statistics.tallies(TENANT, '2026-11-22', '2026-12-01');
      const filedOn = (rows: typeof daily) =>
        Object.fromEntries(rows.filter((row) => row.metric === 'filed').map((row) => [row.day, row.count]));
      expect(filedOn(daily)).toEqual({ '2026-11-22': 1, '2026-11-24': 2, '2026-11-30': 1, '2026-12-01': 1 });
      expect(daily.filter((row) => row.metric === 'reached')).toHaveLength(4);
      expect(daily.every((row) => row.metric === 'filed' || row.metric === 'reached')).toBe(true);
      expect(totals.find((row) => row.metric === 'filed')?.count).toBe(5);
      expect(totals.find((row) => row.metric === 'reached' && row.key === 'approved')?.count).toBe(5);
      // One day alone, at either end of the stored ones.
      expect(filedOn((await statistics.tallies(TENANT, '2026-11-21', '2026-11-21')).daily)).toEqual({
        '2026-11-21': 1,
      });
      expect(filedOn((await statistics.tallies(TENANT, '2026-12-02', '2026-12-02')).daily)).toEqual({
        '2026-12-02': 1,
      });
    });

    it('moves a diagnosis between counters as it ends, and finds it by the start of its id', async () => {
      const { diagnoses, statistics } = await setUp();
      const record: DiagnosisRecord = {
        id: '1a2b3c4d-5e6f-4000-8000-000000000001',
        tenantId: TENANT,
        userId: 'u1',
        locale: 'en',
        entry: 'menu',
        startedAt: T0,
        updatedAt: T0,
        path: [],
        outcome: undefined,
        result: 'open',
        questionsAsked: 0,
        evidenceGaps: [],
        evidence: { facts: { hasOneMfaMethod: true }, methodKinds: ['phone'] },
      };
      await diagnoses.save(record);
      await diagnoses.save({ ...record, outcome: 'another-way', result: 'open', updatedAt: at(1) });
      await diagnoses.save({ ...record, outcome: 'another-way', result: 'resolved', updatedAt: at(2) });
      const { totals } = await statistics.tallies(TENANT, '2026-11-24', '2026-11-24');
      expect(totals.filter((row) => row.metric === 'diagnosis' && row.count !== 0)).toEqual([
        { day: '', metric: 'diagnosis', key: 'resolved|another-way', count: 1 },
      ]);
      expect((await diagnoses.findByIdPrefix(TENANT, '1A2B3C4D', 5)).map((found) => found.evidence)).toEqual([
        record.evidence,
      ]);
      expect(await diagnoses.findByIdPrefix(TENANT, '1a2b3c4e', 5)).toEqual([]);
      expect(await diagnoses.findByIdPrefix('other-tenant', '1a2b3c4d', 5)).toEqual([]);
    });
  });

  describe('overdue notices and record views', () => {
    it('lets one taker at a time hold a notice, takes a lapsed one over, and never hands out a sent one', async () => {
      const { requests, notices, countRows } = await setUp();
      /** The kinds of notice the table holds as sent for the request. */
      const sentFor = async (requestId: string) => {
        const sent: string[] = [];
        for (const kind of ['reminder', 'escalation']) {
          const where = `request_id = '${requestId}' AND kind = '${kind}' AND sent_at IS NOT NULL`;
          if ((await countRows('overdue_notices', where)) > 0) sent.push(kind);
        }
        return sent;
      };
      const request = await fileAndMove(requests, 's1', [{ to: 'pending_review' }]);
      const now = at(10);
      const later = at(11);
      expect((await notices.due('reminder', at(5), now, 10)).map((due) => due.id)).toEqual([request.id]);
      expect(await notices.due('reminder', at(0.5), now, 10)).toEqual([]);

      expect(await notices.take(request.id, 'reminder', 'one', now, later)).toBe(true);
      expect(await notices.take(request.id, 'reminder', 'two', now, later)).toBe(false);
      expect(await notices.due('reminder', at(5), now, 10)).toEqual([]);
      // The first taker died: once its lease ran out, another takes it over.
      expect((await notices.due('reminder', at(5), later, 10)).map((due) => due.id)).toEqual([request.id]);
      expect(await notices.take(request.id, 'reminder', 'two', later, at(12))).toBe(true);
      await notices.markSent(request.id, 'reminder', 'one', later);
      expect(await sentFor(request.id)).toEqual([]);
      await notices.markSent(request.id, 'reminder', 'two', later);
      expect(await sentFor(request.id)).toEqual(['reminder']);
      expect(await notices.take(request.id, 'reminder', 'three', at(20), at(21))).toBe(false);
      expect(await notices.due('reminder', at(5), at(20), 10)).toEqual([]);
      // The escalation is a notice of its own.
      expect((await notices.due('escalation', at(5), at(20), 10)).map((due) => due.id)).toEqual([request.id]);
    });

    it('records views and reads them back, oldest first', async () => {
      const { views } = await setUp();
      await views.record([
        { tenantId: TENANT, recordId: 'r1', viewerId: 'manager', audience: 'manager', route: 'team', at: T0 },
        { tenantId: TENANT, recordId: 'r1', viewerId: 'agent', audience: 'helpdesk', route: 'queue', at: at(1) },
      ]);
      expect((await views.viewsOf('r1')).map((view) => view.viewerId)).toEqual(['manager', 'agent']);
    });
  });
});
