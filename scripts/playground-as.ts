import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../src/config/load-config.js';
import { loadDemoTenant, type DemoTenant, type DemoUser } from '../src/directory/demo-tenant.js';
import { ConfigurationError } from '../src/errors.js';
import { isMainModule } from './lib/is-main-module.js';
import {
  InvalidPlaygroundLocaleError,
  localSettings,
  parsePlaygroundLocale,
  type LocalSettings,
} from './lib/local-settings.js';
import { playgroundEndpoint } from './lib/locale-relay.js';
import {
  PLAYGROUND_DEFAULT_PORT,
  UnknownDemoUserError,
  playgroundLaunch,
  selectPlaygroundUser,
  writePlaygroundConfig,
  type PlaygroundLaunch,
} from './playground-config.js';

// `npm run playground:as -- <user> [port]`: a second Agents Playground, as another demo person, against the
// bot `npm run dev` runs. Each person has their own Teams client; open this one after the requester's, so
// the bot reaches the approval channel through it. PLAYGROUND_LOCALE applies here as in `npm run dev`.

const USAGE = 'Usage: npm run playground:as -- <demo user, e.g. isaiahl> [port, default 56151]';

/** The command line of `npm run playground:as` is not one it understands. */
export class PlaygroundAsUsageError extends Error {
  constructor(problem?: string) {
    super(problem ? `${problem}\n${USAGE}` : USAGE);
    this.name = 'PlaygroundAsUsageError';
  }
}

/** A second Playground, ready to spawn. */
export interface PlaygroundAs {
  user: DemoUser;
  port: number;
  /** The locale every activity of this Playground reaches the bot with; undefined: the Playground's en-US. */
  locale: string | undefined;
  launch: PlaygroundLaunch;
  /** Stops the locale relay, if any, and deletes the temporary config. */
  close(): Promise<void>;
}

/**
 * Prepares the Playground of `npm run playground:as -- <user> [port]`: that person's config in a
 * temporary folder, and the endpoint it posts to, through a locale relay when PLAYGROUND_LOCALE is set
 * (read from `settings`: .env, then the environment), exactly as `npm run dev` does.
 */
export async function preparePlaygroundAs(
  args: readonly string[],
  settings: LocalSettings = localSettings(),
  tenant: DemoTenant = loadDemoTenant(),
): Promise<PlaygroundAs> {
  const [name, portText, ...rest] = args;
  if (!name) throw new PlaygroundAsUsageError();
  if (rest.length > 0) throw new PlaygroundAsUsageError(`Unexpected argument "${rest[0]}".`);
  const user = selectPlaygroundUser(tenant, name);
  const port = portText === undefined ? PLAYGROUND_DEFAULT_PORT + 1 : Number(portText);
  if (!Number.isInteger(port) || port < 1 || port > 65_535) {
    throw new PlaygroundAsUsageError(`"${portText}" is not a port number.`);
  }
  const locale = parsePlaygroundLocale(settings);
  // `settings` already holds .env, so loadConfig reads no file of its own.
  const botPort = loadConfig(settings).port;
  const folder = mkdtempSync(join(tmpdir(), 'sign-in-help-playground-as-'));
  try {
    const configPath = writePlaygroundConfig(join(folder, 'playground.yml'), user.id, tenant);
    const { endpoint, close } = await playgroundEndpoint(`http://127.0.0.1:${botPort}`, locale);
    return {
      user,
      port,
      locale,
      launch: playgroundLaunch({ endpoint, port, configPath }),
      close: async () => {
        await close();
        rmSync(folder, { recursive: true, force: true });
      },
    };
  } catch (error) {
    rmSync(folder, { recursive: true, force: true });
    throw error;
  }
}

if (isMainModule(import.meta.url)) {
  const playground = await prepareOrExplain();
  const { user, port, locale, launch } = playground;
  const child = spawn(launch.command, launch.args, { env: { ...process.env, ...launch.env }, stdio: 'inherit' });
  console.log(`The Agents Playground as ${user.displayName}: http://localhost:${port} (Ctrl-C to stop).`);
  if (locale) console.log(`Every activity reaches the bot with locale ${locale}.`);
  else if (user.preferredLanguage?.toLowerCase().startsWith('ja')) {
    console.log(
      `${user.displayName} prefers Japanese: add PLAYGROUND_LOCALE=ja-JP to chat as a Japanese Teams client would.`,
    );
  }
  process.on('SIGINT', () => child.kill('SIGTERM'));
  process.on('SIGTERM', () => child.kill('SIGTERM'));
  child.on('exit', (code) => {
    void playground.close().finally(() => process.exit(code ?? 0));
  });
}

/** The prepared Playground, or a message saying what to change and the process's exit. */
async function prepareOrExplain(): Promise<PlaygroundAs> {
  try {
    return await preparePlaygroundAs(process.argv.slice(2));
  } catch (error) {
    if (
      error instanceof PlaygroundAsUsageError ||
      error instanceof UnknownDemoUserError ||
      error instanceof InvalidPlaygroundLocaleError
    ) {
      console.error(error.message);
      process.exit(64);
    }
    if (error instanceof ConfigurationError) {
      console.error(`${error.message}\nSee .env.example for every setting.`);
      process.exit(78);
    }
    throw error;
  }
}
