import type {
  AuthMethod,
  Clock,
  CreatedTemporaryAccessPass,
  Directory,
  DirectoryUser,
  SignInRecord,
  TemporaryAccessPassOptions,
} from '../domain/ports.js';

export interface CachingDirectoryOptions {
  /** How long an answer is reused (DIRECTORY_CACHE_SECONDS); 0 reuses nothing. */
  ttlMs: number;
  clock: Clock;
  /** The most answers kept; the oldest go first beyond it. */
  maxEntries?: number;
}

interface Entry {
  /** Whose data it is: a write about this person drops their entries. */
  userId: string | undefined;
  storedAt: number;
  value: Promise<unknown>;
}

/**
 * The answers kept, oldest first (an answer kept again moves to the end), and the keys of each person's answers, so
 * that forgetting a person touches their entries only and the expired ones are dropped from the front as new ones
 * come in: what is kept is bounded by what was read within one cache life, not by everything ever read.
 */
class Entries {
  private readonly byKey = new Map<string, Entry>();
  private readonly byUser = new Map<string, Set<string>>();

  get size(): number {
    return this.byKey.size;
  }

  get(key: string): Entry | undefined {
    return this.byKey.get(key);
  }

  set(key: string, entry: Entry): void {
    this.delete(key);
    this.byKey.set(key, entry);
    if (entry.userId === undefined) return;
    let keys = this.byUser.get(entry.userId);
    if (!keys) this.byUser.set(entry.userId, (keys = new Set()));
    keys.add(key);
  }

  delete(key: string): void {
    const entry = this.byKey.get(key);
    if (!entry) return;
    this.byKey.delete(key);
    if (entry.userId === undefined) return;
    const keys = this.byUser.get(entry.userId);
    keys?.delete(key);
    if (keys?.size === 0) this.byUser.delete(entry.userId);
  }

  forget(userId: string): void {
    for (const key of this.byUser.get(userId) ?? []) this.byKey.delete(key);
    this.byUser.delete(userId);
  }

  /** Drops the oldest entries while there are more than `max` or they were stored before `expiredBefore`. */
  trim(max: number, expiredBefore: number): void {
    for (const [key, entry] of this.byKey) {
      if (this.byKey.size <= max && entry.storedAt > expiredBefore) return;
      this.delete(key);
    }
  }
}

const DEFAULT_MAX_ENTRIES = 20_000;

/**
 * The directory, with each read answered from memory for a short while (DIRECTORY_CACHE_SECONDS,
 * 60 by default): a card, the click on it and the update that follows ask about the same people,
 * and Graph takes hundreds of milliseconds each time. Calls made while the same one is on its
 * way share its answer; failures are never kept; a write about a person (a method deleted, a
 * pass created, sessions revoked) drops what is kept about them here.
 *
 * What this means: for up to that long, this instance may still see an agent who was removed
 * from the helpdesk group as a member, a role just granted or removed, or a method registered
 * elsewhere. Other instances keep their own copy. 0 turns it off.
 */
export class CachingDirectory implements Directory {
  constructor(
    private readonly inner: Directory,
    private readonly options: CachingDirectoryOptions,
    /** Shared with the view fresh() returns. */
    private readonly entries = new Entries(),
    /** The fresh() view: every read asks the directory, and keeps its answer for the others. */
    private readonly rereading = false,
  ) {}

  getUser(id: string): Promise<DirectoryUser | undefined> {
    return this.cached(`user:${id}`, id, () => this.inner.getUser(id));
  }

  getAuthenticationMethods(userId: string): Promise<AuthMethod[]> {
    return this.cached(`methods:${userId}`, userId, () => this.inner.getAuthenticationMethods(userId));
  }

  getRecentSignIns(userId: string, limit: number): Promise<SignInRecord[]> {
    return this.cached(`signIns:${userId}:${limit}`, userId, () => this.inner.getRecentSignIns(userId, limit));
  }

