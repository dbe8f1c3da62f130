import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../src/config/load-config.js';
import { loadDemoTenant } from '../src/directory/demo-tenant.js';
import { projectRoot } from '../src/project-root.js';
import {
  PLAYGROUND_DEFAULT_PORT,
  UnknownDemoUserError,
  playgroundLaunch,
  selectPlaygroundUser,
  writePlaygroundConfig,
} from './playground-config.js';

// `npm run playground:as -- <user> [port]`: a second Agents Playground, as another demo person, against the
// bot `npm run dev` runs. Each person has their own Teams client; open this one after the requester's, so
// the bot reaches the approval channel through it.
const [name, portText] = process.argv.slice(2);
if (!name) {
  console.error('Usage: npm run playground:as -- <demo user, e.g. isaiahl> [port, default 56151]');
  process.exit(64);
}
const tenant = loadDemoTenant();
let userId: string;
try {
  userId = selectPlaygroundUser(tenant, name).id;
} catch (error) {
  console.error(error instanceof UnknownDemoUserError ? error.message : error);
  process.exit(64);
}
const port = Number(portText ?? PLAYGROUND_DEFAULT_PORT + 1);
const botPort = loadConfig(process.env, { dotenvDir: projectRoot }).port;
const folder = mkdtempSync(join(tmpdir(), 'sign-in-help-playground-as-'));
const configPath = writePlaygroundConfig(join(folder, 'playground.yml'), userId, tenant);
const launch = playgroundLaunch({ endpoint: `http://127.0.0.1:${botPort}/api/messages`, port, configPath });
const child = spawn(launch.command, launch.args, { env: { ...process.env, ...launch.env }, stdio: 'inherit' });
console.log(`The Agents Playground as ${name}: http://localhost:${port} (Ctrl-C to stop).`);
const cleanUp = () => rmSync(folder, { recursive: true, force: true });
process.on('SIGINT', () => child.kill('SIGTERM'));
process.on('SIGTERM', () => child.kill('SIGTERM'));
child.on('exit', (code) => {
  cleanUp();
  process.exit(code ?? 0);
});
