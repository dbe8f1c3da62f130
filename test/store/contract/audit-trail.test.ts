import { describe, expect, it } from 'vitest';
import type { AuditHead, PublishedAnchor } from '../../../src/domain/requests/ports.js';
import {
  MORNING as NOW,
  TENANT,
  changeEvent,
  draftFor,
  fileAndMove,
  submittedEvent,
} from '../../support/request-drafts.js';
import { databasesPerTest, storeBackends } from '../../support/store-backends.js';

const DAY = 86_400_000;

describe.each(storeBackends())('the audit trail ($name)', (backend) => {
  const openDatabase = databasesPerTest(backend);

  const setUp = async () => {
    const database = await openDatabase();
    return { ...database, requests: database.store.requests, trail: database.store.auditTrail };
  };

  const anchorOf = (head: AuditHead, tenantId = TENANT, at = NOW): PublishedAnchor => ({
    ...head,
    tenantId,
    at,
    trigger: 'daily',
    requestedBy: undefined,
  });

  it('has no head while empty, then names the newest event with the key that signed it', async () => {
    const { requests, trail } = await setUp();
    expect(await trail.head()).toBeUndefined();
    await fileAndMove(requests, 'subject-a', [{ to: 'pending_review' }, { to: 'approved', actor: 'agent' }]);
    const head = await trail.head();
    expect(head).toMatchObject({ sequence: 3, hash: expect.stringMatching(/^[0-9a-f]{64}$/) });
    expect(head!.keyId).toEqual(expect.any(String));
    expect(await requests.verifyAuditChain()).toEqual({ ok: true, events: 3 });
  });

  it("takes the day's anchor once per tenant when two instances race for it, and not again while the trail stands still", async () => {
    const { requests, trail, another } = await setUp();
    await fileAndMove(requests, 'subject-a', [{ to: 'pending_review' }]);
    const head = (await trail.head())!;
    const since = new Date(NOW.getTime() - 3_600_000);
    const trails = [trail, (await another()).auditTrail];

    const taken = await Promise.all(
      Array.from({ length: 10 }, (_, i) => trails[i % 2]!.takeAnchor(anchorOf(head), since)),
    );

    expect(taken.filter(Boolean)).toHaveLength(1);
    expect(await trails[0]!.takeAnchor(anchorOf(head, 'tenant-2'), since)).toBe(true);
    // The next day: the trail has not moved since the last anchor, so there is nothing new to publish.
    const tomorrow = new Date(NOW.getTime() + DAY);
    expect(
      await trails[1]!.takeAnchor(anchorOf(head, TENANT, tomorrow), new Date(tomorrow.getTime() - 3_600_000)),
    ).toBe(false);
  });

  it('records an anchor asked for in the channel every time, even when the trail has not moved', async () => {
    const { requests, trail } = await setUp();
    await fileAndMove(requests, 'subject-a', [{ to: 'pending_review' }]);
    const head = (await trail.head())!;
    const asked = (at: Date): PublishedAnchor => ({
      ...anchorOf(head, TENANT, at),
      trigger: 'asked',
      requestedBy: 'lead',
    });

    expect(await trail.takeAnchor(anchorOf(head), new Date(NOW.getTime() - 3_600_000))).toBe(true);
    // The lead asks twice the same day: each is published, though the daily one already showed this head.
    expect(await trail.takeAnchor(asked(new Date(NOW.getTime() + 60_000)))).toBe(true);
    expect(await trail.takeAnchor(asked(new Date(NOW.getTime() + 120_000)))).toBe(true);
  });

  it('removes contact details and notes of requests finished before the cut-off, with an event each, and the chain still verifies', async () => {
    const { requests, trail, countRows } = await setUp();
    /** A request with contact details and a note, filed at `at` and rejected then when `rejected`. */
    const file = async (subjectId: string, at: Date, rejected: boolean) => {
      const draft = draftFor(subjectId, { at });
      const created = await requests.create(draft, submittedEvent(draft), { dailyCap: 100, since: new Date(0) });
      if (created.kind !== 'created') throw new Error(created.kind);
      if (!rejected) return created.request;
      const event = { ...changeEvent(created.request, 'rejected'), at };
      expect(await requests.compareAndSet({ id: draft.id, expectedVersion: 1, to: 'rejected', at, event })).toBe(true);
      return (await requests.find(draft.id))!;
    };
    const longAgo = new Date(NOW.getTime() - 400 * DAY);
    const old = await file('subject-old', longAgo, true);
    const recent = await file('subject-recent', NOW, true);
    const open = await file('subject-open', longAgo, false);
    const before = new Date(NOW.getTime() - 365 * DAY);

    expect(await trail.purgePersonalData(before, NOW, 10)).toBe(1);
    expect(await trail.purgePersonalData(before, NOW, 10)).toBe(0);

    const purged = (await requests.find(old.id))!;
    expect(purged.application).toMatchObject({
      contact: '',
      note: '',
      reason: 'lostPhone',
      lostMethodIds: ['method-1'],
    });
    expect(purged.updatedAt).toEqual(old.updatedAt);
    expect((await requests.find(recent.id))!.application.contact).toBe('+81 3 0000 0000');
    expect((await requests.find(open.id))!.application.note).toBe('Phone fell into the river.');
    expect(await countRows('requests', `id = '${old.id}' AND purged_at IS NOT NULL`)).toBe(1);
    expect(
      await countRows('requests', `id = '${old.id}' AND (application LIKE '%river%' OR review LIKE '%river%')`),
    ).toBe(0);
    expect(await countRows('request_events', "reason LIKE '%river%' OR reason LIKE '%0000 0000%'")).toBe(0);
    expect((await requests.eventsOf(old.id)).at(-1)).toMatchObject({
      actor: 'system',
      from: 'rejected',
      to: 'rejected',
    });
    expect(await requests.verifyAuditChain()).toEqual({ ok: true, events: 6 });
  });
});
