import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../../src/logging/create-logger.js';
import { openPool, type PostgresPool } from '../../../src/store/postgres/open-pool.js';
import { PostgresOverdueNoticeRepository } from '../../../src/store/postgres/postgres-overdue-notice-repository.js';
import { createTestDatabase, postgresTestServer, type TestDatabase } from '../../support/postgres-database.js';
import { insertRequests } from '../../support/postgres-rows.js';

const TENANT = 'tenant-1';
const HOUR = 3_600_000;
const T0 = new Date('2026-11-24T09:00:00.000Z');
const at = (hours: number) => new Date(T0.getTime() + hours * HOUR);

/** Two instances on one database: each its own pool and repository. */
let database: TestDatabase;
let pools: PostgresPool[] = [];
let notices: PostgresOverdueNoticeRepository;
let other: PostgresOverdueNoticeRepository;

describe.skipIf(postgresTestServer().url === undefined)('overdue notices on PostgreSQL', () => {
  beforeAll(async () => {
    database = await createTestDatabase();
    const settings = { url: database.url, poolSize: 6, statementTimeoutMs: 5_000, entraAuth: false };
    const silent = createLogger({ level: 'silent' });
    pools = [await openPool(settings, silent), await openPool(settings, silent)];
    notices = new PostgresOverdueNoticeRepository(pools[0]!);
    other = new PostgresOverdueNoticeRepository(pools[1]!);
  });

  afterAll(async () => {
    await Promise.all(pools.map((pool) => pool.end()));
    await database?.drop();
  });

  beforeEach(async () => {
    await pools[0]!.query('TRUNCATE overdue_notices, execution_jobs, requests');
  });

  async function sentKinds(requestId: string): Promise<string[]> {
    const { rows } = await pools[0]!.query<{ kind: string }>(
      'SELECT kind FROM overdue_notices WHERE request_id = $1 AND sent_at IS NOT NULL ORDER BY kind DESC',
      [requestId],
    );
    return rows.map((row) => row.kind);
  }

  describe('taken, then sent', () => {
    it('lets one taker at a time hold a notice, takes a lapsed one over, and never hands out a sent one', async () => {
      await insertRequests(pools[0]!, [
        { id: 'r1', tenantId: TENANT, state: 'pending_review', sequence: 1, pendingSince: at(1) },
      ]);
      const now = at(10);
      const later = at(11);
      expect((await notices.due('reminder', at(5), now, 10)).map((due) => due.id)).toEqual(['r1']);
      expect(await notices.due('reminder', at(0.5), now, 10)).toEqual([]);

      expect(await notices.take('r1', 'reminder', 'one', now, later)).toBe(true);
      expect(await notices.take('r1', 'reminder', 'two', now, later)).toBe(false);
      expect(await notices.due('reminder', at(5), now, 10)).toEqual([]);
      // The first taker died: once its lease ran out, another takes it over.
      expect((await notices.due('reminder', at(5), later, 10)).map((due) => due.id)).toEqual(['r1']);
      expect(await notices.take('r1', 'reminder', 'two', later, at(12))).toBe(true);
      await notices.markSent('r1', 'reminder', 'one', later);
      expect(await sentKinds('r1')).toEqual([]);
      await notices.markSent('r1', 'reminder', 'two', later);
      expect(await sentKinds('r1')).toEqual(['reminder']);
      expect(await notices.take('r1', 'reminder', 'three', at(20), at(21))).toBe(false);
      expect(await notices.due('reminder', at(5), at(20), 10)).toEqual([]);
      // The escalation is a notice of its own.
      expect((await notices.due('escalation', at(5), at(20), 10)).map((due) => due.id)).toEqual(['r1']);
    });

    it('lists the requests in review longest waiting first, as the request repository reads them', async () => {
      await insertRequests(pools[0]!, [
        { id: 'r1', tenantId: TENANT, state: 'pending_review', sequence: 1, pendingSince: at(3) },
        { id: 'r2', tenantId: TENANT, state: 'pending_review', sequence: 2, pendingSince: at(1) },
        { id: 'r3', tenantId: 'tenant-2', state: 'pending_review', sequence: 3, pendingSince: at(2) },
        { id: 'r4', tenantId: TENANT, state: 'approved', sequence: 4, pendingSince: at(0) },
        { id: 'r5', tenantId: TENANT, state: 'pending_review', sequence: 5, pendingSince: at(6) },
      ]);

      const due = await notices.due('reminder', at(5), at(10), 10);

      expect(due.map((request) => request.id)).toEqual(['r2', 'r3', 'r1']);
      expect(due[0]).toMatchObject({ tenantId: TENANT, state: 'pending_review', pendingSince: at(1), version: 1 });
      expect((await notices.due('reminder', at(5), at(10), 2)).map((request) => request.id)).toEqual(['r2', 'r3']);
    });
  });

  describe('with two instances at once', () => {
    it('gives each notice to one of two instances that take it at the same moment', async () => {
      const ids = Array.from({ length: 40 }, (_, index) => `r${index + 1}`);
      await insertRequests(
        pools[0]!,
        ids.map((id, index) => ({
          id,
          tenantId: TENANT,
          state: 'pending_review',
          sequence: index + 1,
          pendingSince: T0,
        })),
      );

      const outcomes = await Promise.all(
        ids.map(async (id) => {
          const [one, two] = await Promise.all([
            notices.take(id, 'reminder', 'one', at(10), at(11)),
            other.take(id, 'reminder', 'two', at(10), at(11)),
          ]);
          return { id, one, two };
        }),
      );

      for (const outcome of outcomes) expect([outcome.one, outcome.two].filter(Boolean)).toHaveLength(1);
      const { rows } = await pools[0]!.query<{ request_id: string; owner: string }>(
        "SELECT request_id, owner FROM overdue_notices WHERE kind = 'reminder'",
      );
      const owners = new Map(rows.map((row) => [row.request_id, row.owner]));
      for (const { id, one } of outcomes) expect(owners.get(id)).toBe(one ? 'one' : 'two');
    });

    it('gives a lapsed notice to one of two instances that take it over at the same moment, never a sent one', async () => {
      const ids = Array.from({ length: 20 }, (_, index) => `r${index + 1}`);
      await insertRequests(
        pools[0]!,
        ids.map((id, index) => ({
          id,
          tenantId: TENANT,
          state: 'pending_review',
          sequence: index + 1,
          pendingSince: T0,
        })),
      );
      for (const id of ids) expect(await notices.take(id, 'reminder', 'dead', at(10), at(11))).toBe(true);
      await notices.markSent('r1', 'reminder', 'dead', at(10.5));

      const outcomes = await Promise.all(
        ids.map((id) =>
          Promise.all([
            notices.take(id, 'reminder', 'one', at(12), at(13)),
            other.take(id, 'reminder', 'two', at(12), at(13)),
          ]),
        ),
      );

      expect(outcomes[0]).toEqual([false, false]);
      for (const outcome of outcomes.slice(1)) expect(outcome.filter(Boolean)).toHaveLength(1);
    });
  });
});
