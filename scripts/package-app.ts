import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { parse as parseDotenv } from 'dotenv';
import JSZip from 'jszip';
import { z } from 'zod';
import { ConfigurationError } from '../src/errors.js';
import { projectPath, projectRoot } from '../src/project-root.js';
import { isMainModule } from './lib/is-main-module.js';
import { validateLocalizationFile, validateTeamsManifest } from './lib/manifest-schema.js';

/** The values a Teams app package is built from. */
export interface PackageSettings {
  /** The bot's Microsoft app id (the Entra app registration behind the Azure Bot). */
  botId: string;
  /** The Teams app's own id, stable across versions so Teams sees updates as the same app. */
  teamsAppId: string;
  /** The public host name the bot is served from, e.g. `bot.example.com`. */
  botDomain: string;
  /** The app version Teams shows; it must grow for Teams to accept an update. */
  appVersion: string;
}

/** Where the app package's sources (template, icons, localization files) live. */
export const MANIFEST_DIR = projectPath('manifest');
/** The manifest template's file name inside MANIFEST_DIR. */
export const MANIFEST_TEMPLATE = 'manifest.template.json';

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const LABEL = '[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?';
const HOST_NAME = new RegExp(`^(?=.{1,253}$)${LABEL}(?:\\.${LABEL})+$`, 'i');
const SEMVER = /^\d+\.\d+\.\d+$/;
// Fixed timestamps keep the zip byte-for-byte reproducible for the same inputs.
const ZIP_DATE = new Date(Date.UTC(2024, 0, 1));

const emptyAsUndefined = (value: unknown): unknown =>
  typeof value === 'string' && value.trim() === '' ? undefined : value;

const guidSetting = (what: string) =>
  z.preprocess(
    emptyAsUndefined,
    z
      .string({ required_error: `is not set: it must be ${what}, a GUID` })
      .trim()
      .regex(GUID, `must be ${what}, a GUID like 00000000-0000-0000-0000-000000000000`),
  );

/** Why a value is not a bare host name, as an instruction; undefined when it is one. */
function hostNameProblem(value: string): string | undefined {
  const expected = 'must be a bare host name like bot.example.com';
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(value)) return `${expected}: remove the scheme ("${value.split('//')[0]}//")`;
  if (/[/?#]/.test(value)) return `${expected}: remove the path after the host name`;
  if (value.includes('@')) return `${expected}: remove the user name`;
  if (value.includes(':')) return `${expected}: remove the port (Teams always uses https on port 443)`;
  if (!HOST_NAME.test(value)) return `${expected} (letters, digits, hyphens and dots, with at least one dot)`;
  return undefined;
}

const settingsSchema = z.object({
  MicrosoftAppId: guidSetting("the bot's Microsoft app id"),
  TEAMS_APP_ID: guidSetting('the Teams app id'),
  BOT_DOMAIN: z.preprocess(
    emptyAsUndefined,
    z
      .string({ required_error: 'is not set: it must be the host name the bot is served from, like bot.example.com' })
      .trim()
      .superRefine((value, ctx) => {
        const problem = hostNameProblem(value);
        if (problem !== undefined) ctx.addIssue({ code: z.ZodIssueCode.custom, message: problem });
      })
      .transform((value) => value.toLowerCase()),
  ),
});

/** The project's version from package.json, used as the Teams app version. */
export function readProjectVersion(root: string = projectRoot): string {
  const { version } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version?: unknown };
  if (typeof version !== 'string' || !SEMVER.test(version)) {
    throw new ConfigurationError([`package.json version must be major.minor.patch for Teams, got ${String(version)}`]);
  }
  return version;
}

/**
 * The environment merged over the project's `.env` (when there is one): a variable set in the
 * environment wins; one set to an empty string counts as unset so `.env` still applies.
 */
export function loadPackageEnvironment(
  env: NodeJS.ProcessEnv = process.env,
  dotenvPath: string = join(projectRoot, '.env'),
): Record<string, string | undefined> {
  const fromFile = existsSync(dotenvPath) ? parseDotenv(readFileSync(dotenvPath)) : {};
  const fromEnv = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== undefined && value !== ''));
  return { ...fromFile, ...fromEnv };
}

/**
 * Validates the settings the package needs. Throws a ConfigurationError naming every
 * missing or malformed setting and what to do about it.
 */
export function readPackageSettings(
  env: Record<string, string | undefined>,
  appVersion: string = readProjectVersion(),
): PackageSettings {
  const parsed = settingsSchema.safeParse(env);
  if (!parsed.success) {
    throw new ConfigurationError(parsed.error.issues.map((issue) => `${issue.path.join('.')} ${issue.message}`));
  }
  return {
    botId: parsed.data.MicrosoftAppId,
    teamsAppId: parsed.data.TEAMS_APP_ID,
    botDomain: parsed.data.BOT_DOMAIN,
    appVersion,
  };
}

