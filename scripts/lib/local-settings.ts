import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseDotenv } from 'dotenv';
import { projectRoot } from '../../src/project-root.js';

/** Settings as the local scripts read them, by name; unset ones are undefined. */
export type LocalSettings = Record<string, string | undefined>;

/**
 * What `npm run dev` and `npm run playground:as` read their own settings (PLAYGROUND_*) from: `.env` in
 * the project root, then the environment, which wins, the same precedence as loadConfig.
 */
export function localSettings(env: NodeJS.ProcessEnv = process.env, dotenvDir: string = projectRoot): LocalSettings {
  const dotenvPath = join(dotenvDir, '.env');
  const dotenv = existsSync(dotenvPath) ? parseDotenv(readFileSync(dotenvPath)) : {};
  return { ...dotenv, ...env };
}

/** PLAYGROUND_LOCALE is not a language tag. */
export class InvalidPlaygroundLocaleError extends Error {
  constructor(readonly value: string) {
    super(`PLAYGROUND_LOCALE "${value}" is not a language tag like ja-JP or en-US.`);
    this.name = 'InvalidPlaygroundLocaleError';
  }
}

/**
 * The locale a Playground's activities should reach the bot with (PLAYGROUND_LOCALE, e.g. ja-JP), or
 * undefined for the Playground's own en-US. Throws InvalidPlaygroundLocaleError for anything else.
 */
export function parsePlaygroundLocale(settings: LocalSettings): string | undefined {
  const value = settings.PLAYGROUND_LOCALE?.trim() || undefined;
  if (value && !/^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$/.test(value)) throw new InvalidPlaygroundLocaleError(value);
  return value;
}
