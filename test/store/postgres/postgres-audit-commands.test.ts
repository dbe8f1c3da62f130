import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config/load-config.js';
import type { AuditHead } from '../../../src/domain/requests/ports.js';
import type { ResetRequest } from '../../../src/domain/requests/request.js';
import { createLogger } from '../../../src/logging/create-logger.js';
import { projectPath, projectRoot } from '../../../src/project-root.js';
import { auditKeyRing } from '../../../src/store/audit-chain.js';
import { createStore } from '../../../src/store/create-store.js';
import { postgresMigrations } from '../../../src/store/postgres/migrations.js';
import { describeDatabase } from '../../../src/store/postgres/describe-database.js';
import { openPool, openReadOnlyPool } from '../../../src/store/postgres/open-pool.js';
import type { Store } from '../../../src/store/store.js';
import { LOCAL_ENV } from '../../support/child-bot.js';
import { MovableClock } from '../../support/in-memory-ports.js';
import { createTestDatabase, postgresTestServer, type TestDatabase } from '../../support/postgres-database.js';
import { draftFor, submittedEvent } from '../../support/request-drafts.js';

const KEY = 'Zm9yLXRlc3RzLW9ubHktbm90LWEtcmVhbC1hdWRpdC1rZXk=';
const TENANT = 'tenant-1';
const silent = createLogger({ level: 'silent' });
/** A range holding every seeded event (they are dated 2027). */
const WHOLE_TRAIL = ['--since', '2027-01-01', '--until', '2028-01-01'];
/** A pool of one connection on the database at `url`, as the commands' settings would give. */
const settings = (url: string) => ({ url, poolSize: 1, statementTimeoutMs: 5_000, entraAuth: false });
/** Enough events after the exported range to fill a pipe after its reader has gone. */
const LATER_EVENTS = 400;

interface CommandResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * `npm run audit:verify` and `npm run audit:export` with DATABASE_URL set, as an operator runs them: the same
 * output and exit codes as on SQLite (test/store/audit-trail.test.ts), and the database left exactly as it was.
 */
