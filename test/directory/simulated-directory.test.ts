import { afterEach, describe, expect, it, vi } from 'vitest';
import { loadDemoTenant, type DemoUser } from '../../src/directory/demo-tenant.js';
import {
  CannotDeleteDefaultMethodError,
  DirectoryRequestError,
  ForbiddenError,
  MethodNotFoundError,
  ServiceUnavailableError,
  ThrottledError,
  UserNotFoundError,
} from '../../src/directory/directory-errors.js';
import { SimulatedDirectory, type DirectoryOperation } from '../../src/directory/simulated-directory.js';
import { factsFrom, gatherEvidence } from '../../src/domain/diagnosis/evidence.js';
import type { FactName } from '../../src/domain/diagnosis/knowledge.js';
import type { Clock } from '../../src/domain/ports.js';

const NOW = new Date('2026-03-02T01:30:00Z');
const clock: Clock = { now: () => new Date(NOW) };
const tenant = loadDemoTenant();
const MINUTE = 60_000;
const DAY = 86_400_000;
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

function byUpn(localPart: string): DemoUser {
  const user = tenant.users.find((candidate) => candidate.userPrincipalName === `${localPart}@contoso.example`);
  if (!user) throw new Error(`no demo user ${localPart}@contoso.example`);
  return user;
}

/** The facts that hold for a person, as the diagnosis would compute them from the simulated directory. */
async function trueFacts(directory: SimulatedDirectory, userId: string): Promise<FactName[]> {
  const evidence = {
    user: await directory.getUser(userId),
    methods: await directory.getAuthenticationMethods(userId),
    signIns: await directory.getRecentSignIns(userId, 20),
  };
  const facts = factsFrom(evidence, clock.now());
  return (Object.keys(facts) as FactName[]).filter((fact) => facts[fact] === true).sort();
}

/** Every situation the demo tenant must make reachable, who shows it, and exactly the facts that hold. */
const SITUATIONS: ReadonlyArray<{ situation: string; upn: string; facts: FactName[] }> = [
  { situation: 'two methods', upn: 'alexw', facts: ['hasSeveralMfaMethods', 'mfaNotCompleted'] },
  { situation: 'signs in fine (line manager)', upn: 'meganb', facts: ['hasSeveralMfaMethods'] },
  { situation: 'signs in fine (agent)', upn: 'isaiahl', facts: ['hasSeveralMfaMethods'] },
  { situation: 'signs in fine (Japanese agent)', upn: 'ken.takahashi', facts: ['hasSeveralMfaMethods'] },
  { situation: 'signs in fine (lead)', upn: 'pattif', facts: ['hasSeveralMfaMethods'] },
  { situation: 'privileged administrator', upn: 'lynner', facts: ['hasSeveralMfaMethods'] },
  { situation: 'one lost method (Japanese)', upn: 'yuki.sato', facts: ['hasOneMfaMethod', 'mfaNotCompleted'] },
  { situation: 'one lost method', upn: 'diegos', facts: ['hasOneMfaMethod', 'mfaNotCompleted'] },
  { situation: 'locked', upn: 'adelev', facts: ['accountLocked', 'hasSeveralMfaMethods', 'wrongPassword'] },
  { situation: 'disabled', upn: 'johannal', facts: ['accountDisabled', 'hasSeveralMfaMethods'] },
  { situation: 'password expired', upn: 'shota.yamada', facts: ['hasSeveralMfaMethods', 'passwordExpired'] },
  {
    situation: 'blocked by Conditional Access',
    upn: 'priya.raman',
    facts: ['blockedByConditionalAccess', 'hasSeveralMfaMethods'],
  },
  { situation: 'device not compliant', upn: 'weiling.tan', facts: ['deviceNotCompliant', 'hasSeveralMfaMethods'] },
  { situation: 'no MFA method at all', upn: 'gradya', facts: ['hasNoMfaMethod'] },
  { situation: 'invitation pending', upn: 'misaki.nakamura', facts: ['hasNoMfaMethod', 'invitationPending'] },
  { situation: 'invitation expired', upn: 'henriettam', facts: ['hasNoMfaMethod', 'invitationExpired'] },
  {
    situation: 'active Temporary Access Pass',
    upn: 'aisyah.rahman',
    facts: ['hasNoMfaMethod', 'temporaryAccessPassActive'],
  },
];

