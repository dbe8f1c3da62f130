import { readFileSync } from 'node:fs';
import type { TokenCredential } from '@azure/identity';
import { loadConfig } from '../../src/config/load-config.js';
import { createBotService } from '../../src/create-bot-service.js';
import { GraphDirectory } from '../../src/directory/graph-directory.js';
import { createLogger } from '../../src/logging/create-logger.js';
import { fetchTrusting } from './fake-graph.js';

/*
 * One bot instance in its own process, for the several-instances tests: the whole service as index.ts builds
 * it (createBotService: restify, teams-ai, the store DATABASE_URL or SQLITE_PATH names, the jobs), in local mode,
 * with the test's fake Graph as its directory (GRAPH_URL, and GRAPH_CA, a PEM file with the fake's certificate).
 *
 * Its periodic jobs run when the parent asks, so that a test starts them on both instances at the same moment:
 * over the IPC channel it answers `{ listening: port }` once started, and each `{ id, command }` with
 * `{ id, done: true }` or `{ id, error }` once the work and what it announced are done. `setClock` moves its
 * clock `offsetMs` ahead of the real one (0: back), to see another instance's leases run out without waiting.
 */
const { GRAPH_URL, GRAPH_CA } = process.env;
if (!GRAPH_URL || !GRAPH_CA || !process.send) throw new Error('instance-child: missing GRAPH_URL, GRAPH_CA or IPC');

const credential: TokenCredential = {
  getToken: async () => ({ token: 'instance-token', expiresOnTimestamp: Date.now() + 3_600_000 }),
};
let offsetMs = 0;
const config = loadConfig(process.env);
const service = await createBotService(config, createLogger({ level: config.logLevel }), {
  clock: { now: () => new Date(Date.now() + offsetMs) },
  directory: new GraphDirectory({
    credential,
    baseUrl: GRAPH_URL,
    fetch: fetchTrusting(readFileSync(GRAPH_CA, 'utf8')),
  }),
});
const port = await service.start();

/** What the parent may ask for. */
export type InstanceCommand = { command: 'runJobs' | 'runExecution' } | { command: 'setClock'; offsetMs: number };

const commands = {
  runJobs: () => service.runJobs(),
  runExecution: () => service.runExecution(),
  setClock: async (message: InstanceCommand) => {
    if (message.command === 'setClock') offsetMs = message.offsetMs;
  },
};

process.on('message', (message: InstanceCommand & { id: number }) => {
  commands[message.command](message)
    .then(() => service.settle())
    .then(
      () => process.send!({ id: message.id, done: true }),
      (error: unknown) => process.send!({ id: message.id, error: String(error) }),
    );
});
// The parent went away: stop as the bot does on SIGTERM, so that no instance outlives its test.
process.on('disconnect', () => void service.stop().then(() => process.exit(0)));
process.send({ listening: port });
