import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import Database from 'better-sqlite3';
import { loadConfig } from '../src/config/load-config.js';
import { createBotService } from '../src/create-bot-service.js';
import { loadDemoTenant } from '../src/directory/demo-tenant.js';
import { SimulatedDirectory } from '../src/directory/simulated-directory.js';
import { systemClock } from '../src/domain/system-clock.js';
import { createLogger } from '../src/logging/create-logger.js';
import { soakPeople, type SoakBotMessage, type SoakParentMessage } from './soak-people.js';

/*
 * The bot of the soak, in a process of its own (forked by soak.ts with --expose-gc) so that its resident memory is
 * the bot's alone. Local mode as `npm start` runs it, with the soak's people added to the demo tenant; the reset
 * worker and the periodic jobs run. Asked, it drains its background work, collects garbage and reports its memory.
 */

const send = (message: SoakBotMessage) => process.send!(message);
const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('soak-bot needs --expose-gc');

const demo = loadDemoTenant();
const { tenant } = soakPeople(demo);
const sqlitePath = join(mkdtempSync(join(tmpdir(), 'bench-soak-')), 'soak.sqlite');
const config = loadConfig({
  PORT: '0',
  SQLITE_PATH: sqlitePath,
  APPROVAL_TEAM_ID: demo.team.id,
  APPROVAL_CHANNEL_ID: demo.team.approvalChannel.id,
  // Every approved reset is carried out within a second or two, and its pass goes to the person's own chat.
  EXECUTION_POLL_SECONDS: '1',
  EXECUTION_HOURLY_CAP: '10000',
  PASS_DELIVERY: 'subject',
  APPLICATION_DAILY_CAP: '100',
  // Expiry, the backlog and the service level run several times over the soak.
  JOBS_INTERVAL_SECONDS: '20',
});
const logged = { warn: 0, error: 0, first: [] as string[] };
const logger = createLogger(
  { level: 'warn' },
  {
    write(line: string) {
      const { level, msg } = JSON.parse(line) as { level: string; msg: string };
      if (level === 'warn') logged.warn += 1;
      else logged.error += 1;
      if (logged.first.length < 3) logged.first.push(`${level}: ${msg}`);
    },
  },
);
const service = await createBotService(config, logger, {
  directory: new SimulatedDirectory(tenant, systemClock, { latencyMs: config.simulatedDirectoryLatencyMs }),
});
const port = await service.start();
// What the store has no reading for (every request by state, finished ones too), read beside the bot.
const database = new Database(sqlitePath, { readonly: true });

/** VmRSS of this process, in bytes, as the kernel counts it. */
function residentBytes(): number {
  const kb = /VmRSS:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'))?.[1];
  return kb ? Number(kb) * 1024 : process.memoryUsage().rss;
}

process.on('message', (message: SoakParentMessage) => {
  if (message.kind === 'sample') {
    void service.settle().then(() => {
      // Twice: the first pass can leave garbage that only its finalizers freed.
      gc();
      gc();
      const { heapUsed, external } = process.memoryUsage();
      const states = database
        .prepare<[], { state: string; count: number }>('SELECT state, COUNT(*) AS count FROM requests GROUP BY state')
        .all();
      send({
        kind: 'sample',
        rss: residentBytes(),
        heapUsed,
        external,
        logged,
        requests: Object.fromEntries(states.map(({ state, count }) => [state, count])),
      });
    });
  } else {
    database.close();
    void service
      .stop()
      .finally(() => rmSync(dirname(sqlitePath), { recursive: true, force: true }))
      .then(() => process.exit(0));
  }
});
send({ kind: 'ready', port });