  getDirectReports(managerId: string): Promise<DirectoryUser[]> {
    return this.cached(`reports:${managerId}`, undefined, () => this.inner.getDirectReports(managerId));
  }

  /**
   * Answered from the groups' member lists when they are kept (both are transitive in Graph): the
   * card that lists the helpdesk for a hand-over has just read them, so the click on it need not ask.
   */
  checkMemberGroups(userId: string, groupIds: readonly string[]): Promise<string[]> {
    const key = `memberOf:${userId}:${[...groupIds].sort().join(',')}`;
    const ask = () => this.inner.checkMemberGroups(userId, groupIds);
    const lists = groupIds.map((groupId) => this.kept<DirectoryUser[]>(`members:${groupId}`));
    if (this.rereading || groupIds.length === 0 || lists.some((list) => list === undefined)) {
      return this.cached(key, userId, ask);
    }
    return Promise.all(lists).then(
      (members) => groupIds.filter((_, index) => members[index]!.some((member) => member.id === userId)),
      () => this.cached(key, userId, ask),
    );
  }

  getGroupMembers(groupId: string): Promise<DirectoryUser[]> {
    return this.cached(`members:${groupId}`, undefined, () => this.inner.getGroupMembers(groupId));
  }

  getDirectoryRoles(userId: string): Promise<string[]> {
    return this.cached(`roles:${userId}`, userId, () => this.inner.getDirectoryRoles(userId));
  }

  async deleteAuthenticationMethod(userId: string, method: Pick<AuthMethod, 'id' | 'kind'>): Promise<void> {
    try {
      await this.inner.deleteAuthenticationMethod(userId, method);
    } finally {
      this.forget(userId);
    }
  }

  async revokeSignInSessions(userId: string): Promise<void> {
    try {
      await this.inner.revokeSignInSessions(userId);
    } finally {
      this.forget(userId);
    }
  }

  async createTemporaryAccessPass(
    userId: string,
    options: TemporaryAccessPassOptions,
  ): Promise<CreatedTemporaryAccessPass> {
    try {
      return await this.inner.createTemporaryAccessPass(userId, options);
    } finally {
      this.forget(userId);
    }
  }

  /**
   * The same directory, reading past what is kept here (and keeping the fresh answers): for the
   * work that must see the directory as it is now, like planning a reset. Writes still drop what
   * is kept about the person.
   */
  fresh(): Directory {
    return new CachingDirectory(this.inner, this.options, this.entries, true);
  }

  /** Drops what is kept about a person (their user, methods, sign-ins, roles and memberships). */
  forget(userId: string): void {
    this.entries.forget(userId);
  }

  /** How many answers are kept now (for tests and the soak). */
  get size(): number {
    return this.entries.size;
  }

  /** What is kept under `key` and still fresh, if anything. */
  private kept<T>(key: string): Promise<T> | undefined {
    const { ttlMs, clock } = this.options;
    const found = this.entries.get(key);
    if (!found || ttlMs <= 0 || clock.now().getTime() - found.storedAt >= ttlMs) return undefined;
    return found.value as Promise<T>;
  }

  private cached<T>(key: string, userId: string | undefined, read: () => Promise<T>): Promise<T> {
    const { ttlMs, clock, maxEntries = DEFAULT_MAX_ENTRIES } = this.options;
    if (ttlMs <= 0) return read();
    const now = clock.now().getTime();
    const found = this.rereading ? undefined : this.entries.get(key);
    if (found && now - found.storedAt < ttlMs) return found.value as Promise<T>;
    const value = read();
    const entry: Entry = { userId, storedAt: now, value };
    this.entries.set(key, entry);
    // A failure is not kept: the next caller asks the directory again.
    value.catch(() => {
      if (this.entries.get(key) === entry) this.entries.delete(key);
    });
    this.entries.trim(maxEntries, now - ttlMs);
    return value;
  }
}
