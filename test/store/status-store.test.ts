import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/logging/create-logger.js';
import { closeDatabase } from '../../src/store/sqlite/group-commit.js';
import { migrations } from '../../src/store/sqlite/migrations.js';
import { openDatabase, type SqliteDatabase } from '../../src/store/sqlite/open-database.js';
import { SqliteRequestRepository } from '../../src/store/sqlite/sqlite-request-repository.js';
import { SqliteStatisticsRepository } from '../../src/store/sqlite/sqlite-statistics-repository.js';
import { SqliteViewLog } from '../../src/store/sqlite/sqlite-view-log.js';
import { tempSqlitePath } from '../support/bot-harness.js';
import { fileAndMove } from '../support/request-drafts.js';

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
    views: new SqliteViewLog(db),
  };
}

describe('statistics counters on SQLite', () => {
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

describe('record views on SQLite', () => {
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
