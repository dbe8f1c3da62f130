import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type {
  AuthMethod,
  Clock,
  CreatedTemporaryAccessPass,
  Directory,
  DirectoryUser,
  SignInRecord,
  TemporaryAccessPassOptions,
} from '../domain/ports.js';
import type { DemoMethod, DemoTenant, DemoUser } from './demo-tenant.js';
import {
  CannotDeleteDefaultMethodError,
  DirectoryRequestError,
  ForbiddenError,
  MethodNotFoundError,
  UserNotFoundError,
} from './directory-errors.js';

/** The directory calls a fault can be injected into. */
export type DirectoryOperation = keyof Directory;

/** How the simulated directory misbehaves, for tests and demos of slow or failing Graph. */
export interface SimulatedDirectoryOptions {
  /** Every call answers after this many milliseconds (default 0). */
  latencyMs?: number;
  /**
   * Asked on every call, after the latency, with the id the call is about (the user's, or the
   * group's for getGroupMembers): an error it returns is thrown instead of answering, e.g. a
   * ThrottledError (429) or ServiceUnavailableError (503) from directory-errors.ts.
   */
  failWith?: (operation: DirectoryOperation, id: string) => Error | undefined;
  /**
   * Whether the application holds the Privileged Authentication Administrator role. Without it, as
   * in Graph, methods and passes of people with a directory role cannot be changed (403). Default false.
   */
  canManagePrivilegedAccounts?: boolean;
}

/**
 * What happened to one person's entry since the demo tenant was loaded: only the changes, so that
 * edits to `demo/tenant.json` (a method added) still show for people the demo changed. Never a pass value.
 */
export interface SimulatedUserChanges {
  /** Ids of the tenant's methods that were deleted or replaced by a newer pass. */
  removedMethodIds: string[];
  /** Passes this directory created that still exist (Graph keeps one per person). */
  createdPasses: Array<{ id: string; startDateTime: Date; lifetimeInMinutes: number }>;
  /** When the person's sessions were revoked, oldest first. */
  revokedAt: Date[];
}

/** Keeps the simulated directory's changes across restarts. */
export interface SimulatedDirectoryJournal {
  /** Every person's recorded changes, by user id. */
  load(): Promise<ReadonlyMap<string, SimulatedUserChanges>>;
  /** Records the whole of a person's changes, replacing what was recorded for them. */
  save(userId: string, changes: SimulatedUserChanges): Promise<void>;
}

/** A registered method as the simulation keeps it: its id, fixed when the tenant loads, and the demo data. */
interface StoredMethod {
  id: string;
  method: DemoMethod;
  /** For passes created by this directory: from when, and for how long, the pass works. */
  pass?: { startDateTime: Date; lifetimeInMinutes: number };
}

/** Graph's fixed ids: the password method, the email method and each kind of phone. */
const PASSWORD_METHOD_ID = '28c10230-6103-485e-b985-444c60001490';
const EMAIL_METHOD_ID = '3ddfcfc8-9383-446f-83cc-3ab9be4be18f';
const PHONE_METHOD_IDS = {
  mobile: '3179e48a-750b-4051-897c-87b9720928f7',
  alternateMobile: 'b6332ec1-7057-4abe-9331-3d72feddfe41',
  office: 'e37fc753-ff3b-4958-9484-eaa9425c82bc',
} as const;

const MINUTE_MS = 60_000;
const DAY_MS = 86_400_000;

/** A journal and the changes it held when the directory started from it. */
interface JournalStart {
  journal: SimulatedDirectoryJournal;
  recorded: ReadonlyMap<string, SimulatedUserChanges>;
}

/**
 * The directory of the demo tenant, in memory: local mode and tests use it instead of Graph.
 * Times in the demo data are relative, so every date is computed from `clock` when asked.
 * Constructed, every start is the demo tenant as written; `resume` starts from a journal.
 */
export class SimulatedDirectory implements Directory {
  private readonly users: ReadonlyMap<string, DemoUser>;
  private readonly groups: Map<string, ReadonlySet<string>>;
  /** Each user's methods, changed by deletes and new passes as Graph would change them. */
  private readonly methods: Map<string, StoredMethod[]>;
  private readonly revocations = new Map<string, Date[]>();

  /**
   * A directory that starts from the changes recorded in `journal` (local mode: the database) and
   * records each new one there, so a restarted demo shows the directory its stored requests left
   * behind. The journal is read before the directory answers anything.
   */
  static async resume(
    tenant: DemoTenant,
    clock: Clock,
    journal: SimulatedDirectoryJournal,
    options: SimulatedDirectoryOptions = {},
  ): Promise<SimulatedDirectory> {
    return new SimulatedDirectory(tenant, clock, options, { journal, recorded: await journal.load() });
  }

