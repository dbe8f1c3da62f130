import { spawn, type ChildProcess } from 'node:child_process';
import { BOT_NODE_ARGS } from '../../scripts/lib/bot-launch.js';
import { projectRoot } from '../../src/project-root.js';

/** Settings that make a child bot ignore any developer `.env` that would change its mode. */
export const LOCAL_ENV = {
  MicrosoftAppId: '',
  MicrosoftAppPassword: '',
  MicrosoftAppType: '',
  MicrosoftAppTenantId: '',
  MicrosoftAppCertificateThumbprint: '',
  MicrosoftAppCertificateKeyFile: '',
  ALLOWED_TENANTS: '',
  GRAPH_CREDENTIAL: '',
  GRAPH_TENANT_ID: '',
  GRAPH_CLIENT_ID: '',
  GRAPH_CLIENT_SECRET: '',
  GRAPH_CERTIFICATE_PATH: '',
  GRAPH_MANAGED_IDENTITY_CLIENT_ID: '',
  DIAGNOSIS_KNOWLEDGE_PATH: '',
  HOST: '',
  NODE_ENV: 'development',
};

export interface ChildBot {
  process: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/**
 * Runs `src/index.ts` as its own process, the way `npm run dev` starts it (node itself, so signals reach the
 * bot and nothing between relays its output). `uid` runs it as another user (tests running as root use it to
 * meet files root could read anyway).
 */
export function spawnBot(env: Record<string, string>, options: { uid?: number } = {}): ChildBot {
  const child = spawn(process.execPath, [...BOT_NODE_ARGS], {
    cwd: projectRoot,
    env: { ...process.env, ...LOCAL_ENV, LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    ...(options.uid === undefined ? {} : { uid: options.uid, gid: options.uid }),
  });
  return watchChild(child);
}

/** A spawned bot process (stdout and stderr piped), with what it printed collected and its exit awaited. */
export function watchChild(child: ChildProcess): ChildBot {
  let out = '';
  let err = '';
  child.stdout!.on('data', (chunk: Buffer) => (out += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (err += chunk.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  return { process: child, stdout: () => out, stderr: () => err, exited };
}

/** Waits until the child logs that it listens, and returns the port it bound. */
export async function waitForListening(bot: ChildBot, timeoutMs = 20_000): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    for (const line of bot.stdout().split('\n')) {
      if (!line.startsWith('{')) continue;
      const entry = JSON.parse(line) as { msg?: string; port?: number };
      if (entry.msg === 'Sign-in Help is listening' && entry.port) return entry.port;
    }
    if (bot.process.exitCode !== null) break;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`bot did not start:\n${bot.stdout()}\n${bot.stderr()}`);
}