/**
 * Replaces `${{NAME}}` placeholders in a JSON template. A placeholder that no setting fills is
 * an error, so a package never ships with an unfilled id.
 */
export function fillTemplate(template: string, settings: PackageSettings): string {
  const values: Record<string, string> = {
    TEAMS_APP_ID: settings.teamsAppId,
    BOT_ID: settings.botId,
    BOT_DOMAIN: settings.botDomain,
    APP_VERSION: settings.appVersion,
  };
  return template.replace(/\$\{\{\s*([A-Za-z0-9_]+)\s*\}\}/g, (placeholder, name: string) => {
    const value = values[name];
    if (value === undefined) throw new Error(`The template uses ${placeholder}, which no setting fills`);
    // Escape as a JSON string body, since placeholders sit inside JSON strings.
    return JSON.stringify(value).slice(1, -1);
  });
}

interface ManifestFiles {
  manifestVersion: string;
  icons: string[];
  localizations: string[];
}

/** The files a manifest refers to; the zip carries exactly these, so none can go missing. */
function referencedFiles(manifest: unknown): ManifestFiles {
  const m = manifest as {
    manifestVersion?: string;
    icons?: { color?: string; outline?: string };
    localizationInfo?: { defaultLanguageFile?: string; additionalLanguages?: { file?: string }[] };
  };
  const info = m.localizationInfo;
  const localizations = [info?.defaultLanguageFile, ...(info?.additionalLanguages ?? []).map((l) => l.file)];
  return {
    manifestVersion: m.manifestVersion ?? '',
    icons: [m.icons?.color, m.icons?.outline].filter((f): f is string => f !== undefined),
    localizations: localizations.filter((f): f is string => f !== undefined),
  };
}

/** The filled manifest or a localization file breaks its schema: the template needs fixing. */
export class ManifestSchemaError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`The app manifest does not match its schema:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ManifestSchemaError';
  }
}

/** The built package: the filled manifest and the zip to upload to Teams. */
export interface AppPackage {
  manifestJson: string;
  zip: Buffer;
}

/**
 * Builds the Teams app package in memory: fills the manifest template, checks the manifest and
 * its localization files against the bundled schemas (offline), and zips them with the icons.
 */
export async function buildAppPackage(
  settings: PackageSettings,
  sourceDir: string = MANIFEST_DIR,
): Promise<AppPackage> {
  const manifestJson = fillTemplate(readFileSync(join(sourceDir, MANIFEST_TEMPLATE), 'utf8'), settings);
  const manifest: unknown = JSON.parse(manifestJson);
  const files = referencedFiles(manifest);

  const problems = (await validateTeamsManifest(manifest)).map((e) => `manifest.json${e}`);
  const localized = new Map<string, string>();
  for (const file of files.localizations) {
    const json = fillTemplate(readFileSync(join(sourceDir, file), 'utf8'), settings);
    const errors = await validateLocalizationFile(JSON.parse(json), files.manifestVersion);
    problems.push(...errors.map((e) => `${file}${e}`));
    localized.set(file, json);
  }
  if (problems.length > 0) throw new ManifestSchemaError(problems);

  const zip = new JSZip();
  zip.file('manifest.json', manifestJson, { date: ZIP_DATE });
  for (const icon of files.icons) zip.file(icon, readFileSync(join(sourceDir, icon)), { date: ZIP_DATE });
  for (const [file, json] of localized) zip.file(file, json, { date: ZIP_DATE });
  const buffer = await zip.generateAsync({ type: 'nodebuffer', compression: 'DEFLATE' });
  return { manifestJson, zip: buffer };
}

/** Builds the package from the environment and `.env`, writing the manifest and the zip under `build/`. */
export async function packageApp(
  outDir: string = projectPath('build'),
): Promise<{ manifestPath: string; zipPath: string }> {
  const settings = readPackageSettings(loadPackageEnvironment());
  const { manifestJson, zip } = await buildAppPackage(settings);
  const manifestPath = join(outDir, 'appPackage', 'manifest.json');
  const zipPath = join(outDir, 'sign-in-help.zip');
  mkdirSync(dirname(manifestPath), { recursive: true });
  writeFileSync(manifestPath, manifestJson);
  writeFileSync(zipPath, zip);
  return { manifestPath, zipPath };
}

if (isMainModule(import.meta.url)) {
  try {
    const { manifestPath, zipPath } = await packageApp();
    console.log(`Wrote ${relative(process.cwd(), manifestPath)}`);
    console.log(
      `Wrote ${relative(process.cwd(), zipPath)}: upload it in Teams (Apps > Manage your apps > Upload an app).`,
    );
  } catch (error) {
    // Known problems are instructions for the user; a stack trace would bury them.
    const known = error instanceof ConfigurationError || error instanceof ManifestSchemaError;
    console.error(known ? error.message : error);
    if (error instanceof ConfigurationError)
      console.error('Set them in the environment or in .env at the project root.');
    process.exitCode = 1;
  }
}
