import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { loadDemoTenant, type DemoTenant } from '../../src/directory/demo-tenant.js';
import { SimulatedDirectory } from '../../src/directory/simulated-directory.js';
import type { Clock } from '../../src/domain/ports.js';
import { createLogger } from '../../src/logging/create-logger.js';
import { closeDatabase } from '../../src/store/sqlite/group-commit.js';
import { openDatabase, type SqliteDatabase } from '../../src/store/sqlite/open-database.js';
import { SqliteSimulatedDirectoryJournal } from '../../src/store/sqlite/sqlite-simulated-directory-journal.js';
import { localDataFiles, parseDevArguments, resetLocalData } from '../../scripts/lib/reset-local-data.js';
import { tempSqlitePath } from '../support/bot-harness.js';

const tenant = loadDemoTenant();
const NOW = new Date('2026-03-02T01:30:00Z');
const clock: Clock = { now: () => new Date(NOW) };
const person = (localPart: string) => tenant.users.find((user) => user.userPrincipalName.startsWith(`${localPart}@`))!;
const diego = person('diegos');
const aisyah = person('aisyah.rahman');
const alex = person('alexw');

describe("the simulated directory's changes in the SQLite file", () => {
  const opened: SqliteDatabase[] = [];
  afterEach(() => {
    for (const db of opened.splice(0)) if (db.open) closeDatabase(db);
  });

  /** A local-mode start on the file: the database and the simulated directory on its journal. */
  async function start(path: string, demoTenant: DemoTenant = tenant) {
    const db = openDatabase(path, createLogger({ level: 'silent' }));
    opened.push(db);
    const directory = await SimulatedDirectory.resume(
      demoTenant,
      clock,
      new SqliteSimulatedDirectoryJournal(db, clock),
    );
    return { db, directory };
  }

  /** What a reset does to a person: their methods deleted, sessions revoked, a pass created. */
  async function resetMethodsOf(directory: SimulatedDirectory, userId: string): Promise<string> {
    for (const method of await directory.getAuthenticationMethods(userId)) {
      if (method.kind !== 'password') await directory.deleteAuthenticationMethod(userId, method);
    }
    await directory.revokeSignInSessions(userId);
    return (await directory.createTemporaryAccessPass(userId, { lifetimeInMinutes: 60, isUsableOnce: true })).value;
  }

  it('shows after a restart on the same file what the demo changed: methods deleted, pass, revoked sessions', async () => {
    const path = tempSqlitePath();
    const first = await start(path);
    await resetMethodsOf(first.directory, diego.id);
    const after = await first.directory.getAuthenticationMethods(diego.id);
    closeDatabase(first.db);

    const second = await start(path);
    expect(await second.directory.getAuthenticationMethods(diego.id)).toEqual(after);
    expect(after.map((method) => method.kind)).toEqual(['password', 'temporaryAccessPass']);
    expect(second.directory.sessionRevocations(diego.id)).toEqual([NOW]);
    // Nobody else changed.
    expect(await second.directory.getAuthenticationMethods(alex.id)).toEqual(
      await new SimulatedDirectory(tenant, clock).getAuthenticationMethods(alex.id),
    );
  });

  it("keeps a replaced pass replaced: the tenant's pass does not come back beside the new one", async () => {
    const path = tempSqlitePath();
    const first = await start(path);
    const [original] = (await first.directory.getAuthenticationMethods(aisyah.id)).filter(
      (method) => method.kind === 'temporaryAccessPass',
    );
    await first.directory.createTemporaryAccessPass(aisyah.id, { lifetimeInMinutes: 30, isUsableOnce: true });
    closeDatabase(first.db);

    const passes = (await (await start(path)).directory.getAuthenticationMethods(aisyah.id)).filter(
      (method) => method.kind === 'temporaryAccessPass',
    );
    expect(passes).toHaveLength(1);
    expect(passes[0]!.id).not.toBe(original!.id);
    expect(passes[0]!.createdAt).toEqual(NOW);
  });

  it('writes no pass value to the database', async () => {
    const path = tempSqlitePath();
    const { db, directory } = await start(path);
    const value = await resetMethodsOf(directory, diego.id);
    closeDatabase(db);
    const bytes = localDataFiles(path)
      .filter((file) => existsSync(file))
      .map((file) => readFileSync(file).toString('latin1'))
      .join('');
    expect(bytes).toContain('simulated_directory_changes');
    expect(bytes).not.toContain(value);
  });

  it('still shows a method added to demo/tenant.json later for a person the demo changed', async () => {
    const path = tempSqlitePath();
    const first = await start(path);
    await first.directory.revokeSignInSessions(diego.id);
    closeDatabase(first.db);

    const edited = structuredClone(tenant);
    edited.users
      .find((user) => user.id === diego.id)!
      .methods.push({ kind: 'phone', phoneNumber: '+65 9123 4567', phoneType: 'mobile', isDefault: false });
    const methods = await (await start(path, edited)).directory.getAuthenticationMethods(diego.id);
    expect(methods.map((method) => method.phoneNumber)).toContain('+65 9123 4567');
  });

  it('refuses to start on changes it cannot read, saying how to start clean', async () => {
    const path = tempSqlitePath();
    const { db } = await start(path);
    db.prepare('INSERT INTO simulated_directory_changes VALUES (?, \'{"removedMethodIds":3}\', ?)').run(
      diego.id,
      NOW.toISOString(),
    );
    await expect(start(path)).rejects.toThrow(/npm run dev -- --reset/);
  });
});

describe('npm run dev -- --reset', () => {
  it('deletes the database and the files SQLite keeps beside it, so the next start is the demo tenant as written', async () => {
    const path = tempSqlitePath();
    const db = openDatabase(path, createLogger({ level: 'silent' }));
    const directory = await SimulatedDirectory.resume(tenant, clock, new SqliteSimulatedDirectoryJournal(db, clock));
    const untouched = await directory.getAuthenticationMethods(diego.id);
    await directory.deleteAuthenticationMethod(
      diego.id,
      untouched.find((method) => method.kind !== 'password')!,
    );
    closeDatabase(db);
    // What a bot that crashed would have left beside the database.
    for (const suffix of ['-wal', '-shm', '-journal']) writeFileSync(`${path}${suffix}`, '');

    const deleted = resetLocalData(path);

    expect(deleted).toEqual(localDataFiles(path));
    expect(deleted).toEqual([path, `${path}-wal`, `${path}-shm`, `${path}-journal`]);
    for (const file of localDataFiles(path)) expect(existsSync(file), file).toBe(false);

    const fresh = openDatabase(path, createLogger({ level: 'silent' }));
    try {
      const restarted = await SimulatedDirectory.resume(
        tenant,
        clock,
        new SqliteSimulatedDirectoryJournal(fresh, clock),
      );
      expect(await restarted.getAuthenticationMethods(diego.id)).toEqual(untouched);
      expect(fresh.prepare('SELECT COUNT(*) AS n FROM requests').get()).toEqual({ n: 0 });
    } finally {
      closeDatabase(fresh);
    }
  });

  it('has nothing to delete for an in-memory database or a file not made yet', () => {
    expect(resetLocalData(':memory:')).toEqual([]);
    expect(resetLocalData(tempSqlitePath())).toEqual([]);
  });

  it('takes --reset and nothing else on the command line', () => {
    expect(parseDevArguments([])).toEqual({ reset: false });
    expect(parseDevArguments(['--reset'])).toEqual({ reset: true });
    expect(() => parseDevArguments(['--rest'])).toThrow(
      /unknown argument "--rest".*Usage: npm run dev \[-- --reset\]/s,
    );
  });
});
