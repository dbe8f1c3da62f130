import { formatWithOptions } from 'node:util';
import { loadConfig } from './config/load-config.js';
import { createBotService } from './create-bot-service.js';
import { ConfigurationError } from './errors.js';
import { createLogger } from './logging/create-logger.js';
import { projectRoot } from './project-root.js';

/* eslint-disable no-console -- the bootstrap is the one place that speaks to the terminal before a logger exists */

let config;
try {
  config = loadConfig(process.env, { dotenvDir: projectRoot });
} catch (error) {
  if (error instanceof ConfigurationError) {
    console.error(`Sign-in Help cannot start.\n${error.message}\nSee .env.example for every setting.`);
    process.exit(78);
  }
  throw error;
}

const logger = createLogger({ level: config.logLevel, base: { mode: config.mode.kind } });
const service = createBotService(config, logger);
const port = await service.start();

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
logger.info({ host: config.host, port, sqlite: config.sqlitePath }, 'Sign-in Help is listening');

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

let signals = 0;
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.on(signal, () => {
    signals += 1;
    if (signals > 1) process.exit(130);
    logger.info({ signal }, 'shutting down: finishing turns in flight');
    service.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  });
}
