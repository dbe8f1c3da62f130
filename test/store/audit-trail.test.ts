import { spawn } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { exportAuditTrail, parseExportArguments } from '../../scripts/audit-export.js';
import {
  UsageError,
  describeVerification,
  parseVerifyArguments,
  verifyAuditTrail,
} from '../../scripts/audit-verify.js';
import type { RequestDraft } from '../../src/domain/requests/ports.js';
import {
  emptyReview,
  type AuditEvent,
  type RequestState,
  type ResetRequest,
} from '../../src/domain/requests/request.js';
import { createLogger } from '../../src/logging/create-logger.js';
import { projectPath, projectRoot } from '../../src/project-root.js';
import {
  CHAIN_PROBLEMS,
  GENESIS_HASH,
  auditKey,
  auditKeyRing,
  hashEvent,
  signEvent,
  type AuditKeyRing,
} from '../../src/store/audit-chain.js';
import { LOCAL_AUDIT_KEY_SUFFIX } from '../../src/store/audit-keys.js';
import { migrations } from '../../src/store/sqlite/migrations.js';
import { openDatabase, type SqliteDatabase } from '../../src/store/sqlite/open-database.js';
import { SqliteAuditTrail, toChainedEvent, type EventRow } from '../../src/store/sqlite/sqlite-audit-trail.js';
import { SqliteRequestRepository } from '../../src/store/sqlite/sqlite-request-repository.js';
import { tempSqlitePath } from '../support/bot-harness.js';
import { LOCAL_ENV } from '../support/child-bot.js';
import { moveThrough } from '../support/request-drafts.js';

const silent = createLogger({ level: 'silent' });
const TENANT = 'tenant-1';
const KEY = 'Zm9yLXRlc3RzLW9ubHktbm90LWEtcmVhbC1hdWRpdC1rZXk=';
const OLD_KEY = 'b2xkLWtleS1yZXRpcmVkLWJ5LXJvdGF0aW9uLWluLXRlc3Rz';
const keys = auditKeyRing(KEY);
const DAY = 86_400_000;
const NOW = new Date('2027-06-01T09:00:00.000Z');

let ids = 0;

function draftFor(subjectId: string, at: Date): RequestDraft {
  return {
    id: `req-${++ids}`,
    tenantId: TENANT,
    filerId: subjectId,
    application: {
      subjectId,
      reason: 'lostPhone',
      lostMethodIds: ['method-1'],
      verification: 'callback',
      contact: '+81 90 1234 5678',
      note: 'Phone fell into the river near the office.',
      diagnosisId: undefined,
    },
    state: 'submitted',
    review: emptyReview(),
    createdAt: at,
    updatedAt: at,
  };
}

/** Every column of request_events, as someone holding the file reads them. */
type Row = Record<string, any>;

/** Changes the file the way someone with write access to it could: another connection, triggers dropped. */
function asAttacker(path: string, change: (db: Database.Database) => void): void {
  const attacker = new Database(path);
  attacker.exec('DROP TRIGGER IF EXISTS request_events_no_update; DROP TRIGGER IF EXISTS request_events_no_delete;');
  attacker.transaction(() => change(attacker))();
  attacker.close();
}

/** The fields a hash covers, from a stored row, as the trail reads them. */
const fieldsOf = (row: Row) => toChainedEvent(row as EventRow);

/**
 * Rewrites event `sequence` with `edit` and recomputes every hash from there on with `rehash`, the way an
 * attacker who dropped the triggers would after editing one event.
 */
function rewrite(path: string, sequence: number, edit: (row: Row) => Row, rehash: (row: Row, previous: string) => Row) {
  asAttacker(path, (db) => {
    const rows = db
      .prepare('SELECT * FROM request_events WHERE sequence >= ? ORDER BY sequence')
      .all(sequence) as Row[];
    let previous = (
      db.prepare('SELECT hash FROM request_events WHERE sequence = ?').get(sequence - 1) as Row | undefined
    )?.hash as string | undefined;
    previous ??= GENESIS_HASH;
    const update = db.prepare(
      `UPDATE request_events SET actor = @actor, reason = @reason, key_id = @key_id, personal_digest = @personal_digest,
         previous_hash = @previous_hash, hash = @hash WHERE sequence = @sequence`,
    );
    for (const row of rows) {
      const next = rehash(row.sequence === sequence ? edit(row) : row, previous);
      update.run(next);
      previous = next.hash as string;
    }
  });
}

