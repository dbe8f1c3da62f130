import { describe, expect, it } from 'vitest';
import type { RequestDraft, RequestRepository } from '../../../src/domain/requests/ports.js';
import {
  REQUEST_STATES,
  type AuditEvent,
  type RequestState,
  type ResetRequest,
} from '../../../src/domain/requests/request.js';
import {
  MORNING,
  TENANT,
  TODAY,
  changeEvent,
  draftFor,
  moveThrough,
  submittedEvent,
} from '../../support/request-drafts.js';
import { databasesPerTest, storeBackends } from '../../support/store-backends.js';

describe.each(storeBackends())('the request repository ($name)', (backend) => {
  const openDatabase = databasesPerTest(backend);

  const setUp = async () => {
    const database = await openDatabase();
    const repository = database.store.requests;
    const count = (table: 'requests' | 'request_events') => database.countRows(table);
    /** Files a request and returns it, failing the test if the store refused it. */
    const file = async (draft: RequestDraft, limits = TODAY): Promise<ResetRequest> => {
      const result = await repository.create(draft, submittedEvent(draft), limits);
      if (result.kind !== 'created') throw new Error(`expected created, got ${result.kind}`);
      return result.request;
    };
    /** Moves a request through `states` in order, one compare-and-set each. */
    const move = (request: ResetRequest, ...states: RequestState[]) =>
      moveThrough(repository, request, MORNING, ...states);
    return { repository, count, file, move, another: database.another };
  };

  describe('creating requests', () => {
    it('assigns SIH-000001, SIH-000002 in order with version 1, and records one event from nothing', async () => {
      const { repository, count } = await setUp();
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
      expect(await count('request_events')).toBe(2);
      expect(await repository.verifyAuditChain()).toEqual({ ok: true, events: 2 });
    });

    it('reads back exactly what it stored, by id and by reference within the tenant', async () => {
      const { repository, file } = await setUp();
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

    it('stores a request in every state the domain knows', async () => {
      const { repository, file } = await setUp();
      for (const state of REQUEST_STATES) {
        const request = await file(draftFor(`subject-${state}`, { filerId: `filer-${state}`, state }));
        expect((await repository.find(request.id))!.state).toBe(state);
      }
    });

    it("records the request's own id and state in its first event, whatever the caller's event said", async () => {
      const { repository } = await setUp();
      const draft = draftFor('subject-a');
      await repository.create(draft, { ...submittedEvent(draft), requestId: 'other', to: 'approved' }, TODAY);
      expect(await repository.eventsOf(draft.id)).toEqual([submittedEvent(draft)]);
    });

    it('lists a subject’s requests newest first, up to the limit, within the tenant', async () => {
      const { repository, file, move } = await setUp();
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
      const { repository, count, file } = await setUp();
      const existing = await file(draftFor('subject-a'));
      const again = draftFor('subject-a', { filerId: 'manager-of-a' });

      expect(await repository.create(again, submittedEvent(again), TODAY)).toEqual({
        kind: 'subjectHasOpenRequest',
        existing,
      });
      expect(await repository.find(again.id)).toBeUndefined();
      expect([await count('requests'), await count('request_events')]).toEqual([1, 1]);
    });

    it('counts every open state as open, a failed request included', async () => {
      const { repository, file, move } = await setUp();
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
      const { repository, file, move } = await setUp();
      await move(await file(draftFor('subject-a')), ...path);
      const again = draftFor('subject-a');
      const result = await repository.create(again, submittedEvent(again), TODAY);
      expect(result).toMatchObject({ kind: 'created', request: { reference: 'SIH-000002' } });
    });

    it('treats the same subject id in another tenant as another person', async () => {
      const { file } = await setUp();
      await file(draftFor('subject-a'));
      await expect(file(draftFor('subject-a', { tenantId: 'tenant-2' }))).resolves.toMatchObject({ version: 1 });
    });
  });

  describe('daily cap per filer', () => {
    it('refuses the request after the cap with the number already filed, and writes nothing', async () => {
      const { repository, count, file } = await setUp();
      const limits = { ...TODAY, dailyCap: 3 };
      for (const subject of ['s1', 's2', 's3']) await file(draftFor(subject, { filerId: 'manager' }), limits);
      const fourth = draftFor('s4', { filerId: 'manager' });

      expect(await repository.create(fourth, submittedEvent(fourth), limits)).toEqual({
        kind: 'filerCapReached',
        filed: 3,
      });
      expect([await count('requests'), await count('request_events')]).toEqual([3, 3]);
      // Another filer has a cap of their own.
      await expect(file(draftFor('s4', { filerId: 'someone-else' }), limits)).resolves.toMatchObject({ version: 1 });
    });

    it('does not count requests filed before `since`', async () => {
      const { file, move } = await setUp();
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
    const { repository, count } = await setUp();
    const drafts = Array.from({ length: 20 }, (_, i) => draftFor('subject-a', { filerId: `filer-${i}` }));

    const results = await Promise.all(drafts.map((draft) => repository.create(draft, submittedEvent(draft), TODAY)));

    const created = results.filter((result) => result.kind === 'created');
    expect(created).toHaveLength(1);
    expect(results.filter((result) => result.kind === 'subjectHasOpenRequest')).toHaveLength(19);
    expect([await count('requests'), await count('request_events')]).toEqual([1, 1]);
  });

  describe('compare-and-set', () => {
    it('moves the request once for the version it names, bumping the version and recording the change', async () => {
      const { repository, file } = await setUp();
      const request = await file(draftFor('subject-a'));
      const at = new Date('2026-11-24T10:30:00.000Z');
      const event = { ...changeEvent(request, 'pending_review'), at };

      expect(
        await repository.compareAndSet({ id: request.id, expectedVersion: 1, to: 'pending_review', at, event }),
      ).toBe(true);
      expect(await repository.find(request.id)).toStrictEqual({
        ...request,
        state: 'pending_review',
        version: 2,
        updatedAt: at,
        // Waiting for review since it was sent there.
        pendingSince: at,
      });
      expect(await repository.eventsOf(request.id)).toEqual([submittedEvent(request), event]);
      expect(
        await repository.compareAndSet({ id: request.id, expectedVersion: 1, to: 'pending_review', at, event }),
      ).toBe(false);
      expect(await repository.verifyAuditChain()).toEqual({ ok: true, events: 2 });
    });

    it('lets exactly one of two simultaneous changes from the same version through', async () => {
      const { repository, count, file } = await setUp();
      const request = await file(draftFor('subject-a'));

      const results = await Promise.all([
        repository.compareAndSet({
          id: request.id,
          expectedVersion: 1,
          to: 'pending_review',
          at: MORNING,
          event: changeEvent(request, 'pending_review'),
        }),
        repository.compareAndSet({
          id: request.id,
          expectedVersion: 1,
          to: 'cancelled',
          at: MORNING,
          event: changeEvent(request, 'cancelled', 'subject-a'),
        }),
      ]);

      expect(results.filter(Boolean)).toHaveLength(1);
      expect(await count('request_events')).toBe(2);
      expect(await repository.find(request.id)).toMatchObject({
        version: 2,
        state: results[0] ? 'pending_review' : 'cancelled',
      });
    });

    it('refuses a stale version and writes nothing', async () => {
      const { repository, count, file, move } = await setUp();
      const seen = await file(draftFor('subject-a'));
      const now = await move(seen, 'pending_review');

      expect(
        await repository.compareAndSet({
          id: seen.id,
          expectedVersion: seen.version,
          to: 'cancelled',
          at: MORNING,
          event: changeEvent(seen, 'cancelled'),
        }),
      ).toBe(false);
      expect(await repository.find(seen.id)).toStrictEqual(now);
      expect(await count('request_events')).toBe(2);
    });

    it('refuses a change the state machine does not allow from the stored state, and writes nothing', async () => {
      const { repository, count, file, move } = await setUp();
      const request = await file(draftFor('subject-a'));
      // The caller claims the request is executing; the stored row says submitted.
      const claim = { ...changeEvent(request, 'completed'), from: 'executing' as const };
      expect(
        await repository.compareAndSet({
          id: request.id,
          expectedVersion: 1,
          to: 'completed',
          at: MORNING,
          event: claim,
        }),
      ).toBe(false);

      const done = await move(request, 'rejected');
      expect(
        await repository.compareAndSet({
          id: done.id,
          expectedVersion: done.version,
          to: 'approved',
          at: MORNING,
          event: changeEvent(done, 'approved'),
        }),
      ).toBe(false);
      expect(await repository.find(request.id)).toStrictEqual(done);
      expect(await count('request_events')).toBe(2);
    });

    it('refuses an unknown request id', async () => {
      const { repository, count } = await setUp();
      const ghost: AuditEvent = {
        requestId: 'req-ghost',
        tenantId: TENANT,
        actor: 'aad-agent',
        at: MORNING,
        from: 'submitted',
        to: 'pending_review',
        reason: 'approve',
      };
      expect(
        await repository.compareAndSet({
          id: 'req-ghost',
          expectedVersion: 1,
          to: 'pending_review',
          at: MORNING,
          event: ghost,
        }),
      ).toBe(false);
      expect(await count('request_events')).toBe(0);
    });

    it("records the stored state as `from` and the request's tenant, not what the caller believed", async () => {
      const { repository, file } = await setUp();
      const request = await file(draftFor('subject-a'));
      const mistaken = { ...changeEvent(request, 'cancelled'), from: 'approved' as const, tenantId: 'another-tenant' };
      expect(
        await repository.compareAndSet({
          id: request.id,
          expectedVersion: 1,
          to: 'cancelled',
          at: MORNING,
          event: mistaken,
        }),
      ).toBe(true);
      expect((await repository.eventsOf(request.id)).at(-1)).toMatchObject({
        tenantId: TENANT,
        from: 'submitted',
        to: 'cancelled',
      });
    });

    it('counts the version up with every change', async () => {
      const { file, move } = await setUp();
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
      repository: RequestRepository,
      request: ResetRequest,
      limit: number,
      at = MORNING,
      since = HOUR_AGO,
    ) => {
      const event = { ...changeEvent(request, 'executing'), at };
      return repository.startExecution(request.id, request.version, at, event, { limit, since });
    };

    it('starts no more than the cap when repositories on two connections start at the same moment', async () => {
      const { repository, count, file, move, another } = await setUp();
      const other = (await another()).requests;
      const approved: ResetRequest[] = [];
      for (const subject of ['a', 'b', 'c', 'd', 'e', 'f']) {
        approved.push(await move(await file(draftFor(`subject-${subject}`)), 'pending_review', 'approved'));
      }
      const events = await count('request_events');

      const results = await Promise.all(
        approved.map((request, index) => start(index % 2 === 0 ? repository : other, request, 2)),
      );

      expect(results.filter((result) => result === 'started')).toHaveLength(2);
      expect(results.filter((result) => result === 'capped')).toHaveLength(4);
      const states = await Promise.all(approved.map(async (request) => (await repository.find(request.id))!.state));
      expect(states.filter((state) => state === 'executing')).toHaveLength(2);
      expect(states.filter((state) => state === 'approved')).toHaveLength(4);
      // A start at the cap writes nothing: no event, no version.
      expect(await count('request_events')).toBe(events + 2);
      expect(await repository.verifyAuditChain()).toEqual({ ok: true, events: events + 2 });
    });

    it("counts only the tenant's own starts within the hour, and starts nothing that moved on", async () => {
      const { repository, file, move } = await setUp();
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
      const { repository, file, move } = await setUp();
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
      const { repository, file } = await setUp();
      const request = await file(draftFor('subject-a'));
      await repository.appendEvent({ ...changeEvent(request, 'refused'), reason: 'odd \ud800 text \u0000 日本語' });
      // UTF-8 cannot hold a lone surrogate and PostgreSQL's text cannot hold NUL: both backends store (and hash) U+FFFD.
      expect((await repository.eventsOf(request.id)).at(-1)!.reason).toBe('odd \ufffd text \ufffd 日本語');
      expect(await repository.verifyAuditChain()).toEqual({ ok: true, events: 2 });
    });
  });
});