afterEach(() => {
  vi.useRealTimers();
});

describe('the demo tenant as the simulated directory shows it', () => {
  const directory = new SimulatedDirectory(tenant, clock);

  it.each(SITUATIONS)('shows "$situation" through $upn', async ({ upn, facts }) => {
    expect(await trueFacts(directory, byUpn(upn).id)).toEqual([...facts].sort());
  });

  it('has a situation in the list above for every demo user, so a new user cannot go untested', () => {
    expect(tenant.users.map((user) => user.userPrincipalName.split('@')[0]).sort()).toEqual(
      SITUATIONS.map((entry) => entry.upn).sort(),
    );
  });

  it('keeps the six Playground people as they were, with Alex Wilber in the chair', () => {
    expect(tenant.users.filter((user) => user.inPlayground).map((user) => user.displayName)).toEqual([
      'Alex Wilber',
      'Megan Bowen',
      'Isaiah Langer',
      '高橋 健',
      'Patti Fernandez',
      'Lynne Robbins',
    ]);
    expect(tenant.playground.currentUser).toBe(byUpn('alexw').id);
  });

  it('has an agents, an administrators and a leads group, with Patti Fernandez both agent and lead', async () => {
    const group = (purpose: string) => tenant.groups.find((candidate) => candidate.purpose === purpose)!;
    const names = async (purpose: string) =>
      (await directory.getGroupMembers(group(purpose).id)).map((member) => member.displayName);
    expect(tenant.groups.map((candidate) => [candidate.purpose, candidate.displayName])).toEqual([
      ['helpdesk', 'Sign-in Help agents'],
      ['admin', 'Sign-in Help administrators'],
      ['lead', 'Sign-in Help leads'],
    ]);
    expect(await names('helpdesk')).toEqual(['Isaiah Langer', '高橋 健', 'Patti Fernandez']);
    expect(await names('admin')).toEqual(['Lynne Robbins']);
    expect(await names('lead')).toEqual(['Patti Fernandez']);
    expect(await directory.checkMemberGroups(byUpn('pattif').id, [group('helpdesk').id, group('lead').id])).toEqual([
      group('helpdesk').id,
      group('lead').id,
    ]);
  });

  it('gives the privileged administrator her directory role', () => {
    expect(byUpn('lynner').directoryRoles).toEqual(['Privileged Authentication Administrator']);
  });

  it('has Japanese-speaking people among the new demo users', () => {
    const japanese = tenant.users.filter((user) => !user.inPlayground && user.preferredLanguage === 'ja-JP');
    expect(japanese.length).toBeGreaterThanOrEqual(3);
  });

  it('dates a pending invitation from the clock, 10 days back, and an expired one 45 days back', async () => {
    const pending = await directory.getUser(byUpn('misaki.nakamura').id);
    const expired = await directory.getUser(byUpn('henriettam').id);
    expect(pending).toMatchObject({ externalUserState: 'PendingAcceptance' });
    expect(pending?.externalUserStateChangedAt).toEqual(new Date(NOW.getTime() - 10 * DAY));
    expect(expired?.externalUserStateChangedAt).toEqual(new Date(NOW.getTime() - 45 * DAY));
  });

  it('reports people who were never invited with no invitation state', async () => {
    expect(await directory.getUser(byUpn('alexw').id)).toMatchObject({
      externalUserState: undefined,
      externalUserStateChangedAt: undefined,
      accountEnabled: true,
    });
  });
});