  constructor(
    tenant: DemoTenant,
    private readonly clock: Clock,
    private readonly options: SimulatedDirectoryOptions = {},
    private readonly resumed?: JournalStart,
  ) {
    // A private copy: changing the tenant object afterwards must not change the directory.
    this.users = new Map(structuredClone(tenant.users).map((user) => [user.id, user]));
    this.groups = new Map(tenant.groups.map((group) => [group.id, new Set(group.members)]));
    this.methods = new Map([...this.users.values()].map((user) => [user.id, tenantMethods(user)]));
    for (const [userId, changes] of resumed?.recorded ?? []) {
      const user = this.users.get(userId);
      // Someone removed from demo/tenant.json since: nothing to show their changes on.
      if (!user) continue;
      const removed = new Set(changes.removedMethodIds);
      const passes = changes.createdPasses.map(({ id, startDateTime, lifetimeInMinutes }) => ({
        id,
        method: { kind: 'temporaryAccessPass', usable: true } as const,
        pass: { startDateTime, lifetimeInMinutes },
      }));
      this.methods.set(userId, [...tenantMethods(user).filter((stored) => !removed.has(stored.id)), ...passes]);
      if (changes.revokedAt.length > 0) this.revocations.set(userId, [...changes.revokedAt]);
    }
  }

  async checkMemberGroups(userId: string, groupIds: readonly string[]): Promise<string[]> {
    await this.requestFor('checkMemberGroups', userId);
    return groupIds.filter((groupId) => this.groups.get(groupId)?.has(userId) ?? false);
  }

  async getGroupMembers(groupId: string): Promise<DirectoryUser[]> {
    await this.request('getGroupMembers', groupId);
    const members = this.groups.get(groupId);
    if (!members) throw groupNotFound(groupId);
    const now = this.clock.now();
    // Demo groups hold users only (loadDemoTenant checks), so the direct members are all of them.
    return [...members]
      .map((memberId) => this.users.get(memberId))
      .filter((user) => user !== undefined)
      .map((user) => ({ ...toDirectoryUser(user, now), managerId: undefined }));
  }

  async getDirectoryRoles(userId: string): Promise<string[]> {
    const user = await this.requestFor('getDirectoryRoles', userId);
    return [...user.directoryRoles];
  }

  async getUser(id: string): Promise<DirectoryUser | undefined> {
    await this.request('getUser', id);
    const user = this.users.get(id);
    if (!user) return undefined;
    const manager = user.managerId === undefined ? undefined : this.users.get(user.managerId);
    return { ...toDirectoryUser(user, this.clock.now()), managerDisplayName: manager?.displayName };
  }

  async getDirectReports(managerId: string): Promise<DirectoryUser[]> {
    await this.requestFor('getDirectReports', managerId);
    const now = this.clock.now();
    return [...this.users.values()]
      .filter((user) => user.managerId === managerId)
      .map((user) => toDirectoryUser(user, now));
  }

  async getAuthenticationMethods(userId: string): Promise<AuthMethod[]> {
    const user = await this.requestFor('getAuthenticationMethods', userId);
    const now = this.clock.now();
    return [passwordMethod(), ...this.methodsOf(user.id).map((stored) => toAuthMethod(stored, now))];
  }

  async deleteAuthenticationMethod(userId: string, method: Pick<AuthMethod, 'id' | 'kind'>): Promise<void> {
    const user = await this.requestFor('deleteAuthenticationMethod', userId);
    if (method.kind === 'password' || method.id === PASSWORD_METHOD_ID) {
      throw new DirectoryRequestError(400, 'badRequest', 'The password method cannot be deleted.');
    }
    this.refuseIfPrivileged(user);
    const methods = this.methodsOf(user.id);
    const target = methods.find((stored) => stored.id === method.id && stored.method.kind === method.kind);
    if (!target) throw new MethodNotFoundError(method.id);
    // Graph keeps a default phone while anything else could still prove who the person is.
    const isDefaultPhone = target.method.kind === 'phone' && target.method.isDefault;
    if (isDefaultPhone && methods.length > 1) throw new CannotDeleteDefaultMethodError();
    this.methods.set(
      user.id,
      methods.filter((stored) => stored !== target),
    );
    await this.record(user);
  }

  async revokeSignInSessions(userId: string): Promise<void> {
    const user = await this.requestFor('revokeSignInSessions', userId);
    // The latest few only, as an audit log keeps a while: a long demo or soak must not grow without end.
    const earlier = (this.revocations.get(user.id) ?? []).slice(1 - REVOCATIONS_KEPT);
    this.revocations.set(user.id, [...earlier, this.clock.now()]);
    await this.record(user);
  }

