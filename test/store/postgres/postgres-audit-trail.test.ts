import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { PublishedAnchor } from '../../../src/domain/requests/ports.js';
import type { RequestState, ResetRequest } from '../../../src/domain/requests/request.js';
import {
  CHAIN_PROBLEMS,
  GENESIS_HASH,
  auditKey,
  auditKeyRing,
  hashEvent,
  signEvent,
  type AuditKeyRing,
  type ChainedEvent,
} from '../../../src/store/audit-chain.js';
import type { ExportedEvent } from '../../../src/store/audit-export.js';
import { createLogger } from '../../../src/logging/create-logger.js';
import { postgresMigrations } from '../../../src/store/postgres/migrations.js';
import { openPool, type PostgresPool } from '../../../src/store/postgres/open-pool.js';
import { PostgresAuditTrail } from '../../../src/store/postgres/postgres-audit-trail.js';
import { PostgresRequestRepository } from '../../../src/store/postgres/postgres-request-repository.js';
import { createTestDatabase } from '../../support/postgres-database.js';
import { openPostgresInstances, type PostgresInstances } from '../../support/postgres-instances.js';
import { draftFor, moveThrough, submittedEvent } from '../../support/request-drafts.js';

const TENANT = 'tenant-1';
const KEY = 'Zm9yLXRlc3RzLW9ubHktbm90LWEtcmVhbC1hdWRpdC1rZXk=';
const OLD_KEY = 'b2xkLWtleS1yZXRpcmVkLWJ5LXJvdGF0aW9uLWluLXRlc3Rz';
const keys = auditKeyRing(KEY);
const DAY = 86_400_000;
const NOW = new Date('2027-06-01T09:00:00.000Z');

/** Every column of request_events, as someone holding the database reads them. */
type Row = Record<string, any>;

let instances: PostgresInstances;

beforeAll(async () => {
  instances = await openPostgresInstances();
});
afterAll(async () => {
  await instances?.close();
});
beforeEach(async () => {
  await instances.reset();
});

/** One instance: its repository and trail on pool `index`, signing with `ring`. */
function instance(ring: AuditKeyRing = keys, index: 0 | 1 = 0) {
  const pool = instances.pools[index];
  const trail = new PostgresAuditTrail(pool, ring);
  const repository = new PostgresRequestRepository(pool, trail);
  const file = async (subjectId: string, at = NOW): Promise<ResetRequest> => {
    const draft = draftFor(subjectId, { at });
    const result = await repository.create(draft, submittedEvent(draft), { dailyCap: 100, since: new Date(0) });
    if (result.kind !== 'created') throw new Error(result.kind);
    return result.request;
  };
  const move = (request: ResetRequest, at: Date, ...states: RequestState[]) =>
    moveThrough(repository, request, at, ...states);
  return { repository, trail, file, move };
}

/** The trail's verification, as `audit:verify` would run it with `ring`. */
const verify = (ring: AuditKeyRing = keys, anchor?: { sequence: number; hash: string }) =>
  new PostgresAuditTrail(instances.pools[1], ring).verify(anchor);

/** The fields a hash covers, from a stored row. */
function fieldsOf(row: Row): ChainedEvent {
  return {
    requestId: row.request_id,
    tenantId: row.tenant_id,
    actor: row.actor,
    at: (row.at as Date).toISOString(),
    from: row.from_state,
    to: row.to_state,
    reason: row.reason,
    graphRequestId: row.graph_request_id,
    personalDigest: row.personal_digest,
    sequence: Number(row.sequence),
    previousHash: row.previous_hash,
    hash: row.hash,
    keyId: row.key_id,
  };
}

/**
 * Rewrites event `sequence` with `edit` and recomputes every hash from there on with `rehash`, the way someone
 * with the database (triggers off) would after editing one event.
 */
