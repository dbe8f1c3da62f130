import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import type { DiagnosisRecord } from '../../src/domain/ports.js';
import { emptyReview, type RequestState, type ResetRequest, type Review } from '../../src/domain/requests/request.js';
import { durationBucket } from '../../src/domain/requests/statistics.js';
import { createLogger } from '../../src/logging/create-logger.js';
import { closeDatabase } from '../../src/store/sqlite/group-commit.js';
import { migrations } from '../../src/store/sqlite/migrations.js';
import { openDatabase, type SqliteDatabase } from '../../src/store/sqlite/open-database.js';
import { SqliteDiagnosisRepository } from '../../src/store/sqlite/sqlite-diagnosis-repository.js';
import { SqliteOverdueNoticeRepository } from '../../src/store/sqlite/sqlite-overdue-notice-repository.js';
import { SqliteRequestRepository } from '../../src/store/sqlite/sqlite-request-repository.js';
import { SqliteStatisticsRepository } from '../../src/store/sqlite/sqlite-statistics-repository.js';
import { SqliteViewLog } from '../../src/store/sqlite/sqlite-view-log.js';
import { tempSqlitePath } from '../support/bot-harness.js';

const silent = createLogger({ level: 'silent' });
const TENANT = 'tenant-1';
const HOUR = 3_600_000;
const T0 = new Date('2026-11-24T09:00:00.000Z');
const at = (hours: number) => new Date(T0.getTime() + hours * HOUR);

const opened: SqliteDatabase[] = [];
afterEach(() => {
  for (const db of opened.splice(0)) if (db.open) closeDatabase(db);
});

function setUp(path = tempSqlitePath()) {
  const db = openDatabase(path, silent);
  opened.push(db);
  return {
    db,
    path,
    requests: new SqliteRequestRepository(db),
    statistics: new SqliteStatisticsRepository(db),
    notices: new SqliteOverdueNoticeRepository(db),
    views: new SqliteViewLog(db),
    diagnoses: new SqliteDiagnosisRepository(db),
  };
}

let sequence = 0;

/** Files a request for `subjectId` at `when`, moves it through `path`, each step an hour later. */
async function fileAndMove(
  repository: SqliteRequestRepository,
  subjectId: string,
  path: Array<{ to: RequestState; actor?: string; review?: Partial<Review> }>,
  when = T0,
): Promise<ResetRequest> {
  const id = `req-${++sequence}`;
  const created = await repository.create(
    {
      id,
      tenantId: TENANT,
      filerId: subjectId,
      application: {
        subjectId,
        reason: 'lostPhone',
        lostMethodIds: [],
        verification: 'videoCall',
        contact: '+81 3 0000 0000',
        note: '',
        diagnosisId: undefined,
      },
      state: 'submitted',
      review: emptyReview(),
      createdAt: when,
      updatedAt: when,
    },
    { requestId: id, tenantId: TENANT, actor: subjectId, at: when, from: null, to: 'submitted', reason: 'filed' },
    { dailyCap: 100, since: new Date(0) },
  );
  if (created.kind !== 'created') throw new Error(created.kind);
  let request = created.request;
  for (const [index, step] of path.entries()) {
    const stepAt = new Date(when.getTime() + (index + 1) * HOUR);
    const review = { ...request.review, ...step.review };
    const event = {
      requestId: id,
      tenantId: TENANT,
      actor: step.actor ?? 'system',
      at: stepAt,
      from: request.state,
      to: step.to,
      reason: 'moved',
    };
    expect(await repository.compareAndSet(id, request.version, step.to, stepAt, event, review)).toBe(true);
    request = (await repository.find(id))!;
  }
  return request;
}

describe('status queries on SQLite', () => {
  it("lists a manager's direct reports' requests, newest first, and nobody else's", async () => {
    const { requests } = setUp();
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
    const { requests } = setUp();
    const pending = await fileAndMove(requests, 's1', [{ to: 'pending_review' }]);
    const claimed = await fileAndMove(requests, 's2', [
      { to: 'pending_review' },
      { to: 'pending_review', actor: 'agent', review: { claimedBy: 'agent', claimedAt: at(2) } },
    ]);
    const waiting = await fileAndMove(requests, 's3', [{ to: 'awaiting_manager' }]);
    const approved = await fileAndMove(requests, 's4', [{ to: 'pending_review' }, { to: 'approved', actor: 'agent' }]);
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
    const { requests } = setUp();
    const claimed = await fileAndMove(requests, 's1', [
      { to: 'pending_review' },
      { to: 'pending_review', actor: 'agent', review: { claimedBy: 'agent' } },
    ]);
    expect(claimed.pendingSince).toEqual(at(1));
    const decided = await fileAndMove(requests, 's2', [{ to: 'pending_review' }, { to: 'approved', actor: 'a' }]);
    expect(decided.pendingSince).toBeUndefined();
  });
});

