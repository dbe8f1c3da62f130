import { describe, expect, it } from 'vitest';
import { CachingDirectory } from '../../src/directory/caching-directory.js';
import { ServiceUnavailableError } from '../../src/directory/directory-errors.js';
import { SimulatedDirectory, type DirectoryOperation } from '../../src/directory/simulated-directory.js';
import { tenant } from '../support/activities.js';
import { people } from '../support/approval-driver.js';
import { MovableClock } from '../support/execution-driver.js';

const { alex, isaiah } = people;
const HELPDESK = tenant.groups.find((group) => group.purpose === 'helpdesk')!.id;

/** The demo directory behind a cache, counting the calls that reach it. */
function setUp(ttlSeconds = 60, failing?: () => DirectoryOperation | undefined) {
  const clock = new MovableClock();
  const calls: DirectoryOperation[] = [];
  const inner = new SimulatedDirectory(tenant, clock, {
    failWith: (operation) => {
      calls.push(operation);
      return failing?.() === operation ? new ServiceUnavailableError() : undefined;
    },
  });
  const cache = new CachingDirectory(inner, { ttlMs: ttlSeconds * 1_000, clock });
  return { clock, calls, inner, cache };
}

describe('the directory cache (DIRECTORY_CACHE_SECONDS)', () => {
  it('answers a read again from memory until the time is up, then asks the directory', async () => {
    const { clock, calls, cache } = setUp(60);
    const first = await cache.getUser(alex.id);
    expect(await cache.getUser(alex.id)).toEqual(first);
    expect(await cache.checkMemberGroups(isaiah.id, [HELPDESK])).toEqual([HELPDESK]);
    await cache.checkMemberGroups(isaiah.id, [HELPDESK]);
    expect(calls).toEqual(['getUser', 'checkMemberGroups']);

    clock.advance(59_000);
    await cache.getUser(alex.id);
    expect(calls).toHaveLength(2);
    clock.advance(2_000);
    await cache.getUser(alex.id);
    expect(calls).toEqual(['getUser', 'checkMemberGroups', 'getUser']);
  });

  it('lets calls made while the same one is on its way share its answer', async () => {
    const { calls, cache } = setUp(60);
    await Promise.all([cache.getDirectoryRoles(alex.id), cache.getDirectoryRoles(alex.id)]);
    expect(calls).toEqual(['getDirectoryRoles']);
  });

  it('keeps no failure: the next read asks again', async () => {
    let failing: DirectoryOperation | undefined = 'getAuthenticationMethods';
    const { calls, cache } = setUp(60, () => failing);
    await expect(cache.getAuthenticationMethods(alex.id)).rejects.toBeInstanceOf(ServiceUnavailableError);
    failing = undefined;
    expect((await cache.getAuthenticationMethods(alex.id)).length).toBeGreaterThan(0);
    expect(calls).toEqual(['getAuthenticationMethods', 'getAuthenticationMethods']);
  });

  it('forgets what it kept about a person when the bot changes their methods', async () => {
    const { calls, cache } = setUp(60);
    const before = await cache.getAuthenticationMethods(alex.id);
    const lost = before.find((method) => method.kind === 'microsoftAuthenticator')!;
    await cache.deleteAuthenticationMethod(alex.id, lost);
    const after = await cache.getAuthenticationMethods(alex.id);
    expect(after.map((method) => method.id)).not.toContain(lost.id);
    expect(calls.filter((call) => call === 'getAuthenticationMethods')).toHaveLength(2);
  });

  it('reads past what it keeps for work that must see the directory as it is, keeping the fresh answer', async () => {
    const { calls, cache } = setUp(60);
    await cache.getAuthenticationMethods(alex.id);
    await cache.fresh().getAuthenticationMethods(alex.id);
    await cache.getAuthenticationMethods(alex.id);
    expect(calls).toEqual(['getAuthenticationMethods', 'getAuthenticationMethods']);
  });

  it('keeps nothing with 0 seconds', async () => {
    const { calls, cache } = setUp(0);
    await cache.getUser(alex.id);
    await cache.getUser(alex.id);
    expect(calls).toEqual(['getUser', 'getUser']);
  });

  it('sees an agent taken out of the helpdesk group as a member until the time is up, and not after', async () => {
    const { clock, inner, cache } = setUp(60);
    expect(await cache.checkMemberGroups(isaiah.id, [HELPDESK])).toEqual([HELPDESK]);
    inner.removeFromGroup(HELPDESK, isaiah.id);
    expect(await cache.checkMemberGroups(isaiah.id, [HELPDESK])).toEqual([HELPDESK]);
    clock.advance(60_000);
    expect(await cache.checkMemberGroups(isaiah.id, [HELPDESK])).toEqual([]);
  });

  it('holds at most its limit of answers, dropping the oldest', async () => {
    const clock = new MovableClock();
    const calls: string[] = [];
    const inner = new SimulatedDirectory(tenant, clock, {
      failWith: (operation, id) => void calls.push(`${operation} ${id}`),
    });
    const cache = new CachingDirectory(inner, { ttlMs: 60_000, clock, maxEntries: 2 });
    await cache.getUser(alex.id);
    await cache.getUser(isaiah.id);
    await cache.getUser(people.diego.id);
    await cache.getUser(people.diego.id);
    await cache.getUser(alex.id);
    expect(calls).toEqual([
      `getUser ${alex.id}`,
      `getUser ${isaiah.id}`,
      `getUser ${people.diego.id}`,
      `getUser ${alex.id}`,
    ]);
  });

  it('lets go of what has expired as new answers come in, so memory follows one cache life of reads', async () => {
    const { clock, cache } = setUp(60);
    await cache.getUser(alex.id);
    await cache.getAuthenticationMethods(alex.id);
    await cache.getDirectoryRoles(isaiah.id);
    expect(cache.size).toBe(3);
    clock.advance(30_000);
    await cache.getUser(isaiah.id);
    expect(cache.size).toBe(4);
    clock.advance(30_000);
    // The first three are a minute old now: the next answer kept drops them.
    await cache.getUser(people.diego.id);
    expect(cache.size).toBe(2);
  });

  it("forgets one person's answers and keeps everyone else's", async () => {
    const { calls, cache } = setUp(60);
    await cache.getUser(alex.id);
    await cache.getUser(isaiah.id);
    await cache.revokeSignInSessions(alex.id);
    calls.length = 0;
    await cache.getUser(isaiah.id);
    await cache.getUser(alex.id);
    // Isaiah still from memory; Alex asked again.
    expect(calls).toEqual(['getUser']);
  });
});

describe("the directory cache's membership answers", () => {
  it("answers a membership check from the group's member list when it keeps one, and asks otherwise", async () => {
    const { calls, cache } = setUp(60);
    await cache.getGroupMembers(HELPDESK);
    expect(await cache.checkMemberGroups(isaiah.id, [HELPDESK])).toEqual([HELPDESK]);
    expect(await cache.checkMemberGroups(alex.id, [HELPDESK])).toEqual([]);
    expect(calls).toEqual(['getGroupMembers']);
    const other = tenant.groups.find((group) => group.id !== HELPDESK)!.id;
    await cache.checkMemberGroups(isaiah.id, [HELPDESK, other]);
    expect(calls).toEqual(['getGroupMembers', 'checkMemberGroups']);
  });
});