async function rewrite(sequence: number, edit: (row: Row) => Row, rehash: (row: Row, previous: string) => Row) {
  const { rows } = await instances.asAttacker('SELECT * FROM request_events WHERE sequence >= $1 ORDER BY sequence', [
    sequence,
  ]);
  const before = await instances.asAttacker('SELECT hash FROM request_events WHERE sequence = $1', [sequence - 1]);
  let previous = (before.rows[0]?.hash as string | undefined) ?? GENESIS_HASH;
  for (const row of rows) {
    const next = rehash(Number(row.sequence) === sequence ? edit(row) : row, previous);
    await instances.asAttacker(
      `UPDATE request_events SET actor = $1, reason = $2, key_id = $3, personal_digest = $4, previous_hash = $5, hash = $6
        WHERE sequence = $7`,
      [next.actor, next.reason, next.key_id, next.personal_digest, next.previous_hash, next.hash, row.sequence],
    );
    previous = next.hash as string;
  }
}

/** What an attacker without the key can compute: the unkeyed SHA-256 of the old format (which had no digests). */
const sha256Again = (keepKeyId: boolean) => (row: Row, previous: string) => {
  const next: Row = { ...row, key_id: keepKeyId ? row.key_id : null };
  if (!keepKeyId) next.personal_digest = null;
  return { ...next, previous_hash: previous, hash: hashEvent(previous, Number(row.sequence), fieldsOf(next)) };
};

/** Six signed events: a submitted, b submitted, a pending_review, a approved, b rejected, a refusal. */
async function sixEvents() {
  const context = instance();
  const a = await context.file('subject-a');
  const b = await context.file('subject-b');
  await context.move(a, NOW, 'pending_review', 'approved');
  await context.move(b, NOW, 'rejected');
  await context.repository.appendEvent({
    requestId: 'req-unknown',
    tenantId: TENANT,
    actor: 'x',
    at: NOW,
    from: null,
    to: 'refused',
    reason: 'refused claim: unknownRequest',
  });
  const head = (await context.trail.head())!;
  expect(head).toMatchObject({ sequence: 6, keyId: keys.current.id });
  expect(await context.repository.verifyAuditChain()).toEqual({ ok: true, events: 6 });
  return { ...context, head };
}