  async createTemporaryAccessPass(
    userId: string,
    options: TemporaryAccessPassOptions,
  ): Promise<CreatedTemporaryAccessPass> {
    const user = await this.requestFor('createTemporaryAccessPass', userId);
    const { lifetimeInMinutes, isUsableOnce } = options;
    if (!Number.isInteger(lifetimeInMinutes) || lifetimeInMinutes < 10 || lifetimeInMinutes > 43_200) {
      throw new DirectoryRequestError(400, 'badRequest', 'lifetimeInMinutes must be between 10 and 43200.');
    }
    this.refuseIfPrivileged(user);
    const startDateTime = this.clock.now();
    const pass: StoredMethod = {
      id: randomUUID(),
      method: { kind: 'temporaryAccessPass', usable: true },
      pass: { startDateTime, lifetimeInMinutes },
    };
    // One pass per person: a new one replaces the old.
    const others = this.methodsOf(user.id).filter((stored) => stored.method.kind !== 'temporaryAccessPass');
    this.methods.set(user.id, [...others, pass]);
    await this.record(user);
    return { id: pass.id, value: newPassValue(), startDateTime, lifetimeInMinutes, isUsableOnce };
  }

  /**
   * The person registers a new method themselves (on the security info page, with their pass), as
   * tests and demos need; with a pass that works once, signing in with it uses it up.
   */
  registerMethod(userId: string, method: DemoMethod): string {
    const id = randomUUID();
    const methods = this.methodsOf(userId).map((stored) =>
      stored.method.kind === 'temporaryAccessPass'
        ? { ...stored, method: { ...stored.method, usable: false } }
        : stored,
    );
    this.methods.set(userId, [...methods, { id, method }]);
    return id;
  }

  /** An administrator takes the person out of a group (tests and demos of a removed agent). */
  removeFromGroup(groupId: string, userId: string): void {
    const members = this.groups.get(groupId);
    if (members) this.groups.set(groupId, new Set([...members].filter((member) => member !== userId)));
  }

  /** When the person's sessions were revoked, oldest first (what Graph would show in the audit log). */
  sessionRevocations(userId: string): Date[] {
    return [...(this.revocations.get(userId) ?? [])];
  }

  private methodsOf(userId: string): StoredMethod[] {
    return this.methods.get(userId) ?? [];
  }

  /** Writes the person's changes to the journal, as they stand now against the demo tenant. */
  private async record(user: DemoUser): Promise<void> {
    const journal = this.resumed?.journal;
    if (!journal) return;
    const current = this.methodsOf(user.id);
    const kept = new Set(current.map((stored) => stored.id));
    await journal.save(user.id, {
      removedMethodIds: tenantMethods(user)
        .map((stored) => stored.id)
        .filter((id) => !kept.has(id)),
      createdPasses: current.flatMap(({ id, pass }) => (pass ? [{ id, ...pass }] : [])),
      revokedAt: this.sessionRevocations(user.id),
    });
  }

  private refuseIfPrivileged(user: DemoUser): void {
    if (user.directoryRoles.length > 0 && !this.options.canManagePrivilegedAccounts) throw new ForbiddenError();
  }

  async getRecentSignIns(userId: string, limit: number): Promise<SignInRecord[]> {
    const user = await this.requestFor('getRecentSignIns', userId);
    const now = this.clock.now().getTime();
    return [...user.signIns]
      .sort((a, b) => a.minutesAgo - b.minutesAgo)
      .slice(0, Math.max(0, limit))
      .map((signIn) => ({
        at: new Date(now - signIn.minutesAgo * MINUTE_MS),
        errorCode: signIn.errorCode,
        riskLevel: signIn.riskLevel,
      }));
  }

  private async request(operation: DirectoryOperation, id: string): Promise<void> {
    const { latencyMs = 0, failWith } = this.options;
    // The global timer, so that tests with fake timers control the delay.
    if (latencyMs > 0) await new Promise((resolve) => setTimeout(resolve, latencyMs));
    const error = failWith?.(operation, id);
    if (error) throw error;
  }

  /** Like Graph, a user's sub-resources answer 404 when the user does not exist. */
  private async requestFor(operation: DirectoryOperation, userId: string): Promise<DemoUser> {
    await this.request(operation, userId);
    const user = this.users.get(userId);
    if (!user) throw new UserNotFoundError(userId);
    return user;
  }
}

/** How many of a person's session revocations are kept (the latest). */
const REVOCATIONS_KEPT = 5;

