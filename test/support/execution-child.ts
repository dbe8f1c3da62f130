import { readFileSync } from 'node:fs';
import type { TokenCredential } from '@azure/identity';
import { GraphDirectory } from '../../src/directory/graph-directory.js';
import { ExecutionService, type PassCourier } from '../../src/domain/requests/execution-service.js';
import { createLogger } from '../../src/logging/create-logger.js';
import { openDatabase } from '../../src/store/sqlite/open-database.js';
import { SqliteExecutionJobRepository } from '../../src/store/sqlite/sqlite-execution-job-repository.js';
import { SqliteRequestRepository } from '../../src/store/sqlite/sqlite-request-repository.js';
import { fetchTrusting } from './fake-graph.js';

/*
 * One bot instance's execution worker in its own process, for the crash tests: it carries out
 * every due job against Graph (the test's fake) and hands passes to COURIER_URL (the test's
 * stand-in for a chat), then exits. The test kills it with SIGKILL at chosen moments.
 */
/** GRAPH_CA: a PEM file with the fake Graph's certificate. */
const { SQLITE_PATH, GRAPH_URL, GRAPH_CA, COURIER_URL, LEASE_MS } = process.env;
if (!SQLITE_PATH || !GRAPH_URL || !GRAPH_CA || !COURIER_URL) throw new Error('execution-child: missing settings');

const credential: TokenCredential = {
  getToken: async () => ({ token: 'child-token', expiresOnTimestamp: Date.now() + 3_600_000 }),
};
const courier: PassCourier = {
  async deliver(request, pass, replacesEarlier) {
    const response = await fetch(COURIER_URL, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ requestId: request.id, to: 'subject', value: pass.value, replacesEarlier }),
    });
    return response.ok ? { userId: request.application.subjectId, activityId: `pass-${request.id}` } : undefined;
  },
  // This test's subjects all receive the pass themselves.
  offer: async () => undefined,
  withdraw: async () => undefined,
};
const db = openDatabase(SQLITE_PATH, createLogger({ level: 'silent' }));
const execution = new ExecutionService({
  repository: new SqliteRequestRepository(db),
  jobs: new SqliteExecutionJobRepository(db),
  directory: new GraphDirectory({
    credential,
    baseUrl: GRAPH_URL,
    fetch: fetchTrusting(readFileSync(GRAPH_CA, 'utf8')),
  }),
  courier,
  notifier: { announce: () => undefined },
  clock: { now: () => new Date() },
  policy: { passLifetimeMinutes: 60, passUsableOnce: true, passDelivery: 'subject', maxAttempts: 5, hourlyCap: 100 },
  owner: `child-${process.pid}`,
  leaseMs: Number(LEASE_MS ?? 1_000),
  random: Math.random,
});
while ((await execution.runDue()) > 0) {
  // Until nothing is due.
}
db.close();
