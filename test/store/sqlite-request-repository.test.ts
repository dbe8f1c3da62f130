import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { describeVerification, verifyAuditTrail } from '../../scripts/audit-verify.js';
import { AuditTrailUnavailableError } from '../../src/store/open-audit-reader.js';
import type { RequestDraft } from '../../src/domain/requests/ports.js';
import type { RequestState, ResetRequest } from '../../src/domain/requests/request.js';
import { createLogger } from '../../src/logging/create-logger.js';
import { projectPath, projectRoot } from '../../src/project-root.js';
import { CHAIN_PROBLEMS, hashEvent } from '../../src/store/audit-chain.js';
import { migrations } from '../../src/store/sqlite/migrations.js';
import { openDatabase, type SqliteDatabase } from '../../src/store/sqlite/open-database.js';
import { SqliteRequestRepository } from '../../src/store/sqlite/sqlite-request-repository.js';
import { tempSqlitePath } from '../support/bot-harness.js';
import { LOCAL_ENV } from '../support/child-bot.js';
import { MORNING, TENANT, TODAY, draftFor, moveThrough, submittedEvent } from '../support/request-drafts.js';

const silent = createLogger({ level: 'silent' });

describe('the SQLite request repository, as its file shows it', () => {
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
    const move = (request: ResetRequest, ...states: RequestState[]) =>
      moveThrough(repository, request, MORNING, ...states);
    return { db, path, repository, count, file, move };
  };

  /** Changes the file the way someone with access to it could: another connection, triggers dropped. */
  const tamper = (path: string, sql: string, ...params: unknown[]) => {
    const attacker = new Database(path);
    attacker.exec('DROP TRIGGER IF EXISTS request_events_no_update; DROP TRIGGER IF EXISTS request_events_no_delete;');
    attacker.prepare(sql).run(...params);
    attacker.close();
  };

  it('stores only the states the domain knows: the schema refuses any other', async () => {
    const { db, file } = setUp();
    await file(draftFor('subject-a'));
    expect(() => db.prepare("UPDATE requests SET state = 'lost' WHERE sequence = 1").run()).toThrow(/CHECK/);
  });

  describe('audit trail', () => {
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
         const id = ${JSON.stringify(existing.map((r) => r.id))}[i];
         if (await repository.compareAndSet({ id, expectedVersion: 1, to: 'pending_review', at, event: change })) outcome.changed++;
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
