import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runInNewContext } from 'node:vm';
import { Ajv } from 'ajv';
import { parse } from 'yaml';
import { afterEach, describe, expect, it } from 'vitest';
import {
  InvalidPlaygroundLocaleError,
  localSettings,
  parsePlaygroundLocale,
} from '../../scripts/lib/local-settings.js';
import { PlaygroundAsUsageError, preparePlaygroundAs } from '../../scripts/playground-as.js';
import { loadDemoTenant, type DemoUser } from '../../src/directory/demo-tenant.js';
import { SimulatedDirectory } from '../../src/directory/simulated-directory.js';
import {
  buildPlaygroundConfig,
  PLAYGROUND_CONFIG_PATH,
  renderPlaygroundConfig,
  selectPlaygroundUser,
  UnknownDemoUserError,
  writePlaygroundConfig,
  type PlaygroundConfig,
  type PlaygroundUser,
} from '../../scripts/playground-config.js';

const tenant = loadDemoTenant();
const committedText = readFileSync(PLAYGROUND_CONFIG_PATH, 'utf8');
const committed = parse(committedText) as PlaygroundConfig;
const clock = { now: () => new Date('2026-03-02T01:30:00Z') };

/**
 * The config schema the installed Playground validates with. It ships only inside its webpack
 * bundle, as a string literal handed to JSON.parse, so it is cut out and read from there.
 */
function playgroundSchema(): Record<string, unknown> {
  const bundle = readFileSync(
    createRequire(import.meta.url).resolve('@microsoft/m365agentsplayground/dist/index.js'),
    'utf8',
  );
  const id = bundle.indexOf('"$id":"https://aka.ms/teams-app-test-tool-config/0.1.1/config.schema.json"');
  const start = bundle.lastIndexOf("JSON.parse('", id) + 'JSON.parse('.length;
  const end = bundle.indexOf("')", id) + 1;
  const literal = bundle.slice(start, end);
  if (id < 0 || !/^'(?:[^'\\]|\\.)*'$/s.test(literal)) {
    throw new Error('the config schema was not found in the Playground bundle; has the Playground changed?');
  }
  // Only a single-quoted string literal reaches the evaluator (checked just above).
  return JSON.parse(runInNewContext(literal) as string) as Record<string, unknown>;
}

