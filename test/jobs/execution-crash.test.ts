import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadDemoTenant } from '../../src/directory/demo-tenant.js';
import { createLogger } from '../../src/logging/create-logger.js';
import { projectPath } from '../../src/project-root.js';
import { closeDatabase } from '../../src/store/sqlite/group-commit.js';
import { openDatabase } from '../../src/store/sqlite/open-database.js';
import { SqliteRequestRepository } from '../../src/store/sqlite/sqlite-request-repository.js';
import { tempSqlitePath } from '../support/bot-harness.js';
import { FakeGraph, type GraphCall } from '../support/fake-graph.js';
import { seedRequest } from '../support/seed-requests.js';

const tenant = loadDemoTenant();
const alex = tenant.users.find((user) => user.persona === 'requester')!;
const isaiah = tenant.users.find((user) => user.persona === 'helpdesk agent')!;
const CHILD = projectPath('test', 'support', 'execution-child.ts');

/** Stands in for the subject's chat: records every pass handed over. */
interface Chat {
  url: string;
  passes: Array<{ value: string; replacesEarlier: boolean }>;
  server: Server;
  /** Called as a pass arrives, before the worker hears that it did. */
  onPass: (() => void) | undefined;
}

async function startChat(): Promise<Chat> {
  const chat: Chat = { url: '', passes: [], server: createServer(), onPass: undefined };
  chat.server.on('request', (req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
    req.on('end', () => {
      chat.passes.push(JSON.parse(body) as Chat['passes'][number]);
      chat.onPass?.();
      res.writeHead(200);
      res.end();
    });
  });
  await new Promise<void>((resolve) => chat.server.listen(0, '127.0.0.1', resolve));
  chat.url = `http://127.0.0.1:${(chat.server.address() as AddressInfo).port}/`;
  return chat;
}

/** An approved request for Alex's two methods, with its execution job, in a fresh SQLite file. */
async function approvedRequest(graph: FakeGraph): Promise<{ sqlitePath: string; requestId: string; lost: string[] }> {
  const sqlitePath = tempSqlitePath();
  const db = openDatabase(sqlitePath, createLogger({ level: 'silent' }));
  const repository = new SqliteRequestRepository(db);
  const lost = graph
    .user(alex.id)!
    .methods.filter((method) => !String(method['@odata.type']).includes('password'))
    .map((method) => String(method.id));
  const id = await seedRequest(repository, {
    tenantId: tenant.tenant.id,
    subjectId: alex.id,
    lostMethodIds: lost,
    approverId: isaiah.id,
  });
  closeDatabase(db);
  return { sqlitePath, requestId: id, lost };
}

/** One worker process on the file; resolves with its exit, or kills it as soon as `killAt` sees a call. */
function runWorker(
  env: Record<string, string>,
  graph: FakeGraph,
  killAt?: KillPoint,
  chat?: Chat,
): Promise<{ killed: boolean }> {
  // Node itself with tsx's loader, not the tsx command: that one runs Node as a child of its own,
  // and a SIGKILL to it would leave the worker running.
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', CHILD], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return new Promise((resolve, reject) => {
    const seen = graph.calls.length;
    if (killAt === 'passDelivered' && chat) chat.onPass = () => child.kill('SIGKILL');
    const watch =
      typeof killAt === 'function'
        ? setInterval(() => {
            if (graph.calls.slice(seen).some(killAt)) child.kill('SIGKILL');
          }, 2)
        : undefined;
    let output = '';
    child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    child.once('error', reject);
    child.once('exit', (code, signal) => {
      clearInterval(watch);
      if (chat) chat.onPass = undefined;
      if (signal === 'SIGKILL') resolve({ killed: true });
      else if (code === 0) resolve({ killed: false });
      else reject(new Error(`the worker exited with ${code}: ${output}`));
    });
  });
}

/** When to kill the worker: as it makes a Graph call that matches, or once a pass has reached the chat. */
type KillPoint = ((call: GraphCall) => boolean) | 'passDelivered';

const isWrite = (pattern: RegExp) => (call: GraphCall) => call.method !== 'GET' && pattern.test(call.path);

describe('an execution killed between steps (SIGKILL, real worker processes, fake Graph)', () => {
  let chat: Chat;
  beforeAll(async () => {
    chat = await startChat();
  });
  afterAll(() => new Promise<void>((resolve) => chat.server.close(() => resolve())));

  // Each with the passes that reach the chat, by whether their message says they replace an earlier one. A pass
  // Graph made while the worker died was never recorded nor sent: the next one replaces nothing anybody saw. After a
  // crash past delivery, a new pass replaces the one already sent (Graph keeps one per person), and says so.
  const killPoints: Array<[string, KillPoint, boolean[]]> = [
    ['while deleting the first method', isWrite(/\/authentication\/\w+Methods\/[^/]+$/), [false]],
    ['while revoking sessions', isWrite(/\/revokeSignInSessions$/), [false]],
    ['while creating the pass', isWrite(/\/temporaryAccessPassMethods$/), [false]],
    ['just after the pass reached the chat', 'passDelivered', [false, true]],
  ];

  it.each(killPoints)(
    'resumes after a kill %s: one reset, and the pass that reached the chat last is the one that works',
    async (_moment, killAt, replacing) => {
      // Every answer takes a moment, so the kill lands after Graph acted and before the worker heard.
      const graph = await new FakeGraph({ latencyMs: 150 }).start();
      try {
        graph.seedDemoTenant(tenant);
        const caPath = join(dirname(tempSqlitePath()), 'graph-ca.pem');
        writeFileSync(caPath, graph.ca);
        const { sqlitePath, requestId, lost } = await approvedRequest(graph);
        const env = {
          SQLITE_PATH: sqlitePath,
          GRAPH_URL: graph.baseUrl,
          GRAPH_CA: caPath,
          COURIER_URL: chat.url,
          LEASE_MS: '500',
        };
        const delivered = chat.passes.length;

        expect(await runWorker(env, graph, killAt, chat)).toEqual({ killed: true });
        // The dead worker's lease runs out; the next one takes the job over.
        await new Promise((resolve) => setTimeout(resolve, 600));
        expect(await runWorker(env, graph)).toEqual({ killed: false });

        const db = openDatabase(sqlitePath, createLogger({ level: 'silent' }));
        const request = await new SqliteRequestRepository(db).find(requestId);
        closeDatabase(db);
        expect(request?.state).toBe('completed');
        expect(graph.user(alex.id)!.methods.map((method) => String(method.id))).not.toEqual(
          expect.arrayContaining([lost[0]]),
        );
        for (const id of lost) {
          const deletes = graph.calls.filter((call) => call.method === 'DELETE' && call.path.endsWith(`/${id}`));
          expect(deletes.length, `deletes of ${id}`).toBeGreaterThanOrEqual(1);
          expect(deletes.length, `deletes of ${id}`).toBeLessThanOrEqual(2);
        }
        expect(graph.revocations.filter((revocation) => revocation.userId === alex.id).length).toBeGreaterThanOrEqual(
          1,
        );
        // The last pass that reached the chat is the one Graph holds now; an earlier one was replaced, and said so.
        const handed = chat.passes.slice(delivered);
        expect(graph.passes.filter((pass) => pass.userId === alex.id).at(-1)!.value).toBe(handed.at(-1)!.value);
        expect(handed.map((pass) => pass.replacesEarlier)).toEqual(replacing);
      } finally {
        await graph.stop();
      }
    },
    30_000,
  );
});
