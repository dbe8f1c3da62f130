import { copyFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkStart } from '../../src/config/check-start.js';
import { loadConfig, type Config } from '../../src/config/load-config.js';
import { DEFAULT_KNOWLEDGE_PATH } from '../../src/content/diagnosis/load-knowledge.js';
import type { LinkId } from '../../src/domain/diagnosis/knowledge.js';
import { tempFolder } from '../support/temp-folders.js';

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

  it('loads the intent model beside the knowledge, and refuses to start with a broken one, naming it', () => {
    expect(check(loadConfig({ SQLITE_PATH: ':memory:' })).knowledge.intentModel).toBeDefined();
    const folder = tempFolder('check-start-');
    const knowledgePath = join(folder, 'knowledge.json');
    copyFileSync(DEFAULT_KNOWLEDGE_PATH, knowledgePath);
    const config = loadConfig({ SQLITE_PATH: ':memory:', DIAGNOSIS_KNOWLEDGE_PATH: knowledgePath });
    expect(check(config).knowledge.intentModel).toBeUndefined();
    writeFileSync(join(folder, 'knowledge.intent-model.json'), '{"classes": []}');
    expect(() => check(config)).toThrow(
      `DIAGNOSIS_KNOWLEDGE_PATH "${knowledgePath}" comes with an intent model that is not valid`,
    );
  });
});
