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
  userPrincipalName: string;
  mail: string;
  department: string;
  jobTitle: string;
  preferredLanguage: string | undefined;
  accountEnabled: boolean;
  managerId: string | undefined;
}

/** Reads people from the organisation's directory (Microsoft Graph, or the simulated tenant). */
export interface Directory {
  /** The user with this Entra object id, or undefined when there is none. */
  getUser(id: string): Promise<DirectoryUser | undefined>;
}

/** One stored state item, as the bot framework's state layer reads and writes it. */
export interface StoredState {
  [field: string]: unknown;
  eTag?: string;
}

/**
 * Key-value state with optimistic concurrency: a write whose eTag is stale is rejected,
 * `*` or no eTag overwrites. The shape matches botbuilder's Storage so the Teams layer can
 * hand it over as it is.
 */
export interface StateStore {
  read(keys: string[]): Promise<Record<string, StoredState>>;
  write(changes: Record<string, StoredState>): Promise<void>;
  delete(keys: string[]): Promise<void>;
}

/** Where the bot can reach a person or channel later without being spoken to first. */
export interface ConversationAddress {
  /** Stable key: `user:<aadObjectId>` for a 1:1 chat, `channel:<channelId>` for a team channel. */
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
  save(address: ConversationAddress): Promise<void>;
  find(key: string): Promise<ConversationAddress | undefined>;
}

/** Whether the store can serve requests right now (for readiness probes). */
export interface HealthCheck {
  check(): Promise<void>;
}
