import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { AuditTrailUnavailableError, describeVerification, verifyAuditTrail } from '../../scripts/audit-verify.js';
import type { RequestDraft, SubmissionLimits } from '../../src/domain/requests/ports.js';
import {
  REQUEST_STATES,
  emptyReview,
  type AuditEvent,
  type RequestState,
  type ResetRequest,
} from '../../src/domain/requests/request.js';
import { createLogger } from '../../src/logging/create-logger.js';
import { projectPath, projectRoot } from '../../src/project-root.js';
import { CHAIN_PROBLEMS, hashEvent } from '../../src/store/audit-chain.js';
import { migrations } from '../../src/store/sqlite/migrations.js';
import { openDatabase, type SqliteDatabase } from '../../src/store/sqlite/open-database.js';
import { SqliteRequestRepository } from '../../src/store/sqlite/sqlite-request-repository.js';
import { tempSqlitePath } from '../support/bot-harness.js';
import { LOCAL_ENV } from '../support/child-bot.js';

const silent = createLogger({ level: 'silent' });
const TENANT = 'tenant-1';
const MORNING = new Date('2026-11-24T09:00:00.000Z');
const TODAY: SubmissionLimits = { dailyCap: 5, since: new Date('2026-11-24T00:00:00.000Z') };

let ids = 0;

/** A new request for `subjectId`, filed by `filerId`, at `at`. */
function draftFor(
  subjectId: string,
  options: { filerId?: string; tenantId?: string; at?: Date; state?: RequestState } = {},
): RequestDraft {
  const at = options.at ?? MORNING;
  return {
    id: `req-${++ids}`,
    tenantId: options.tenantId ?? TENANT,
    filerId: options.filerId ?? subjectId,
    application: {
      subjectId,
      reason: 'lostPhone',
      lostMethodIds: ['method-1'],
      verification: 'videoCall',
      contact: '+81 3 0000 0000',
      note: 'Phone fell into the river.',
      diagnosisId: undefined,
    },
    state: options.state ?? 'submitted',
    review: emptyReview(),
    createdAt: at,
    updatedAt: at,
  };
}

/** The event a caller writes with a new request. */
function submittedEvent(draft: RequestDraft): AuditEvent {
  return {
    requestId: draft.id,
    tenantId: draft.tenantId,
    actor: draft.filerId,
    at: draft.createdAt,
    from: null,
    to: draft.state,
    reason: 'filed',
  };
}

function changeEvent(request: ResetRequest, to: AuditEvent['to'], actor = 'aad-agent'): AuditEvent {
  return {
    requestId: request.id,
    tenantId: request.tenantId,
    actor,
    at: MORNING,
    from: request.state,
    to,
    reason: `moved to ${to}`,
  };
}

