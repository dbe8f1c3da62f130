import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkStart } from '../../src/config/check-start.js';
import { loadConfig, type Config } from '../../src/config/load-config.js';
import type { LinkId } from '../../src/domain/diagnosis/knowledge.js';

/** The links that have a URL, as the bot hands them to the check. */
const linksOf = (config: Config) =>
  new Set((Object.keys(config.links) as LinkId[]).filter((id) => config.links[id] !== undefined));
const check = (config: Config) => checkStart(config, linksOf(config));

describe('the checks before a start', () => {
  it("checks SQLITE_PATH only where the records go to SQLite, not with DATABASE_URL's PostgreSQL", () => {
    const missing = join('/nonexistent-sign-in-help', 'data', 'bot.sqlite');
    expect(() => check(loadConfig({ SQLITE_PATH: missing }))).toThrow(
      `SQLITE_PATH "${missing}" cannot hold the database`,
    );
    const onPostgres = loadConfig({ SQLITE_PATH: missing, DATABASE_URL: 'postgres://bot@db.example/helpdesk' });
    expect(check(onPostgres).knowledge).toBeDefined();
  });
});