describe('statistics counters on SQLite', () => {
  it('counts filings, decisions and times in the transaction of each change', async () => {
    const { requests, statistics } = setUp();
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
      await requests.compareAndSet('req-missing', 1, 'approved', at(9), {
        requestId: 'req-missing',
        tenantId: TENANT,
        actor: 'x',
        at: at(9),
        from: 'pending_review',
        to: 'approved',
        reason: 'x',
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

  it('moves a diagnosis between counters as it ends, and finds it by the start of its id', async () => {
    const { diagnoses, statistics } = setUp();
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

  it('fills the counters from what an older database already holds when it is upgraded', async () => {
    const path = tempSqlitePath();
    const old = openDatabase(
      path,
      silent,
      migrations.filter((migration) => migration.version <= 5),
    );
    // Written the way version 5 wrote requests: its repository did not know the counters or the new columns.
    old.exec(`CREATE TABLE request_tallies (tenant_id TEXT, day TEXT, metric TEXT, key TEXT, count INTEGER,
      PRIMARY KEY (tenant_id, day, metric, key))`);
    old.exec('ALTER TABLE requests ADD COLUMN claimed_by TEXT; ALTER TABLE requests ADD COLUMN pending_since TEXT;');
    old.exec(
      'ALTER TABLE request_events ADD COLUMN key_id TEXT; ALTER TABLE request_events ADD COLUMN personal_digest TEXT;',
    );
    const oldRepository = new SqliteRequestRepository(old);
    await fileAndMove(oldRepository, 's1', [{ to: 'pending_review' }, { to: 'approved', actor: 'agent-a' }]);
    await fileAndMove(oldRepository, 's2', [{ to: 'pending_review' }]);
    old.exec(`INSERT INTO diagnoses (id, tenant_id, user_id, locale, entry, started_at, updated_at, path, outcome, result,
      questions_asked, evidence_gaps) VALUES ('d1', '${TENANT}', 'u1', 'en', 'menu', '${T0.toISOString()}',
      '${T0.toISOString()}', '[]', 'locked', 'resolved', 1, '[]')`);
    // Back to what version 5 had: no counters, no new columns.
    old.exec(
      'DROP TABLE request_tallies; ALTER TABLE requests DROP COLUMN claimed_by; ALTER TABLE requests DROP COLUMN pending_since;',
    );
    old.exec('ALTER TABLE request_events DROP COLUMN key_id; ALTER TABLE request_events DROP COLUMN personal_digest;');
    closeDatabase(old);

    const { requests, statistics } = setUp(path);
    const { totals } = await statistics.tallies(TENANT, '2026-11-24', '2026-11-24');
    const count = (metric: string, key = '') =>
      totals.find((row) => row.metric === metric && row.key === key)?.count ?? 0;
    expect(count('filed')).toBe(2);
    expect(count('decision', 'agent-a|approved')).toBe(1);
    expect(count('diagnosis', 'resolved|locked')).toBe(1);
    const waiting = (await requests.queue(TENANT, 5)).pendingReview.oldest;
    expect(waiting.map((request) => request.pendingSince)).toEqual([at(1)]);
  });
});

describe('overdue notices and record views on SQLite', () => {
  it('lets one taker at a time hold a notice, takes a lapsed one over, and never hands out a sent one', async () => {
    const { requests, notices, db } = setUp();
    const sentFor = (requestId: string) =>
      db
        .prepare<[string], string>(
          'SELECT kind FROM overdue_notices WHERE request_id = ? AND sent_at IS NOT NULL ORDER BY kind DESC',
        )
        .pluck()
        .all(requestId);
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
    expect(sentFor(request.id)).toEqual([]);
    await notices.markSent(request.id, 'reminder', 'two', later);
    expect(sentFor(request.id)).toEqual(['reminder']);
    expect(await notices.take(request.id, 'reminder', 'three', at(20), at(21))).toBe(false);
    expect(await notices.due('reminder', at(5), at(20), 10)).toEqual([]);
    // The escalation is a notice of its own.
    expect((await notices.due('escalation', at(5), at(20), 10)).map((due) => due.id)).toEqual([request.id]);
  });

  it('keeps views append-only', async () => {
    const { views, path, db } = setUp();
    await views.record([
      { tenantId: TENANT, recordId: 'r1', viewerId: 'manager', audience: 'manager', route: 'team', at: T0 },
      { tenantId: TENANT, recordId: 'r1', viewerId: 'agent', audience: 'helpdesk', route: 'queue', at: at(1) },
    ]);
    expect((await views.viewsOf('r1')).map((view) => view.viewerId)).toEqual(['manager', 'agent']);
    closeDatabase(db);
    const raw = new Database(path);
    try {
      expect(() => raw.prepare("DELETE FROM record_views WHERE viewer_id = 'manager'").run()).toThrow(/append-only/);
      expect(() => raw.prepare("UPDATE record_views SET viewer_id = 'x'").run()).toThrow(/append-only/);
    } finally {
      raw.close();
    }
  });
});