describe('the Agents Playground config', () => {
  it('is committed exactly as the generator makes it from demo/tenant.json', () => {
    expect(
      committedText === renderPlaygroundConfig(tenant),
      '.m365agentsplayground.yml is out of date with demo/tenant.json: run `npm run playground:config` and commit the result',
    ).toBe(true);
  });

  it('says at its top that it is generated and must not be edited by hand', () => {
    expect(committedText.split('\n')[0]).toMatch(/^# Generated from demo\/tenant\.json by `npm run playground:config`/);
    expect(committedText).toMatch(/Do not edit by hand/);
  });

  it("passes the installed Playground's own schema check", () => {
    // The Playground compiles its schema with ajv 8 and { strict: false }; so does this test.
    const validate = new Ajv({ strict: false }).compile(playgroundSchema());
    const valid = validate(committed);
    expect(validate.errors ?? [], 'schema errors').toEqual([]);
    expect(valid).toBe(true);
  });

  it('passes the checks the Playground makes beyond its schema: unique user ids and conversation ids', () => {
    const userIds = [committed.currentUser, ...committed.users].map((user) => user.id);
    const conversationIds = [
      committed.personalChat.id,
      committed.groupChat.id,
      committed.team.id,
      ...committed.team.channels.map((channel) => channel.id),
    ];
    expect(new Set(userIds).size).toBe(userIds.length);
    expect(new Set(conversationIds).size).toBe(conversationIds.length);
  });

  it('lists exactly five users besides the current user, as the Playground requires', () => {
    expect(committed.users).toHaveLength(5);
    expect(committed.users.map((user) => user.id)).not.toContain(committed.currentUser.id);
  });

  it("uses the demo tenant's ids for the tenant, bot, chats, team and approval channel", () => {
    expect(committed.tenantId).toBe(tenant.tenant.id);
    expect(committed.bot).toEqual({ id: `28:${tenant.bot.id}`, name: tenant.bot.name });
    expect(committed.personalChat.id).toBe(tenant.playground.personalChatId);
    expect(committed.groupChat).toEqual(tenant.playground.groupChat);
    expect(committed.team).toEqual({
      id: tenant.team.id,
      name: tenant.team.name,
      aadGroupId: tenant.team.aadGroupId,
      channels: [tenant.team.approvalChannel],
    });
  });

  it('gives every Playground user the object id, name and address they have in the simulated directory', async () => {
    const directory = new SimulatedDirectory(tenant, clock);
    const people: PlaygroundUser[] = [committed.currentUser, ...committed.users];
    expect(committed.currentUser.aadObjectId).toBe(tenant.playground.currentUser);
    for (const person of people) {
      const user = await directory.getUser(person.aadObjectId);
      expect(user, `${person.name} (${person.aadObjectId}) is not in the simulated directory`).toBeDefined();
      expect(person).toEqual({
        id: `29:${user!.id}`,
        name: user!.displayName,
        userPrincipleName: user!.userPrincipalName,
        aadObjectId: user!.id,
        givenName: user!.givenName,
        surname: tenant.users.find((demoUser) => demoUser.id === user!.id)?.surname,
        email: user!.mail,
      });
    }
  });
});

/** The demo user with this user principal name. */
function person(upn: string): DemoUser {
  const user = tenant.users.find((candidate) => candidate.userPrincipalName === upn);
  if (!user) throw new Error(`no demo user ${upn}`);
  return user;
}

describe('PLAYGROUND_USER', () => {
  const others = committed.users.map((user) => user.aadObjectId);

  it('names a demo user by the part of the user principal name before the @, or the whole of it, in any case', () => {
    const diego = person('diegos@contoso.example');
    expect(selectPlaygroundUser(tenant, 'diegos')).toBe(diego);
    expect(selectPlaygroundUser(tenant, 'DiegoS@Contoso.example')).toBe(diego);
    expect(selectPlaygroundUser(tenant, ' yuki.sato ')).toBe(person('yuki.sato@contoso.example'));
  });

  it('refuses a name that is no demo user, listing every choice with its situation', () => {
    let error: unknown;
    try {
      selectPlaygroundUser(tenant, 'diego');
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(UnknownDemoUserError);
    const message = (error as Error).message;
    expect(message).toMatch(/^PLAYGROUND_USER "diego" is not a demo user/);
    for (const user of tenant.users) {
      expect(message).toContain(`${user.userPrincipalName.split('@')[0]}`);
      expect(message).toContain(`${user.displayName}: ${user.situation}`);
    }
  });

  it('puts a person from outside the Playground in the chair, with the same five others', () => {
    const diego = person('diegos@contoso.example');
    const config = buildPlaygroundConfig(tenant, diego.id);
    expect(config.currentUser).toMatchObject({ aadObjectId: diego.id, name: 'Diego Siciliani', id: `29:${diego.id}` });
    expect(config.users.map((user) => user.aadObjectId)).toEqual(others);
    expect(config.personalChat.id).toBe('a:demo-personal-chat-diegos');
  });

  it('swaps a chosen Playground person with Alex Wilber, so there are still exactly five distinct others', () => {
    const megan = person('meganb@contoso.example');
    const config = buildPlaygroundConfig(tenant, megan.id);
    const ids = config.users.map((user) => user.aadObjectId);
    expect(config.currentUser.aadObjectId).toBe(megan.id);
    expect(ids).toHaveLength(5);
    expect(new Set(ids).size).toBe(5);
    expect(ids).not.toContain(megan.id);
    expect(ids).toContain(tenant.playground.currentUser);
  });

  it('gives Alex Wilber exactly the committed config', () => {
    expect(renderPlaygroundConfig(tenant, tenant.playground.currentUser)).toBe(committedText);
  });

  it("writes a config for anyone that the installed Playground's schema accepts, with unique conversation ids", () => {
    const validate = new Ajv({ strict: false }).compile(playgroundSchema());
    const folder = mkdtempSync(join(tmpdir(), 'playground-config-test-'));
    try {
      for (const user of tenant.users) {
        const path = writePlaygroundConfig(join(folder, `${user.id}.yml`), user.id, tenant);
        const config = parse(readFileSync(path, 'utf8')) as PlaygroundConfig;
        expect(validate(config), `${user.displayName}: ${JSON.stringify(validate.errors)}`).toBe(true);
        expect(config.currentUser.aadObjectId).toBe(user.id);
        const people = [config.currentUser, ...config.users].map((entry) => entry.id);
        expect(new Set(people).size).toBe(6);
        const conversations = [config.personalChat.id, config.groupChat.id, config.team.id];
        expect(new Set(conversations).size).toBe(3);
      }
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  });
});

describe('PLAYGROUND_LOCALE in every Playground of the demo', () => {
  const ken = () => person('ken.takahashi@contoso.example');
  let bot: Server | undefined;
  const received: Array<{ path: string; activity: any }> = [];

  /** A stand-in for the bot: records what reaches /api/messages. */
  async function startBot(): Promise<number> {
    bot = createServer(async (request, response) => {
      const chunks: Buffer[] = [];
      for await (const chunk of request) chunks.push(chunk as Buffer);
      received.push({ path: request.url ?? '', activity: JSON.parse(Buffer.concat(chunks).toString('utf8')) });
      response.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
    await new Promise<void>((resolve) => bot!.listen(0, '127.0.0.1', resolve));
    return (bot.address() as AddressInfo).port;
  }
  afterEach(async () => {
    received.length = 0;
    await new Promise((resolve) => (bot ? bot.close(resolve) : resolve(undefined)));
    bot = undefined;
  });

  /** What the Playground posts first: a conversation update in English, as the Playground stamps it. */
  const conversationUpdate = {
    type: 'conversationUpdate',
    locale: 'en-US',
    entities: [{ type: 'clientInfo', locale: 'en-US' }],
  };

  it("has `npm run playground:as` post through a relay that gives Ken Takahashi's activities his locale", async () => {
    const botPort = await startBot();
    const playground = await preparePlaygroundAs(['ken.takahashi', '56190'], {
      PORT: String(botPort),
      PLAYGROUND_LOCALE: 'ja',
    });
    try {
      expect(playground).toMatchObject({ user: ken(), port: 56190, locale: 'ja' });
      const args = playground.launch.args;
      const endpoint = args[args.indexOf('-e') + 1]!;
      expect(endpoint).not.toBe(`http://127.0.0.1:${botPort}/api/messages`);
      expect(args[args.indexOf('-p') + 1]).toBe('56190');
      const config = parse(readFileSync(playground.launch.env.M365_AGENTS_PLAYGROUND_CONFIG_PATH!, 'utf8'));
      expect(config.currentUser.aadObjectId).toBe(ken().id);

      const answer = await fetch(endpoint, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(conversationUpdate),
      });
      expect(answer.status).toBe(200);
      expect(received).toEqual([
        {
          path: '/api/messages',
          activity: { ...conversationUpdate, locale: 'ja', entities: [{ type: 'clientInfo', locale: 'ja' }] },
        },
      ]);
    } finally {
      await playground.close();
    }
    expect(existsSync(playground.launch.env.M365_AGENTS_PLAYGROUND_CONFIG_PATH!)).toBe(false);
  });

  it("posts straight to the bot, in the Playground's own locale, when PLAYGROUND_LOCALE is unset", async () => {
    const botPort = await startBot();
    const playground = await preparePlaygroundAs(['isaiahl'], { PORT: String(botPort), PLAYGROUND_LOCALE: ' ' });
    try {
      expect(playground.locale).toBeUndefined();
      expect(playground.port).toBe(56151);
      const args = playground.launch.args;
      expect(args[args.indexOf('-e') + 1]).toBe(`http://127.0.0.1:${botPort}/api/messages`);
    } finally {
      await playground.close();
    }
  });

  it('reads PLAYGROUND_LOCALE from .env like `npm run dev`, the environment winning', () => {
    const folder = mkdtempSync(join(tmpdir(), 'playground-settings-test-'));
    try {
      writeFileSync(join(folder, '.env'), 'PLAYGROUND_LOCALE=ja-JP\nPLAYGROUND_USER=ken.takahashi\n');
      expect(parsePlaygroundLocale(localSettings({}, folder))).toBe('ja-JP');
      const settings = localSettings({ PLAYGROUND_LOCALE: 'en-GB' }, folder);
      expect(parsePlaygroundLocale(settings)).toBe('en-GB');
      expect(settings.PLAYGROUND_USER).toBe('ken.takahashi');
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  });

  it('refuses a PLAYGROUND_LOCALE that is not a language tag, and an argument that is not a port, before starting anything', async () => {
    await expect(preparePlaygroundAs(['ken.takahashi'], { PLAYGROUND_LOCALE: 'Japanese' })).rejects.toThrow(
      new InvalidPlaygroundLocaleError('Japanese'),
    );
    await expect(preparePlaygroundAs(['ken.takahashi', 'ja-JP'], {})).rejects.toBeInstanceOf(PlaygroundAsUsageError);
    await expect(preparePlaygroundAs([], {})).rejects.toThrow(/^Usage: npm run playground:as -- <demo user/);
    await expect(preparePlaygroundAs(['ken'], {})).rejects.toBeInstanceOf(UnknownDemoUserError);
  });
});