describe('the keyed audit trail on PostgreSQL', () => {
  describe('against someone who can write the database but has no key', () => {
    it('fails an event rewritten with every later hash recomputed, at the rewritten event', async () => {
      await sixEvents();
      await rewrite(
        3,
        (row) => ({ ...row, actor: 'aad-attacker', reason: 'approved, no identity check' }),
        sha256Again(true),
      );
      expect(await verify()).toMatchObject({
        verification: { ok: false, brokenAt: 3, problem: CHAIN_PROBLEMS.content },
      });
    });

    it('fails the same rewrite signed with a key of their own, as signed by a key nobody configured', async () => {
      await sixEvents();
      const theirs = auditKey('a-key-the-attacker-made-up-for-this-forgery');
      await rewrite(
        3,
        (row) => ({ ...row, actor: 'aad-attacker' }),
        (row, previous) => ({
          ...row,
          key_id: theirs.id,
          previous_hash: previous,
          hash: signEvent(theirs, previous, Number(row.sequence), fieldsOf(row)),
        }),
      );
      expect((await verify()).verification).toMatchObject({
        ok: false,
        brokenAt: 3,
        problem: `${CHAIN_PROBLEMS.unknownKey} (${theirs.id})`,
      });
    });

    it('fails a trail rewritten as unsigned events of the old format, from its first event', async () => {
      await sixEvents();
      await rewrite(1, (row) => row, sha256Again(false));
      await rewrite(3, (row) => ({ ...row, actor: 'aad-attacker' }), sha256Again(false));
      expect((await verify()).verification).toMatchObject({ ok: false, brokenAt: 1, problem: CHAIN_PROBLEMS.unsigned });
    });

    it.each([
      ['moves where keying began', 'UPDATE audit_chain SET keyed_from = 1000'],
      ['moves where keying began and removes its seal', 'UPDATE audit_chain SET keyed_from = 1000, seal = NULL'],
      ['removes the record of where keying began', 'DELETE FROM audit_chain'],
    ])('fails a trail rewritten as old unsigned events when the rewrite also %s', async (_what, sql) => {
      const { head } = await sixEvents();
      await rewrite(1, (row) => ({ ...row, actor: 'aad-attacker' }), sha256Again(false));
      await instances.asAttacker(sql);
      // The seal over where keying began needs the key: without it the rewrite shows, anchor or not.
      expect((await verify()).verification).toMatchObject({ ok: false });
      expect((await verify(keys, head)).anchor).toMatchObject({ kind: 'rewritten' });
    });

    it('fails a trail whose seal was removed, and one sealed with a key nobody configured', async () => {
      await sixEvents();
      await instances.asAttacker('UPDATE audit_chain SET seal = NULL, seal_key_id = NULL');
      expect((await verify()).verification).toMatchObject({ ok: false, problem: CHAIN_PROBLEMS.seal });
      await instances.asAttacker("UPDATE audit_chain SET seal = repeat('0', 64), seal_key_id = 'k-unknown'");
      expect((await verify()).verification).toMatchObject({ ok: false, problem: CHAIN_PROBLEMS.seal });
    });

    it('fails a deleted tail against an anchor, and tells how many events up to it are missing', async () => {
      const { head } = await sixEvents();
      await instances.asAttacker('DELETE FROM request_events WHERE sequence >= 5');
      // What is left is a perfectly good chain of four events; only the anchor shows what is gone.
      const report = await verify(keys, head);
      expect(report.verification).toEqual({ ok: true, events: 4 });
      expect(report.anchor).toEqual({ kind: 'missing', lastSequence: 4, missing: 2 });
    });

    it('fails a deleted tail that the bot wrote over afterwards, as an anchor no longer contained', async () => {
      const context = await sixEvents();
      // The attacker also winds the head back to the event left newest, so that the bot chains to it.
      await instances.asAttacker(
        `DELETE FROM request_events WHERE sequence >= 5;
         UPDATE audit_head SET last_sequence = 4, last_hash = (SELECT hash FROM request_events WHERE sequence = 4)`,
      );
      await context.file('subject-c');
      await context.file('subject-d');
      const report = await verify(keys, context.head);
      expect(report.verification).toEqual({ ok: true, events: 6 });
      expect(report.anchor).toMatchObject({ kind: 'rewritten' });
    });

    it("fails a deleted tail at the next event when only the head's number was wound back: it chains to the deleted one", async () => {
      const { file } = await sixEvents();
      await instances.asAttacker(
        'DELETE FROM request_events WHERE sequence >= 5; UPDATE audit_head SET last_sequence = 4',
      );
      await file('subject-c');
      expect((await verify()).verification).toMatchObject({ ok: false, brokenAt: 5, problem: CHAIN_PROBLEMS.link });
    });

    it('says an anchor is contained when nothing happened to the trail', async () => {
      const { head, file } = await sixEvents();
      await file('subject-later');
      const report = await verify(keys, head);
      expect(report).toMatchObject({
        verification: { ok: true, events: 7 },
        anchor: { kind: 'contained' },
        unsigned: 0,
      });
      expect(report.head).toMatchObject({ sequence: 7, keyId: keys.current.id });
    });

    it('fails a request whose contact details were changed outside the trail, at the event that recorded them', async () => {
      const { file, move } = instance();
      await file('subject-a');
      const request = await move(await file('subject-b'), NOW, 'pending_review');
      await instances.asAttacker(
        `UPDATE requests SET application = jsonb_set(application::jsonb, '{contact}', '"+1 555 0100"')::text WHERE id = $1`,
        [request.id],
      );
      expect((await verify()).verification).toMatchObject({ ok: false, brokenAt: 3, problem: CHAIN_PROBLEMS.personal });
    });
  });

  describe('keys and the seal', () => {
    it('verifies events signed before a rotation with the earlier key in AUDIT_PREVIOUS_KEYS, and names the key missing without it', async () => {
      await instance(auditKeyRing(OLD_KEY)).file('subject-a');
      await instance(auditKeyRing(KEY, [OLD_KEY]), 1).file('subject-b');
      const { rows } = await instances.pools[0].query('SELECT key_id FROM request_events ORDER BY sequence');
      expect(rows.map((row) => row.key_id)).toEqual([auditKey(OLD_KEY).id, auditKey(KEY).id]);
      expect((await verify(auditKeyRing(KEY, [OLD_KEY]))).verification).toEqual({ ok: true, events: 2 });
      expect((await verify(auditKeyRing(KEY))).verification).toMatchObject({
        ok: false,
        brokenAt: 1,
        problem: `${CHAIN_PROBLEMS.unknownKey} (${auditKey(OLD_KEY).id})`,
      });
    });

    it('seals where keying began once, when two instances start together, and the seal is left as it is after', async () => {
      const seal = () => instances.pools[0].query('SELECT seal, seal_key_id FROM audit_chain');
      expect((await seal()).rows).toEqual([{ seal: null, seal_key_id: null }]);
      await Promise.all([instance(keys, 0).trail.seal(), instance(auditKeyRing(OLD_KEY), 1).trail.seal()]);
      const sealed = (await seal()).rows[0]!;
      expect([auditKey(KEY).id, auditKey(OLD_KEY).id]).toContain(sealed.seal_key_id);
      await instance(auditKeyRing(KEY)).trail.seal();
      expect((await seal()).rows[0]).toEqual(sealed);
    });
  });

  describe('upgrading', () => {
    it('continues a trail written before the head kept the newest hash, once the upgrade has run', async () => {
      const database = await createTestDatabase();
      const settings = { url: database.url, poolSize: 2, statementTimeoutMs: 10_000, entraAuth: false };
      const silent = createLogger({ level: 'silent' });
      const upgrade = postgresMigrations.find((migration) => migration.sql.includes('ADD COLUMN last_hash'))!;
      const fileOn = async (pool: PostgresPool, subjectId: string) => {
        const repository = new PostgresRequestRepository(pool, new PostgresAuditTrail(pool, keys));
        const draft = draftFor(subjectId, { at: NOW });
        expect(
          await repository.create(draft, submittedEvent(draft), { dailyCap: 100, since: new Date(0) }),
        ).toMatchObject({
          kind: 'created',
        });
      };
      const older = await openPool(settings, silent);
      try {
        await fileOn(older, 'subject-a');
        await fileOn(older, 'subject-b');
        // The database as the build before the upgrade left it: a head that holds the number alone.
        await older.query(
          `ALTER TABLE audit_head DROP COLUMN last_hash; DELETE FROM schema_migrations WHERE version = ${upgrade.version}`,
        );
      } finally {
        await older.end();
      }
      const upgraded = await openPool(settings, silent);
      try {
        await fileOn(upgraded, 'subject-c');
        const trail = await new PostgresAuditTrail(upgraded, keys).verify();
        expect(trail.verification).toEqual({ ok: true, events: 3 });
      } finally {
        await upgraded.end();
        await database.drop();
      }
    });
  });

  describe('anchors', () => {
    const anchorOf = (
      head: { sequence: number; hash: string; keyId: string | undefined },
      tenantId = TENANT,
    ): PublishedAnchor => ({
      ...head,
      tenantId,
      at: NOW,
      trigger: 'daily',
      requestedBy: undefined,
    });

    it("takes the day's anchor once per tenant when instances race for it, and not again while the trail stands still", async () => {
      const { head } = await sixEvents();
      const since = new Date(NOW.getTime() - 3_600_000);
      const trails = [instance(keys, 0).trail, instance(keys, 1).trail];
      await instances.warm();

      const taken = await Promise.all(
        Array.from({ length: 10 }, (_, i) => trails[i % 2]!.takeAnchor(anchorOf(head), since)),
      );

      expect(taken.filter(Boolean)).toHaveLength(1);
      expect(await trails[0]!.takeAnchor(anchorOf(head, 'tenant-2'), since)).toBe(true);
      // The next day: the trail has not moved since, so there is nothing new to publish.
      const tomorrow = { ...anchorOf(head), at: new Date(NOW.getTime() + DAY) };
      expect(await trails[1]!.takeAnchor(tomorrow, new Date(NOW.getTime() + DAY - 3_600_000))).toBe(false);
      // An anchor someone asked for is always recorded.
      expect(await trails[1]!.takeAnchor({ ...anchorOf(head), trigger: 'asked', requestedBy: 'aad-lead' })).toBe(true);
      const { rows } = await instances.pools[0].query(
        'SELECT tenant_id, sequence, hash, key_id, kind, requested_by FROM audit_anchors ORDER BY tenant_id, kind',
      );
      expect(rows).toEqual([
        {
          tenant_id: TENANT,
          sequence: '6',
          hash: head.hash,
          key_id: head.keyId,
          kind: 'asked',
          requested_by: 'aad-lead',
        },
        { tenant_id: TENANT, sequence: '6', hash: head.hash, key_id: head.keyId, kind: 'daily', requested_by: null },
        {
          tenant_id: 'tenant-2',
          sequence: '6',
          hash: head.hash,
          key_id: head.keyId,
          kind: 'daily',
          requested_by: null,
        },
      ]);
    });

    it('answers no head for an empty trail, and the tenants that chose an approval channel in order', async () => {
      expect(await instance().trail.head()).toBeUndefined();
      for (const tenant of ['tenant-b', 'Tenant-C', 'tenant-a']) {
        await instances.pools[0].query(
          `INSERT INTO approval_channels (tenant_id, team_id, channel_id, service_url, locale, set_by, set_at)
           VALUES ($1, 'team', 'channel', 'https://smba.example', 'en-US', 'agent', $2)`,
          [tenant, NOW],
        );
      }
      expect(await instance().trail.tenantsWithChannel()).toEqual(['Tenant-C', 'tenant-a', 'tenant-b']);
    });
  });

  describe('retention', () => {
    it('removes contact details and notes of requests finished longer ago than the retention period, and the chain still verifies', async () => {
      const { repository, trail, file, move } = instance();
      const longAgo = new Date(NOW.getTime() - 400 * DAY);
      const old = await move(await file('subject-old', longAgo), longAgo, 'rejected');
      const recent = await move(await file('subject-recent', NOW), NOW, 'rejected');
      const open = await file('subject-open', longAgo);
      const before = new Date(NOW.getTime() - 365 * DAY);

      expect(await trail.purgePersonalData(before, NOW, 10)).toBe(1);
      expect(await trail.purgePersonalData(before, NOW, 10)).toBe(0);

      const purged = (await repository.find(old.id))!;
      expect(purged.application).toMatchObject({
        contact: '',
        note: '',
        reason: 'lostPhone',
        lostMethodIds: ['method-1'],
      });
      expect(purged.updatedAt).toEqual(old.updatedAt);
      expect(purged.version).toBe(old.version + 1);
      expect((await repository.find(recent.id))!.application.contact).toBe('+81 3 0000 0000');
      expect((await repository.find(open.id))!.application.note).toBe('Phone fell into the river.');
      const raw = await instances.pools[0].query('SELECT application, review, purged_at FROM requests WHERE id = $1', [
        old.id,
      ]);
      expect(raw.rows[0].purged_at).toEqual(NOW);
      expect(`${raw.rows[0].application}${raw.rows[0].review}`).not.toMatch(/0000 0000|river/);
      expect((await repository.eventsOf(old.id)).at(-1)).toMatchObject({
        actor: 'system',
        from: 'rejected',
        to: 'rejected',
      });
      // No event holds the purged text, and the whole trail (digests included) still verifies.
      const events = await instances.pools[0].query('SELECT * FROM request_events');
      expect(JSON.stringify(events.rows)).not.toMatch(/0000 0000|river/);
      expect((await verify()).verification).toEqual({ ok: true, events: 6 });
    });

    it('purges each request once when two instances purge at the same moment, each with its own event', async () => {
      const { file, move } = instance();
      const longAgo = new Date(NOW.getTime() - 400 * DAY);
      for (let i = 0; i < 8; i++) await move(await file(`subject-${i}`, longAgo), longAgo, 'cancelled');
      const before = new Date(NOW.getTime() - 365 * DAY);
      await instances.warm();

      const purged = await Promise.all([
        instance(keys, 0).trail.purgePersonalData(before, NOW, 10),
        instance(keys, 1).trail.purgePersonalData(before, NOW, 10),
      ]);

      expect(purged[0]! + purged[1]!).toBe(8);
      const { rows } = await instances.pools[0].query(
        "SELECT COUNT(*) AS count FROM request_events WHERE actor = 'system'",
      );
      expect(Number(rows[0].count)).toBe(8);
      expect((await verify()).verification).toEqual({ ok: true, events: 24 });
    });
  });

  describe('export', () => {
    it('yields the events in the range as `audit:export` writes them: who, what, when, the request, Graph id, refusal', async () => {
      const { file, move, repository, trail } = instance();
      const a = await file('subject-a', new Date('2027-05-01T10:00:00.000Z'));
      await move(a, new Date('2027-05-02T10:00:00.000Z'), 'pending_review');
      await repository.appendEvent({
        requestId: a.id,
        tenantId: TENANT,
        actor: 'aad-stranger',
        at: new Date('2027-05-03T10:00:00.000Z'),
        from: 'pending_review',
        to: 'refused',
        reason: 'refused approve: notHelpdesk',
        graphRequestId: 'graph-req-1',
      });
      await file('subject-b', new Date('2027-05-04T10:00:00.000Z'));

      const events: ExportedEvent[] = [];
      for await (const event of trail.exportEvents(
        new Date('2027-05-02T00:00:00Z'),
        new Date('2027-05-04T00:00:00Z'),
      )) {
        events.push(event);
      }

      expect(events).toEqual([
        expect.objectContaining({
          sequence: 2,
          time: '2027-05-02T10:00:00.000Z',
          kind: 'transition',
          from: 'submitted',
          to: 'pending_review',
          reference: 'SIH-000001',
          refusal: null,
          graphRequestId: null,
        }),
        expect.objectContaining({
          sequence: 3,
          actor: 'aad-stranger',
          kind: 'refusal',
          refusal: 'notHelpdesk',
          graphRequestId: 'graph-req-1',
          requestId: a.id,
          keyId: keys.current.id,
        }),
      ]);
    });

    it('reads a long trail page by page, and a reader may stop early', async () => {
      const { repository, trail } = instance();
      const first = draftFor('subject-a', { at: NOW });
      await repository.create(first, submittedEvent(first), { dailyCap: 1, since: new Date(0) });
      const refusals = Array.from({ length: 2_100 }, (_, i) => i);
      for (let i = 0; i < refusals.length; i += 100) {
        await Promise.all(
          refusals.slice(i, i + 100).map((n) =>
            repository.appendEvent({
              requestId: 'req-x',
              tenantId: TENANT,
              actor: 'a',
              at: NOW,
              from: null,
              to: 'refused',
              reason: `refused claim: ${n}`,
            }),
          ),
        );
      }
      let exported = 0;
      for await (const event of trail.exportEvents(new Date(0), new Date(NOW.getTime() + 1))) {
        expect(event.sequence).toBe(++exported);
      }
      expect(exported).toBe(2_101);
      for await (const event of trail.exportEvents(new Date(0), new Date(NOW.getTime() + 1))) {
        expect(event.sequence).toBe(1);
        break;
      }
      expect((await verify()).verification).toEqual({ ok: true, events: 2_101 });
    }, 60_000);
  });
});
