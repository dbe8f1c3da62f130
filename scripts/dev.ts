import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { constants, tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { createInterface } from 'node:readline';
import { loadConfig } from '../src/config/load-config.js';
import { loadDemoTenant, upnLocalPart, type DemoTenant, type DemoUser } from '../src/directory/demo-tenant.js';
import { ConfigurationError, DemoTenantError } from '../src/errors.js';
import { projectRoot } from '../src/project-root.js';
import { BOT_NODE_ARGS } from './lib/bot-launch.js';
import { InvalidPlaygroundLocaleError, localSettings, parsePlaygroundLocale } from './lib/local-settings.js';
import { playgroundEndpoint } from './lib/locale-relay.js';
import { parseDevArguments, resetLocalData, type DevOptions } from './lib/reset-local-data.js';
import {
  listeningPort,
  PLAYGROUND_CONFIG_PATH,
  PLAYGROUND_DEFAULT_PORT,
  playgroundLaunch,
  selectPlaygroundUser,
  UnknownDemoUserError,
  writePlaygroundConfig,
} from './playground-config.js';

// `npm run dev`: the bot in local mode plus the Agents Playground, stopped together. `npm run dev -- --reset`
// deletes the local demo data (SQLITE_PATH) first, so the demo starts from demo/tenant.json again.

const HEALTH_TIMEOUT_MS = 60_000;
/** The bot drains turns for up to SHUTDOWN_TIMEOUT_MS (10 s by default) before it exits. */
const STOP_TIMEOUT_MS = 15_000;
const PLAYGROUND_LOG = join(projectRoot, 'devTools', 'm365agentsplayground.log');

const fail = (message: string, code = 1): never => {
  console.error(`\nnpm run dev: ${message}\n`);
  process.exit(code);
};

let options: DevOptions = { reset: false };
try {
  options = parseDevArguments(process.argv.slice(2));
} catch (error) {
  fail((error as Error).message, 64);
}

// The same precedence as loadConfig: the environment wins over .env.
const settings = localSettings();
if (settings.MicrosoftAppId?.trim()) {
  fail(
    'MicrosoftAppId is set (in the environment or .env). The Agents Playground sends no tokens, so it only works ' +
      'with the bot in local mode. Unset MicrosoftAppId (or remove it from .env) to use `npm run dev`; run a ' +
      'production-mode bot with `npm start` instead.',
  );
}

let botPort = 0;
let sqlitePath = '';
try {
  ({ port: botPort, sqlitePath } = loadConfig(process.env, { dotenvDir: projectRoot }));
} catch (error) {
  if (!(error instanceof ConfigurationError)) throw error;
  fail(`${error.message}\nSee .env.example for every setting.`, 78);
}
if (botPort === 0) {
  fail('PORT is 0. Give the bot a fixed port (or unset PORT for 3978) so the Playground can reach it.');
}

const botUrl = `http://127.0.0.1:${botPort}`;

// The Playground stamps locale en-US on everything it sends; PLAYGROUND_LOCALE (e.g. ja-JP) has a
// relay in front of the bot rewrite it, as a Teams client in that language would send.
const playgroundLocale = readPlaygroundLocale();
// PLAYGROUND_USER (a demo user's UPN or the part before the @) puts that person in the Playground's chair.
const tenant = readDemoTenant();
const playgroundUserName = settings.PLAYGROUND_USER?.trim() || undefined;
const playgroundUser = playgroundUserName ? choosePlaygroundUser(playgroundUserName) : undefined;
const chosenUser = playgroundUser ?? tenant.users.find((user) => user.id === tenant.playground.currentUser);

if (await answers(`${botUrl}/healthz`)) {
  fail(`something already answers on ${botUrl}. Stop it (another \`npm run dev\`?) or set PORT to a free port.`);
}

if (options.reset) {
  // Only now: a bot still running on this port (checked just above) would keep the old database open.
  const deleted = resetLocalData(sqlitePath, projectRoot);
  console.log(
    deleted.length > 0
      ? `--reset: deleted the local demo data (${deleted.map((file) => relative(projectRoot, file)).join(', ')}).`
      : `--reset: no local demo data at ${sqlitePath}; starting clean anyway.`,
  );
}

let playgroundConfigPath = PLAYGROUND_CONFIG_PATH;
if (chosenUser && chosenUser.id !== tenant.playground.currentUser) {
  // Another person in the chair: a config of their own in a temporary folder, so the committed one stays
  // the default and nothing in the working tree changes.
  const folder = mkdtempSync(join(tmpdir(), 'sign-in-help-playground-config-'));
  process.on('exit', () => rmSync(folder, { recursive: true, force: true }));
  playgroundConfigPath = writePlaygroundConfig(join(folder, '.m365agentsplayground.yml'), chosenUser.id, tenant);
} else if (!existsSync(PLAYGROUND_CONFIG_PATH)) {
  writePlaygroundConfig();
  console.log(`Generated ${relative(projectRoot, PLAYGROUND_CONFIG_PATH)} from demo/tenant.json.`);
}

const children = new Set<ChildProcess>();
let stopping = false;
let exitCode = 0;

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (stopping) {
      // A second Ctrl-C: the user does not want to wait for the bot to drain.
      for (const child of children) child.kill('SIGKILL');
      process.exit(130);
    }
    console.log('\nStopping the bot and the Playground...');
    stopAll(0);
  });
}
// Children run in their own process groups (see start), so nothing else stops them if this process dies.
process.on('exit', () => {
  for (const child of children) child.kill('SIGKILL');
});

