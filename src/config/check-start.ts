import { readFileSync, statSync } from 'node:fs';
import { dirname, relative, resolve } from 'node:path';
import { DEFAULT_KNOWLEDGE_PATH, loadKnowledge } from '../content/diagnosis/load-knowledge.js';
import type { Knowledge, LinkId } from '../domain/diagnosis/knowledge.js';
import { ConfigurationError, KnowledgeError } from '../errors.js';
import { projectRoot } from '../project-root.js';
import { existingDatabaseProblem } from '../store/sqlite/open-database.js';
import type { Config } from './load-config.js';
import { mayWrite, unreadableFile } from './file-access.js';

/** What the start found and the bot needs. */
export interface StartChecked {
  knowledge: Knowledge;
}

/** The default SQLITE_PATH; the one folder the bot creates itself (a fresh checkout has no data/). */
const DEFAULT_SQLITE_PATH = './data/sign-in-help.sqlite';

/** Problems of a knowledge file shown before "and N more". */
const SHOWN_PROBLEMS = 5;

/**
 * Everything a start can find wrong in the files its settings name (the diagnosis knowledge, where the
 * database goes and what is there already), found before anything is written: one ConfigurationError with a sentence per problem,
 * each naming its setting. `loadConfig` has already checked the settings themselves and the credential files.
 */
export function checkStart(config: Config, configuredLinks: ReadonlySet<LinkId>): StartChecked {
  const problems: string[] = [];
  // With DATABASE_URL the records are in PostgreSQL, whose problems show when the store connects.
  const sqlitePath = config.database ? undefined : config.sqlitePath;
  const database = sqlitePath === undefined ? undefined : databaseLocationProblem(sqlitePath);
  const existing = sqlitePath !== undefined && !database && existingDatabaseProblem(sqlitePath);
  if (database) problems.push(database);
  if (existing)
    problems.push(`SQLITE_PATH "${config.sqlitePath}" cannot be opened as the bot's database: ${existing}.`);
  const knowledge = readKnowledge(config.diagnosisKnowledgePath, configuredLinks, problems);
  if (!knowledge || problems.length > 0) throw new ConfigurationError(problems);
  return { knowledge };
}

/**
 * The database file must be one this process can open for writing, in a folder that exists and that it
 * may write to (SQLite keeps its write-ahead log beside the file). A configured folder that does not exist
 * is a typo or a volume not mounted, never something to create.
 */
export function databaseLocationProblem(path: string): string | undefined {
  if (path === ':memory:') return undefined;
  const file = resolve(path);
  const folder = dirname(file);
  const fileStat = statSync(file, { throwIfNoEntry: false });
  const folderStat = statSync(folder, { throwIfNoEntry: false });
  let problem: string | undefined;
  if (fileStat?.isDirectory()) problem = 'it is a folder, not a database file';
  else if (!folderStat) {
    if (path !== DEFAULT_SQLITE_PATH) problem = `its folder ${folder} does not exist (create it, or mount the volume)`;
  } else if (!folderStat.isDirectory()) problem = `${folder} is not a folder`;
  else if (!mayWrite(folder)) problem = `this process may not write to its folder ${folder}`;
  else if (fileStat && !mayWrite(file)) problem = 'this process may not write to the file';
  return problem && `SQLITE_PATH "${path}" cannot hold the database: ${problem}.`;
}

/** The knowledge, or undefined with the reason added to `problems`. */
function readKnowledge(
  configured: string | undefined,
  configuredLinks: ReadonlySet<LinkId>,
  problems: string[],
): Knowledge | undefined {
  const path = configured ?? DEFAULT_KNOWLEDGE_PATH;
  const named = configured
    ? `DIAGNOSIS_KNOWLEDGE_PATH "${configured}"`
    : `The diagnosis knowledge shipped with the bot (${relative(projectRoot, path)}; DIAGNOSIS_KNOWLEDGE_PATH is empty)`;
  const unreadable = unreadableFile(path);
  if (unreadable) {
    problems.push(`${named} cannot be read: ${unreadable}.`);
    return undefined;
  }
  try {
    JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    problems.push(`${named} is not valid JSON: ${(error as Error).message}.`);
    return undefined;
  }
  try {
    return loadKnowledge(configuredLinks, path);
  } catch (error) {
    if (!(error instanceof KnowledgeError)) throw error;
    const shown = error.problems.slice(0, SHOWN_PROBLEMS).join('; ');
    const more = error.problems.length > SHOWN_PROBLEMS ? ` (and ${error.problems.length - SHOWN_PROBLEMS} more)` : '';
    problems.push(`${named} is not valid diagnosis knowledge: ${shown}${more}.`);
    return undefined;
  }
}
