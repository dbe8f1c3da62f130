import { formatWithOptions } from 'node:util';
import { loadConfig } from './config/load-config.js';
import { ConfigurationError } from './errors.js';
import { createLogger } from './logging/create-logger.js';
import { createStdoutDestination } from './logging/stdout-destination.js';
import { projectRoot } from './project-root.js';
import { describeDatabase } from './store/postgres/describe-database.js';
import { startAzureMonitor } from './telemetry/azure-monitor.js';

/* eslint-disable no-console -- the bootstrap is the one place that speaks to the terminal before a logger exists */

/** sysexits' EX_CONFIG: a setting (or a file it names) stops the start; nothing was written. */
const CONFIGURATION_EXIT = 78;

// A reader of stdout or stderr that has gone (the parent died) must not turn a log line into a crash.
process.stderr.on('error', () => undefined);

/** Every failure known at start: one sentence per problem, naming its setting, and no stack trace. */
function refuseToStart(error: unknown): never {
  if (!(error instanceof ConfigurationError)) throw error;
  console.error(`Sign-in Help cannot start.\n${error.message}\nSee .env.example for every setting.`);
  process.exit(CONFIGURATION_EXIT);
}

let config;
try {
  config = loadConfig(process.env, { dotenvDir: projectRoot });
} catch (error) {
  refuseToStart(error);
}

const logs = createStdoutDestination();
const logger = createLogger({ level: config.logLevel, base: { mode: config.mode.kind } }, logs);
// Telemetry starts before the bot's modules load (restify and botbuilder bring in http), which its
// instrumentations must patch as they load; until then nothing above imports http.
const telemetry =
  config.applicationInsightsConnectionString === undefined
    ? undefined
    : await startAzureMonitor(config.applicationInsightsConnectionString, logger);
const { createBotService } = await import('./create-bot-service.js');
let service;
try {
  service = await createBotService(config, logger);
} catch (error) {
  refuseToStart(error);
}
let port;
try {
  port = await service.start();
} catch (error) {
  const code = (error as NodeJS.ErrnoException).code;
  if (code !== 'EADDRINUSE' && code !== 'EACCES') throw error;
  refuseToStart(
    new ConfigurationError([
      `PORT ${config.port} on ${config.host} ${code === 'EADDRINUSE' ? 'is already in use: stop what listens there or choose another PORT' : 'needs privileges this process does not have: choose a PORT above 1023'}.`,
    ]),
  );
}

if (config.mode.kind === 'local') {
  const lines = [
    'LOCAL MODE: authentication is OFF, simulated demo directory.',
    'Listening on 127.0.0.1 only. Never expose this to a network.',
  ];
  const width = Math.max(...lines.map((line) => line.length)) + 2;
  const rule = '─'.repeat(width);
  console.error(
    ['', `  ┌${rule}┐`, ...lines.map((line) => `  │ ${line.padEnd(width - 1)}│`), `  └${rule}┘`, ''].join('\n'),
  );
}
// The database's host and name only: DATABASE_URL holds a password.
const database = config.database ? { postgres: describeDatabase(config.database.url) } : { sqlite: config.sqlitePath };
logger.info({ host: config.host, port, ...database }, 'Sign-in Help is listening');

// Libraries (botbuilder reports token failures this way) write to the console; keep every
// line structured JSON and redacted like the rest.
for (const method of ['log', 'info', 'warn', 'error'] as const) {
  console[method] = (...args: unknown[]) =>
    logger[method === 'log' || method === 'info' ? 'info' : 'warn'](
      { source: 'console' },
      formatWithOptions({ depth: 3 }, ...args),
    );
}

// Every request path catches its own errors; anything that still escapes is logged, and the
// process keeps serving unless the failure left it in an unknown state (a thrown exception).
process.on('unhandledRejection', (reason) => logger.error({ err: reason }, 'unhandled promise rejection'));
process.on('uncaughtException', (error) => {
  logger.fatal({ err: error }, 'uncaught exception; exiting');
  process.exit(1);
});

/** What closing the database and writing the last log lines may add to SHUTDOWN_TIMEOUT_MS. */
const SHUTDOWN_MARGIN_MS = 1_000;
const SIGNALS = ['SIGTERM', 'SIGINT'] as const;

// Shutdown ends within SHUTDOWN_TIMEOUT_MS (and the margin) whatever turns, sends and the log's reader do.
// The first signal's handler removes itself: a second signal then gets the operating system's default
// action and ends the process at once, even if its main thread were stuck.
const shutDown = (signal: NodeJS.Signals) => {
  for (const each of SIGNALS) process.removeListener(each, shutDown);
  const deadline = Date.now() + config.shutdownTimeoutMs;
  logger.info({ signal, timeoutMs: config.shutdownTimeoutMs }, 'shutting down: finishing turns in flight');
  setTimeout(() => {
    logger.error({ timeoutMs: config.shutdownTimeoutMs }, 'shutdown did not finish in time; exiting anyway');
    process.exit(1);
  }, config.shutdownTimeoutMs + SHUTDOWN_MARGIN_MS).unref();
  service
    .stop()
    .then(
      () => 0,
      (error: unknown) => {
        logger.error({ err: error }, 'shutdown failed');
        return 1;
      },
    )
    .then(async (code) => {
      // The last turns' telemetry is sent with what is left of SHUTDOWN_TIMEOUT_MS.
      await telemetry?.stop(Math.max(0, deadline - Date.now()));
      await logs.flush(SHUTDOWN_MARGIN_MS / 2);
      process.exit(code);
    });
};
for (const signal of SIGNALS) process.on(signal, shutDown);
