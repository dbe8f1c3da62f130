import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { RequestDraft } from '../../../src/domain/requests/ports.js';
import { REQUEST_STATES, type RequestState, type ResetRequest } from '../../../src/domain/requests/request.js';
import { CHAIN_PROBLEMS, auditKeyRing, hashEvent } from '../../../src/store/audit-chain.js';
import { PostgresAuditTrail } from '../../../src/store/postgres/postgres-audit-trail.js';
import { PostgresRequestRepository, QUEUE_GROUP_SQL } from '../../../src/store/postgres/postgres-request-repository.js';
import { openPostgresInstances, type PostgresInstances } from '../../support/postgres-instances.js';
import {
  MORNING,
  TENANT,
  TODAY,
  changeEvent,
  draftFor,
  moveThrough,
  submittedEvent,
} from '../../support/request-drafts.js';

const HOUR = 3_600_000;

/** The top of a plan as EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) gives it: pages found in memory and read. */
interface PlanNode {
  'Shared Hit Blocks': number;
  'Shared Read Blocks': number;
}
const keys = auditKeyRing('Zm9yLXRlc3RzLW9ubHktbm90LWEtcmVhbC1hdWRpdC1rZXk=');

let instances: PostgresInstances;
/** Two instances' repositories on one database. */
let repository: PostgresRequestRepository;
let other: PostgresRequestRepository;

beforeAll(async () => {
  instances = await openPostgresInstances();
});
afterAll(async () => {
  await instances?.close();
});
beforeEach(async () => {
  await instances.reset();
  repository = new PostgresRequestRepository(instances.pools[0], new PostgresAuditTrail(instances.pools[0], keys));
  other = new PostgresRequestRepository(instances.pools[1], new PostgresAuditTrail(instances.pools[1], keys));
});

async function count(table: 'requests' | 'request_events' | 'execution_jobs' | 'request_tallies'): Promise<number> {
  const { rows } = await instances.pools[0].query<{ count: string }>(`SELECT COUNT(*) AS count FROM ${table}`);
  return Number(rows[0]!.count);
}

/** Files a request and returns it, failing the test if the store refused it. */
async function file(draft: RequestDraft, limits = TODAY): Promise<ResetRequest> {
  const result = await repository.create(draft, submittedEvent(draft), limits);
  if (result.kind !== 'created') throw new Error(`expected created, got ${result.kind}`);
  return result.request;
}

/** Moves a request through `states` in order, one compare-and-set each. */
function move(request: ResetRequest, ...states: RequestState[]): Promise<ResetRequest> {
  return moveThrough(repository, request, MORNING, ...states);
}