/** What an attacker without the key can compute: the unkeyed SHA-256 of the old format (which had no digests). */
const sha256Again = (keepKeyId: boolean) => (row: Row, previous: string) => {
  const next: Row = { ...row, key_id: keepKeyId ? row.key_id : null };
  if (!keepKeyId) next.personal_digest = null;
  return { ...next, previous_hash: previous, hash: hashEvent(previous, row.sequence, fieldsOf(next)) };
};

describe('the keyed audit trail (SQLite)', () => {
  const opened: SqliteDatabase[] = [];
  afterEach(() => {
    for (const db of opened.splice(0)) if (db.open) db.close();
  });

  const setUp = (path = tempSqlitePath(), ring: AuditKeyRing = keys) => {
    const db = openDatabase(path, silent);
    opened.push(db);
    const repository = new SqliteRequestRepository(db, ring);
    const trail = new SqliteAuditTrail(db, ring);
    const file = async (subjectId: string, at = NOW): Promise<ResetRequest> => {
      const draft = draftFor(subjectId, at);
      const event: AuditEvent = {
        requestId: draft.id,
        tenantId: TENANT,
        actor: subjectId,
        at,
        from: null,
        to: 'submitted',
        reason: 'filed',
      };
      const result = await repository.create(draft, event, { dailyCap: 100, since: new Date(0) });
      if (result.kind !== 'created') throw new Error(result.kind);
      return result.request;
    };
    const move = (request: ResetRequest, at: Date, ...states: RequestState[]) =>
      moveThrough(repository, request, at, ...states);
    return { db, path, repository, trail, file, move };
  };

  /** Six signed events: a submitted, b submitted, a pending_review, a approved, b rejected, a refusal. */
  const sixEvents = async () => {
    const context = setUp();
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
    expect(head.sequence).toBe(6);
    expect(await context.repository.verifyAuditChain()).toEqual({ ok: true, events: 6 });
    return { ...context, head };
  };

  describe('against someone who can write the database but has no key', () => {
    it('fails an event rewritten with every later hash recomputed, at the rewritten event', async () => {
      const { path, db } = await sixEvents();
      rewrite(
        path,
        3,
        (row) => ({ ...row, actor: 'aad-attacker', reason: 'approved, no identity check' }),
        sha256Again(true),
      );
      expect(await verifyAuditTrail(path, { keys })).toMatchObject({
        ok: false,
        brokenAt: 3,
        problem: CHAIN_PROBLEMS.content,
      });
      expect((db.prepare('SELECT actor FROM request_events WHERE sequence = 3').get() as Row).actor).toBe(
        'aad-attacker',
      );
    });

    it('fails the same rewrite signed with a key of their own, as signed by a key nobody configured', async () => {
      const { path } = await sixEvents();
      const theirs = auditKey('a-key-the-attacker-made-up-for-this-forgery');
      rewrite(
        path,
        3,
        (row) => ({ ...row, actor: 'aad-attacker' }),
        (row, previous) => ({
          ...row,
          key_id: theirs.id,
          previous_hash: previous,
          hash: signEvent(theirs, previous, row.sequence, fieldsOf(row)),
        }),
      );
      expect(await verifyAuditTrail(path, { keys })).toMatchObject({
        ok: false,
        brokenAt: 3,
        problem: `${CHAIN_PROBLEMS.unknownKey} (${theirs.id})`,
      });
    });

    it('fails a trail rewritten as unsigned events of the old format, from its first event', async () => {
      const { path } = await sixEvents();
      rewrite(path, 1, (row) => row, sha256Again(false));
      rewrite(path, 3, (row) => ({ ...row, actor: 'aad-attacker' }), sha256Again(false));
      expect(await verifyAuditTrail(path, { keys })).toMatchObject({
        ok: false,
        brokenAt: 1,
        problem: CHAIN_PROBLEMS.unsigned,
      });
    });

    it.each([
      ['moves where keying began', 'UPDATE audit_chain SET keyed_from = 1000'],
      ['moves where keying began and removes its seal', 'UPDATE audit_chain SET keyed_from = 1000, seal = NULL'],
      ['removes the record of where keying began', 'DELETE FROM audit_chain'],
    ])('fails a trail rewritten as old unsigned events when the rewrite also %s', async (_what, sql) => {
      const { path, head } = await sixEvents();
      rewrite(path, 1, (row) => row, sha256Again(false));
      rewrite(path, 3, (row) => ({ ...row, actor: 'aad-attacker' }), sha256Again(false));
      for (let sequence = 2; sequence <= 6; sequence += 1) {
        if (sequence !== 3) rewrite(path, sequence, (row) => row, sha256Again(false));
      }
      asAttacker(path, (db) => db.exec(sql));
      // The seal over where keying began needs the key: without it the rewrite shows, anchor or not.
      expect(await verifyAuditTrail(path, { keys })).toMatchObject({ ok: false });
      const report = await verifyAuditTrail(path, { keys, anchor: head });
      expect(report.anchor).toMatchObject({ kind: 'rewritten' });
      expect(describeVerification(report, head)).toContain(`Anchor #6 (${head.hash.slice(0, 12)}…): NOT in the trail`);
    });

    it('fails a deleted tail against an anchor, and tells how many events up to it are missing', async () => {
      const { path, head } = await sixEvents();
      asAttacker(path, (db) => db.exec('DELETE FROM request_events WHERE sequence >= 5'));
      // What is left is a perfectly good chain of four events; only the anchor shows what is gone.
      const report = await verifyAuditTrail(path, { keys, anchor: head });
      expect(report).toMatchObject({ ok: true, events: 4, anchor: { kind: 'missing', lastSequence: 4, missing: 2 } });
      expect(describeVerification(report, head).split('\n')[1]).toBe(
        `Anchor #6 (${head.hash.slice(0, 12)}…): NOT in the trail: it ends at event #4, so 2 events up to the anchor are missing.`,
      );
    });

    it('fails a deleted tail that the bot wrote over afterwards, as an anchor no longer contained', async () => {
      const context = await sixEvents();
      asAttacker(context.path, (db) => {
        db.exec('DELETE FROM request_events WHERE sequence >= 5');
        db.exec("UPDATE sqlite_sequence SET seq = 4 WHERE name = 'request_events'");
      });
      await context.file('subject-c');
      await context.file('subject-d');
      const report = await verifyAuditTrail(context.path, { keys, anchor: context.head });
      expect(report).toMatchObject({ ok: true, events: 6 });
      expect(report.anchor).toMatchObject({ kind: 'rewritten' });
    });

    it('says an anchor is contained when nothing happened to the trail', async () => {
      const { path, head, file } = await sixEvents();
      await file('subject-later');
      const report = await verifyAuditTrail(path, { keys, anchor: head });
      expect(report).toMatchObject({ ok: true, events: 7, anchor: { kind: 'contained' } });
      expect(describeVerification(report, head)).toBe(
        `Audit trail OK: 7 events, chain intact.\nAnchor #6 (${head.hash.slice(0, 12)}…): the trail still contains it, and no event up to it is missing.`,
      );
    });

    it('fails a request whose contact details were changed outside the trail, at the event that recorded them', async () => {
      const { path, file } = setUp();
      const request = await file('subject-a');
      asAttacker(path, (db) =>
        db
          .prepare("UPDATE requests SET application = json_set(application, '$.contact', '+1 555 0100') WHERE id = ?")
          .run(request.id),
      );
      expect(await verifyAuditTrail(path, { keys })).toMatchObject({
        ok: false,
        brokenAt: 1,
        problem: CHAIN_PROBLEMS.personal,
      });
    });
  });

  describe('keys', () => {
    it('verifies events signed before a rotation with the earlier key in AUDIT_PREVIOUS_KEYS, and names the key missing without it', async () => {
      const path = tempSqlitePath();
      const before = setUp(path, auditKeyRing(OLD_KEY));
      await before.file('subject-a');
      before.db.close();
      const after = setUp(path, auditKeyRing(KEY, [OLD_KEY]));
      await after.file('subject-b');
      const events = after.db.prepare('SELECT key_id FROM request_events ORDER BY sequence').pluck().all();
      expect(events).toEqual([auditKey(OLD_KEY).id, auditKey(KEY).id]);
      expect(await verifyAuditTrail(path, { keys: auditKeyRing(KEY, [OLD_KEY]) })).toMatchObject({
        ok: true,
        events: 2,
      });
      expect(await verifyAuditTrail(path, { keys: auditKeyRing(KEY) })).toMatchObject({
        ok: false,
        brokenAt: 1,
        problem: `${CHAIN_PROBLEMS.unknownKey} (${auditKey(OLD_KEY).id})`,
      });
    });

    it('keeps a local key file beside the database, readable by its owner only, which verification reads', async () => {
      const path = tempSqlitePath();
      const db = openDatabase(path, silent);
      opened.push(db);
      const repository = new SqliteRequestRepository(db);
      const draft = draftFor('subject-a', NOW);
      await repository.create(
        draft,
        { requestId: draft.id, tenantId: TENANT, actor: 'a', at: NOW, from: null, to: 'submitted', reason: 'filed' },
        { dailyCap: 9, since: new Date(0) },
      );
      const keyFile = `${path}${LOCAL_AUDIT_KEY_SUFFIX}`;
      expect(existsSync(keyFile)).toBe(true);
      expect(statSync(keyFile).mode & 0o777).toBe(0o600);
      expect(await verifyAuditTrail(path)).toMatchObject({ ok: true, events: 1 });
      // Without that key, nothing signed verifies.
      expect(await verifyAuditTrail(path, { keys })).toMatchObject({ ok: false, brokenAt: 1 });
    });
  });

  describe('a database from before the trail was keyed', () => {
    /** A schema-version-8 file whose trail was written by the earlier build: SHA-256, no key. */
    const oldDatabase = (events: number) => {
      const path = tempSqlitePath();
      const db = openDatabase(
        path,
        silent,
        migrations.filter((migration) => migration.version <= 8),
      );
      const insert = db.prepare(
        `INSERT INTO request_events (sequence, request_id, tenant_id, actor, at, from_state, to_state, reason, graph_request_id, previous_hash, hash)
         VALUES (?, ?, ?, ?, ?, NULL, 'refused', ?, NULL, ?, ?)`,
      );
      let previous = GENESIS_HASH;
      for (let sequence = 1; sequence <= events; sequence++) {
        const fields = {
          requestId: 'req-old',
          tenantId: TENANT,
          actor: 'a',
          at: NOW.toISOString(),
          from: null,
          to: 'refused' as const,
          reason: `old ${sequence}`,
        };
        const hash = hashEvent(previous, sequence, fields);
        insert.run(sequence, fields.requestId, TENANT, fields.actor, fields.at, fields.reason, previous, hash);
        previous = hash;
      }
      db.close();
      return path;
    };

    it('still verifies as it is, read-only, and after migration 9 continues the chain with signed events', async () => {
      const path = oldDatabase(3);
      expect(await verifyAuditTrail(path, { keys })).toMatchObject({ ok: true, events: 3, unsigned: 3 });
      const { db, file } = setUp(path);
      expect(db.prepare('SELECT keyed_from FROM audit_chain').pluck().get()).toBe(4);
      await file('subject-new');
      const report = await verifyAuditTrail(path, { keys });
      expect(report).toMatchObject({ ok: true, events: 4, unsigned: 3, head: { sequence: 4, keyId: keys.current.id } });
      expect(describeVerification(report)).toContain('The first 3 were written before the trail was keyed');
    });

    it('fails its old events rewritten with their SHA-256 recomputed, by the seal over where keying began', async () => {
      const path = oldDatabase(3);
      // The bot seals where keying began as it starts; no signed event follows yet to link to the old ones.
      setUp(path).trail.seal();
      expect(await verifyAuditTrail(path, { keys })).toMatchObject({ ok: true, events: 3 });
      rewrite(path, 2, (row) => ({ ...row, reason: 'nothing happened here' }), sha256Again(false));
      expect(await verifyAuditTrail(path, { keys })).toMatchObject({ ok: false, problem: CHAIN_PROBLEMS.seal });
    });

    it('fails a signed event of the upgraded file passed off as an old unsigned one', async () => {
      const path = oldDatabase(3);
      const { file } = setUp(path);
      await file('subject-new');
      await file('subject-newer');
      rewrite(path, 4, (row) => ({ ...row, actor: 'aad-attacker' }), sha256Again(false));
      expect(await verifyAuditTrail(path, { keys })).toMatchObject({
        ok: false,
        brokenAt: 4,
        problem: CHAIN_PROBLEMS.unsigned,
      });
    });
  });

  describe('retention', () => {
    it('removes contact details and notes of requests finished longer ago than the retention period, and the chain still verifies', async () => {
      const { path, repository, trail, file, move, db } = setUp();
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
      expect((await repository.find(recent.id))!.application.contact).toBe('+81 90 1234 5678');
      expect((await repository.find(open.id))!.application.note).toBe('Phone fell into the river near the office.');
      const raw = db.prepare('SELECT application, review, purged_at FROM requests WHERE id = ?').get(old.id) as Row;
      expect(raw.purged_at).toBe(NOW.toISOString());
      expect(`${raw.application}${raw.review}`).not.toMatch(/1234 5678|river/);
      expect((await repository.eventsOf(old.id)).at(-1)).toMatchObject({
        actor: 'system',
        from: 'rejected',
        to: 'rejected',
      });
      // No event holds the purged text, and the whole trail (digests included) still verifies.
      expect(JSON.stringify(db.prepare('SELECT * FROM request_events').all())).not.toMatch(/1234 5678|river/);
      expect(await verifyAuditTrail(path, { keys })).toMatchObject({ ok: true, events: 6 });
    });
  });

  describe('export', () => {
    it('writes one JSON object per line for the events in the range: who, what, when, the request, Graph id, refusal', async () => {
      const { path, file, move, repository } = setUp();
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
      const chunks: string[] = [];
      const sink = new (await import('node:stream')).Writable({
        write(chunk, _encoding, callback) {
          chunks.push(chunk.toString());
          callback();
        },
      });
      const range = parseExportArguments(['--since', '2027-05-02', '--until=2027-05-04']);
      expect(await exportAuditTrail(path, range, sink)).toBe(2);
      const lines = chunks.join('').split('\n');
      expect(lines.at(-1)).toBe('');
      const events = lines.slice(0, -1).map((line) => JSON.parse(line));
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

    it('refuses dates that are not UTC and ranges that end before they start', () => {
      expect(() => parseExportArguments(['--since', '31/01/2027'])).toThrow(UsageError);
      expect(() => parseExportArguments(['--since', '2027-01-31T09:00:00'])).toThrow(/not a UTC date/);
      expect(() => parseExportArguments(['--since', '2027-02-01', '--until', '2027-01-01'])).toThrow(/before --until/);
      expect(
        parseExportArguments(['--since=2027-01-31T09:00:00+09:00', '--until=2027-02-01']).since.toISOString(),
      ).toBe('2027-01-31T00:00:00.000Z');
      expect(() => parseVerifyArguments(['--anchor', '12:abc'])).toThrow(/64-digit hash/);
      expect(parseVerifyArguments([`--anchor=#12:${'A'.repeat(64)}`]).anchor).toEqual({
        sequence: 12,
        hash: 'a'.repeat(64),
      });
    });
  });
});

describe('npm run audit:verify -- --anchor and npm run audit:export', () => {
  const run = (script: string, args: string[], env: Record<string, string>) =>
    new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
      const child = spawn(projectPath('node_modules', '.bin', 'tsx'), [script, ...args], {
        cwd: projectRoot,
        env: { ...process.env, ...LOCAL_ENV, AUDIT_KEY: KEY, ...env },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      child.once('exit', (code) => resolve({ code, stdout, stderr }));
    });

  it('exits 0 for an anchor the trail contains, 1 for one whose tail is gone, 64 for a malformed one; exports to a file', async () => {
    const path = tempSqlitePath();
    const db = openDatabase(path, silent);
    const repository = new SqliteRequestRepository(db, keys);
    for (let i = 0; i < 3; i++) {
      const draft = draftFor(`subject-${i}`, NOW);
      await repository.create(
        draft,
        { requestId: draft.id, tenantId: TENANT, actor: 'a', at: NOW, from: null, to: 'submitted', reason: 'filed' },
        { dailyCap: 9, since: new Date(0) },
      );
    }
    const head = (await new SqliteAuditTrail(db, keys).head())!;
    db.close();
    const anchor = `${head.sequence}:${head.hash}`;
    const out = join(dirname(path), 'trail.jsonl');
    const [contained, malformed, exported] = await Promise.all([
      run('scripts/audit-verify.ts', ['--anchor', anchor], { SQLITE_PATH: path }),
      run('scripts/audit-verify.ts', ['--anchor', '3'], { SQLITE_PATH: path }),
      run('scripts/audit-export.ts', ['--since', '2027-01-01', '--until', '2028-01-01', '--out', out], {
        SQLITE_PATH: path,
      }),
    ]);
    expect(contained).toMatchObject({ code: 0 });
    expect(contained.stdout).toContain('Anchor #3');
    expect(contained.stdout).toContain('the trail still contains it');
    expect(malformed.code).toBe(64);
    expect(exported.code, exported.stderr).toBe(0);
    expect(exported.stderr).toContain('Exported 3 audit events');
    const lines = readFileSync(out, 'utf8').trimEnd().split('\n');
    expect(lines.map((line) => JSON.parse(line).sequence)).toEqual([1, 2, 3]);

    asAttacker(path, (attacker) => attacker.exec('DELETE FROM request_events WHERE sequence = 3'));
    const truncated = await run('scripts/audit-verify.ts', ['--anchor', anchor], { SQLITE_PATH: path });
    expect(truncated.code).toBe(1);
    expect(truncated.stdout).toContain('Audit trail OK: 2 events, chain intact.');
    expect(truncated.stdout).toContain(
      'NOT in the trail: it ends at event #2, so 1 event up to the anchor is missing.',
    );
  }, 60_000);

  it('stops quietly when its reader stops reading (`| head -1`), with no stack trace', async () => {
    const path = tempSqlitePath();
    const db = openDatabase(path, silent);
    const repository = new SqliteRequestRepository(db, keys);
    // Enough lines to fill the pipe after the reader has gone.
    for (let i = 0; i < 400; i++) {
      const draft = draftFor(`subject-${i}`, NOW);
      await repository.create(
        draft,
        { requestId: draft.id, tenantId: TENANT, actor: 'a', at: NOW, from: null, to: 'submitted', reason: 'filed' },
        { dailyCap: 1000, since: new Date(0) },
      );
    }
    db.close();
    const child = spawn(
      projectPath('node_modules', '.bin', 'tsx'),
      ['scripts/audit-export.ts', '--since', '2027-01-01', '--until', '2028-01-01'],
      {
        cwd: projectRoot,
        env: { ...process.env, ...LOCAL_ENV, AUDIT_KEY: KEY, SQLITE_PATH: path },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    try {
      let stderr = '';
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
      await new Promise<void>((resolve) => child.stdout.once('data', () => resolve()));
      child.stdout.destroy();
      expect(await exited).toBe(0);
      expect(stderr).not.toContain('EPIPE');
      expect(stderr).not.toMatch(/\n\s+at /);
    } finally {
      child.kill('SIGKILL');
    }
  }, 60_000);
});
