import { writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { Document, Scalar } from 'yaml';
import {
  loadDemoTenant,
  playgroundUsers,
  upnLocalPart,
  type DemoTenant,
  type DemoUser,
} from '../src/directory/demo-tenant.js';
import { projectPath } from '../src/project-root.js';

/** Where the Agents Playground looks for its mock tenant when started from the project root. */
export const PLAYGROUND_CONFIG_PATH = projectPath('.m365agentsplayground.yml');

/** The config schema version of @microsoft/m365agentsplayground 0.2.x. */
export const PLAYGROUND_CONFIG_VERSION = '0.1.1';

/** A person as the Playground's config describes them (its schema spells it `userPrincipleName`). */
export interface PlaygroundUser {
  id: string;
  name: string;
  userPrincipleName: string;
  aadObjectId: string;
  givenName: string;
  surname: string;
  email: string;
}

/** The whole `.m365agentsplayground.yml`, as data. */
export interface PlaygroundConfig {
  version: string;
  tenantId: string;
  bot: { id: string; name: string };
  currentUser: PlaygroundUser;
  users: PlaygroundUser[];
  personalChat: { id: string };
  groupChat: { id: string; name: string };
  team: { id: string; name: string; aadGroupId: string; channels: Array<{ id: string; name: string }> };
}

const HEADER = [
  ' Generated from demo/tenant.json by `npm run playground:config`. Do not edit by hand:',
  ' change demo/tenant.json and run the script again (a test fails when the two drift).',
  ' yaml-language-server: $schema=https://aka.ms/teams-app-test-tool-config/0.1.1/config.schema.json',
].join('\n');

/**
 * The Playground's mock tenant, built from the demo tenant so ids match the simulated directory.
 * `currentUserId` puts another demo user in the Playground's chair; the others stay the same five,
 * except that a chosen one of them trades places with the usual current user.
 */
export function buildPlaygroundConfig(
  tenant: DemoTenant,
  currentUserId: string = tenant.playground.currentUser,
): PlaygroundConfig {
  const usual = tenant.playground.currentUser;
  const current = tenant.users.find((user) => user.id === currentUserId);
  if (!current) throw new Error(`demo tenant: ${currentUserId} is not a user`);
  const usualUser = tenant.users.find((user) => user.id === usual);
  if (!usualUser) throw new Error(`demo tenant: playground.currentUser ${usual} is not a user`);
  const others = playgroundUsers(tenant).map((user) => (user.id === current.id ? usualUser : user));
  return {
    version: PLAYGROUND_CONFIG_VERSION,
    tenantId: tenant.tenant.id,
    // Teams addresses bots as 28:<app id>; the fixtures in test/support use the same shape.
    bot: { id: `28:${tenant.bot.id}`, name: tenant.bot.name },
    currentUser: toPlaygroundUser(current),
    users: others.map(toPlaygroundUser),
    // Each person gets their own 1:1 chat id, so conversation state never crosses between them.
    personalChat: {
      id: current.id === usual ? tenant.playground.personalChatId : `a:demo-personal-chat-${upnLocalPart(current)}`,
    },
    groupChat: { id: tenant.playground.groupChat.id, name: tenant.playground.groupChat.name },
    team: {
      // The Playground's General channel shares the team's id, as in Teams.
      id: tenant.team.id,
      name: tenant.team.name,
      aadGroupId: tenant.team.aadGroupId,
      channels: [{ id: tenant.team.approvalChannel.id, name: tenant.team.approvalChannel.name }],
    },
  };
}

/** The text of `.m365agentsplayground.yml` for this demo tenant, seen by `currentUserId` if given. */
export function renderPlaygroundConfig(tenant: DemoTenant, currentUserId?: string): string {
  const document = new Document(buildPlaygroundConfig(tenant, currentUserId));
  document.commentBefore = HEADER;
  // Quoted like the Playground's own template, so nobody mistakes it for a number.
  const version = document.get('version', true);
  if (version instanceof Scalar) version.type = Scalar.QUOTE_DOUBLE;
  return document.toString({ lineWidth: 0 });
}

/**
 * Writes the Playground config; by default regenerates `.m365agentsplayground.yml` from
 * `demo/tenant.json` for the usual current user. Returns the path written.
 */
export function writePlaygroundConfig(
  path: string = PLAYGROUND_CONFIG_PATH,
  currentUserId?: string,
  tenant: DemoTenant = loadDemoTenant(),
): string {
  writeFileSync(path, renderPlaygroundConfig(tenant, currentUserId), 'utf8');
  return path;
}

/** `PLAYGROUND_USER` named nobody in the demo tenant; the message lists everyone it can name. */
export class UnknownDemoUserError extends Error {
  constructor(
    readonly requested: string,
    users: readonly DemoUser[],
  ) {
    const width = Math.max(...users.map((user) => upnLocalPart(user).length));
    const example = users.find((user) => !user.inPlayground) ?? users[0];
    super(
      `PLAYGROUND_USER "${requested}" is not a demo user. Give a user principal name from demo/tenant.json or the ` +
        `part before its @${example ? `, e.g. PLAYGROUND_USER=${upnLocalPart(example)} npm run dev` : ''}. ` +
        `The demo users:\n${users.map((user) => `  ${upnLocalPart(user).padEnd(width)}  ${user.displayName}: ${user.situation}`).join('\n')}`,
    );
    this.name = 'UnknownDemoUserError';
  }
}

/** The demo user `PLAYGROUND_USER` names: a user principal name or the part before its @, in any case. */
export function selectPlaygroundUser(tenant: DemoTenant, requested: string): DemoUser {
  const wanted = requested.trim().toLowerCase();
  const user = tenant.users.find(
    (candidate) =>
      candidate.userPrincipalName.toLowerCase() === wanted || upnLocalPart(candidate).toLowerCase() === wanted,
  );
  if (!user) throw new UnknownDemoUserError(requested, tenant.users);
  return user;
}

function toPlaygroundUser(user: DemoUser): PlaygroundUser {
  return {
    // Teams user MRIs look like 29:<opaque id>; the object id keeps them unique and readable.
    id: `29:${user.id}`,
    name: user.displayName,
    userPrincipleName: user.userPrincipalName,
    aadObjectId: user.id,
    givenName: user.givenName,
    surname: user.surname,
    email: user.userPrincipalName,
  };
}

/** The Playground's own default port; `npm run dev` keeps it so a bookmarked tab keeps working. */
export const PLAYGROUND_DEFAULT_PORT = 56150;

/**
 * Preloaded into the Playground. Its servers call `listen(port)` without a host, which binds every
 * interface and would let anyone on the network drive the unauthenticated local bot through it.
 */
const LOOPBACK_ONLY = `
import net from 'node:net';
const listen = net.Server.prototype.listen;
net.Server.prototype.listen = function (...args) {
  const [first] = args;
  if (first === undefined || typeof first === 'number' || (typeof first === 'string' && /^\\d+$/.test(first))) {
    if (typeof args[1] !== 'string') args.splice(0, 1, first ?? 0, '127.0.0.1');
  } else if (typeof first === 'object' && first !== null && 'port' in first && first.host === undefined) {
    args[0] = { ...first, host: '127.0.0.1' };
  }
  return listen.apply(this, args);
};
`;

/** What to spawn to run the Playground: `command` with `args`, environment additions in `env`. */
export interface PlaygroundLaunch {
  command: string;
  args: string[];
  env: Record<string, string>;
}

/** Where the Playground should send activities and listen. */
export interface PlaygroundLaunchOptions {
  /** The bot's messaging endpoint, e.g. http://127.0.0.1:3978/api/messages. */
  endpoint: string;
  /** 0 lets the Playground pick a free port; it reports the one it took on stdout. */
  port: number;
  configPath?: string;
  /** The Playground writes its console here rather than to stdout when stdout is not a terminal. */
  logFile?: string;
}

/**
 * How to start the Agents Playground against a bot: Teams channel, no telemetry, no browser of
 * its own, the demo tenant's config, and listening on loopback only.
 */
export function playgroundLaunch(options: PlaygroundLaunchOptions): PlaygroundLaunch {
  const cli = createRequire(import.meta.url).resolve('@microsoft/m365agentsplayground/cli.js');
  const preload = `data:text/javascript;base64,${Buffer.from(LOOPBACK_ONLY).toString('base64')}`;
  return {
    command: process.execPath,
    args: [
      '--import',
      preload,
      cli,
      ...['-e', options.endpoint, '-c', 'msteams', '-p', String(options.port), '--disable-telemetry'],
    ],
    env: {
      TEAMSAPPTESTER_BROWSER: 'none',
      // --disable-telemetry only stops the Playground's own events: its Application Insights client
      // still starts, probes the cloud metadata address 169.254.169.254 and would send the SDK's own
      // statistics and heartbeats to Microsoft. These two switch the client off.
      APPLICATION_INSIGHTS_NO_STATSBEAT: 'true',
      APPLICATIONINSIGHTS_CONFIGURATION_CONTENT: JSON.stringify({
        disableAppInsights: true,
        disableStatsbeat: true,
        enableAutoCollectHeartbeat: false,
      }),
      M365_AGENTS_PLAYGROUND_CONFIG_PATH: options.configPath ?? PLAYGROUND_CONFIG_PATH,
      ...(options.logFile ? { M365_AGENTS_PLAYGROUND_LOGFILE: options.logFile } : {}),
    },
  };
}

/** The port in the Playground's "Listening on 56150" line, or undefined for any other line. */
export function listeningPort(line: string): number | undefined {
  const match = /^Listening on (\d+)\s*$/.exec(line);
  return match ? Number(match[1]) : undefined;
}
