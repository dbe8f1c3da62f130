import { copyFileSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AppManifestUtils } from '@microsoft/app-manifest';
import type { AppManifest } from '@microsoft/app-manifest';
import JSZip from 'jszip';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ConfigurationError } from '../../src/errors.js';
import { commandPatterns } from '../../src/teams/handlers/message/commands.js';
import { setApprovalChannelPattern } from '../../src/teams/handlers/message/set-approval-channel.js';
import { loadBundledTeamsSchema } from '../../scripts/lib/manifest-schema.js';
import { decodePng } from '../../scripts/lib/png.js';
import { ACCENT_COLOR } from '../../scripts/make-icons.js';
import {
  buildAppPackage,
  fillTemplate,
  loadPackageEnvironment,
  MANIFEST_DIR,
  ManifestSchemaError,
  readPackageSettings,
} from '../../scripts/package-app.js';
import type { PackageSettings } from '../../scripts/package-app.js';

const settings: PackageSettings = {
  botId: '3f2504e0-4f89-41d3-9a0c-0305e82c3301',
  teamsAppId: '6fa459ea-ee8a-4ca4-894e-db77e160355e',
  botDomain: 'signin-help.contoso.com',
  appVersion: '1.2.3',
};

const validEnv = {
  MicrosoftAppId: settings.botId,
  TEAMS_APP_ID: settings.teamsAppId,
  BOT_DOMAIN: settings.botDomain,
};

interface Command {
  title: string;
  description?: string;
}
interface Manifest {
  $schema: string;
  manifestVersion: string;
  id: string;
  accentColor: string;
  icons: { color: string; outline: string };
  developer: { websiteUrl: string; privacyUrl: string; termsOfUseUrl: string };
  validDomains: string[];
  localizationInfo: { defaultLanguageTag: string; additionalLanguages: { languageTag: string; file: string }[] };
  bots: {
    botId: string;
    scopes: string[];
    supportsFiles: boolean;
    isNotificationOnly: boolean;
    commandLists: { scopes: string[]; commands: Command[] }[];
  }[];
}

/** Width and height straight from the IHDR chunk, which must follow the 8-byte signature. */
function pngSize(png: Buffer): { width: number; height: number } {
  expect(png.subarray(1, 4).toString('latin1')).toBe('PNG');
  expect(png.subarray(12, 16).toString('latin1')).toBe('IHDR');
  return { width: png.readUInt32BE(16), height: png.readUInt32BE(20) };
}