/** 404 for a group that does not exist, in the words Graph uses for any unknown object. */
function groupNotFound(groupId: string): DirectoryRequestError {
  const message = `Resource '${groupId}' does not exist or one of its queried reference-property objects are not present.`;
  return new DirectoryRequestError(404, 'Request_ResourceNotFound', message);
}

function toDirectoryUser(user: DemoUser, now: Date): DirectoryUser {
  const changedDaysAgo = user.externalUserStateChangedDaysAgo;
  return {
    id: user.id,
    displayName: user.displayName,
    givenName: user.givenName,
    surname: user.surname,
    userPrincipalName: user.userPrincipalName,
    mail: user.userPrincipalName,
    department: user.department,
    jobTitle: user.jobTitle,
    businessPhones: [...user.businessPhones],
    mobilePhone: user.mobilePhone,
    preferredLanguage: user.preferredLanguage,
    accountEnabled: user.accountEnabled,
    managerId: user.managerId,
    externalUserState: user.externalUserState,
    externalUserStateChangedAt:
      changedDaysAgo === undefined ? undefined : new Date(now.getTime() - changedDaysAgo * DAY_MS),
  };
}

/** Graph lists the password as a method of every account; it can never be deleted. */
function passwordMethod(): AuthMethod {
  return { ...blankMethod(), id: PASSWORD_METHOD_ID, kind: 'password' };
}

/** A person's methods as demo/tenant.json lists them, with their ids. */
function tenantMethods(user: DemoUser): StoredMethod[] {
  return user.methods.map((method, index) => ({ id: methodId(user.id, method, index), method }));
}

/** Graph's id for a method: fixed for phones and the email method, otherwise a GUID stable across runs. */
function methodId(userId: string, method: DemoMethod, index: number): string {
  if (method.kind === 'phone') return PHONE_METHOD_IDS[method.phoneType];
  if (method.kind === 'email') return EMAIL_METHOD_ID;
  return stableGuid(`${userId}/methods/${index}`);
}

function toAuthMethod({ id, method, pass }: StoredMethod, now: Date): AuthMethod {
  const base = { ...blankMethod(), id, kind: method.kind };
  if ('registeredDaysAgo' in method && method.registeredDaysAgo !== undefined) {
    base.createdAt = new Date(now.getTime() - method.registeredDaysAgo * DAY_MS);
  }
  switch (method.kind) {
    case 'microsoftAuthenticator':
    case 'fido2':
    case 'windowsHelloForBusiness':
      return { ...base, displayName: method.displayName, isDefault: method.isDefault };
    case 'phone':
      return { ...base, phoneNumber: method.phoneNumber, phoneType: method.phoneType, isDefault: method.isDefault };
    case 'softwareOath':
      return { ...base, isDefault: method.isDefault };
    case 'email':
      return { ...base, emailAddress: method.emailAddress };
    case 'temporaryAccessPass': {
      if (!pass) return { ...base, isUsable: method.usable };
      const ends = pass.startDateTime.getTime() + pass.lifetimeInMinutes * MINUTE_MS;
      return { ...base, createdAt: pass.startDateTime, isUsable: method.usable && now.getTime() < ends };
    }
  }
}

/** A pass value like Graph's: eight characters a person can read out and type. */
function newPassValue(): string {
  const alphabet = 'ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789!#$%&*+=?';
  return [...randomBytes(8)].map((byte) => alphabet[byte % alphabet.length]).join('');
}

function blankMethod(): Omit<AuthMethod, 'id' | 'kind'> {
  return {
    displayName: undefined,
    phoneNumber: undefined,
    phoneType: undefined,
    emailAddress: undefined,
    isDefault: false,
    isUsable: undefined,
  };
}

/** Ids already derived: the demo tenant's methods are read on every diagnosis. */
const guids = new Map<string, string>();

function stableGuid(name: string): string {
  const known = guids.get(name);
  if (known !== undefined) return known;
  const guid = deriveGuid(name);
  guids.set(name, guid);
  return guid;
}

/** A GUID that is the same on every run for the same name (name-based, version 5 layout). */
function deriveGuid(name: string): string {
  const hash = createHash('sha1').update('sign-in-help demo tenant/').update(name).digest().subarray(0, 16);
  hash.writeUInt8((hash.readUInt8(6) & 0x0f) | 0x50, 6);
  hash.writeUInt8((hash.readUInt8(8) & 0x3f) | 0x80, 8);
  const hex = hash.toString('hex');
  return [hex.slice(0, 8), hex.slice(8, 12), hex.slice(12, 16), hex.slice(16, 20), hex.slice(20)].join('-');
}