describe('SQLite request repository', () => {
  const opened: SqliteDatabase[] = [];
  afterEach(() => {
    for (const db of opened.splice(0)) if (db.open) db.close();
  });

  const setUp = (path = tempSqlitePath()) => {
    const db = openDatabase(path, silent);
    opened.push(db);
    const repository = new SqliteRequestRepository(db);
    const count = (table: 'requests' | 'request_events') =>
      db.prepare(`SELECT COUNT(*) FROM ${table}`).pluck().get() as number;
    /** Files a request and returns it, failing the test if the store refused it. */
    const file = async (draft: RequestDraft, limits = TODAY): Promise<ResetRequest> => {
      const result = await repository.create(draft, submittedEvent(draft), limits);
      if (result.kind !== 'created') throw new Error(`expected created, got ${result.kind}`);
      return result.request;
    };
    /** Moves a request through `states` in order, one compare-and-set each. */
    const move = async (request: ResetRequest, ...states: RequestState[]): Promise<ResetRequest> => {
      let current = request;
      for (const to of states) {
        expect(await repository.compareAndSet(current.id, current.version, to, MORNING, changeEvent(current, to))).toBe(
          true,
        );
        current = (await repository.find(current.id))!;
      }
      return current;
    };
    return { db, path, repository, count, file, move };
  };

  /** Changes the file the way someone with access to it could: another connection, triggers dropped. */
  const tamper = (path: string, sql: string, ...params: unknown[]) => {
    const attacker = new Database(path);
    attacker.exec('DROP TRIGGER IF EXISTS request_events_no_update; DROP TRIGGER IF EXISTS request_events_no_delete;');
    attacker.prepare(sql).run(...params);
    attacker.close();
  };

  describe('creating requests', () => {
    it('assigns SIH-000001, SIH-000002 in order with version 1, and records one event from nothing', async () => {
      const { repository, count } = setUp();
      const first = draftFor('subject-a');
      const second = draftFor('subject-b', { state: 'awaiting_manager' });

      const a = await repository.create(first, submittedEvent(first), TODAY);
      const b = await repository.create(second, submittedEvent(second), TODAY);

      expect(a).toEqual({ kind: 'created', request: { ...first, reference: 'SIH-000001', version: 1 } });
      expect(b).toEqual({ kind: 'created', request: { ...second, reference: 'SIH-000002', version: 1 } });
      expect(await repository.eventsOf(first.id)).toEqual([submittedEvent(first)]);
      expect(await repository.eventsOf(second.id)).toEqual([
        {
          requestId: second.id,
          tenantId: TENANT,
          actor: second.filerId,
          at: MORNING,
          from: null,
          to: 'awaiting_manager',
          reason: 'filed',
        },
      ]);
      expect(count('request_events')).toBe(2);
      expect(await repository.verifyAuditChain()).toEqual({ ok: true, events: 2 });
    });

    it('reads back exactly what it stored, by id and by reference within the tenant', async () => {
      const { repository, file } = setUp();
      const draft = draftFor('subject-a');
      draft.application.diagnosisId = 'diag-7';
      const created = await file(draft);
      const plain = await file(draftFor('subject-b'));

      expect(await repository.find(created.id)).toStrictEqual(created);
      expect(await repository.find(plain.id)).toStrictEqual(plain);
      expect((await repository.find(plain.id))!.application).toHaveProperty('diagnosisId', undefined);
      expect(await repository.findByReference(TENANT, 'SIH-000001')).toStrictEqual(created);
      expect(await repository.findByReference('tenant-2', 'SIH-000001')).toBeUndefined();
      expect(await repository.find('req-unknown')).toBeUndefined();
    });

    it('stores a request in every state the domain knows, and the schema refuses any other', async () => {
      const { db, repository, file } = setUp();
      for (const state of REQUEST_STATES) {
        const request = await file(draftFor(`subject-${state}`, { filerId: `filer-${state}`, state }));
        expect((await repository.find(request.id))!.state).toBe(state);
      }
      expect(() => db.prepare("UPDATE requests SET state = 'lost' WHERE sequence = 1").run()).toThrow(/CHECK/);
    });

    it("records the request's own id and state in its first event, whatever the caller's event said", async () => {
      const { repository } = setUp();
      const draft = draftFor('subject-a');
      await repository.create(draft, { ...submittedEvent(draft), requestId: 'other', to: 'approved' }, TODAY);
      expect(await repository.eventsOf(draft.id)).toEqual([submittedEvent(draft)]);
    });

    it('lists a subject’s requests newest first, up to the limit, within the tenant', async () => {
      const { repository, file, move } = setUp();
      const first = await move(await file(draftFor('subject-a')), 'cancelled');
      const second = await move(await file(draftFor('subject-a')), 'rejected');
      const third = await file(draftFor('subject-a'));
      await file(draftFor('subject-a', { tenantId: 'tenant-2' }));
      await file(draftFor('subject-b'));

      expect(await repository.listBySubject(TENANT, 'subject-a', 10)).toStrictEqual([third, second, first]);
      expect(await repository.listBySubject(TENANT, 'subject-a', 2)).toStrictEqual([third, second]);
      expect(await repository.listBySubject(TENANT, 'nobody', 10)).toEqual([]);
    });
  });

  describe('one open request per subject', () => {
    it('refuses a second request for the same subject, even from another filer, and writes nothing', async () => {
      const { repository, count, file } = setUp();
      const existing = await file(draftFor('subject-a'));
      const again = draftFor('subject-a', { filerId: 'manager-of-a' });

      expect(await repository.create(again, submittedEvent(again), TODAY)).toEqual({
        kind: 'subjectHasOpenRequest',
        existing,
      });
      expect(await repository.find(again.id)).toBeUndefined();
      expect([count('requests'), count('request_events')]).toEqual([1, 1]);
    });

    it('counts every open state as open, a failed request included', async () => {
      const { repository, file, move } = setUp();
      const failed = await move(await file(draftFor('subject-a')), 'pending_review', 'approved', 'executing', 'failed');
      const again = draftFor('subject-a');
      expect(await repository.create(again, submittedEvent(again), TODAY)).toEqual({
        kind: 'subjectHasOpenRequest',
        existing: failed,
      });
    });

    it.each([
      ['completed', ['pending_review', 'approved', 'executing', 'completed']],
      ['rejected', ['rejected']],
      ['cancelled', ['cancelled']],
      ['expired', ['expired']],
    ] as const)('lets the subject apply again once the earlier request is %s', async (_closed, path) => {
      const { repository, file, move } = setUp();
      await move(await file(draftFor('subject-a')), ...path);
      const again = draftFor('subject-a');
      const result = await repository.create(again, submittedEvent(again), TODAY);
      expect(result).toMatchObject({ kind: 'created', request: { reference: 'SIH-000002' } });
    });

    it('treats the same subject id in another tenant as another person', async () => {
      const { file } = setUp();
      await file(draftFor('subject-a'));
      await expect(file(draftFor('subject-a', { tenantId: 'tenant-2' }))).resolves.toMatchObject({ version: 1 });
    });
  });

  describe('daily cap per filer', () => {
    it('refuses the request after the cap with the number already filed, and writes nothing', async () => {
      const { repository, count, file } = setUp();
      const limits = { ...TODAY, dailyCap: 3 };
      for (const subject of ['s1', 's2', 's3']) await file(draftFor(subject, { filerId: 'manager' }), limits);
      const fourth = draftFor('s4', { filerId: 'manager' });

      expect(await repository.create(fourth, submittedEvent(fourth), limits)).toEqual({
        kind: 'filerCapReached',
        filed: 3,
      });
      expect([count('requests'), count('request_events')]).toEqual([3, 3]);
      // Another filer has a cap of their own.
      await expect(file(draftFor('s4', { filerId: 'someone-else' }), limits)).resolves.toMatchObject({ version: 1 });
    });

    it('does not count requests filed before `since`', async () => {
      const { file, move } = setUp();
      const limits = { ...TODAY, dailyCap: 2 };
      const yesterday = new Date('2026-11-23T23:59:59.999Z');
      for (const subject of ['s1', 's2']) {
        await move(await file(draftFor(subject, { filerId: 'manager', at: yesterday }), limits), 'cancelled');
      }
      await file(draftFor('s3', { filerId: 'manager' }), limits);
      await file(draftFor('s4', { filerId: 'manager', at: TODAY.since }), limits);
      await expect(file(draftFor('s5', { filerId: 'manager' }), limits)).rejects.toThrow(/filerCapReached/);
    });
  });

  it('stores exactly one of 20 requests submitted at the same moment for one subject', async () => {
    const { repository, count } = setUp();
    const drafts = Array.from({ length: 20 }, (_, i) => draftFor('subject-a', { filerId: `filer-${i}` }));

    const results = await Promise.all(drafts.map((draft) => repository.create(draft, submittedEvent(draft), TODAY)));

    const created = results.filter((result) => result.kind === 'created');
    expect(created).toHaveLength(1);
    expect(results.filter((result) => result.kind === 'subjectHasOpenRequest')).toHaveLength(19);
    expect([count('requests'), count('request_events')]).toEqual([1, 1]);
  });

  describe('compare-and-set', () => {
    it('moves the request once for the version it names, bumping the version and recording the change', async () => {
      const { repository, file } = setUp();
      const request = await file(draftFor('subject-a'));
      const at = new Date('2026-11-24T10:30:00.000Z');
      const event = { ...changeEvent(request, 'pending_review'), at };

      expect(await repository.compareAndSet(request.id, 1, 'pending_review', at, event)).toBe(true);
      expect(await repository.find(request.id)).toStrictEqual({
        ...request,
        state: 'pending_review',
        version: 2,
        updatedAt: at,
        // Waiting for review since it was sent there.
        pendingSince: at,
      });
      expect(await repository.eventsOf(request.id)).toEqual([submittedEvent(request), event]);
      expect(await repository.compareAndSet(request.id, 1, 'pending_review', at, event)).toBe(false);
      expect(await repository.verifyAuditChain()).toEqual({ ok: true, events: 2 });
    });

    it('lets exactly one of two simultaneous changes from the same version through', async () => {
      const { repository, count, file } = setUp();
      const request = await file(draftFor('subject-a'));

      const results = await Promise.all([
        repository.compareAndSet(request.id, 1, 'pending_review', MORNING, changeEvent(request, 'pending_review')),
        repository.compareAndSet(request.id, 1, 'cancelled', MORNING, changeEvent(request, 'cancelled', 'subject-a')),
      ]);

      expect(results.filter(Boolean)).toHaveLength(1);
      expect(count('request_events')).toBe(2);
      expect(await repository.find(request.id)).toMatchObject({
        version: 2,
        state: results[0] ? 'pending_review' : 'cancelled',
      });
    });

    it('refuses a stale version and writes nothing', async () => {
      const { repository, count, file, move } = setUp();
      const seen = await file(draftFor('subject-a'));
      const now = await move(seen, 'pending_review');

      expect(
        await repository.compareAndSet(seen.id, seen.version, 'cancelled', MORNING, changeEvent(seen, 'cancelled')),
      ).toBe(false);
      expect(await repository.find(seen.id)).toStrictEqual(now);
      expect(count('request_events')).toBe(2);
    });

    it('refuses a change the state machine does not allow from the stored state, and writes nothing', async () => {
      const { repository, count, file, move } = setUp();
      const request = await file(draftFor('subject-a'));
      // The caller claims the request is executing; the stored row says submitted.
      const claim = { ...changeEvent(request, 'completed'), from: 'executing' as const };
      expect(await repository.compareAndSet(request.id, 1, 'completed', MORNING, claim)).toBe(false);

      const done = await move(request, 'rejected');
      expect(
        await repository.compareAndSet(done.id, done.version, 'approved', MORNING, changeEvent(done, 'approved')),
      ).toBe(false);
      expect(await repository.find(request.id)).toStrictEqual(done);
      expect(count('request_events')).toBe(2);
    });

    it('refuses an unknown request id', async () => {
      const { repository, count } = setUp();
      const ghost: AuditEvent = {
        requestId: 'req-ghost',
        tenantId: TENANT,
        actor: 'aad-agent',
        at: MORNING,
        from: 'submitted',
        to: 'pending_review',
        reason: 'approve',
      };
      expect(await repository.compareAndSet('req-ghost', 1, 'pending_review', MORNING, ghost)).toBe(false);
      expect(count('request_events')).toBe(0);
    });

    it("records the stored state as `from` and the request's tenant, not what the caller believed", async () => {
      const { repository, file } = setUp();
      const request = await file(draftFor('subject-a'));
      const mistaken = { ...changeEvent(request, 'cancelled'), from: 'approved' as const, tenantId: 'another-tenant' };
      expect(await repository.compareAndSet(request.id, 1, 'cancelled', MORNING, mistaken)).toBe(true);
      expect((await repository.eventsOf(request.id)).at(-1)).toMatchObject({
        tenantId: TENANT,
        from: 'submitted',
        to: 'cancelled',
      });
    });

    it('counts the version up with every change', async () => {
      const { file, move } = setUp();
      const request = await move(
        await file(draftFor('subject-a')),
        'pending_review',
        'approved',
        'executing',
        'failed',
        'approved',
      );
      expect(request.version).toBe(6);
    });
  });

  describe('starting an execution within the hourly cap', () => {
    const HOUR_AGO = new Date(MORNING.getTime() - 3_600_000);
    const start = (
      repository: SqliteRequestRepository,
      request: ResetRequest,
      limit: number,
      at = MORNING,
      since = HOUR_AGO,
    ) => {
      const event = { ...changeEvent(request, 'executing'), at };
      return repository.startExecution(request.id, request.version, at, event, { limit, since });
    };

    it('starts no more than the cap when repositories on two connections start at the same moment', async () => {
      const { path, repository, count, file, move } = setUp();
      const other = setUp(path).repository;
      const approved: ResetRequest[] = [];
      for (const subject of ['a', 'b', 'c', 'd', 'e', 'f']) {
        approved.push(await move(await file(draftFor(`subject-${subject}`)), 'pending_review', 'approved'));
      }
      const events = count('request_events');

      const results = await Promise.all(
        approved.map((request, index) => start(index % 2 === 0 ? repository : other, request, 2)),
      );

      expect(results.filter((result) => result === 'started')).toHaveLength(2);
      expect(results.filter((result) => result === 'capped')).toHaveLength(4);
      const states = await Promise.all(approved.map(async (request) => (await repository.find(request.id))!.state));
      expect(states.filter((state) => state === 'executing')).toHaveLength(2);
      expect(states.filter((state) => state === 'approved')).toHaveLength(4);
      // A start at the cap writes nothing: no event, no version.
      expect(count('request_events')).toBe(events + 2);
      expect(await repository.verifyAuditChain()).toEqual({ ok: true, events: events + 2 });
    });

    it("counts only the tenant's own starts within the hour, and starts nothing that moved on", async () => {
      const { repository, file, move } = setUp();
      const approve = async (subject: string, tenantId = TENANT) =>
        move(await file(draftFor(subject, { tenantId })), 'pending_review', 'approved');
      const earlier = await approve('subject-a');
      const elsewhere = await approve('subject-b', 'tenant-2');
      const now = await approve('subject-c');
      const next = await approve('subject-d');

      // Started more than an hour before: it no longer counts.
      expect(await start(repository, earlier, 1, new Date(HOUR_AGO.getTime() - 1))).toBe('started');
      expect(await start(repository, elsewhere, 1)).toBe('started');
      expect(await start(repository, { ...now, version: now.version - 1 }, 1)).toBe('stale');
      expect(await start(repository, now, 1)).toBe('started');
      expect(await start(repository, next, 1)).toBe('capped');
      expect(await start(repository, now, 5)).toBe('stale');
      expect((await repository.find(next.id))!).toStrictEqual(next);
      expect((await repository.eventsOf(now.id)).at(-1)).toMatchObject({ from: 'approved', to: 'executing' });
    });
  });

  describe('audit trail', () => {
    it('records refusals, for known and unknown requests, and the chain stays intact', async () => {
      const { repository, file, move } = setUp();
      const request = await file(draftFor('subject-a'));
      const refusal: AuditEvent = {
        requestId: request.id,
        tenantId: TENANT,
        actor: 'subject-a',
        at: MORNING,
        from: 'submitted',
        to: 'refused',
        reason: 'approver is the subject',
      };
      await repository.appendEvent(refusal);
      await move(request, 'pending_review');
      await repository.appendEvent({ ...refusal, requestId: 'req-unknown', from: null, reason: 'unknown request' });

      expect((await repository.eventsOf(request.id)).map((event) => event.to)).toEqual([
        'submitted',
        'refused',
        'pending_review',
      ]);
      expect(await repository.eventsOf('req-unknown')).toHaveLength(1);
      expect(await repository.verifyAuditChain()).toEqual({ ok: true, events: 4 });
    });

    it('keeps an intact chain when a reason holds text UTF-8 cannot store as typed', async () => {
      const { repository, file } = setUp();
      const request = await file(draftFor('subject-a'));
      await repository.appendEvent({ ...changeEvent(request, 'refused'), reason: 'odd \ud800 text \u0000 日本語' });
      expect((await repository.eventsOf(request.id)).at(-1)!.reason).toBe('odd \ufffd text \u0000 日本語');
      expect(await repository.verifyAuditChain()).toEqual({ ok: true, events: 2 });
    });

    it('is append-only: the database refuses to change or delete an event', async () => {
      const { db, repository, file } = setUp();
      const request = await file(draftFor('subject-a'));
      expect(() => db.prepare("UPDATE request_events SET reason = 'rewritten'").run()).toThrow(/append-only/);
      expect(() => db.prepare('DELETE FROM request_events').run()).toThrow(/append-only/);
      expect(await repository.eventsOf(request.id)).toEqual([submittedEvent(request)]);
    });

    const trail = async () => {
      const context = setUp();
      const a = await context.file(draftFor('subject-a'));
      const b = await context.file(draftFor('subject-b'));
      await context.move(a, 'pending_review', 'approved');
      await context.move(b, 'rejected');
      // Events 1..5: a submitted, b submitted, a pending_review, a approved, b rejected.
      expect(await context.repository.verifyAuditChain()).toEqual({ ok: true, events: 5 });
      return context;
    };

    it.each([
      ['reason', "'looked fine to me'"],
      ['actor', "'aad-someone-else'"],
      ['at', "'2026-11-20T09:00:00.000Z'"],
      ['to_state', "'rejected'"],
      ['request_id', "'req-other'"],
    ])('detects an edited %s at the event that was edited', async (column, value) => {
      const { path, repository } = await trail();
      tamper(path, `UPDATE request_events SET ${column} = ${value} WHERE sequence = 3`);
      expect(await repository.verifyAuditChain()).toEqual({
        ok: false,
        events: 3,
        brokenAt: 3,
        problem: CHAIN_PROBLEMS.content,
      });
    });

    it('detects an event deleted from the middle', async () => {
      const { path, repository } = await trail();
      tamper(path, 'DELETE FROM request_events WHERE sequence = 3');
      expect(await repository.verifyAuditChain()).toMatchObject({
        ok: false,
        brokenAt: 4,
        problem: CHAIN_PROBLEMS.gap,
      });
    });

    it('detects an event rewritten with a recomputed hash at that event: without the audit key no hash fits', async () => {
      const { path, repository } = await trail();
      const attacker = new Database(path);
      const row = attacker.prepare('SELECT * FROM request_events WHERE sequence = 3').get() as Record<string, any>;
      const forged = {
        requestId: row.request_id,
        tenantId: row.tenant_id,
        actor: 'aad-someone-else',
        at: row.at,
        from: row.from_state,
        to: row.to_state,
        reason: row.reason,
      };
      attacker.exec('DROP TRIGGER request_events_no_update');
      attacker
        .prepare('UPDATE request_events SET actor = ?, hash = ? WHERE sequence = 3')
        .run(forged.actor, hashEvent(row.previous_hash, 3, forged));
      attacker.close();

      expect(await repository.verifyAuditChain()).toEqual({
        ok: false,
        events: 3,
        brokenAt: 3,
        problem: CHAIN_PROBLEMS.content,
      });
    });

    it('detects the newest events deleted, once the next event is written', async () => {
      const { path, repository, file } = await trail();
      tamper(path, 'DELETE FROM request_events WHERE sequence >= 4');
      await file(draftFor('subject-c'));
      expect(await repository.verifyAuditChain()).toMatchObject({
        ok: false,
        brokenAt: 6,
        problem: CHAIN_PROBLEMS.gap,
      });
    });
  });

  it('serialises writers in separate processes on one file: one request per subject, one winner per change', async () => {
    const { path, repository, file, count } = setUp();
    const existing = [];
    for (let i = 0; i < 25; i++) existing.push(await file(draftFor(`existing-${i}`)));
    const worker = join(dirname(path), 'worker.mts');
    const src = (file: string) => JSON.stringify(pathToFileURL(projectPath('src', file)).href);
    writeFileSync(
      worker,
      `import { openDatabase } from ${src('store/sqlite/open-database.ts')};
       import { createLogger } from ${src('logging/create-logger.ts')};
       import { SqliteRequestRepository } from ${src('store/sqlite/sqlite-request-repository.ts')};
       const [path, name] = process.argv.slice(2);
       const repository = new SqliteRequestRepository(openDatabase(path, createLogger({ level: 'silent' })));
       const at = new Date(${JSON.stringify(MORNING.toISOString())});
       const limits = { dailyCap: 1000, since: new Date(0) };
       console.log('ready');
       await new Promise((go) => process.stdin.once('data', go));
       const outcome = { created: 0, changed: 0 };
       for (let i = 0; i < 25; i++) {
         const draft = { id: name + '-' + i, tenantId: ${JSON.stringify(TENANT)}, filerId: name, state: 'submitted', review: {},
           createdAt: at, updatedAt: at, application: { subjectId: 'new-' + i, reason: 'lostPhone', lostMethodIds: [],
           verification: 'videoCall', contact: 'x', note: '', diagnosisId: undefined } };
         const event = { requestId: draft.id, tenantId: draft.tenantId, actor: name, at, from: null, to: 'submitted', reason: 'filed' };
         if ((await repository.create(draft, event, limits)).kind === 'created') outcome.created++;
         const change = { requestId: 'req', tenantId: draft.tenantId, actor: name, at, from: 'submitted', to: 'pending_review', reason: name };
         if (await repository.compareAndSet(${JSON.stringify(existing.map((r) => r.id))}[i], 1, 'pending_review', at, change)) outcome.changed++;
       }
       console.log(JSON.stringify(outcome));`,
    );
    const workers = ['w1', 'w2', 'w3', 'w4'].map((name) => {
      const child = spawn(projectPath('node_modules', '.bin', 'tsx'), [worker, path, name], {
        cwd: projectRoot,
        stdio: ['pipe', 'pipe', 'pipe'],
      });
      let out = '';
      let err = '';
      child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
      child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
      const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
      return { child, out: () => out, err: () => err, exited };
    });
    while (!workers.every((w) => w.out().includes('ready'))) {
      if (workers.some((w) => w.child.exitCode !== null)) break;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    for (const w of workers) w.child.stdin.end('go\n');
    const codes = await Promise.all(workers.map((w) => w.exited));

    expect(codes, workers.map((w) => w.err()).join('\n')).toEqual([0, 0, 0, 0]);
    const outcomes = workers.map((w) => JSON.parse(w.out().trim().split('\n').at(-1)!) as Record<string, number>);
    expect(outcomes.reduce((sum, o) => sum + o.created!, 0)).toBe(25);
    expect(outcomes.reduce((sum, o) => sum + o.changed!, 0)).toBe(25);
    expect(count('requests')).toBe(50);
    expect(count('request_events')).toBe(75);
    expect(await repository.verifyAuditChain()).toEqual({ ok: true, events: 75 });
  }, 60_000);
});

describe('npm run audit:verify', () => {
  const trailOf = async (events: number) => {
    const path = tempSqlitePath();
    const db = openDatabase(path, silent);
    const repository = new SqliteRequestRepository(db);
    const draft = draftFor('subject-a');
    await repository.create(draft, submittedEvent(draft), TODAY);
    for (let i = 1; i < events; i++) {
      await repository.appendEvent({ ...submittedEvent(draft), to: 'refused', reason: `refusal ${i}` });
    }
    db.close();
    return path;
  };
  const editReason = (path: string, sequence: number) => {
    const attacker = new Database(path);
    attacker.exec('DROP TRIGGER request_events_no_update');
    attacker.prepare("UPDATE request_events SET reason = 'edited' WHERE sequence = ?").run(sequence);
    attacker.close();
  };
  const runCli = (env: Record<string, string>) =>
    new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
      const child = spawn(projectPath('node_modules', '.bin', 'tsx'), ['scripts/audit-verify.ts'], {
        cwd: projectRoot,
        env: { ...process.env, ...LOCAL_ENV, ...env },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      child.once('exit', (code) => resolve({ code, stdout, stderr }));
    });

  it('reports an intact trail as intact and an edited one as broken at the edited event', async () => {
    const path = await trailOf(4);
    const intact = await verifyAuditTrail(path);
    expect(intact).toMatchObject({ ok: true, events: 4, unsigned: 0 });
    expect(describeVerification(intact)).toBe('Audit trail OK: 4 events, chain intact.');

    editReason(path, 2);
    const broken = await verifyAuditTrail(path);
    expect(broken).toMatchObject({ ok: false, events: 2, brokenAt: 2, problem: CHAIN_PROBLEMS.content });
    expect(describeVerification(broken)).toBe(
      'Audit trail BROKEN at event #2: hash does not match its content. 2 events checked.',
    );
  });

  it('refuses a missing file and a database from before the audit trail, without changing either', async () => {
    const missing = join(dirname(tempSqlitePath()), 'none.sqlite');
    await expect(verifyAuditTrail(missing)).rejects.toThrow(AuditTrailUnavailableError);

    const old = tempSqlitePath();
    openDatabase(old, silent, migrations.slice(0, 2)).close();
    await expect(verifyAuditTrail(old)).rejects.toThrow(/schema version 2; the audit trail arrived in version 3/);
    const check = new Database(old, { readonly: true });
    expect(check.pragma('user_version', { simple: true })).toBe(2);
    check.close();
  });

  it('prints one line and exits 0 for an intact trail, 1 for a broken one, 78 for bad settings', async () => {
    const path = await trailOf(3);
    const [intact, badSettings] = await Promise.all([
      runCli({ SQLITE_PATH: path }),
      runCli({ SQLITE_PATH: path, LOG_LEVEL: 'loud' }),
    ]);
    expect(intact).toMatchObject({ code: 0, stdout: 'Audit trail OK: 3 events, chain intact.\n' });
    expect(badSettings.code).toBe(78);
    expect(badSettings.stderr).toContain('LOG_LEVEL');

    editReason(path, 3);
    expect(await runCli({ SQLITE_PATH: path })).toMatchObject({
      code: 1,
      stdout: 'Audit trail BROKEN at event #3: hash does not match its content. 3 events checked.\n',
    });
  });
});