/** Resolves a Teams localization key such as `bots[0].commandLists[1].commands[0].title` in the manifest. */
function lookUp(manifest: unknown, key: string): unknown {
  return key.split(/\.|(?=\[)/).reduce<unknown>((node, part) => {
    if (node === null || typeof node !== 'object') return undefined;
    const index = /^\[(\d+)\]$/.exec(part);
    return index ? (node as unknown[])[Number(index[1])] : (node as Record<string, unknown>)[part];
  }, manifest);
}

describe('the Teams app package', () => {
  let zip: JSZip;
  let manifest: Manifest;
  let manifestText: string;

  beforeAll(async () => {
    const built = await buildAppPackage(settings);
    zip = await JSZip.loadAsync(built.zip);
    manifestText = await zip.file('manifest.json')!.async('string');
    manifest = JSON.parse(manifestText) as Manifest;
  });

  const entry = async (name: string): Promise<Buffer> => {
    const file = zip.file(name);
    expect(file, `${name} is in the package`).not.toBeNull();
    return file!.async('nodebuffer');
  };

  it('holds the manifest, both icons and the Japanese strings at the root of the zip, and nothing else', () => {
    const names = Object.values(zip.files)
      .filter((f) => !f.dir)
      .map((f) => f.name);
    expect(names.sort()).toEqual(['color.png', 'ja.json', 'manifest.json', 'outline.png']);
  });

  it('has a manifest that the schema bundled for its version accepts, checked offline', async () => {
    expect(manifest.manifestVersion).toBe('1.29');
    expect(manifest.$schema).toBe(
      `https://developer.microsoft.com/json-schemas/teams/v${manifest.manifestVersion}/MicrosoftTeams.schema.json`,
    );
    // The schema is passed in: given only $schema, the validator may fetch it over the network.
    const schema = loadBundledTeamsSchema(manifest.manifestVersion, 'MicrosoftTeams.schema.json');
    expect(await AppManifestUtils.validateAgainstSchema(manifest as unknown as AppManifest, schema)).toEqual([]);
  });

  it('fills in the ids, the version and the domain and leaves no placeholder anywhere in the package', async () => {
    expect(manifest.id).toBe(settings.teamsAppId);
    expect(manifest.bots[0]?.botId).toBe(settings.botId);
    expect((manifest as unknown as { version: string }).version).toBe('1.2.3');
    expect(manifest.validDomains).toEqual(['signin-help.contoso.com']);
    expect(manifest.developer).toMatchObject({
      websiteUrl: 'https://signin-help.contoso.com/',
      privacyUrl: 'https://signin-help.contoso.com/privacy',
      termsOfUseUrl: 'https://signin-help.contoso.com/terms',
    });
    for (const name of ['manifest.json', 'ja.json']) {
      const text = (await entry(name)).toString('utf8');
      expect(text, name).not.toMatch(/\$\{\{|\{\{|%[A-Z_-]+%/);
    }
  });

  it('ships a 192x192 colour icon on the accent colour and a 32x32 outline icon', async () => {
    const color = await entry(manifest.icons.color);
    const outline = await entry(manifest.icons.outline);
    expect(pngSize(color)).toEqual({ width: 192, height: 192 });
    expect(pngSize(outline)).toEqual({ width: 32, height: 32 });

    const { pixels } = decodePng(color);
    const corner = `#${[...pixels.subarray(0, 3)].map((v) => v.toString(16).padStart(2, '0')).join('')}`;
    expect(corner.toUpperCase()).toBe(manifest.accentColor.toUpperCase());
    expect(manifest.accentColor).toBe(ACCENT_COLOR);
  });

  it('keeps the outline icon white on a transparent background', async () => {
    const { pixels } = decodePng(await entry(manifest.icons.outline));
    let transparent = 0;
    let opaque = 0;
    const coloured: number[] = [];
    for (let i = 0; i < pixels.length; i += 4) {
      const alpha = pixels[i + 3]!;
      if (alpha === 0) transparent++;
      if (alpha === 255) opaque++;
      if (alpha > 0 && (pixels[i] !== 255 || pixels[i + 1] !== 255 || pixels[i + 2] !== 255)) coloured.push(i / 4);
    }
    expect(coloured, 'pixels with any colour other than white').toEqual([]);
    expect(pixels[3], 'the top-left corner is background').toBe(0);
    expect(transparent).toBeGreaterThan(32 * 32 * 0.25);
    expect(opaque).toBeGreaterThan(32 * 32 * 0.25);
  });

  it('offers the bot in personal and team scopes, with the requester, manager, helpdesk and lead commands in personal chat', () => {
    expect(manifest.bots).toHaveLength(1);
    const bot = manifest.bots[0]!;
    expect(bot.scopes.sort()).toEqual(['personal', 'team']);
    expect(bot).toMatchObject({ supportsFiles: false, isNotificationOnly: false });

    const commandsFor = (scope: string) =>
      bot.commandLists.filter((list) => list.scopes.includes(scope)).flatMap((list) => list.commands);
    expect(commandsFor('personal')).toEqual([
      { title: 'help', description: 'Show what I can do' },
      { title: 'diagnose', description: 'Find out why you cannot sign in' },
      { title: 'reset', description: 'Apply for a reset of your verification methods' },
      { title: 'my requests', description: 'See where your requests stand' },
      { title: 'status', description: 'Open one request by its reference, e.g. status SIH-000123' },
      { title: 'my team', description: 'Requests about your direct reports (line managers)' },
      { title: 'queue', description: 'Open requests, oldest first (helpdesk)' },
      { title: 'stats', description: 'Volume, times and self-service rate (helpdesk leads)' },
    ]);
    expect(commandsFor('team')).toEqual([
      { title: 'help', description: 'Show what I can do' },
      { title: 'set approval channel', description: 'Post reset requests in this channel (administrators)' },
    ]);
  });

  it('translates names, descriptions and commands into Japanese in a file the localization schema accepts', async () => {
    expect(manifest.localizationInfo).toEqual({
      defaultLanguageTag: 'en-us',
      additionalLanguages: [{ languageTag: 'ja-jp', file: 'ja.json' }],
    });
    const ja = JSON.parse((await entry('ja.json')).toString('utf8')) as Record<string, string>;
    const schema = loadBundledTeamsSchema(manifest.manifestVersion, 'MicrosoftTeams.Localization.schema.json');
    expect(await AppManifestUtils.validateAgainstSchema(ja as unknown as AppManifest, schema)).toEqual([]);

    const keys = Object.keys(ja).filter((key) => key !== '$schema');
    expect(keys).toEqual(expect.arrayContaining(['name.short', 'name.full', 'description.short', 'description.full']));
    for (const key of keys) {
      expect(typeof lookUp(manifest, key), `${key} points at a string in the manifest`).toBe('string');
      expect(ja[key], `${key} is in Japanese`).toMatch(/[\u3040-\u30ff\u4e00-\u9fff]/);
    }
  });

  it('lists only commands the bot understands, in English and in Japanese', async () => {
    const ja = JSON.parse((await entry('ja.json')).toString('utf8')) as Record<string, string>;
    const titles = manifest.bots[0]!.commandLists.flatMap((list, l) =>
      list.commands.map((command, c) => [command.title, ja[`bots[0].commandLists[${l}].commands[${c}].title`]]),
    );
    const understood = [...Object.values(commandPatterns), setApprovalChannelPattern];
    for (const title of titles.flat()) {
      expect(title).toBeDefined();
      expect(
        understood.some((pattern) => pattern.test(title!)),
        `"${title}" matches a command pattern`,
      ).toBe(true);
    }
  });

  it('builds the same bytes from the same settings, so a rebuild is not a new version', async () => {
    const [first, second] = await Promise.all([buildAppPackage(settings), buildAppPackage(settings)]);
    expect(first.zip.equals(second.zip)).toBe(true);
  });
});

describe('building from a broken template', () => {
  let dir: string | undefined;
  afterEach(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
    dir = undefined;
  });

  const copyManifestDir = (): string => {
    dir = mkdtempSync(join(tmpdir(), 'app-package-'));
    for (const name of readdirSync(MANIFEST_DIR)) copyFileSync(join(MANIFEST_DIR, name), join(dir, name));
    return dir;
  };

  it('refuses a manifest that breaks the schema instead of zipping it', async () => {
    const source = copyManifestDir();
    const templatePath = join(source, 'manifest.template.json');
    const template = JSON.parse(readFileSync(templatePath, 'utf8')) as { name: { short: string } };
    template.name.short = 'A name far longer than the thirty characters Teams allows';
    writeFileSync(templatePath, JSON.stringify(template));

    const build = buildAppPackage(settings, source);
    await expect(build).rejects.toThrow(ManifestSchemaError);
    await expect(build).rejects.toThrow(/\/name\/short/);
  });

  it('refuses a Japanese file that breaks the localization schema', async () => {
    const source = copyManifestDir();
    writeFileSync(join(source, 'ja.json'), JSON.stringify({ 'name.short': 'サインイン' }));
    await expect(buildAppPackage(settings, source)).rejects.toThrow(/ja\.json.*description\.short/);
  });

  it('refuses a manifest version whose schema is not bundled rather than fetching it', async () => {
    const source = copyManifestDir();
    const templatePath = join(source, 'manifest.template.json');
    const template = readFileSync(templatePath, 'utf8').replaceAll('1.29', '1.18');
    writeFileSync(templatePath, template);
    await expect(buildAppPackage(settings, source)).rejects.toThrow(/bundles no .* for manifest version 1\.18/);
  });

  it('refuses a placeholder that no setting fills', () => {
    expect(() => fillTemplate('{ "id": "${{TENANT_ID}}" }', settings)).toThrow(/\$\{\{TENANT_ID\}\}/);
  });
});

describe('package settings', () => {
  const expectRefusal = (env: Record<string, string | undefined>, setting: string, problem: RegExp) => {
    let error: unknown;
    try {
      readPackageSettings(env, '1.0.0');
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigurationError);
    const problems = (error as ConfigurationError).problems;
    expect(
      problems.some((p) => p.startsWith(`${setting} `) && problem.test(p)),
      problems.join('\n'),
    ).toBe(true);
  };

  it('reads the bot id, the Teams app id and the bot domain', () => {
    expect(readPackageSettings({ ...validEnv, BOT_DOMAIN: ' SignIn-Help.Contoso.com ' }, '1.0.0')).toEqual({
      botId: settings.botId,
      teamsAppId: settings.teamsAppId,
      botDomain: 'signin-help.contoso.com',
      appVersion: '1.0.0',
    });
  });

  it.each([
    ['MicrosoftAppId', 'not-a-guid'],
    ['TEAMS_APP_ID', '6fa459ea-ee8a-4ca4-894e'],
    ['TEAMS_APP_ID', '{6fa459ea-ee8a-4ca4-894e-db77e160355e}'],
  ])('refuses %s = %s because it is not a GUID', (setting, value) => {
    expectRefusal({ ...validEnv, [setting]: value }, setting, /GUID/);
  });

  it.each([
    ['https://signin-help.contoso.com', /remove the scheme/],
    ['signin-help.contoso.com/api/messages', /remove the path/],
    ['signin-help.contoso.com:3978', /remove the port/],
    ['signin help.contoso.com', /bare host name/],
    ['localhost', /bare host name/],
  ])('refuses BOT_DOMAIN = %s', (value, problem) => {
    expectRefusal({ ...validEnv, BOT_DOMAIN: value }, 'BOT_DOMAIN', problem);
  });

  it('names every missing setting at once, counting empty values as missing', () => {
    for (const setting of ['MicrosoftAppId', 'TEAMS_APP_ID', 'BOT_DOMAIN']) {
      expectRefusal({ TEAMS_APP_ID: '  ' }, setting, /is not set/);
    }
  });
});

describe('where the settings come from', () => {
  let dir: string | undefined;
  afterEach(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
    dir = undefined;
  });

  it('reads .env and lets a non-empty environment variable win over it', () => {
    dir = mkdtempSync(join(tmpdir(), 'package-env-'));
    const dotenvPath = join(dir, '.env');
    writeFileSync(
      dotenvPath,
      `MicrosoftAppId=${settings.botId}\nTEAMS_APP_ID=00000000-0000-0000-0000-000000000000\nBOT_DOMAIN=from-file.example.com\n`,
    );
    const env = loadPackageEnvironment({ TEAMS_APP_ID: settings.teamsAppId, BOT_DOMAIN: '' }, dotenvPath);
    expect(readPackageSettings(env, '1.0.0')).toMatchObject({
      botId: settings.botId,
      teamsAppId: settings.teamsAppId,
      botDomain: 'from-file.example.com',
    });
  });

  it('works without a .env file', () => {
    const env = loadPackageEnvironment(validEnv, join(tmpdir(), 'no-such-dir', '.env'));
    expect(readPackageSettings(env, '1.0.0').botDomain).toBe(settings.botDomain);
  });
});
