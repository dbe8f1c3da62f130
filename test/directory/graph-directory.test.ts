import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  ClientCertificateCredential,
  ClientSecretCredential,
  ManagedIdentityCredential,
  type TokenCredential,
} from '@azure/identity';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadDemoTenant } from '../../src/directory/demo-tenant.js';
import {
  CannotDeleteDefaultMethodError,
  DirectoryRequestError,
  ForbiddenError,
  MethodNotFoundError,
  ServiceUnavailableError,
  ThrottledError,
  UserNotFoundError,
} from '../../src/directory/directory-errors.js';
import { createGraphCredential } from '../../src/directory/graph-credential.js';
import { GraphDirectory, type GraphDirectoryOptions, type GraphFetch } from '../../src/directory/graph-directory.js';
import { SimulatedDirectory } from '../../src/directory/simulated-directory.js';
import type { AuthMethod, AuthMethodKind, DirectoryUser } from '../../src/domain/ports.js';
import { ConfigurationError } from '../../src/errors.js';
import { FakeGraph, GRAPH_METHOD_IDS, type GraphCall, type GraphResource } from '../support/fake-graph.js';

const TOKEN = 'test-token-4f1c';
const credential: TokenCredential = {
  getToken: async () => ({ token: TOKEN, expiresOnTimestamp: Date.now() + 3_600_000 }),
};

const ADA = 'ada-0001';
const MANAGER = 'grace-0002';
const REPORT = 'alan-0003';
const ADMIN = 'root-0004';
const USER_SELECT =
  'id,displayName,givenName,surname,userPrincipalName,mail,department,jobTitle,businessPhones,mobilePhone,preferredLanguage,accountEnabled,externalUserState,externalUserStateChangeDateTime';

const TYPE = (name: string) => `#microsoft.graph.${name}AuthenticationMethod`;
const authenticator: GraphResource = {
  '@odata.type': TYPE('microsoftAuthenticator'),
  id: 'auth-1',
  displayName: 'iPhone 15',
  deviceTag: 'SoftwareTokenActivated',
  phoneAppVersion: '6.8.7',
  createdDateTime: '2025-06-01T10:00:00Z',
};
const mobile: GraphResource = {
  '@odata.type': TYPE('phone'),
  id: GRAPH_METHOD_IDS.mobile,
  phoneNumber: '+44 7700 900123',
  phoneType: 'mobile',
  smsSignInState: 'notAllowedByPolicy',
};
const office: GraphResource = {
  '@odata.type': TYPE('phone'),
  id: GRAPH_METHOD_IDS.office,
  phoneNumber: '+44 20 7946 0000',
  phoneType: 'office',
  smsSignInState: 'notSupported',
};
const softwareOath: GraphResource = { '@odata.type': TYPE('softwareOath'), id: 'oath-1', secretKey: null };
const fido2: GraphResource = {
  '@odata.type': TYPE('fido2'),
  id: 'fido-1',
  displayName: null,
  model: 'YubiKey 5 NFC',
  attestationLevel: 'attested',
  createdDateTime: '2025-07-01T09:00:00Z',
};
const email: GraphResource = {
  '@odata.type': TYPE('email'),
  id: GRAPH_METHOD_IDS.email,
  emailAddress: 'ada@home.example',
};
const hello: GraphResource = {
  '@odata.type': TYPE('windowsHelloForBusiness'),
  id: 'whfb-1',
  displayName: 'ADA-LAPTOP',
  keyStrength: 'normal',
  createdDateTime: '2025-08-01T08:00:00Z',
};
const pass: GraphResource = {
  '@odata.type': TYPE('temporaryAccessPass'),
  id: 'tap-1',
  isUsable: true,
  methodUsabilityReason: 'EnabledByPolicy',
  createdDateTime: '2025-09-01T07:00:00Z',
  startDateTime: '2025-09-01T07:00:00Z',
  lifetimeInMinutes: 60,
  isUsableOnce: false,
};
/** A kind the bot does not know, which it must skip. */
const platformCredential: GraphResource = { '@odata.type': TYPE('platformCredential'), id: 'psso-1' };

let fake: FakeGraph;

beforeEach(async () => {
  fake = await new FakeGraph().start();
  fake
    .addUser({
      id: ADA,
      properties: {
        displayName: 'Ada Lovelace',
        givenName: 'Ada',
        surname: 'Lovelace',
        userPrincipalName: 'ada@contoso.example',
        mail: 'ada.lovelace@contoso.example',
        department: 'Engineering',
        jobTitle: 'Analyst',
        businessPhones: ['+44 20 7946 0018'],
        mobilePhone: '+44 7700 900123',
        preferredLanguage: 'en-GB',
        accountEnabled: true,
        externalUserState: 'PendingAcceptance',
        externalUserStateChangeDateTime: '2026-02-20T12:00:00Z',
      },
      managerId: MANAGER,
      methods: [authenticator, mobile, office, softwareOath, fido2, email, hello, pass, platformCredential],
      preferredMethod: 'sms',
    })
    .addUser({ id: MANAGER, properties: { displayName: 'Grace Hopper' } })
    .addUser({ id: REPORT, properties: { displayName: 'Alan Turing', accountEnabled: false }, managerId: MANAGER })
    .addUser({
      id: ADMIN,
      properties: { displayName: 'Root Admin' },
      directoryRoles: ['Global Administrator', 'Privileged Authentication Administrator'],
      methods: [authenticator],
      preferredMethod: 'push',
    });
});

