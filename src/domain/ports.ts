/**
 * The ports the domain needs from the outside world. Adapters (store, directory, teams)
 * implement them; the domain never imports a driver or SDK.
 */

/** Time, passed in so that logic and tests never read the wall clock directly. */
export interface Clock {
  now(): Date;
}

/** A person as the directory knows them. */
export interface DirectoryUser {
  id: string;
  displayName: string;
  givenName: string;
  /** The family name; empty where the directory has none. */
  surname: string;
  userPrincipalName: string;
  mail: string;
  department: string;
  jobTitle: string;
  /**
   * The phone numbers the organisation keeps for them (Graph's `businessPhones` and `mobilePhone`), as written
   * there; absent where the directory did not say. An agent calls one back to verify who they are.
   */
  businessPhones?: string[] | undefined;
  mobilePhone?: string | undefined;
  preferredLanguage: string | undefined;
  accountEnabled: boolean;
  managerId: string | undefined;
  /** The manager's display name, where the directory gave it with the user (getUser does). */
  managerDisplayName?: string | undefined;
  /** For invited accounts: whether the invitation was accepted, and when that state last changed. */
  externalUserState: 'PendingAcceptance' | 'Accepted' | undefined;
  externalUserStateChangedAt: Date | undefined;
}

/** The kinds of authentication method Microsoft Graph reports. */
export type AuthMethodKind =
  | 'password'
  | 'microsoftAuthenticator'
  | 'phone'
  | 'softwareOath'
  | 'fido2'
  | 'email'
  | 'windowsHelloForBusiness'
  | 'temporaryAccessPass';

/** One registered authentication method, as the directory reports it (unmasked). */
export interface AuthMethod {
  id: string;
  kind: AuthMethodKind;
  /** Device or key name, e.g. "iPhone 15" for an authenticator. */
  displayName: string | undefined;
  /** Phone methods only. */
  phoneNumber: string | undefined;
  phoneType: 'mobile' | 'alternateMobile' | 'office' | undefined;
  /** Email methods only. */
  emailAddress: string | undefined;
  isDefault: boolean;
  /** Temporary Access Pass only: whether it can be used now. */
  isUsable: boolean | undefined;
  /** When it was registered, where the directory says (Graph does for most kinds, not for phones). */
  createdAt?: Date | undefined;
}

/** One sign-in attempt from the sign-in log; error code 0 is a success. */
export interface SignInRecord {
  at: Date;
  errorCode: number;
  /** Identity Protection's aggregated risk of the sign-in, where the tenant has it. */
  riskLevel?: 'none' | 'low' | 'medium' | 'high' | undefined;
}

/**
 * A Temporary Access Pass just created. `value` is returned by this call only: it goes to the one
 * chat it is for and nowhere else (no database, log, error, channel or audit event).
 */
export interface CreatedTemporaryAccessPass {
  id: string;
  value: string;
  startDateTime: Date;
  lifetimeInMinutes: number;
  isUsableOnce: boolean;
}

/** How long a new pass lives and whether it works once (Graph allows 10 to 43,200 minutes). */
export interface TemporaryAccessPassOptions {
  lifetimeInMinutes: number;
  isUsableOnce: boolean;
}

/**
 * The organisation's directory (Microsoft Graph, or the simulated tenant): who people are, and the
 * changes an approved reset makes. Failures are DirectoryRequestErrors carrying Graph's status,
 * error code and request id (directory-errors.ts).
 */
export interface Directory {
  /** The user with this Entra object id, or undefined when there is none. */
  getUser(id: string): Promise<DirectoryUser | undefined>;
  /** The user's registered authentication methods. */
  getAuthenticationMethods(userId: string): Promise<AuthMethod[]>;
  /** The user's most recent sign-in attempts, newest first. */
  getRecentSignIns(userId: string, limit: number): Promise<SignInRecord[]>;
  /** The people whose manager this user is. */
  getDirectReports(managerId: string): Promise<DirectoryUser[]>;
  /** Which of `groupIds` the user is a member of, directly or through nested groups. */
  checkMemberGroups(userId: string, groupIds: readonly string[]): Promise<string[]>;
  /**
   * The users in the group, directly or through nested groups (transitive), as Microsoft Graph's
   * `GET /groups/{id}/transitiveMembers/microsoft.graph.user` lists them; their `managerId` is
   * undefined, since that listing carries no manager (getUser has it). An unknown group answers 404
   * `Request_ResourceNotFound` like Graph (a DirectoryRequestError, see directory-errors.ts).
   */
  getGroupMembers(groupId: string): Promise<DirectoryUser[]>;
  /** The display names of the directory roles the user holds (privileged accounts have some). */
  getDirectoryRoles(userId: string): Promise<string[]>;
  /**
   * Deletes one registered method (never the password). Graph refuses a phone that is the default
   * method while other methods exist (400 "Cannot delete default method") and answers 404 for a
   * method that is not there.
   */
  deleteAuthenticationMethod(userId: string, method: Pick<AuthMethod, 'id' | 'kind'>): Promise<void>;
  /** Invalidates the user's refresh tokens and session cookies: every device must sign in again. */
  revokeSignInSessions(userId: string): Promise<void>;
  /** Creates a pass for the user; a pass they already had is replaced (Graph keeps one per user). */
  createTemporaryAccessPass(userId: string, options: TemporaryAccessPassOptions): Promise<CreatedTemporaryAccessPass>;
}