// Requests go to the demo team's approval channel from the start, so an application shows up
// there at once; `set approval channel` (as Lynne) still works and takes precedence.
const approvalChannel: Record<string, string> =
  !settings.APPROVAL_TEAM_ID && !settings.APPROVAL_CHANNEL_ID
    ? { APPROVAL_TEAM_ID: tenant.team.id, APPROVAL_CHANNEL_ID: tenant.team.approvalChannel.id }
    : {};
const bot = start('bot', process.execPath, [...BOT_NODE_ARGS], approvalChannel);
if ((await becomesHealthy(bot)) && !stopping) await startPlayground();

async function startPlayground(): Promise<void> {
  const { endpoint } = await playgroundEndpoint(botUrl, playgroundLocale);
  const launch = playgroundLaunch({
    endpoint,
    port: PLAYGROUND_DEFAULT_PORT,
    configPath: playgroundConfigPath,
    logFile: PLAYGROUND_LOG,
  });
  start('playground', launch.command, launch.args, launch.env, (line) => {
    const port = listeningPort(line);
    if (port === undefined) return;
    // The Playground takes another port when 56150 is busy, so print the one it reports.
    console.log(
      [
        '',
        `  Chat with the bot at http://localhost:${port}`,
        '',
        ...(chosenUser ? describeChair(chosenUser) : []),
        `  Bot: ${botUrl}/api/messages (local mode). Playground log: ${relative(projectRoot, PLAYGROUND_LOG)}`,
        ...(playgroundLocale ? [`  Every activity reaches the bot with locale ${playgroundLocale}.`] : []),
        '  Press Ctrl-C to stop both.',
        '',
      ].join('\n'),
    );
  });
}

function readPlaygroundLocale(): string | undefined {
  try {
    return parsePlaygroundLocale(settings);
  } catch (error) {
    if (!(error instanceof InvalidPlaygroundLocaleError)) throw error;
    return fail(error.message);
  }
}

function readDemoTenant(): DemoTenant {
  try {
    return loadDemoTenant();
  } catch (error) {
    if (!(error instanceof DemoTenantError)) throw error;
    return fail(
      `${error.message}\nFix demo/tenant.json (the simulated directory and the Playground are made from it).`,
    );
  }
}

function choosePlaygroundUser(name: string): DemoUser {
  try {
    return selectPlaygroundUser(tenant, name);
  } catch (error) {
    if (!(error instanceof UnknownDemoUserError)) throw error;
    return fail(error.message);
  }
}

/** Who the Playground's user is and what trying the bot as them shows, for the banner. */
function describeChair(user: DemoUser): string[] {
  const lines = [`  You are ${user.displayName} (${user.userPrincipalName}): ${user.situation}.`];
  if (!playgroundUser) {
    const example = tenant.users.find((other) => !other.inPlayground);
    if (example) {
      lines.push(`  Try someone else, e.g. PLAYGROUND_USER=${upnLocalPart(example)} npm run dev (see the README).`);
    }
  }
  if (!playgroundLocale && user.preferredLanguage?.toLowerCase().startsWith('ja')) {
    lines.push(
      `  ${user.displayName} prefers Japanese: add PLAYGROUND_LOCALE=ja-JP to chat as a Japanese Teams client would.`,
    );
  }
  return [...lines, ''];
}

/** Spawns a child whose output is prefixed with its name; when it exits, everything stops. */
function start(
  name: string,
  command: string,
  args: string[],
  env: Record<string, string>,
  onLine?: (line: string) => void,
): ChildProcess {
  const child = spawn(command, args, {
    cwd: projectRoot,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    // Own process group: a terminal Ctrl-C reaches only this script, which sends each child exactly
    // one SIGTERM. The bot treats a second signal as "exit now" and would skip its clean shutdown.
    detached: true,
  });
  children.add(child);
  for (const stream of [child.stdout, child.stderr]) {
    if (!stream) continue;
    const out = stream === child.stderr ? process.stderr : process.stdout;
    createInterface({ input: stream }).on('line', (line) => {
      out.write(`[${name}] ${line}\n`);
      onLine?.(line);
    });
  }
  child.on('error', (error) => fail(`could not start the ${name}: ${error.message}`));
  child.on('exit', (code, signal) => {
    children.delete(child);
    if (stopping) {
      if (children.size === 0) process.exit(exitCode);
      return;
    }
    const status = code ?? 128 + (signal ? constants.signals[signal] : 0);
    console.error(`\nThe ${name} exited (${signal ?? `code ${code}`}); stopping the rest.`);
    stopAll(status);
  });
  return child;
}

function stopAll(code: number): void {
  stopping = true;
  exitCode = code;
  if (children.size === 0) process.exit(code);
  for (const child of children) child.kill('SIGTERM');
  setTimeout(() => {
    for (const child of children) child.kill('SIGKILL');
  }, STOP_TIMEOUT_MS).unref();
}

/** Polls /healthz; false when the bot exited or stopping began first (its exit handler takes over). */
async function becomesHealthy(child: ChildProcess): Promise<boolean> {
  const deadline = Date.now() + HEALTH_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null || stopping) return false;
    if (await answers(`${botUrl}/healthz`)) return true;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  console.error(`\nThe bot did not answer ${botUrl}/healthz within ${HEALTH_TIMEOUT_MS / 1000} s.`);
  stopAll(1);
  return false;
}

async function answers(url: string): Promise<boolean> {
  try {
    return (await fetch(url, { signal: AbortSignal.timeout(1_000) })).ok;
  } catch {
    return false;
  }
}
