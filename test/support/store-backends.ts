import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { afterEach } from 'vitest';
import { loadConfig } from '../../src/config/load-config.js';
import { createLogger } from '../../src/logging/create-logger.js';
import { auditKeyRing } from '../../src/store/audit-chain.js';
import { localAuditKeys } from '../../src/store/audit-keys.js';
import { createStore } from '../../src/store/create-store.js';
import type { Store, StoreBackend } from '../../src/store/store.js';
import { tempSqlitePath } from './bot-harness.js';
import { MovableClock } from './in-memory-ports.js';
import { createTestDatabase, postgresTestServer } from './postgres-database.js';

/** Tables a contract test may count rows in. */
export type CountedTable = 'requests' | 'request_events' | 'overdue_notices';

/** A fresh, empty database of one backend, with a store on it as the bot would open it. */
export interface OpenedStore {
  store: Store;
  /** The clock the store was given (state eTags, the simulated directory's journal): it stands still until moved. */
  clock: MovableClock;
  /** Another store on the same database, with a connection of its own: a second bot instance. */
  another(): Promise<Store>;
  /**
   * Rows in `table` (those matching `where`, a condition written in the SQL both backends share), counted past
   * the repositories: how a test sees that a refusal wrote nothing.
   */
  countRows(table: CountedTable, where?: string): Promise<number>;
  /** Closes every store opened on the database and removes the database. */
  cleanup(): Promise<void>;
}

/**
 * Opens fresh databases of `backend` for the tests of the describe block it is called in, and removes each one after
 * its test, failed or not.
 */
export function databasesPerTest(backend: StoreBackendUnderTest): () => Promise<OpenedStore> {
  const opened: OpenedStore[] = [];
  afterEach(async () => {
    for (const each of opened.splice(0)) await each.cleanup();
  });
  return async () => {
    const database = await backend.open();
    opened.push(database);
    return database;
  };
}

/** A backend the contract suite runs against. */
export interface StoreBackendUnderTest {
  name: StoreBackend;
  open(): Promise<OpenedStore>;
}

const silent = createLogger({ level: 'silent' });

/** A temporary SQLite file, opened through createStore with SQLITE_PATH as the bot opens it. */
const sqlite: StoreBackendUnderTest = {
  name: 'sqlite',
  async open() {
    const path = tempSqlitePath();
    const clock = new MovableClock();
    const config = loadConfig({ SQLITE_PATH: path });
    const auditKeys = localAuditKeys(path);
    const stores: Store[] = [];
    const openStore = async () => {
      const store = await createStore(config, silent, { auditKeys, clock });
      stores.push(store);
      return store;
    };
    return {
      store: await openStore(),
      clock,
      another: openStore,
      async countRows(table, where = 'TRUE') {
        const db = new Database(path, { readonly: true });
        try {
          return db.prepare<[], number>(`SELECT COUNT(*) FROM ${table} WHERE ${where}`).pluck().get() ?? 0;
        } finally {
          db.close();
        }
      },
      async cleanup() {
        for (const store of stores.splice(0)) await store.close();
        rmSync(dirname(path), { recursive: true, force: true });
      },
    };
  },
};

/**
 * A database of its own on the test PostgreSQL server (test/support/postgres-server.ts), opened through
 * createStore with DATABASE_URL as the bot opens it, and dropped afterwards.
 */
const postgres: StoreBackendUnderTest = {
  name: 'postgres',
  async open() {
    const database = await createTestDatabase();
    const clock = new MovableClock();
    const config = loadConfig({ DATABASE_URL: database.url });
    const auditKeys = auditKeyRing(randomBytes(32).toString('base64'));
    const stores: Store[] = [];
    const openStore = async () => {
      const store = await createStore(config, silent, { auditKeys, clock });
      stores.push(store);
      if (store.backend !== 'postgres') throw new Error(`createStore opened ${store.backend} for DATABASE_URL`);
      return store;
    };
    const cleanup = async () => {
      for (const store of stores.splice(0)) await store.close();
      await database.drop();
    };
    try {
      return {
        store: await openStore(),
        clock,
        another: openStore,
        async countRows(table, where = 'TRUE') {
          const client = new pg.Client({ connectionString: database.url });
          await client.connect();
          try {
            const { rows } = await client.query<{ count: number }>(
              `SELECT COUNT(*)::integer AS count FROM ${table} WHERE ${where}`,
            );
            return rows[0]?.count ?? 0;
          } finally {
            await client.end();
          }
        },
        cleanup,
      };
    } catch (error) {
      await cleanup();
      throw error;
    }
  },
};

/**
 * Every backend the contract suite (test/store/contract) runs against: `describe.each(storeBackends())`.
 * A backend is one entry here.
 */
export function storeBackends(): StoreBackendUnderTest[] {
  // Without a test PostgreSQL server, globalSetup has said why (and CI fails instead of getting here).
  return postgresTestServer().url === undefined ? [sqlite] : [sqlite, postgres];
}