/** One stored state item, as the bot framework's state layer reads and writes it. */
export interface StoredState {
  [field: string]: unknown;
  eTag?: string;
}

/**
 * Key-value state with optimistic concurrency: a write whose eTag is stale is rejected,
 * `*` or no eTag overwrites. Checking an eTag and writing are one atomic step, and one call's
 * items are written all or none, so two instances never both write over the same version.
 * The shape matches botbuilder's Storage so the Teams layer can hand it over as it is.
 */
export interface StateStore {
  read(keys: string[]): Promise<Record<string, StoredState>>;
  write(changes: Record<string, StoredState>): Promise<void>;
  delete(keys: string[]): Promise<void>;
}

/** Where the bot can reach a person or channel later without being spoken to first. */
export interface ConversationAddress {
  /**
   * Stable key within the tenant: `user:<aadObjectId>` for a 1:1 chat, `channel:<channelId>` for a
   * team channel, `chat:<conversationId>` for a group chat. Addresses are found by tenant and key.
   */
  key: string;
  kind: 'personal' | 'channel' | 'groupChat';
  tenantId: string;
  aadObjectId: string | undefined;
  teamId: string | undefined;
  locale: string | undefined;
  /** The channel's conversation reference, opaque to the domain. */
  reference: Record<string, unknown>;
  updatedAt: Date;
}

/** Stores the addresses captured when people install the bot or talk to it. */
export interface ConversationAddressRepository {
  /** Adds or replaces the tenant's address under its key. */
  save(address: ConversationAddress): Promise<void>;
  /** The tenant's address under `key`; another tenant's, under the same key, is never returned. */
  find(tenantId: string, key: string): Promise<ConversationAddress | undefined>;
  /**
   * The address in the tenant (in one team, when `teamId` is given) that changed last; its
   * service URL reaches the tenant's region.
   */
  latestForTenant(tenantId: string, teamId?: string): Promise<ConversationAddress | undefined>;
}

/** Whether the store can serve requests right now (for readiness probes). */
export interface HealthCheck {
  check(): Promise<void>;
}

/** How a diagnosis ended, or that it is still going. */
export type DiagnosisResult = 'open' | 'resolved' | 'notResolved' | 'applied' | 'abandoned';

/** One diagnosis, recorded for the statistics managers read: who, the path, the outcome. */
export interface DiagnosisRecord {
  id: string;
  tenantId: string;
  userId: string;
  locale: string;
  /** The intent that started it, or how it was started (`menu`, `command`, `symptoms`). */
  entry: string;
  startedAt: Date;
  updatedAt: Date;
  /** The steps taken, as the engine recorded them. */
  path: ReadonlyArray<{ node: string; via: string; choice?: string }>;
  /** The outcome shown last, if any. */
  outcome: string | undefined;
  result: DiagnosisResult;
  questionsAsked: number;
  /** Which evidence was missing (failed, throttled or late). */
  evidenceGaps: readonly string[];
  /** What the directory showed when it started: the facts it established and the kinds of method registered. */
  evidence?: DiagnosisEvidence | undefined;
}

/** The evidence a diagnosis started from, kept for the helpdesk (no method details, only their kinds). */
export interface DiagnosisEvidence {
  facts: Readonly<Record<string, boolean>>;
  /** Kinds of the registered methods, e.g. `microsoftAuthenticator`; undefined when they could not be read. */
  methodKinds: readonly string[] | undefined;
}

/** Stores diagnosis records; one row per diagnosis, updated as it moves. */
export interface DiagnosisRepository {
  /**
   * Inserts or updates the record and, in the same transaction, moves it in the statistics'
   * counters (tallyDiagnosis) from how it stood to how it stands now.
   */
  save(record: DiagnosisRecord): Promise<void>;
  find(id: string): Promise<DiagnosisRecord | undefined>;
  /** The tenant's diagnoses whose id starts with these 8 hex digits (what a DX-… reference shows), at most `limit`. */
  findByIdPrefix(tenantId: string, prefix: string, limit: number): Promise<DiagnosisRecord[]>;
}