describe.skipIf(postgresTestServer().url === undefined)('npm run audit:verify and audit:export on PostgreSQL', () => {
  let database: TestDatabase;
  let store: Store;
  let head: AuditHead;
  const extraDatabases: TestDatabase[] = [];
  const children = new Set<ChildProcessWithoutNullStreams>();
  const folder = mkdtempSync(join(tmpdir(), 'sign-in-help-audit-'));

  /** Runs one of the scripts as `npm run` does, on the database at `url` unless `env` says otherwise. */
  const run = (script: string, args: string[], env: Record<string, string>): Promise<CommandResult> =>
    new Promise((resolve) => {
      const child = spawn(projectPath('node_modules', '.bin', 'tsx'), [`scripts/${script}.ts`, ...args], {
        cwd: projectRoot,
        // SQLITE_PATH names a file that does not exist: the commands must not read SQLite when DATABASE_URL is set.
        env: { ...process.env, ...LOCAL_ENV, AUDIT_KEY: KEY, SQLITE_PATH: join(folder, 'absent.sqlite'), ...env },
        stdio: ['pipe', 'pipe', 'pipe'],
      });
      children.add(child);
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      child.once('exit', (code) => {
        children.delete(child);
        resolve({ code, stdout, stderr });
      });
    });
  const onDatabase = (url: string) => ({ DATABASE_URL: url });

  /** Runs `sql` on `url` past the schema's triggers, as someone holding the database could. */
  const asAttacker = async (url: string, sql: string) => {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      await client.query('SET session_replication_role = replica');
      await client.query(sql);
    } finally {
      await client.end();
    }
  };

  beforeAll(async () => {
    database = await createTestDatabase();
    // Seeded through the store, as the bot writes: migrated, sealed, every event signed with KEY.
    store = await createStore(loadConfig({ DATABASE_URL: database.url }), silent, {
      auditKeys: auditKeyRing(KEY),
      clock: new MovableClock(),
    });
    const file = async (subjectId: string, at: Date): Promise<ResetRequest> => {
      const draft = draftFor(subjectId, { at });
      const result = await store.requests.create(draft, submittedEvent(draft), {
        dailyCap: LATER_EVENTS,
        since: new Date(0),
      });
      if (result.kind !== 'created') throw new Error(result.kind);
      return result.request;
    };
    const a = await file('subject-a', new Date('2027-05-01T10:00:00.000Z'));
    const moved = new Date('2027-05-02T10:00:00.000Z');
    await store.requests.compareAndSet({
      id: a.id,
      expectedVersion: a.version,
      to: 'pending_review',
      at: moved,
      event: {
        requestId: a.id,
        tenantId: TENANT,
        actor: 'aad-agent',
        at: moved,
        from: 'submitted',
        to: 'pending_review',
        reason: 'claimed',
      },
      review: a.review,
    });
    await store.requests.appendEvent({
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
    for (let i = 0; i < LATER_EVENTS; i++) await file(`later-${i}`, new Date('2027-06-01T09:00:00.000Z'));
    head = (await store.auditTrail.head())!;
  }, 120_000);

  afterEach(() => {
    for (const child of children) child.kill('SIGKILL');
  });

  afterAll(async () => {
    await store?.close();
    await database?.drop();
    for (const extra of extraDatabases) await extra.drop();
    rmSync(folder, { recursive: true, force: true });
  });

  it('exits 0 for an intact trail and an anchor it contains, 64 for a malformed anchor, and changes nothing', async () => {
    const before = await tablesOf(database.url);
    const anchor = `${head.sequence}:${head.hash}`;
    const [intact, contained, malformed, exported] = await Promise.all([
      run('audit-verify', [], onDatabase(database.url)),
      run('audit-verify', ['--anchor', anchor], onDatabase(database.url)),
      run('audit-verify', ['--anchor', '3'], onDatabase(database.url)),
      run('audit-export', WHOLE_TRAIL, onDatabase(database.url)),
    ]);
    expect(intact, intact.stderr).toMatchObject({
      code: 0,
      stdout: `Audit trail OK: ${head.sequence} events, chain intact.\n`,
    });
    expect(contained.code, contained.stderr).toBe(0);
    expect(contained.stdout).toContain(`Anchor #${head.sequence}`);
    expect(contained.stdout).toContain('the trail still contains it, and no event up to it is missing');
    expect(malformed.code).toBe(64);
    expect(exported.code, exported.stderr).toBe(0);
    expect(exported.stdout.trimEnd().split('\n')).toHaveLength(head.sequence);
    expect(await tablesOf(database.url)).toEqual(before);
  }, 60_000);

  it('exports a range as JSON Lines, to a file and to stdout, and stops quietly when its reader stops', async () => {
    const out = join(folder, 'trail.jsonl');
    const range = ['--since', '2027-05-02', '--until=2027-05-04'];
    const [toFile, toStdout] = await Promise.all([
      run('audit-export', [...range, '--out', out], onDatabase(database.url)),
      run('audit-export', range, onDatabase(database.url)),
    ]);
    expect(toFile.code, toFile.stderr).toBe(0);
    expect(toFile.stderr).toContain(
      `Exported 2 audit events from 2027-05-02T00:00:00.000Z to 2027-05-04T00:00:00.000Z into ${out}.`,
    );
    const lines = readFileSync(out, 'utf8');
    expect(toStdout).toMatchObject({ code: 0, stdout: lines });
    expect(
      lines
        .trimEnd()
        .split('\n')
        .map((line) => JSON.parse(line)),
    ).toEqual([
      expect.objectContaining({
        sequence: 2,
        time: '2027-05-02T10:00:00.000Z',
        kind: 'transition',
        from: 'submitted',
        to: 'pending_review',
        reference: 'SIH-000001',
        refusal: null,
      }),
      expect.objectContaining({
        sequence: 3,
        actor: 'aad-stranger',
        kind: 'refusal',
        refusal: 'notHelpdesk',
        graphRequestId: 'graph-req-1',
        keyId: auditKeyRing(KEY).current.id,
      }),
    ]);

    // `npm run audit:export | head -1`: the reader goes after the first chunk of a long export.
    const child = spawn(projectPath('node_modules', '.bin', 'tsx'), ['scripts/audit-export.ts', ...WHOLE_TRAIL], {
      cwd: projectRoot,
      env: { ...process.env, ...LOCAL_ENV, AUDIT_KEY: KEY, DATABASE_URL: database.url },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    children.add(child);
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    await new Promise<void>((resolve) => child.stdout.once('data', () => resolve()));
    child.stdout.destroy();
    expect(await exited).toBe(0);
    expect(stderr).not.toContain('EPIPE');
    expect(stderr).not.toMatch(/\n\s+at /);
  }, 60_000);

  it('opens sessions of their own that refuse every write, even outside a read-only transaction', async () => {
    const pool = openReadOnlyPool(settings(database.url), silent);
    try {
      await expect(pool.query('DELETE FROM request_events')).rejects.toThrow(/read-only transaction/);
      await expect(pool.query('CREATE TABLE intruder (id integer)')).rejects.toThrow(/read-only transaction/);
    } finally {
      await pool.end();
    }
  });

  it('refuses a database it cannot reach in one sentence (exit 66), naming the setting and never the password', async () => {
    const result = await run('audit-verify', [], onDatabase('postgres://auditor:s3cret-pass@127.0.0.1:1/nowhere'));
    expect(result.code).toBe(66);
    expect(result.stderr).toContain('Cannot read the database 127.0.0.1:1/nowhere (');
    expect(result.stderr).toContain('check DATABASE_URL.');
    expect(result.stderr + result.stdout).not.toContain('s3cret-pass');
  }, 60_000);

  it('reads a database one version behind this build as it is, and refuses one older than the trail or newer than the build', async () => {
    const behind = await createTestDatabase();
    const older = await createTestDatabase();
    const empty = await createTestDatabase();
    const newer = await createTestDatabase();
    extraDatabases.push(behind, older, empty, newer);
    await (await openPool(settings(behind.url), silent, { migrations: postgresMigrations.slice(0, -1) })).end();
    await (await openPool(settings(older.url), silent, { migrations: [] })).end();
    await (await openPool(settings(newer.url), silent)).end();
    const latest = postgresMigrations.at(-1)!.version;
    await asAttacker(
      newer.url,
      `INSERT INTO schema_migrations (version, name) VALUES (${latest + 1}, 'from the future')`,
    );
    const [behindBefore, olderBefore, emptyBefore, newerBefore] = await Promise.all(
      [behind, older, empty, newer].map((d) => tablesOf(d.url)),
    );

    const [verifiedBehind, exportedBehind, verifiedOlder, exportedOlder, verifiedEmpty, verifiedNewer, exportedNewer] =
      await Promise.all([
        run('audit-verify', [], onDatabase(behind.url)),
        run('audit-export', [], onDatabase(behind.url)),
        run('audit-verify', [], onDatabase(older.url)),
        run('audit-export', [], onDatabase(older.url)),
        run('audit-verify', [], onDatabase(empty.url)),
        run('audit-verify', [], onDatabase(newer.url)),
        run('audit-export', [], onDatabase(newer.url)),
      ]);

    // The trail arrived in the first version: a database from the build before this one holds it, and the commands
    // read it without upgrading it (only the bot migrates).
    expect(latest - 1).toBeGreaterThanOrEqual(1);
    expect(verifiedBehind).toMatchObject({ code: 0, stdout: 'Audit trail OK: 0 events, chain intact.\n' });
    expect(exportedBehind).toMatchObject({ code: 0, stdout: '' });
    for (const result of [verifiedOlder, exportedOlder]) {
      expect(result).toMatchObject({
        code: 66,
        stderr: `Database ${describeDatabase(older.url)} has schema version 0; the audit trail arrived in version 1. Start the bot once with this build to upgrade it, then run audit:verify again.\n`,
      });
    }
    expect(verifiedEmpty).toMatchObject({ code: 66, stderr: expect.stringContaining('has schema version 0;') });
    for (const result of [verifiedNewer, exportedNewer]) {
      expect(result).toMatchObject({
        code: 66,
        stderr: `Database ${describeDatabase(newer.url)} has schema version ${latest + 1}, newer than this build knows (${latest}): verify it with the build that wrote it.\n`,
      });
    }
    expect(await tablesOf(behind.url)).toEqual(behindBefore);
    // Every migration but the last, one row each.
    expect(behindBefore).toMatchObject({ schema_migrations: expect.stringMatching(new RegExp(`^${latest - 1}:`)) });
    expect(await tablesOf(older.url)).toEqual(olderBefore);
    expect(olderBefore).toEqual({ schema_migrations: '0:' });
    expect(await tablesOf(empty.url)).toEqual(emptyBefore);
    expect(emptyBefore).toEqual({});
    expect(await tablesOf(newer.url)).toEqual(newerBefore);
  }, 60_000);

  it('exits 1 for an anchor whose tail was deleted, and for a tampered event, BROKEN at that event', async () => {
    const anchor = `${head.sequence}:${head.hash}`;
    await asAttacker(database.url, `DELETE FROM request_events WHERE sequence = ${head.sequence}`);
    const truncated = await run('audit-verify', [`--anchor=${anchor}`], onDatabase(database.url));
    expect(truncated.code, truncated.stderr).toBe(1);
    expect(truncated.stdout).toBe(
      `Audit trail OK: ${head.sequence - 1} events, chain intact.\n` +
        `Anchor #${head.sequence} (${head.hash.slice(0, 12)}…): NOT in the trail: it ends at event #${head.sequence - 1}, so 1 event up to the anchor is missing.\n`,
    );

    await asAttacker(database.url, "UPDATE request_events SET reason = 'nothing to see' WHERE sequence = 2");
    const before = await tablesOf(database.url);
    const tampered = await run('audit-verify', [], onDatabase(database.url));
    expect(tampered).toMatchObject({
      code: 1,
      stdout: 'Audit trail BROKEN at event #2: hash does not match its content. 2 events checked.\n',
    });
    expect(await tablesOf(database.url)).toEqual(before);
  }, 60_000);
});

/**
 * Every table of the database at `url` (schema_migrations included) as `rows:md5 of the rows in order`: equal
 * before and after a command when it changed nothing.
 */
async function tablesOf(url: string): Promise<Record<string, string>> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows: tables } = await client.query<{ name: string }>(
      "SELECT tablename AS name FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename",
    );
    const result: Record<string, string> = {};
    for (const { name } of tables) {
      const { rows } = await client.query<{ count: number; digest: string | null }>(
        `SELECT COUNT(*)::integer AS count, md5(string_agg(t::text, E'\\n' ORDER BY t::text)) AS digest FROM "${name}" t`,
      );
      result[name] = `${rows[0]!.count}:${rows[0]!.digest ?? ''}`;
    }
    return result;
  } finally {
    await client.end();
  }
}