afterEach(async () => {
  await fake.stop();
});

function directory(options: Partial<GraphDirectoryOptions> = {}): GraphDirectory {
  return new GraphDirectory({ credential, baseUrl: fake.baseUrl, fetch: fake.fetch, ...options });
}

/** Method, path and query of each call, in order. */
function requests(calls: readonly GraphCall[] = fake.calls) {
  return calls.map(({ method, path, query }) => ({ method, path, query }));
}

/** Lets the test inspect a rejection as the caller would catch it. */
async function caught(promise: Promise<unknown>): Promise<DirectoryRequestError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof DirectoryRequestError) return error;
    throw error;
  }
  throw new Error('expected the call to fail');
}

function blank(kind: AuthMethodKind, id: string): AuthMethod {
  return {
    id,
    kind,
    displayName: undefined,
    phoneNumber: undefined,
    phoneType: undefined,
    emailAddress: undefined,
    isDefault: false,
    isUsable: undefined,
    createdAt: undefined,
  };
}

describe('GraphDirectory reads', () => {
  it("reads a user with the selected properties and the manager's id and name, with the bearer token on every request", async () => {
    const user = await directory().getUser(ADA);

    expect(user).toEqual({
      id: ADA,
      displayName: 'Ada Lovelace',
      givenName: 'Ada',
      surname: 'Lovelace',
      userPrincipalName: 'ada@contoso.example',
      mail: 'ada.lovelace@contoso.example',
      department: 'Engineering',
      jobTitle: 'Analyst',
      businessPhones: ['+44 20 7946 0018'],
      mobilePhone: '+44 7700 900123',
      preferredLanguage: 'en-GB',
      accountEnabled: true,
      managerId: MANAGER,
      managerDisplayName: 'Grace Hopper',
      externalUserState: 'PendingAcceptance',
      externalUserStateChangedAt: new Date('2026-02-20T12:00:00Z'),
    });
    const sorted = requests().sort((a, b) => a.path.localeCompare(b.path));
    expect(sorted).toEqual([
      { method: 'GET', path: `/v1.0/users/${ADA}`, query: { $select: USER_SELECT } },
      { method: 'GET', path: `/v1.0/users/${ADA}/manager`, query: { $select: 'id,displayName' } },
    ]);
    for (const call of fake.calls) {
      expect(call.authorization).toBe(`Bearer ${TOKEN}`);
      expect(call.headers['client-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    }
  });

  it('reads missing strings as empty, a missing language or mobile phone as undefined and no manager as undefined', async () => {
    const user = await directory().getUser(MANAGER);

    expect(user).toEqual({
      id: MANAGER,
      displayName: 'Grace Hopper',
      givenName: '',
      surname: '',
      userPrincipalName: '',
      mail: '',
      department: '',
      jobTitle: '',
      businessPhones: [],
      mobilePhone: undefined,
      preferredLanguage: undefined,
      accountEnabled: true,
      managerId: undefined,
      externalUserState: undefined,
      externalUserStateChangedAt: undefined,
    });
  });

  it('answers undefined for a user that does not exist', async () => {
    await expect(directory().getUser('nobody')).resolves.toBeUndefined();
    expect(fake.calls.map((call) => call.path).sort()).toEqual(['/v1.0/users/nobody', '/v1.0/users/nobody/manager']);
  });

  it('maps every known method type, marks the preferred one default and skips unknown types', async () => {
    const methods = await directory().getAuthenticationMethods(ADA);

    expect(methods).toEqual([
      { ...blank('password', GRAPH_METHOD_IDS.password), createdAt: new Date('2024-01-15T08:00:00Z') },
      {
        ...blank('microsoftAuthenticator', 'auth-1'),
        displayName: 'iPhone 15',
        createdAt: new Date('2025-06-01T10:00:00Z'),
      },
      {
        ...blank('phone', GRAPH_METHOD_IDS.mobile),
        phoneNumber: '+44 7700 900123',
        phoneType: 'mobile',
        isDefault: true,
      },
      { ...blank('phone', GRAPH_METHOD_IDS.office), phoneNumber: '+44 20 7946 0000', phoneType: 'office' },
      blank('softwareOath', 'oath-1'),
      { ...blank('fido2', 'fido-1'), displayName: 'YubiKey 5 NFC', createdAt: new Date('2025-07-01T09:00:00Z') },
      { ...blank('email', GRAPH_METHOD_IDS.email), emailAddress: 'ada@home.example' },
      {
        ...blank('windowsHelloForBusiness', 'whfb-1'),
        displayName: 'ADA-LAPTOP',
        createdAt: new Date('2025-08-01T08:00:00Z'),
      },
      { ...blank('temporaryAccessPass', 'tap-1'), isUsable: true, createdAt: new Date('2025-09-01T07:00:00Z') },
    ]);
    expect(requests().sort((a, b) => a.path.localeCompare(b.path))).toEqual([
      { method: 'GET', path: `/beta/users/${ADA}/authentication/signInPreferences`, query: {} },
      { method: 'GET', path: `/v1.0/users/${ADA}/authentication/methods`, query: {} },
    ]);
  });

  it.each([
    { preferred: 'push', expected: 'auth-1' },
    { preferred: 'oath', expected: 'oath-1' },
    { preferred: 'voiceMobile', expected: GRAPH_METHOD_IDS.mobile },
    { preferred: 'voiceOffice', expected: GRAPH_METHOD_IDS.office },
    { preferred: 'none', expected: undefined },
  ])('marks the method that the preference $preferred designates as the default', async ({ preferred, expected }) => {
    fake.user(ADA)!.preferredMethod = preferred;

    const methods = await directory().getAuthenticationMethods(ADA);

    expect(methods.filter((method) => method.isDefault).map((method) => method.id)).toEqual(
      expected === undefined ? [] : [expected],
    );
  });

  it('takes a code preference (oath) as the Authenticator when there is no software token', async () => {
    fake.addUser({ id: 'codes', methods: [mobile, authenticator], preferredMethod: 'oath' });

    const methods = await directory().getAuthenticationMethods('codes');

    expect(methods.find((method) => method.isDefault)?.id).toBe('auth-1');
  });

  it.each([403, 404])('marks no method default when Graph refuses the sign-in preferences with %i', async (status) => {
    fake.failNext(
      { path: /signInPreferences$/ },
      { status, code: 'accessDenied', message: 'Request Authorization failed' },
    );

    const methods = await directory().getAuthenticationMethods(ADA);

    expect(methods).toHaveLength(9);
    expect(methods.some((method) => method.isDefault)).toBe(false);
  });

  it('fails the method list when the sign-in preferences are throttled', async () => {
    fake.failNext({ path: /signInPreferences$/ }, { status: 429, code: 'TooManyRequests', message: 'Slow down' });

    await expect(directory().getAuthenticationMethods(ADA)).rejects.toBeInstanceOf(ThrottledError);
  });

  it('follows @odata.nextLink until the last page of methods', async () => {
    fake.pageSize = 4;

    const methods = await directory().getAuthenticationMethods(ADA);

    expect(methods.map((method) => method.id)).toEqual([
      GRAPH_METHOD_IDS.password,
      'auth-1',
      GRAPH_METHOD_IDS.mobile,
      GRAPH_METHOD_IDS.office,
      'oath-1',
      'fido-1',
      GRAPH_METHOD_IDS.email,
      'whfb-1',
      'tap-1',
    ]);
    const pages = fake.calls.filter((call) => call.path.endsWith('/authentication/methods'));
    expect(pages.map((call) => call.query.$skiptoken !== undefined)).toEqual([false, true, true]);
  });

  it('answers UserNotFoundError for the methods of a user that does not exist', async () => {
    const error = await caught(directory().getAuthenticationMethods('nobody'));

    expect(error).toBeInstanceOf(UserNotFoundError);
    expect(error.requestId).toBe(fake.calls.find((call) => call.path.endsWith('/methods'))!.requestId);
  });

  it('reads the newest sign-ins first, pages until the limit and no further', async () => {
    fake.pageSize = 2;
    const at = (minute: number) => `2026-03-01T10:${String(minute).padStart(2, '0')}:00Z`;
    fake.addSignIns(
      { id: 's1', userId: ADA, createdDateTime: at(1), status: { errorCode: 0 }, riskLevelAggregated: 'none' },
      { id: 's2', userId: ADA, createdDateTime: at(5), status: { errorCode: 50126 }, riskLevelAggregated: 'low' },
      { id: 's3', userId: REPORT, createdDateTime: at(6), status: { errorCode: 0 }, riskLevelAggregated: 'none' },
      { id: 's4', userId: ADA, createdDateTime: at(9), status: { errorCode: 50053 }, riskLevelAggregated: 'high' },
      { id: 's5', userId: ADA, createdDateTime: at(3), status: { errorCode: 50074 }, riskLevelAggregated: 'hidden' },
    );

    const signIns = await directory().getRecentSignIns(ADA, 3);

    expect(signIns).toEqual([
      { at: new Date(at(9)), errorCode: 50053, riskLevel: 'high' },
      { at: new Date(at(5)), errorCode: 50126, riskLevel: 'low' },
      { at: new Date(at(3)), errorCode: 50074, riskLevel: undefined },
    ]);
    const query = { $filter: `userId eq '${ADA}'`, $top: '3', $orderby: 'createdDateTime desc' };
    expect(requests()).toEqual([
      { method: 'GET', path: '/v1.0/auditLogs/signIns', query },
      { method: 'GET', path: '/v1.0/auditLogs/signIns', query: { ...query, $skiptoken: expect.any(String) } },
    ]);
  });

  it('asks Graph nothing for zero sign-ins', async () => {
    await expect(directory().getRecentSignIns(ADA, 0)).resolves.toEqual([]);
    expect(fake.calls).toEqual([]);
  });

  it('URL-encodes ids in paths and doubles single quotes in the sign-in filter', async () => {
    const odd = "o'neil/x#1";
    fake.addUser({ id: odd, properties: { displayName: 'Odd Id' } });
    fake.addSignIns({ id: 's', userId: odd, createdDateTime: '2026-03-01T10:00:00Z', status: { errorCode: 0 } });
    const graph = directory();

    await expect(graph.getDirectoryRoles(odd)).resolves.toEqual([]);
    await expect(graph.getRecentSignIns(odd, 5)).resolves.toHaveLength(1);

    expect(requests()).toEqual([
      {
        method: 'GET',
        path: "/v1.0/users/o'neil%2Fx%231/transitiveMemberOf/microsoft.graph.directoryRole",
        query: { $select: 'displayName,id' },
      },
      {
        method: 'GET',
        path: '/v1.0/auditLogs/signIns',
        query: { $filter: "userId eq 'o''neil/x#1'", $top: '5', $orderby: 'createdDateTime desc' },
      },
    ]);
  });

  it("reads a manager's direct reports across pages, each with that manager", async () => {
    fake.pageSize = 1;

    const reports = await directory().getDirectReports(MANAGER);

    expect(reports.map((report) => [report.id, report.displayName, report.accountEnabled, report.managerId])).toEqual([
      [ADA, 'Ada Lovelace', true, MANAGER],
      [REPORT, 'Alan Turing', false, MANAGER],
    ]);
    expect(requests()[0]).toEqual({
      method: 'GET',
      path: `/v1.0/users/${MANAGER}/directReports/microsoft.graph.user`,
      query: { $select: USER_SELECT },
    });
    expect(fake.calls).toHaveLength(2);
  });

  it('checks group membership 20 ids at a time and answers in the order asked', async () => {
    const groupIds = Array.from({ length: 45 }, (_, i) => `group-${String(i).padStart(2, '0')}`);
    fake.addGroup('group-03', [ADA]).addGroup('group-40', [REPORT]).addGroup('nested', [ADA]);
    fake.addGroup('group-27', ['nested']);

    const member = await directory().checkMemberGroups(ADA, [...groupIds].reverse());

    expect(member).toEqual(['group-27', 'group-03']);
    expect(requests().map(({ method, path }) => `${method} ${path}`)).toEqual(
      Array(3).fill(`POST /v1.0/users/${ADA}/checkMemberGroups`),
    );
    expect(fake.calls.map((call) => call.body)).toEqual([
      { groupIds: [...groupIds].reverse().slice(0, 20) },
      { groupIds: [...groupIds].reverse().slice(20, 40) },
      { groupIds: [...groupIds].reverse().slice(40) },
    ]);
  });

  it('asks Graph nothing when there are no groups to check', async () => {
    await expect(directory().checkMemberGroups(ADA, [])).resolves.toEqual([]);
    expect(fake.calls).toEqual([]);
  });

  it("lists the display names of the user's directory roles", async () => {
    fake.pageSize = 1;

    await expect(directory().getDirectoryRoles(ADMIN)).resolves.toEqual([
      'Global Administrator',
      'Privileged Authentication Administrator',
    ]);
    expect(requests()[0]).toEqual({
      method: 'GET',
      path: `/v1.0/users/${ADMIN}/transitiveMemberOf/microsoft.graph.directoryRole`,
      query: { $select: 'displayName,id' },
    });
  });

  it('still counts roles Graph lists without their names (no RoleManagement.Read.Directory), by their ids', async () => {
    fake.readsRoleNames = false;
    const roles = await directory().getDirectoryRoles(ADMIN);
    // A role holder must never pass as an ordinary account: the review then asks for two approvers.
    expect(roles).toHaveLength(2);
    expect(roles.every((role) => /^[0-9a-f-]{36}$/.test(role))).toBe(true);
  });

  it.each([
    ['getDirectReports', (graph: GraphDirectory) => graph.getDirectReports('nobody')],
    ['checkMemberGroups', (graph: GraphDirectory) => graph.checkMemberGroups('nobody', ['g'])],
    ['getDirectoryRoles', (graph: GraphDirectory) => graph.getDirectoryRoles('nobody')],
    ['revokeSignInSessions', (graph: GraphDirectory) => graph.revokeSignInSessions('nobody')],
    [
      'createTemporaryAccessPass',
      (graph: GraphDirectory) =>
        graph.createTemporaryAccessPass('nobody', { lifetimeInMinutes: 60, isUsableOnce: true }),
    ],
  ])('%s answers UserNotFoundError for a user that does not exist', async (_, operation) => {
    const error = await caught(operation(directory()));

    expect(error).toBeInstanceOf(UserNotFoundError);
    expect((error as UserNotFoundError).userId).toBe('nobody');
    expect(error.requestId).toBe(fake.calls[0]!.requestId);
  });

  it('reads the demo tenant as the simulated directory does', async () => {
    const now = new Date('2026-03-02T01:30:00Z');
    const tenant = loadDemoTenant();
    fake.seedDemoTenant(tenant, now);
    const simulated = new SimulatedDirectory(tenant, { now: () => new Date(now) });
    const graph = directory();
    // Method ids other than Graph's fixed ones, and registration dates, are the fake's own.
    const comparable = (methods: AuthMethod[]) =>
      methods.map(({ id, kind, createdAt: _, ...rest }) => ({ ...rest, kind, id: fixedIds.has(id) ? id : kind }));
    const fixedIds = new Set<string>(Object.values(GRAPH_METHOD_IDS));

    for (const user of tenant.users) {
      expect(await graph.getUser(user.id)).toEqual(await simulated.getUser(user.id));
      expect(comparable(await graph.getAuthenticationMethods(user.id))).toEqual(
        comparable(await simulated.getAuthenticationMethods(user.id)),
      );
      expect(await graph.getRecentSignIns(user.id, 20)).toEqual(await simulated.getRecentSignIns(user.id, 20));
    }
  });
});

describe('GraphDirectory group members', () => {
  const MEMBERS_PATH = (groupId: string) => `/v1.0/groups/${groupId}/transitiveMembers/microsoft.graph.user`;
  const isMembersPage = (call: GraphCall) => call.path.endsWith('/transitiveMembers/microsoft.graph.user');

  it('lists the users of a group and of the groups nested in it, each once, following every page', async () => {
    fake.pageSize = 1;
    // ADA is both a direct and a nested member; the nested group also contains its parent (a cycle).
    fake.addGroup('leads', [ADA, 'nested', 'device-0009']).addGroup('nested', [REPORT, ADA, 'leads', 'deeper']);
    fake.addGroup('deeper', [MANAGER]);

    const members = await directory().getGroupMembers('leads');

    expect(members.map((member) => [member.id, member.displayName, member.accountEnabled])).toEqual([
      [ADA, 'Ada Lovelace', true],
      [REPORT, 'Alan Turing', false],
      [MANAGER, 'Grace Hopper', true],
    ]);
    expect(members[0]).toMatchObject({ userPrincipalName: 'ada@contoso.example', managerId: undefined });
    const query = { $select: USER_SELECT, $top: '999' };
    expect(requests()).toEqual([
      { method: 'GET', path: MEMBERS_PATH('leads'), query },
      { method: 'GET', path: MEMBERS_PATH('leads'), query: { ...query, $skiptoken: expect.any(String) } },
      { method: 'GET', path: MEMBERS_PATH('leads'), query: { ...query, $skiptoken: expect.any(String) } },
    ]);
  });

  it('answers an empty list for a group without users', async () => {
    fake.addGroup('empty', ['device-0009']);

    await expect(directory().getGroupMembers('empty')).resolves.toEqual([]);
    expect(fake.calls).toHaveLength(1);
  });

  it('answers 404 Request_ResourceNotFound, with the request id, for a group that does not exist', async () => {
    const error = await caught(directory().getGroupMembers('no/such#group'));

    expect(error.constructor).toBe(DirectoryRequestError);
    expect(error).toMatchObject({
      status: 404,
      code: 'Request_ResourceNotFound',
      message: expect.stringContaining("'no/such#group'"),
      requestId: fake.calls[0]!.requestId,
    });
    expect(requests().map(({ path }) => path)).toEqual([MEMBERS_PATH('no%2Fsuch%23group')]);
  });

  it('stops at a throttled page with Retry-After and that request id, asking for no further page', async () => {
    fake.pageSize = 1;
    fake.addGroup('agents', [ADA, REPORT, MANAGER]);
    fake.failNext((call) => isMembersPage(call) && call.query.$skiptoken !== undefined, {
      status: 429,
      code: 'TooManyRequests',
      message: 'Too many requests',
      retryAfterSeconds: 12,
    });

    const error = await caught(directory().getGroupMembers('agents'));

    expect(error).toBeInstanceOf(ThrottledError);
    expect((error as ThrottledError).retryAfterSeconds).toBe(12);
    expect(error.requestId).toBe(fake.calls[1]!.requestId);
    expect(fake.calls).toHaveLength(2);
  });

  it('answers ServiceUnavailableError for a 503 on the first page', async () => {
    fake.addGroup('agents', [ADA]);
    fake.failNext(isMembersPage, { status: 503, code: 'serviceNotAvailable', message: 'Unavailable' });

    const error = await caught(directory().getGroupMembers('agents'));

    expect(error).toBeInstanceOf(ServiceUnavailableError);
    expect(error.requestId).toBe(fake.calls[0]!.requestId);
  });

  it('reads 50 pages, but fails as 502 tooManyPages rather than follow a 51st', async () => {
    fake.pageSize = 1;
    const ids = Array.from({ length: 51 }, (_, i) => `member-${String(i).padStart(2, '0')}`);
    for (const id of ids) fake.addUser({ id, properties: { displayName: id } });
    fake.addGroup('fifty', ids.slice(0, 50)).addGroup('fifty-one', ids);

    const fifty = await directory().getGroupMembers('fifty');
    expect(fifty.map((member) => member.id)).toEqual(ids.slice(0, 50));
    expect(fake.calls).toHaveLength(50);
    fake.clearCalls();

    const error = await caught(directory().getGroupMembers('fifty-one'));
    expect(error).toMatchObject({ status: 502, code: 'tooManyPages', requestId: fake.calls[49]!.requestId });
    expect(fake.calls).toHaveLength(50);
  });

  it("lists the demo tenant's groups as the simulated directory does", async () => {
    const now = new Date('2026-03-02T01:30:00Z');
    const tenant = loadDemoTenant();
    fake.seedDemoTenant(tenant, now);
    fake.pageSize = 2;
    const simulated = new SimulatedDirectory(tenant, { now: () => new Date(now) });
    const graph = directory();
    const byId = (users: DirectoryUser[]) => [...users].sort((a, b) => a.id.localeCompare(b.id));

    for (const group of tenant.groups) {
      const members = await graph.getGroupMembers(group.id);
      expect(byId(members)).toEqual(byId(await simulated.getGroupMembers(group.id)));
      expect(members.map((member) => member.id).sort()).toEqual([...group.members].sort());
    }
  });
});

describe('GraphDirectory changes', () => {
  it.each([
    ['microsoftAuthenticator', 'microsoftAuthenticatorMethods', 'auth-1'],
    ['phone', 'phoneMethods', GRAPH_METHOD_IDS.office],
    ['softwareOath', 'softwareOathMethods', 'oath-1'],
    ['fido2', 'fido2Methods', 'fido-1'],
    ['email', 'emailMethods', GRAPH_METHOD_IDS.email],
    ['windowsHelloForBusiness', 'windowsHelloForBusinessMethods', 'whfb-1'],
    ['temporaryAccessPass', 'temporaryAccessPassMethods', 'tap-1'],
  ] as const)('deletes a %s method at /authentication/%s', async (kind, collection, id) => {
    await directory().deleteAuthenticationMethod(ADA, { id, kind });

    expect(requests()).toEqual([
      { method: 'DELETE', path: `/v1.0/users/${ADA}/authentication/${collection}/${id}`, query: {} },
    ]);
    expect(fake.user(ADA)!.methods.map((method) => method.id)).not.toContain(id);
  });

  it('refuses to delete the password without asking Graph', async () => {
    const error = await caught(
      directory().deleteAuthenticationMethod(ADA, { id: GRAPH_METHOD_IDS.password, kind: 'password' }),
    );

    expect(error).toMatchObject({ status: 400, code: 'badRequest', message: 'The password method cannot be deleted' });
    expect(fake.calls).toEqual([]);
  });

  it('answers MethodNotFoundError, with the request id, for a method that is not there', async () => {
    const error = await caught(directory().deleteAuthenticationMethod(ADA, { id: 'gone', kind: 'fido2' }));

    expect(error).toBeInstanceOf(MethodNotFoundError);
    expect((error as MethodNotFoundError).methodId).toBe('gone');
    expect(error.requestId).toBe(fake.calls[0]!.requestId);
  });

  it('answers CannotDeleteDefaultMethodError for the default phone while other methods remain', async () => {
    const error = await caught(
      directory().deleteAuthenticationMethod(ADA, { id: GRAPH_METHOD_IDS.mobile, kind: 'phone' }),
    );

    expect(error).toBeInstanceOf(CannotDeleteDefaultMethodError);
    expect(error).toMatchObject({ status: 400, requestId: fake.calls[0]!.requestId });
    expect(fake.user(ADA)!.methods.map((method) => method.id)).toContain(GRAPH_METHOD_IDS.mobile);
  });

  it('deletes the default phone once it is the last method besides the password', async () => {
    fake.addUser({ id: 'phone-only', methods: [mobile], preferredMethod: 'sms' });

    await directory().deleteAuthenticationMethod('phone-only', { id: GRAPH_METHOD_IDS.mobile, kind: 'phone' });

    expect(fake.user('phone-only')!.methods.map((method) => method.id)).toEqual([GRAPH_METHOD_IDS.password]);
  });

  it('answers ForbiddenError for changes to an administrator unless the app holds the privileged role', async () => {
    const graph = directory();
    const deletion = await caught(
      graph.deleteAuthenticationMethod(ADMIN, { id: 'auth-1', kind: 'microsoftAuthenticator' }),
    );
    const creation = await caught(
      graph.createTemporaryAccessPass(ADMIN, { lifetimeInMinutes: 60, isUsableOnce: true }),
    );

    for (const [index, error] of [deletion, creation].entries()) {
      expect(error).toBeInstanceOf(ForbiddenError);
      expect(error).toMatchObject({ status: 403, message: 'Request Authorization failed' });
      expect(error.requestId).toBe(fake.calls[index]!.requestId);
    }

    fake.appIsPrivilegedAuthenticationAdministrator = true;
    await graph.deleteAuthenticationMethod(ADMIN, { id: 'auth-1', kind: 'microsoftAuthenticator' });
    expect(fake.user(ADMIN)!.methods.map((method) => method.id)).toEqual([GRAPH_METHOD_IDS.password]);
  });

  it("revokes the user's sign-in sessions", async () => {
    await directory().revokeSignInSessions(REPORT);

    expect(requests()).toEqual([{ method: 'POST', path: `/v1.0/users/${REPORT}/revokeSignInSessions`, query: {} }]);
    expect(fake.revocations.map((revocation) => revocation.userId)).toEqual([REPORT]);
  });

  it('creates a Temporary Access Pass and returns its value', async () => {
    const created = await directory().createTemporaryAccessPass(REPORT, { lifetimeInMinutes: 120, isUsableOnce: true });

    const [issued] = fake.passes;
    expect(created).toEqual({
      id: issued!.id,
      value: issued!.value,
      startDateTime: expect.any(Date),
      lifetimeInMinutes: 120,
      isUsableOnce: true,
    });
    expect(requests()).toEqual([
      { method: 'POST', path: `/v1.0/users/${REPORT}/authentication/temporaryAccessPassMethods`, query: {} },
    ]);
    expect(fake.calls[0]!.body).toEqual({ lifetimeInMinutes: 120, isUsableOnce: true });
  });

  it('replaces the pass the user had: a second pass has a new id and a new value', async () => {
    const graph = directory();
    const first = await graph.createTemporaryAccessPass(ADA, { lifetimeInMinutes: 60, isUsableOnce: true });
    const second = await graph.createTemporaryAccessPass(ADA, { lifetimeInMinutes: 60, isUsableOnce: true });

    expect(second.id).not.toBe(first.id);
    expect(second.value).not.toBe(first.value);
    const passes = fake.user(ADA)!.methods.filter((method) => method['@odata.type'] === TYPE('temporaryAccessPass'));
    expect(passes.map((method) => method.id)).toEqual([second.id]);
  });

  it('never quotes a pass value in an error, even when Graph answers a created pass oddly', async () => {
    const withoutId: GraphFetch = async (input, init) => {
      const response = await fake.fetch(input, init);
      if (response.status !== 201) return response;
      const { id: _, ...body } = (await response.json()) as Record<string, unknown>;
      return new Response(JSON.stringify(body), { status: 201, headers: response.headers });
    };

    const error = await caught(
      directory({ fetch: withoutId }).createTemporaryAccessPass(REPORT, { lifetimeInMinutes: 60, isUsableOnce: true }),
    );

    const value = fake.passes[0]!.value;
    expect(error).toMatchObject({ status: 502, code: 'invalidResponse' });
    expect(error.message).not.toContain(value);
    expect(JSON.stringify({ ...error, stack: error.stack })).not.toContain(value);
  });
});

describe('GraphDirectory failures', () => {
  it('answers ThrottledError with Retry-After and the request id after exactly one request (no built-in retry)', async () => {
    fake.failNext(
      { method: 'POST', path: /revokeSignInSessions$/ },
      { status: 429, code: 'TooManyRequests', message: 'Too many requests', retryAfterSeconds: 7 },
    );

    const error = await caught(directory().revokeSignInSessions(REPORT));

    expect(error).toBeInstanceOf(ThrottledError);
    expect((error as ThrottledError).retryAfterSeconds).toBe(7);
    expect(error.requestId).toBe(fake.calls[0]!.requestId);
    expect(fake.calls).toHaveLength(1);
    expect(fake.revocations).toEqual([]);
  });

  it('waits 10 seconds when a 429 has no Retry-After', async () => {
    fake.failNext({ method: 'DELETE' }, { status: 429, code: 'TooManyRequests', message: 'Too many requests' });

    const error = await caught(
      directory().deleteAuthenticationMethod(ADA, { id: 'auth-1', kind: 'microsoftAuthenticator' }),
    );

    expect(error).toBeInstanceOf(ThrottledError);
    expect((error as ThrottledError).retryAfterSeconds).toBe(10);
  });

  it('answers ServiceUnavailableError for a 503 after exactly one request', async () => {
    fake.failNext(
      { path: `/v1.0/users/${REPORT}/authentication/temporaryAccessPassMethods` },
      { status: 503, code: 'serviceNotAvailable', message: 'Service unavailable', retryAfterSeconds: 30 },
    );

    const error = await caught(
      directory().createTemporaryAccessPass(REPORT, { lifetimeInMinutes: 60, isUsableOnce: true }),
    );

    expect(error).toBeInstanceOf(ServiceUnavailableError);
    expect(error).toMatchObject({ status: 503, retryAfterSeconds: 30, requestId: fake.calls[0]!.requestId });
    expect(fake.calls).toHaveLength(1);
    expect(fake.passes).toEqual([]);
  });

  it("answers ForbiddenError with Graph's message for a 403 on a read", async () => {
    fake.failNext(
      { path: /directReports/ },
      {
        status: 403,
        code: 'Authorization_RequestDenied',
        message: 'Insufficient privileges to complete the operation.',
      },
    );

    const error = await caught(directory().getDirectReports(MANAGER));

    expect(error).toBeInstanceOf(ForbiddenError);
    expect(error.message).toBe('Insufficient privileges to complete the operation.');
  });

  it("passes any other failure through with Graph's status, code, message and request id", async () => {
    fake.failNext({ method: 'GET' }, { status: 500, code: 'generalException', message: 'Something broke' });

    const error = await caught(directory().getDirectoryRoles(ADA));

    expect(error.constructor).toBe(DirectoryRequestError);
    expect(error).toMatchObject({
      status: 500,
      code: 'generalException',
      message: 'Something broke',
      requestId: fake.calls[0]!.requestId,
    });
  });

  it('gives up after timeoutMs and reports 504 timeout', async () => {
    fake.latencyMs = 1_000;
    const started = Date.now();

    const error = await caught(directory({ timeoutMs: 100 }).getDirectoryRoles(ADA));

    expect(error).toMatchObject({ status: 504, code: 'timeout' });
    expect(error.transient).toBe(true);
    expect(Date.now() - started).toBeLessThan(900);
  });

  it('reports a service that cannot be reached as a transient network error', async () => {
    const graph = directory();
    await fake.stop();

    const error = await caught(graph.getDirectoryRoles(ADA));

    expect(error).toMatchObject({ status: 503, code: 'networkError' });
    expect(error.message).toContain('ECONNREFUSED');
  });

  it('reports a credential that yields no token as 401 without sending anything', async () => {
    const failing: TokenCredential = {
      getToken: async () => {
        throw Object.assign(new Error('AADSTS7000215: Invalid client secret provided.'), {
          name: 'AuthenticationError',
        });
      },
    };

    const error = await caught(directory({ credential: failing }).getDirectoryRoles(ADA));

    expect(error).toMatchObject({ status: 401, code: 'authenticationFailed' });
    expect(error.message).toContain('AADSTS7000215');
    expect(fake.calls).toEqual([]);
  });

  it("passes Graph's own 401 through when the token is empty", async () => {
    const empty: TokenCredential = { getToken: async () => ({ token: '', expiresOnTimestamp: Date.now() + 60_000 }) };

    const error = await caught(directory({ credential: empty }).getDirectoryRoles(ADA));

    expect(error).toMatchObject({ status: 401, code: 'InvalidAuthenticationToken' });
    expect(fake.calls).toHaveLength(1);
  });

  it('refuses a base URL that is not https, since the Graph client would send no token to it', () => {
    expect(() => new GraphDirectory({ credential, baseUrl: 'http://127.0.0.1:8080' })).toThrow(ConfigurationError);
  });
});

describe('createGraphCredential', () => {
  it('makes a client secret, client certificate or managed identity credential', () => {
    const folder = mkdtempSync(join(tmpdir(), 'graph-credential-'));
    const certificatePath = join(folder, 'app.pem');
    writeFileSync(certificatePath, 'not read until a token is asked for');
    try {
      const ids = {
        tenantId: '00000000-0000-4000-8000-000000000001',
        clientId: '00000000-0000-4000-8000-000000000002',
      };
      expect(createGraphCredential({ kind: 'secret', ...ids, clientSecret: 's' })).toBeInstanceOf(
        ClientSecretCredential,
      );
      expect(createGraphCredential({ kind: 'certificate', ...ids, certificatePath })).toBeInstanceOf(
        ClientCertificateCredential,
      );
      expect(createGraphCredential({ kind: 'managedIdentity' })).toBeInstanceOf(ManagedIdentityCredential);
      expect(createGraphCredential({ kind: 'managedIdentity', clientId: ids.clientId })).toBeInstanceOf(
        ManagedIdentityCredential,
      );
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  });
});
