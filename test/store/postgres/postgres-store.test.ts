import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DiagnosisRecord } from '../../../src/domain/ports.js';
import { EtagConflictError } from '../../../src/errors.js';
import { createLogger } from '../../../src/logging/create-logger.js';
import { auditKeyRing } from '../../../src/store/audit-chain.js';
import { openPostgresStore } from '../../../src/store/postgres/postgres-store.js';
import type { Store } from '../../../src/store/store.js';
import { MovableClock } from '../../support/in-memory-ports.js';
import { createTestDatabase, postgresTestServer, type TestDatabase } from '../../support/postgres-database.js';
import { insertRequests } from '../../support/postgres-rows.js';

const server = postgresTestServer();
const T0 = new Date('2026-11-24T09:00:00.000Z');
const at = (minutes: number) => new Date(T0.getTime() + minutes * 60_000);

/**
 * What the store contract (test/store/contract) does not reach on PostgreSQL: two instances on one database at the
 * same moment, and the repositories only PostgreSQL deployments share (the journal, the metrics' readings).
 */
describe.skipIf(server.url === undefined)('the PostgreSQL store shared by instances', () => {
  let database: TestDatabase;
  let first: Store;
  let second: Store;
  let raw: pg.Pool;
  const clock = new MovableClock();

  beforeAll(async () => {
    database = await createTestDatabase();
    const options = { auditKeys: auditKeyRing(randomBytes(32).toString('base64')), clock };
    const settings = { url: database.url, poolSize: 8, statementTimeoutMs: 5_000, entraAuth: false };
    const silent = createLogger({ level: 'silent' });
    first = await openPostgresStore(settings, silent, options);
    second = await openPostgresStore(settings, silent, options);
    raw = new pg.Pool({ connectionString: database.url, max: 2 });
  });
  afterAll(async () => {
    await Promise.all([first?.close(), second?.close(), raw?.end()]);
    await database?.drop();
  });

  it('lets exactly one of two instances write state from the same eTag', async () => {
    await first.state.write({ turn: { step: 0 } });
    const [fromFirst, fromSecond] = await Promise.all([first.state.read(['turn']), second.state.read(['turn'])]);
    const writes = await Promise.allSettled([
      first.state.write({ turn: { ...fromFirst.turn, step: 1 } }),
      second.state.write({ turn: { ...fromSecond.turn, step: 2 } }),
    ]);
    expect(writes.filter((write) => write.status === 'fulfilled')).toHaveLength(1);
    const [refused] = writes.filter((write) => write.status === 'rejected');
    expect((refused as PromiseRejectedResult).reason).toBeInstanceOf(EtagConflictError);
    expect((await first.state.read(['turn'])).turn).toMatchObject({ eTag: '2' });
  });

  it('counts a new diagnosis once when two instances save it at the same moment', async () => {
    const record: DiagnosisRecord = {
      id: '9f00aa11-2b3c-4d5e-8f60-000000000001',
      tenantId: 'tenant-diagnoses',
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
    };
    await Promise.all([first.diagnoses.save(record), second.diagnoses.save({ ...record, questionsAsked: 1 })]);
    const { totals } = await first.statistics.tallies('tenant-diagnoses', '2026-11-24', '2026-11-24');
    expect(totals).toEqual([{ day: '', metric: 'diagnosis', key: 'open|', count: 1 }]);
    expect(await second.diagnoses.find(record.id)).toMatchObject({ id: record.id, startedAt: T0 });
  });

  it("keeps the simulated directory's changes for every instance, and refuses a row it cannot read", async () => {
    const changes = { removedMethodIds: ['m-1'], createdPasses: [], revokedAt: [at(1)] };
    await first.simulatedDirectoryJournal.save('user-journal', changes);
    const pass = { id: 'tap-1', startDateTime: at(2), lifetimeInMinutes: 60 };
    await second.simulatedDirectoryJournal.save('user-journal', { ...changes, createdPasses: [pass] });
    expect((await first.simulatedDirectoryJournal.load()).get('user-journal')).toEqual({
      ...changes,
      createdPasses: [pass],
    });
    await raw.query(
      `INSERT INTO simulated_directory_changes (user_id, changes, updated_at) VALUES ('user-broken', 'not json', now())`,
    );
    await expect(first.simulatedDirectoryJournal.load()).rejects.toThrow(
      "The simulated directory's saved changes for user-broken cannot be read.",
    );
    await raw.query(`DELETE FROM simulated_directory_changes WHERE user_id = 'user-broken'`);
  });

  it('reads what the metrics show: open requests by state, the longest wait, and the busiest tenant this hour', async () => {
    const readings = first.operationsReadings(['tenant-a', 'tenant-b']);
    expect(await readings.oldestPendingReviewSince()).toBeUndefined();
    await insertRequests(raw, [
      { id: 'r-1', tenantId: 'tenant-a', state: 'pending_review', sequence: 101, pendingSince: at(5) },
      { id: 'r-2', tenantId: 'tenant-a', state: 'pending_review', sequence: 102, pendingSince: at(3) },
      { id: 'r-3', tenantId: 'tenant-b', state: 'executing', sequence: 103 },
      { id: 'r-4', tenantId: 'tenant-b', state: 'completed', sequence: 104 },
    ]);
    const started = (sequence: number, requestId: string, tenantId: string, when: Date) =>
      raw.query(
        `INSERT INTO request_events (sequence, request_id, tenant_id, actor, at, from_state, to_state, reason,
                                     previous_hash, hash)
         VALUES ($1, $2, $3, 'system', $4, 'approved', 'executing', 'started', 'p', 'h')`,
        [sequence, requestId, tenantId, when],
      );
    await started(1001, 'r-3', 'tenant-b', at(10));
    await started(1002, 'r-4', 'tenant-b', at(20));
    await started(1003, 'r-1', 'tenant-a', at(30));
    await started(1004, 'r-9', 'tenant-other', at(30));
    await started(1005, 'r-8', 'tenant-other', at(31));
    await started(1006, 'r-7', 'tenant-other', at(32));

    expect(await readings.openRequestsByState()).toMatchObject({ pending_review: 2, executing: 1, submitted: 0 });
    expect(await readings.openRequestsByState()).not.toHaveProperty('completed');
    expect(await readings.oldestPendingReviewSince()).toEqual(at(3));
    // Tenants outside the list do not count; starts before `since` do not either.
    expect(await readings.mostExecutionsStartedSince(at(0))).toBe(2);
    expect(await readings.mostExecutionsStartedSince(at(15))).toBe(1);
    expect(await readings.mostExecutionsStartedSince(at(40))).toBe(0);
  });

  it('answers readiness while the database serves, and not once it is gone', async () => {
    await expect(first.health.check()).resolves.toBeUndefined();
    const gone = await openPostgresStore(
      { url: database.url, poolSize: 1, statementTimeoutMs: 5_000, entraAuth: false },
      createLogger({ level: 'silent' }),
      { auditKeys: auditKeyRing(randomBytes(32).toString('base64')), clock },
    );
    await gone.close();
    await expect(gone.health.check()).rejects.toThrow();
  });
});