describe('PostgreSQL request repository', () => {
  describe('creating requests', () => {
    it('stores a request in every state the domain knows, and the schema refuses any other', async () => {
      for (const state of REQUEST_STATES) {
        const request = await file(draftFor(`subject-${state}`, { filerId: `filer-${state}`, state }));
        expect((await repository.find(request.id))!.state).toBe(state);
      }
      await expect(instances.pools[0].query("UPDATE requests SET state = 'lost' WHERE sequence = 1")).rejects.toThrow(
        /check constraint/,
      );
    });

    it("lists a person's requests as subject or filer, and a manager's reports' requests, newest first", async () => {
      const own = await file(draftFor('manager'));
      const filed = await file(draftFor('report-1', { filerId: 'manager' }));
      const stranger = await file(draftFor('stranger'));
      const report = await file(draftFor('report-2'));

      expect((await repository.listForPerson(TENANT, 'manager', 10)).map((r) => r.id)).toEqual([filed.id, own.id]);
      const team = await repository.listBySubjects(TENANT, ['report-1', 'report-2', 'report-3'], 10);
      expect(team.map((request) => request.id)).toEqual([report.id, filed.id]);
      expect(await repository.listBySubjects(TENANT, ['report-1', 'report-2'], 1)).toHaveLength(1);
      expect(await repository.listBySubjects('other-tenant', ['report-1'], 10)).toEqual([]);
      expect(await repository.listBySubjects(TENANT, [], 10)).toEqual([]);
      expect(team.some((request) => request.id === stranger.id)).toBe(false);
    });
  });

  describe('one open request per subject', () => {
    it('stores exactly one of 20 requests for one subject submitted at once on two instances', async () => {
      const drafts = Array.from({ length: 20 }, (_, i) => draftFor('subject-a', { filerId: `filer-${i}` }));
      await instances.warm();

      const results = await Promise.all(
        drafts.map((draft, i) => (i % 2 === 0 ? repository : other).create(draft, submittedEvent(draft), TODAY)),
      );

      expect(results.filter((result) => result.kind === 'created')).toHaveLength(1);
      expect(results.filter((result) => result.kind === 'subjectHasOpenRequest')).toHaveLength(19);
      expect([await count('requests'), await count('request_events')]).toEqual([1, 1]);
      expect(await repository.verifyAuditChain()).toEqual({ ok: true, events: 1 });
    });
  });

  describe('daily cap per filer', () => {
    it('lets no more than the cap through when one filer files for ten people on two instances at once', async () => {
      const limits = { ...TODAY, dailyCap: 3 };
      const drafts = Array.from({ length: 10 }, (_, i) => draftFor(`s${i}`, { filerId: 'manager' }));
      await instances.warm();

      const results = await Promise.all(
        drafts.map((draft, i) => (i % 2 === 0 ? repository : other).create(draft, submittedEvent(draft), limits)),
      );

      expect(results.filter((result) => result.kind === 'created')).toHaveLength(3);
      expect(results.filter((result) => result.kind === 'filerCapReached')).toHaveLength(7);
      expect(await count('requests')).toBe(3);
    });
  });

  it('numbers 40 requests filed at once on two instances SIH-000001 to SIH-000040, without gaps or duplicates', async () => {
    const drafts = Array.from({ length: 40 }, (_, i) => draftFor(`subject-${i}`));
    // A filing refused on the way does not use up a number.
    await file(draftFor('subject-0', { filerId: 'early' }));
    const refused = draftFor('subject-0', { filerId: 'late' });
    await instances.warm();

    const results = await Promise.all([
      ...drafts
        .slice(1)
        .map((draft, i) => (i % 2 === 0 ? repository : other).create(draft, submittedEvent(draft), TODAY)),
      other.create(refused, submittedEvent(refused), TODAY),
    ]);

    expect(results.filter((result) => result.kind === 'created')).toHaveLength(39);
    const { rows } = await instances.pools[0].query<{ reference: string }>(
      'SELECT reference FROM requests ORDER BY sequence',
    );
    expect(rows.map((row) => row.reference)).toEqual(
      Array.from({ length: 40 }, (_, i) => `SIH-${String(i + 1).padStart(6, '0')}`),
    );
    expect(await repository.verifyAuditChain()).toEqual({ ok: true, events: 40 });
  });

  it('takes a burst of every kind of write from two instances at once without deadlock, the chain gapless', async () => {
    const HOUR_AGO = new Date(MORNING.getTime() - HOUR);
    const pending: ResetRequest[] = [];
    const approved: ResetRequest[] = [];
    for (let i = 0; i < 10; i++) pending.push(await move(await file(draftFor(`pending-${i}`)), 'pending_review'));
    for (let i = 0; i < 10; i++)
      approved.push(await move(await file(draftFor(`approved-${i}`)), 'pending_review', 'approved'));
    const before = await count('request_events');
    await instances.warm();

    const writes = await Promise.allSettled([
      ...Array.from({ length: 20 }, (_, i) => {
        const draft = draftFor(`new-${i % 10}`, { filerId: `filer-${i % 3}` });
        return (i % 2 === 0 ? repository : other).create(draft, submittedEvent(draft), { ...TODAY, dailyCap: 100 });
      }),
      ...pending.map((request, i) => {
        const to = i % 2 === 0 ? 'approved' : 'rejected';
        const change = {
          id: request.id,
          expectedVersion: request.version,
          to,
          at: MORNING,
          event: changeEvent(request, to, `agent-${i}`),
        } as const;
        return (i % 2 === 0 ? other : repository).compareAndSet(change);
      }),
      ...approved.map((request, i) =>
        (i % 2 === 0 ? repository : other).startExecution(
          request.id,
          request.version,
          MORNING,
          changeEvent(request, 'executing'),
          { limit: 4, since: HOUR_AGO },
        ),
      ),
      ...Array.from({ length: 10 }, (_, i) =>
        (i % 2 === 0 ? other : repository).appendEvent({
          ...changeEvent(pending[i]!, 'refused'),
          reason: `refused ${i}`,
        }),
      ),
    ]);

    expect(writes.filter((write) => write.status === 'rejected')).toEqual([]);
    const values = writes.map((write) => (write as PromiseFulfilledResult<unknown>).value);
    const created = values.slice(0, 20).filter((value) => (value as { kind: string }).kind === 'created');
    expect(created).toHaveLength(10);
    expect(values.slice(20, 30)).toEqual(Array.from({ length: 10 }, () => true));
    expect(values.slice(30, 40).filter((value) => value === 'started')).toHaveLength(4);
    // Ten filings, ten decisions, four starts and ten refusals.
    expect(await other.verifyAuditChain()).toEqual({ ok: true, events: before + 34 });
    expect(await count('execution_jobs')).toBe(15);
  });

  describe('compare-and-set', () => {
    it('lets exactly one of ten changes from the same version through, on two instances, with one event', async () => {
      const request = await file(draftFor('subject-a'));
      const targets: RequestState[] = ['pending_review', 'cancelled', 'rejected', 'expired', 'awaiting_manager'];
      await instances.warm();

      const results = await Promise.all(
        Array.from({ length: 10 }, (_, i) => {
          const to = targets[i % targets.length]!;
          const change = {
            id: request.id,
            expectedVersion: 1,
            to,
            at: MORNING,
            event: changeEvent(request, to, `agent-${i}`),
          };
          return (i % 2 === 0 ? repository : other).compareAndSet(change);
        }),
      );

      expect(results.filter(Boolean)).toHaveLength(1);
      const winner = results.indexOf(true);
      expect(await count('request_events')).toBe(2);
      expect(await repository.find(request.id)).toMatchObject({ version: 2, state: targets[winner % targets.length] });
      expect((await repository.eventsOf(request.id)).at(-1)).toMatchObject({ actor: `agent-${winner}` });
      expect(await repository.verifyAuditChain()).toEqual({ ok: true, events: 2 });
    });
  });

  describe('approval and its execution job', () => {
    it('writes the job with the approval, and a retry after a failure starts its attempts again', async () => {
      const approved = await move(await file(draftFor('subject-a')), 'pending_review', 'approved');
      const job = () =>
        instances.pools[1].query<{ status: string; attempts: number; progress: string }>(
          'SELECT status, attempts, progress FROM execution_jobs WHERE request_id = $1',
          [approved.id],
        );
      expect((await job()).rows).toEqual([{ status: 'pending', attempts: 0, progress: '{}' }]);

      await instances.pools[0].query(
        `UPDATE execution_jobs SET status = 'failed', attempts = 5, progress = '{"sessionsRevoked":true}' WHERE request_id = $1`,
        [approved.id],
      );
      await move(approved, 'executing', 'failed', 'approved');
      expect((await job()).rows).toEqual([{ status: 'pending', attempts: 0, progress: '{"sessionsRevoked":true}' }]);
    });

    it.each([
      ['the job cannot be written', 'execution_jobs'],
      ['the event cannot be appended', 'request_events'],
    ])('leaves neither the approval, its event, its job nor its counters when %s', async (_what, table) => {
      const pending = await move(await file(draftFor('subject-a')), 'pending_review');
      const trail = await repository.eventsOf(pending.id);
      const tallies = await count('request_tallies');
      await instances.pools[0].query(
        `CREATE FUNCTION fail_insert() RETURNS trigger LANGUAGE plpgsql AS $$
         BEGIN RAISE EXCEPTION 'injected: the row could not be written'; END $$;
         CREATE TRIGGER fail_insert BEFORE INSERT ON ${table} FOR EACH ROW EXECUTE FUNCTION fail_insert();`,
      );
      const approve = () =>
        repository.compareAndSet({
          id: pending.id,
          expectedVersion: pending.version,
          to: 'approved',
          at: MORNING,
          event: changeEvent(pending, 'approved'),
        });
      try {
        await expect(approve()).rejects.toThrow(/injected/);
      } finally {
        await instances.pools[0].query(`DROP TRIGGER fail_insert ON ${table}; DROP FUNCTION fail_insert();`);
      }

      // Seen from the other instance: nothing of it happened.
      expect(await other.find(pending.id)).toStrictEqual(pending);
      expect(await other.eventsOf(pending.id)).toEqual(trail);
      expect([await count('execution_jobs'), await count('request_tallies')]).toEqual([0, tallies]);
      // The rolled-back event used up no sequence number: the next one follows on.
      expect(await approve()).toBe(true);
      expect(await count('execution_jobs')).toBe(1);
      expect(await repository.verifyAuditChain()).toEqual({ ok: true, events: 3 });
    });
  });

  describe('status queries', () => {
    it('lists requests unchanged since a time, oldest change first, and counts completed resets', async () => {
      const at = (hours: number) => new Date(MORNING.getTime() + hours * HOUR);
      const old = await file(draftFor('s1', { at: at(0) }));
      const newer = await file(draftFor('s2', { at: at(1) }));
      await file(draftFor('s3', { at: at(3) }));
      const awaiting = await file(draftFor('s4', { at: at(0.5), state: 'awaiting_manager' }));

      expect((await repository.listUnchangedSince(['submitted'], at(2), 10)).map((r) => r.id)).toEqual([
        old.id,
        newer.id,
      ]);
      expect(
        (await repository.listUnchangedSince(['submitted', 'awaiting_manager'], at(2), 2)).map((r) => r.id),
      ).toEqual([old.id, awaiting.id]);
      expect(await repository.countCompletedSince(TENANT, 's1', at(-1))).toBe(0);
      await move(old, 'pending_review', 'approved', 'executing', 'completed');
      // `move` changes at MORNING (at(0)).
      expect(await repository.countCompletedSince(TENANT, 's1', at(0))).toBe(1);
      expect(await repository.countCompletedSince(TENANT, 's1', at(0.1))).toBe(0);
      expect(await repository.countCompletedSince('tenant-2', 's1', at(-1))).toBe(0);
    });
  });

  describe('the queue among many finished requests', () => {
    it('reads the open requests alone, not every request before them', async () => {
      // 399,000 finished requests, then a thousand open, half of them claimed, as in a tenant's second year.
      // Planned without an index of the open requests alone, a section walked every request in sequence order
      // (670 ms at a million).
      await instances.pools[0].query(
        `INSERT INTO requests (id, reference, sequence, tenant_id, filer_id, subject_id, state, version, application,
                               created_at, updated_at)
         SELECT 'old-' || n, 'SIH-OLD-' || n, n, $1, 'f-' || n, 's-' || n,
                CASE WHEN n <= 399000 THEN 'completed' ELSE 'pending_review' END, 1, '{}', $2, $2
           FROM generate_series(1, 400000) AS n`,
        [TENANT, MORNING],
      );
      await instances.pools[0].query("UPDATE requests SET claimed_by = 'agent' WHERE sequence > 399500");
      await instances.pools[0].query('ANALYZE requests');

      const queue = await repository.queue(TENANT, 8);
      expect(queue.pendingReview.count).toBe(500);
      expect(queue.pendingReview.oldest.map((request) => request.id)).toEqual(
        Array.from({ length: 8 }, (_, n) => `old-${399_001 + n}`),
      );
      expect(queue.claimed.oldest[0]!.id).toBe('old-399501');
      for (const sql of Object.values(QUEUE_GROUP_SQL)) {
        const { rows } = await instances.pools[0].query<{ 'QUERY PLAN': [{ Plan: PlanNode }] }>(
          `EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) ${sql}`,
          [TENANT, 8],
        );
        const plan = rows[0]!['QUERY PLAN'][0].Plan;
        // A few index and table pages, not the thousands of pages of the finished requests.
        expect(plan['Shared Hit Blocks'] + plan['Shared Read Blocks']).toBeLessThan(50);
      }
    }, 60_000);
  });

  describe('starting an execution within the hourly cap', () => {
    const HOUR_AGO = new Date(MORNING.getTime() - HOUR);
    const start = (
      repo: PostgresRequestRepository,
      request: ResetRequest,
      limit: number,
      at = MORNING,
      since = HOUR_AGO,
    ) =>
      repo.startExecution(
        request.id,
        request.version,
        at,
        { ...changeEvent(request, 'executing'), at },
        { limit, since },
      );

    it('starts no more than the cap when two instances start twelve at the same moment', async () => {
      const approved: ResetRequest[] = [];
      for (let i = 0; i < 12; i++)
        approved.push(await move(await file(draftFor(`subject-${i}`)), 'pending_review', 'approved'));
      const events = await count('request_events');
      await instances.warm();

      const results = await Promise.all(
        approved.map((request, index) => start(index % 2 === 0 ? repository : other, request, 3)),
      );

      expect(results.filter((result) => result === 'started')).toHaveLength(3);
      expect(results.filter((result) => result === 'capped')).toHaveLength(9);
      const states = await Promise.all(approved.map(async (request) => (await repository.find(request.id))!.state));
      expect(states.filter((state) => state === 'executing')).toHaveLength(3);
      // A start at the cap writes nothing: no event, no version.
      expect(await count('request_events')).toBe(events + 3);
      expect(await repository.verifyAuditChain()).toEqual({ ok: true, events: events + 3 });
    });
  });

  describe('audit trail', () => {
    it('is append-only: the database refuses to change, delete or truncate an event', async () => {
      const request = await file(draftFor('subject-a'));
      const pool = instances.pools[0];
      await expect(pool.query("UPDATE request_events SET reason = 'rewritten'")).rejects.toThrow(/append-only/);
      await expect(pool.query('DELETE FROM request_events')).rejects.toThrow(/append-only/);
      await expect(pool.query('TRUNCATE request_events')).rejects.toThrow(/append-only/);
      expect(await repository.eventsOf(request.id)).toEqual([submittedEvent(request)]);
    });

    it('keeps 50 events appended at once from two instances gapless, each chained to the one before', async () => {
      const request = await file(draftFor('subject-a'));
      await instances.warm();
      await Promise.all(
        Array.from({ length: 50 }, (_, i) =>
          (i % 2 === 0 ? repository : other).appendEvent({
            ...changeEvent(request, 'refused'),
            reason: `refusal ${i}`,
          }),
        ),
      );
      const { rows } = await instances.pools[0].query<{ sequence: string }>(
        'SELECT sequence FROM request_events ORDER BY sequence',
      );
      expect(rows.map((row) => Number(row.sequence))).toEqual(Array.from({ length: 51 }, (_, i) => i + 1));
      expect(await other.verifyAuditChain()).toEqual({ ok: true, events: 51 });
    });

    /** Events 1..5: a submitted, b submitted, a pending_review, a approved, b rejected. */
    const trail = async () => {
      const a = await file(draftFor('subject-a'));
      const b = await file(draftFor('subject-b'));
      await move(a, 'pending_review', 'approved');
      await move(b, 'rejected');
      expect(await repository.verifyAuditChain()).toEqual({ ok: true, events: 5 });
    };

    it.each([
      ['reason', "'looked fine to me'"],
      ['actor', "'aad-someone-else'"],
      ['at', "'2026-11-20T09:00:00.000Z'"],
      ['to_state', "'rejected'"],
      ['request_id', "'req-other'"],
    ])('detects an edited %s at the event that was edited', async (column, value) => {
      await trail();
      await instances.asAttacker(`UPDATE request_events SET ${column} = ${value} WHERE sequence = 3`);
      expect(await repository.verifyAuditChain()).toEqual({
        ok: false,
        events: 3,
        brokenAt: 3,
        problem: CHAIN_PROBLEMS.content,
      });
    });

    it('detects an event deleted from the middle', async () => {
      await trail();
      await instances.asAttacker('DELETE FROM request_events WHERE sequence = 3');
      expect(await repository.verifyAuditChain()).toMatchObject({
        ok: false,
        brokenAt: 4,
        problem: CHAIN_PROBLEMS.gap,
      });
    });

    it('detects an event rewritten with a recomputed hash at that event: without the audit key no hash fits', async () => {
      await trail();
      const { rows } = await instances.asAttacker('SELECT * FROM request_events WHERE sequence = 3');
      const row = rows[0] as Record<string, any>;
      const forged = {
        requestId: row.request_id,
        tenantId: row.tenant_id,
        actor: 'aad-someone-else',
        at: (row.at as Date).toISOString(),
        from: row.from_state,
        to: row.to_state,
        reason: row.reason,
      };
      await instances.asAttacker('UPDATE request_events SET actor = $1, hash = $2 WHERE sequence = 3', [
        forged.actor,
        hashEvent(row.previous_hash, 3, forged),
      ]);
      expect(await repository.verifyAuditChain()).toEqual({
        ok: false,
        events: 3,
        brokenAt: 3,
        problem: CHAIN_PROBLEMS.content,
      });
    });

    it('detects the newest events deleted, once the next event is written', async () => {
      await trail();
      await instances.asAttacker('DELETE FROM request_events WHERE sequence >= 4');
      await file(draftFor('subject-c'));
      expect(await repository.verifyAuditChain()).toMatchObject({
        ok: false,
        brokenAt: 6,
        problem: CHAIN_PROBLEMS.gap,
      });
    });
  });
});