describe('SimulatedDirectory', () => {
  const alex = byUpn('alexw');

  it("returns a person's profile by object id", async () => {
    const directory = new SimulatedDirectory(tenant, clock);
    expect(await directory.getUser(alex.id)).toEqual({
      id: alex.id,
      displayName: 'Alex Wilber',
      givenName: 'Alex',
      surname: 'Wilber',
      userPrincipalName: 'alexw@contoso.example',
      mail: 'alexw@contoso.example',
      department: 'Finance',
      jobTitle: 'Financial Analyst',
      businessPhones: ['+65 6601 2301'],
      mobilePhone: '+65 9123 4567',
      preferredLanguage: 'en-US',
      accountEnabled: true,
      managerId: byUpn('meganb').id,
      managerDisplayName: 'Megan Bowen',
      externalUserState: undefined,
      externalUserStateChangedAt: undefined,
    });
  });

  it('lists methods as Graph does: the password with its fixed id first, phones under their fixed ids', async () => {
    const methods = await new SimulatedDirectory(tenant, clock).getAuthenticationMethods(alex.id);
    expect(methods).toEqual([
      {
        id: '28c10230-6103-485e-b985-444c60001490',
        kind: 'password',
        displayName: undefined,
        phoneNumber: undefined,
        phoneType: undefined,
        emailAddress: undefined,
        isDefault: false,
        isUsable: undefined,
      },
      {
        id: expect.stringMatching(GUID),
        kind: 'microsoftAuthenticator',
        displayName: 'iPhone 15',
        phoneNumber: undefined,
        phoneType: undefined,
        emailAddress: undefined,
        isDefault: true,
        isUsable: undefined,
      },
      {
        id: '3179e48a-750b-4051-897c-87b9720928f7',
        kind: 'phone',
        displayName: undefined,
        phoneNumber: '+65 9123 4567',
        phoneType: 'mobile',
        emailAddress: undefined,
        isDefault: false,
        isUsable: undefined,
      },
    ]);
  });

  it('uses the fixed Graph ids for office phones and a usable Temporary Access Pass', async () => {
    const directory = new SimulatedDirectory(tenant, clock);
    const isaiah = await directory.getAuthenticationMethods(byUpn('isaiahl').id);
    expect(isaiah.find((method) => method.kind === 'phone')).toMatchObject({
      id: 'e37fc753-ff3b-4958-9484-eaa9425c82bc',
      phoneType: 'office',
      phoneNumber: '+65 6123 4567',
    });
    const aisyah = await directory.getAuthenticationMethods(byUpn('aisyah.rahman').id);
    expect(aisyah.map((method) => [method.kind, method.isUsable])).toEqual([
      ['password', undefined],
      ['temporaryAccessPass', true],
    ]);
  });

  it('gives every other method a GUID that is the same on every run and different for every method', async () => {
    const first = new SimulatedDirectory(tenant, clock);
    const second = new SimulatedDirectory(tenant, { now: () => new Date() });
    const ids: string[] = [];
    for (const user of tenant.users) {
      const methods = await first.getAuthenticationMethods(user.id);
      expect(await second.getAuthenticationMethods(user.id)).toEqual(methods);
      expect(new Set(methods.map((method) => method.id)).size).toBe(methods.length);
      ids.push(...methods.filter((method) => !['password', 'phone'].includes(method.kind)).map((method) => method.id));
    }
    expect(ids.every((id) => GUID.test(id))).toBe(true);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('lists sign-ins newest first, dated back from the clock, no more than asked for', async () => {
    const directory = new SimulatedDirectory(tenant, clock);
    const signIns = await directory.getRecentSignIns(byUpn('adelev').id, 3);
    expect(signIns).toEqual([
      { at: new Date(NOW.getTime() - 4 * MINUTE), errorCode: 50053, riskLevel: 'none' },
      { at: new Date(NOW.getTime() - 5 * MINUTE), errorCode: 50053, riskLevel: 'none' },
      { at: new Date(NOW.getTime() - 7 * MINUTE), errorCode: 50126, riskLevel: 'none' },
    ]);
    const all = await directory.getRecentSignIns(byUpn('adelev').id, 20);
    expect(all).toHaveLength(6);
    expect(all.at(-1)).toEqual({ at: new Date(NOW.getTime() - 20 * 60 * MINUTE), errorCode: 0, riskLevel: 'none' });
  });

  it('sorts sign-ins newest first whatever order the data lists them in', async () => {
    const shuffled = structuredClone(tenant);
    const diego = shuffled.users.find((user) => user.id === byUpn('diegos').id)!;
    diego.signIns = [
      { minutesAgo: 90, errorCode: 0, riskLevel: 'none' },
      { minutesAgo: 5, errorCode: 500121, riskLevel: 'none' },
      { minutesAgo: 30, errorCode: 50126, riskLevel: 'none' },
    ];
    const signIns = await new SimulatedDirectory(shuffled, clock).getRecentSignIns(diego.id, 10);
    expect(signIns.map((signIn) => signIn.errorCode)).toEqual([500121, 50126, 0]);
  });

  it('reads the clock at each call, not when it was built', async () => {
    let now = NOW;
    const directory = new SimulatedDirectory(tenant, { now: () => now });
    now = new Date(NOW.getTime() + DAY);
    const [newest] = await directory.getRecentSignIns(alex.id, 1);
    expect(newest?.at).toEqual(new Date(now.getTime() - 6 * MINUTE));
  });

  it('answers undefined for a user who does not exist, and 404 for their methods and sign-ins', async () => {
    const directory = new SimulatedDirectory(tenant, clock);
    const nobody = '00000000-0000-0000-0000-00000000dead';
    expect(await directory.getUser(nobody)).toBeUndefined();
    for (const call of [
      () => directory.getAuthenticationMethods(nobody),
      () => directory.getRecentSignIns(nobody, 5),
    ]) {
      const error = await call().catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(UserNotFoundError);
      expect(error).toMatchObject({ status: 404, code: 'Request_ResourceNotFound', userId: nobody });
    }
  });

  it("lists a group's members with the profile getUser gives, but no manager, as Graph's listing has none", async () => {
    const directory = new SimulatedDirectory(tenant, clock);
    const agents = tenant.groups.find((group) => group.purpose === 'helpdesk')!;

    const members = await directory.getGroupMembers(agents.id);

    expect(members.map((member) => member.id)).toEqual(agents.members);
    for (const member of members) {
      expect(member).toEqual({
        ...(await directory.getUser(member.id)),
        managerId: undefined,
        managerDisplayName: undefined,
      });
    }
    expect((await directory.getUser(byUpn('isaiahl').id))?.managerId).toBeDefined();
  });

  it('answers 404 Request_ResourceNotFound for a group that does not exist, as Graph does', async () => {
    const directory = new SimulatedDirectory(tenant, clock);
    const nowhere = '00000000-0000-0000-0000-00000000beef';

    const error = await directory.getGroupMembers(nowhere).catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(DirectoryRequestError);
    expect(error).not.toBeInstanceOf(UserNotFoundError);
    expect(error).toMatchObject({
      status: 404,
      code: 'Request_ResourceNotFound',
      message: expect.stringContaining(`'${nowhere}'`),
      transient: false,
    });
    // A user's id is not a group's.
    await expect(directory.getGroupMembers(alex.id)).rejects.toMatchObject({ status: 404 });
  });

  it('hands out copies, so a caller cannot change what the directory says', async () => {
    const directory = new SimulatedDirectory(tenant, clock);
    const user = await directory.getUser(byUpn('henriettam').id);
    user!.displayName = 'changed';
    user!.externalUserStateChangedAt!.setTime(0);
    const methods = await directory.getAuthenticationMethods(alex.id);
    methods[1]!.isDefault = false;
    methods.pop();
    const signIns = await directory.getRecentSignIns(alex.id, 5);
    signIns[0]!.errorCode = 0;
    signIns[0]!.at.setTime(0);

    const again = await directory.getUser(byUpn('henriettam').id);
    expect(again?.displayName).toBe('Henrietta Mueller');
    expect(again?.externalUserStateChangedAt).toEqual(new Date(NOW.getTime() - 45 * DAY));
    const methodsAgain = await directory.getAuthenticationMethods(alex.id);
    expect(methodsAgain).toHaveLength(3);
    expect(methodsAgain[1]?.isDefault).toBe(true);
    expect((await directory.getRecentSignIns(alex.id, 1))[0]).toEqual({
      at: new Date(NOW.getTime() - 6 * MINUTE),
      errorCode: 500121,
      riskLevel: 'none',
    });
  });

  it('keeps its own copy of the tenant, so changing the tenant object later changes nothing', async () => {
    const copy = structuredClone(tenant);
    const directory = new SimulatedDirectory(copy, clock);
    copy.users[0]!.displayName = 'changed';
    copy.users[0]!.methods.length = 0;
    expect((await directory.getUser(alex.id))?.displayName).toBe('Alex Wilber');
    expect(await directory.getAuthenticationMethods(alex.id)).toHaveLength(3);
  });
});

describe('SimulatedDirectory fault injection', () => {
  const alex = byUpn('alexw');

  it('answers at once when no latency is set', async () => {
    vi.useFakeTimers();
    const directory = new SimulatedDirectory(tenant, clock);
    // No timer is advanced: only an answer without delay can settle.
    await expect(directory.getUser(alex.id)).resolves.toMatchObject({ displayName: 'Alex Wilber' });
  });

  it('delays every answer by latencyMs', async () => {
    vi.useFakeTimers();
    const directory = new SimulatedDirectory(tenant, clock, { latencyMs: 250 });
    let answered = false;
    const answer = directory.getAuthenticationMethods(alex.id).then((methods) => {
      answered = true;
      return methods;
    });
    await vi.advanceTimersByTimeAsync(249);
    expect(answered).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    expect(answered).toBe(true);
    expect(await answer).toHaveLength(3);
  });

  it('lets a diagnosis run out of time on a slow directory, leaving the evidence undecided', async () => {
    vi.useFakeTimers();
    const directory = new SimulatedDirectory(tenant, clock, { latencyMs: 5_000 });
    const gathering = gatherEvidence(directory, alex.id, 1_500);
    await vi.advanceTimersByTimeAsync(1_500);
    const { evidence, gaps } = await gathering;
    expect(evidence).toEqual({ user: undefined, methods: undefined, signIns: undefined });
    expect(gaps.map((gap) => gap.part).sort()).toEqual(['methods', 'signIns', 'user']);
  });

  it('throws a 429 with Retry-After seconds for the calls the test throttles, and answers the rest', async () => {
    const asked: Array<[DirectoryOperation, string]> = [];
    const directory = new SimulatedDirectory(tenant, clock, {
      failWith: (operation, userId) => {
        asked.push([operation, userId]);
        return operation === 'getRecentSignIns' ? new ThrottledError(30) : undefined;
      },
    });
    const error = await directory.getRecentSignIns(alex.id, 20).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ThrottledError);
    expect(error).toMatchObject({ status: 429, code: 'TooManyRequests', retryAfterSeconds: 30 });
    await expect(directory.getUser(alex.id)).resolves.toBeDefined();
    expect(asked).toEqual([
      ['getRecentSignIns', alex.id],
      ['getUser', alex.id],
    ]);
  });

  it('throws a 503 when the service is unavailable, even for a user who does not exist', async () => {
    const directory = new SimulatedDirectory(tenant, clock, { failWith: () => new ServiceUnavailableError(5) });
    for (const call of [
      () => directory.getUser('nobody'),
      () => directory.getAuthenticationMethods('nobody'),
      () => directory.getRecentSignIns(alex.id, 1),
    ]) {
      await expect(call()).rejects.toMatchObject({ status: 503, code: 'serviceNotAvailable', retryAfterSeconds: 5 });
    }
  });

  it('throttles a group listing like any other call, asking with the group id, and answers the rest', async () => {
    const leads = tenant.groups.find((group) => group.purpose === 'lead')!;
    const asked: Array<[DirectoryOperation, string]> = [];
    const directory = new SimulatedDirectory(tenant, clock, {
      failWith: (operation, id) => {
        asked.push([operation, id]);
        return operation === 'getGroupMembers' && asked.length === 1 ? new ThrottledError(20) : undefined;
      },
    });

    const error = await directory.getGroupMembers(leads.id).catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(ThrottledError);
    expect(error).toMatchObject({ status: 429, retryAfterSeconds: 20, transient: true });
    await expect(directory.getGroupMembers(leads.id)).resolves.toHaveLength(1);
    expect(asked).toEqual([
      ['getGroupMembers', leads.id],
      ['getGroupMembers', leads.id],
    ]);
  });

  it('fails a group listing with 503 before it finds the group missing, and only after the latency', async () => {
    vi.useFakeTimers();
    const directory = new SimulatedDirectory(tenant, clock, {
      latencyMs: 100,
      failWith: () => new ServiceUnavailableError(5),
    });
    let failed = false;
    const call = directory.getGroupMembers('no-such-group').catch((error: unknown) => {
      failed = true;
      return error;
    });
    await vi.advanceTimersByTimeAsync(99);
    expect(failed).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    expect(await call).toMatchObject({ status: 503, code: 'serviceNotAvailable', retryAfterSeconds: 5 });
  });

  it('fails only after the latency, as a slow failing service would', async () => {
    vi.useFakeTimers();
    const directory = new SimulatedDirectory(tenant, clock, {
      latencyMs: 100,
      failWith: () => new ThrottledError(1),
    });
    let failed = false;
    const call = directory.getUser(alex.id).catch((error: unknown) => {
      failed = true;
      return error;
    });
    await vi.advanceTimersByTimeAsync(99);
    expect(failed).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    expect(await call).toBeInstanceOf(ThrottledError);
  });
});

describe('SimulatedDirectory changes, as Graph makes them', () => {
  const alex = byUpn('alexw');
  const lynne = byUpn('lynner');
  const MOBILE = '3179e48a-750b-4051-897c-87b9720928f7';
  const kinds = async (directory: SimulatedDirectory, userId: string) =>
    (await directory.getAuthenticationMethods(userId)).map((method) => method.kind);

  it('deletes a method; the others keep their ids', async () => {
    const directory = new SimulatedDirectory(tenant, clock);
    const before = await directory.getAuthenticationMethods(alex.id);
    const authenticator = before.find((method) => method.kind === 'microsoftAuthenticator')!;
    await directory.deleteAuthenticationMethod(alex.id, authenticator);
    const after = await directory.getAuthenticationMethods(alex.id);
    expect(after.map((method) => method.id)).toEqual(
      before.filter((method) => method !== authenticator).map((method) => method.id),
    );
    await expect(directory.deleteAuthenticationMethod(alex.id, authenticator)).rejects.toBeInstanceOf(
      MethodNotFoundError,
    );
  });

  it('refuses to delete a default phone while other methods remain, and deletes it last', async () => {
    // Alex, with his mobile number as the default method instead of the Authenticator.
    const phoneFirst = structuredClone(tenant);
    const alexThere = phoneFirst.users.find((user) => user.id === alex.id)!;
    alexThere.methods = alexThere.methods.map((method) =>
      'isDefault' in method ? { ...method, isDefault: method.kind === 'phone' } : method,
    );
    const directory = new SimulatedDirectory(phoneFirst, clock);
    const methods = await directory.getAuthenticationMethods(alex.id);
    const phone = methods.find((method) => method.id === MOBILE)!;
    expect(phone.isDefault).toBe(true);
    await expect(directory.deleteAuthenticationMethod(alex.id, phone)).rejects.toBeInstanceOf(
      CannotDeleteDefaultMethodError,
    );
    for (const other of methods.filter((method) => method !== phone && method.kind !== 'password')) {
      await directory.deleteAuthenticationMethod(alex.id, other);
    }
    await directory.deleteAuthenticationMethod(alex.id, phone);
    expect(await kinds(directory, alex.id)).toEqual(['password']);
  });

  it('never deletes the password', async () => {
    const directory = new SimulatedDirectory(tenant, clock);
    const [password] = await directory.getAuthenticationMethods(alex.id);
    await expect(directory.deleteAuthenticationMethod(alex.id, password!)).rejects.toMatchObject({ status: 400 });
    expect((await kinds(directory, alex.id))[0]).toBe('password');
  });

  it('creates a single-use pass for the asked lifetime, replacing an older pass, and lets it expire', async () => {
    let now = NOW.getTime();
    const directory = new SimulatedDirectory(tenant, { now: () => new Date(now) });
    const first = await directory.createTemporaryAccessPass(alex.id, { lifetimeInMinutes: 60, isUsableOnce: true });
    const second = await directory.createTemporaryAccessPass(alex.id, { lifetimeInMinutes: 60, isUsableOnce: true });
    expect(second).toMatchObject({ lifetimeInMinutes: 60, isUsableOnce: true, startDateTime: new Date(now) });
    expect(second.value).toMatch(/^.{8}$/);
    expect(second.value).not.toBe(first.value);
    const passes = (await directory.getAuthenticationMethods(alex.id)).filter(
      (method) => method.kind === 'temporaryAccessPass',
    );
    expect(passes).toEqual([expect.objectContaining({ id: second.id, isUsable: true })]);
    now += 60 * MINUTE;
    const [expired] = (await directory.getAuthenticationMethods(alex.id)).filter(
      (method) => method.kind === 'temporaryAccessPass',
    );
    expect(expired?.isUsable).toBe(false);
    await expect(
      directory.createTemporaryAccessPass(alex.id, { lifetimeInMinutes: 5, isUsableOnce: true }),
    ).rejects.toMatchObject({ status: 400 });
  });

  it('records revoked sessions', async () => {
    const directory = new SimulatedDirectory(tenant, clock);
    await directory.revokeSignInSessions(alex.id);
    expect(directory.sessionRevocations(alex.id)).toEqual([NOW]);
    await expect(directory.revokeSignInSessions('nobody')).rejects.toBeInstanceOf(UserNotFoundError);
  });

  it('keeps the latest 5 revocations of a person, so a long demo does not grow without end', async () => {
    let minute = 0;
    const directory = new SimulatedDirectory(tenant, { now: () => new Date(Date.UTC(2026, 10, 1, 0, minute)) });
    for (; minute < 25; minute += 1) await directory.revokeSignInSessions(alex.id);
    const kept = directory.sessionRevocations(alex.id);
    expect(kept).toHaveLength(5);
    expect(kept[0]).toEqual(new Date(Date.UTC(2026, 10, 1, 0, 20)));
    expect(kept.at(-1)).toEqual(new Date(Date.UTC(2026, 10, 1, 0, 24)));
  });

  it("refuses to change an administrator's methods without the privileged role, as Graph does", async () => {
    const withoutRole = new SimulatedDirectory(tenant, clock);
    const [, method] = await withoutRole.getAuthenticationMethods(lynne.id);
    await expect(withoutRole.deleteAuthenticationMethod(lynne.id, method!)).rejects.toBeInstanceOf(ForbiddenError);
    await expect(
      withoutRole.createTemporaryAccessPass(lynne.id, { lifetimeInMinutes: 60, isUsableOnce: true }),
    ).rejects.toMatchObject({ status: 403 });

    const withRole = new SimulatedDirectory(tenant, clock, { canManagePrivilegedAccounts: true });
    await withRole.deleteAuthenticationMethod(lynne.id, method!);
    expect((await withRole.getAuthenticationMethods(lynne.id)).map((m) => m.id)).not.toContain(method!.id);
  });

  it('throttles writes like reads, and changes nothing when it does', async () => {
    const directory = new SimulatedDirectory(tenant, clock, {
      failWith: (operation) => (operation === 'deleteAuthenticationMethod' ? new ThrottledError(7) : undefined),
    });
    const phone = (await directory.getAuthenticationMethods(alex.id)).find((method) => method.id === MOBILE)!;
    await expect(directory.deleteAuthenticationMethod(alex.id, phone)).rejects.toMatchObject({
      status: 429,
      retryAfterSeconds: 7,
    });
    expect((await directory.getAuthenticationMethods(alex.id)).map((method) => method.id)).toContain(MOBILE);
  });

  it("keeps one directory's changes to itself", async () => {
    const changed = new SimulatedDirectory(tenant, clock);
    const untouched = new SimulatedDirectory(tenant, clock);
    const [, first] = await changed.getAuthenticationMethods(alex.id);
    await changed.deleteAuthenticationMethod(alex.id, first!);
    expect(await kinds(untouched, alex.id)).toEqual(['password', 'microsoftAuthenticator', 'phone']);
  });
});
