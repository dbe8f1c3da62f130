import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { loadConfig } from '../../src/config/load-config.js';
import { systemClock } from '../../src/domain/system-clock.js';
import { createLogger } from '../../src/logging/create-logger.js';
import { projectPath, projectRoot } from '../../src/project-root.js';
import { auditKeyRing } from '../../src/store/audit-chain.js';
import { createStore } from '../../src/store/create-store.js';
import type { Store, StoreBackend } from '../../src/store/store.js';
import { tempSqlitePath, type HttpResult } from './bot-harness.js';
import { LOCAL_ENV, watchChild, type ChildBot } from './child-bot.js';
import type { FakeGraph } from './fake-graph.js';
import type { InstanceCommand } from './instance-child.js';
import { createTestDatabase, postgresTestServer } from './postgres-database.js';

const CHILD = projectPath('test', 'support', 'instance-child.ts');
/** How long a stopping instance gets before it is killed. */
const STOP_WAIT_MS = 5_000;

/** One database that several bot processes share, and the test's own store on it. */
export interface SharedDatabase {
  backend: StoreBackend;
  /** The settings that point a bot at it (with the audit key they all sign with). */
  env: Record<string, string>;
  /** To seed requests and read what the instances did, as one more instance would. */
  store: Store;
  /** Closes the store and removes the database. */
  close(): Promise<void>;
}

/** A backend the several-instances tests run on: SQLite always, PostgreSQL when the test server is there. */
export interface SharedBackend {
  name: StoreBackend;
  open(): Promise<SharedDatabase>;
}

/** Opens the store the test reads through, with the settings the instances get. */
async function openShared(backend: StoreBackend, env: Record<string, string>, remove: () => Promise<void>) {
  const auditKey = randomBytes(32).toString('base64');
  const settings = { ...env, AUDIT_KEY: auditKey };
  try {
    const store = await createStore(loadConfig(settings), createLogger({ level: 'silent' }), {
      auditKeys: auditKeyRing(auditKey),
      clock: systemClock,
    });
    return {
      backend,
      env: settings,
      store,
      close: async () => {
        await store.close();
        await remove();
      },
    };
  } catch (error) {
    await remove();
    throw error;
  }
}

const sqlite: SharedBackend = {
  name: 'sqlite',
  open() {
    const path = tempSqlitePath();
    return openShared('sqlite', { SQLITE_PATH: path }, async () =>
      rmSync(dirname(path), { recursive: true, force: true }),
    );
  },
};

const postgres: SharedBackend = {
  name: 'postgres',
  async open() {
    const database = await createTestDatabase();
    return openShared('postgres', { DATABASE_URL: database.url }, () => database.drop());
  },
};

/** The backends to run the same test bodies on: `describe.each(sharedBackends())`. */
export function sharedBackends(): SharedBackend[] {
  return postgresTestServer().url === undefined ? [sqlite] : [sqlite, postgres];
}

/** One bot process (test/support/instance-child.ts) on a shared database. */
export interface BotInstance {
  readonly url: string;
  readonly child: ChildBot;
  /** Posts an activity to /api/messages, as the Bot Connector would. */
  post(activity: unknown): Promise<HttpResult>;
  /**
   * Runs the periodic jobs (review, service levels, audit) or the execution worker once, or moves the instance's
   * clock; resolves when done, with what the work announced sent.
   */
  run(command: 'runJobs' | 'runExecution' | InstanceCommand): Promise<void>;
  /** SIGKILL, and its exit awaited: the process dies wherever it is. */
  kill(): Promise<void>;
}

/** Every instance started, so that `stopInstances` ends them all however the test ended. */
const started = new Set<ChildBot>();

/**
 * Starts a bot process on `database`, with the fake Graph as its directory, in local mode (its replies go to the
 * serviceUrl of the activities it gets). Periodic jobs and the worker never run on a timer: the test runs them.
 */
export async function startInstance(
  database: SharedDatabase,
  graph: FakeGraph,
  env: Record<string, string> = {},
): Promise<BotInstance> {
  // The fake Graph's certificate, for the instance to trust; gone with the instance.
  const caFolder = mkdtempSync(join(tmpdir(), 'sign-in-help-graph-'));
  const caPath = join(caFolder, 'graph-ca.pem');
  writeFileSync(caPath, graph.ca);
  const child = watchChild(
    spawn(process.execPath, ['--disable-warning=DEP0111', '--import', 'tsx', CHILD], {
      cwd: projectRoot,
      env: {
        ...process.env,
        ...LOCAL_ENV,
        LOG_LEVEL: 'warn',
        PORT: '0',
        JOBS_INTERVAL_SECONDS: '86400',
        EXECUTION_POLL_SECONDS: '86400',
        GRAPH_URL: graph.baseUrl,
        GRAPH_CA: caPath,
        ...database.env,
        ...env,
      },
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    }),
  );
  started.add(child);
  void child.exited.then(() => {
    started.delete(child);
    rmSync(caFolder, { recursive: true, force: true });
  });
  const replies = new Map<number, (message: { done?: true; error?: string }) => void>();
  let next = 0;
  const port = await new Promise<number>((resolve, reject) => {
    child.process.on('message', (message: { listening?: number; id?: number; error?: string }) => {
      if (message.listening !== undefined) resolve(message.listening);
      else replies.get(message.id!)?.(message);
    });
    void child.exited.then(({ code, signal }) =>
      reject(new Error(`the instance exited (${code ?? signal}) before it listened:\n${child.stderr()}`)),
    );
  });
  const url = `http://127.0.0.1:${port}`;
  return {
    url,
    child,
    async post(activity) {
      const response = await fetch(`${url}/api/messages`, {
        method: 'POST',
        body: JSON.stringify(activity),
        headers: { 'content-type': 'application/json' },
      });
      const text = await response.text();
      return {
        status: response.status,
        body: text ? (JSON.parse(text) as unknown) : undefined,
        text,
        headers: response.headers,
      };
    },
    run(asked) {
      const command = typeof asked === 'string' ? ({ command: asked } as InstanceCommand) : asked;
      const id = next++;
      return new Promise((resolve, reject) => {
        replies.set(id, (message) => {
          replies.delete(id);
          if (message.error) reject(new Error(`${command.command} failed: ${message.error}`));
          else resolve();
        });
        void child.exited.then(() =>
          reject(new Error(`the instance exited during ${command.command}:\n${child.stderr()}`)),
        );
        child.process.send({ ...command, id });
      });
    },
    async kill() {
      child.process.kill('SIGKILL');
      await child.exited;
    },
  };
}

/**
 * Ends every instance still running: SIGTERM, then SIGKILL for one still there after a few seconds; resolves once
 * each has exited. For afterEach, so that no bot outlives its test.
 */
export async function stopInstances(): Promise<void> {
  await Promise.all(
    [...started].map(async (child) => {
      if (child.process.exitCode === null && child.process.signalCode === null) child.process.kill('SIGTERM');
      const timer = setTimeout(() => child.process.kill('SIGKILL'), STOP_WAIT_MS);
      await child.exited;
      clearTimeout(timer);
    }),
  );
}
