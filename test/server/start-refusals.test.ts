import { chmodSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { spawnBot } from '../support/child-bot.js';
import { tempFolder } from '../support/temp-folders.js';

/** The exit code of a start refused for its settings (sysexits' EX_CONFIG), as for every other setting. */
const CONFIG_ERROR_EXIT = 78;
/** Root reads and writes whatever the permission bits say; such cases run the bot as `nobody` instead. */
const NOBODY = 65534;
const asRoot = process.getuid?.() === 0;
/** Long enough for a loaded machine to start the bot from source and refuse. */
const START_LIMIT_MS = 30_000;

const PRODUCTION = {
  NODE_ENV: 'production',
  MicrosoftAppId: '7d3c9a51-2f4e-4b6a-8c1d-0e9f8a7b6c5d',
  MicrosoftAppPassword: 'client-secret-value',
  MicrosoftAppTenantId: '1e2d3c4b-5a69-4788-9a0b-c1d2e3f4a5b6',
  ALLOWED_TENANTS: '1e2d3c4b-5a69-4788-9a0b-c1d2e3f4a5b6',
  AUDIT_KEY: 'cHJvZHVjdGlvbi1tb2RlLXRlc3RzLWF1ZGl0LWtleQ==',
};

/** A folder any user may write to, for a case's files and its (never created) database. */
function folder(): string {
  const dir = tempFolder('sign-in-help-start-');
  chmodSync(dir, 0o777);
  return dir;
}

/**
 * Starts the bot with `env` and expects it to refuse: exit code 78, one sentence containing `sentence`, no
 * stack trace, and nothing written into `dir` (no database, no audit key file, no migration).
 */
async function expectRefusal(
  dir: string,
  env: Record<string, string>,
  sentence: string | RegExp,
  options: { uid?: number } = {},
) {
  const before = readdirSync(dir).sort();
  const bot = spawnBot({ PORT: '0', SQLITE_PATH: join(dir, 'bot.sqlite'), ...env }, options);
  try {
    // Bounded well within the test's timeout, so a bot that starts after all is killed below.
    const ended = await Promise.race([
      bot.exited,
      new Promise<'started'>((resolve) => setTimeout(resolve, START_LIMIT_MS, 'started')),
    ]);
    expect(ended, `the bot did not refuse to start:\n${bot.stdout()}`).not.toBe('started');
    const { code } = ended as { code: number | null };
    const stderr = bot.stderr();
    expect(stderr).toMatch(typeof sentence === 'string' ? new RegExp(escape(sentence)) : sentence);
    expect(code).toBe(CONFIG_ERROR_EXIT);
    expect(stderr).toContain('Sign-in Help cannot start.');
    expect(stderr).not.toMatch(/\bat .+:\d+:\d+/);
    expect(bot.stdout()).not.toContain('applied database migration');
    expect(readdirSync(dir).sort()).toEqual(before);
  } finally {
    bot.process.kill('SIGKILL');
  }
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

describe.concurrent('refusing to start, before anything is written', { timeout: 60_000 }, () => {
  it('names DIAGNOSIS_KNOWLEDGE_PATH when the file is missing', async () => {
    const dir = folder();
    await expectRefusal(
      dir,
      { DIAGNOSIS_KNOWLEDGE_PATH: join(dir, 'nowhere.json') },
      `DIAGNOSIS_KNOWLEDGE_PATH "${join(dir, 'nowhere.json')}" cannot be read: it does not exist.`,
    );
  });

  it('names DIAGNOSIS_KNOWLEDGE_PATH when the file cannot be read', async () => {
    const dir = folder();
    const path = join(dir, 'knowledge.json');
    writeFileSync(path, readFileSync('content/diagnosis.json'));
    chmodSync(path, 0o000);
    await expectRefusal(
      dir,
      { DIAGNOSIS_KNOWLEDGE_PATH: path },
      `DIAGNOSIS_KNOWLEDGE_PATH "${path}" cannot be read: this process may not read it.`,
      asRoot ? { uid: NOBODY } : {},
    );
  });

  it('names DIAGNOSIS_KNOWLEDGE_PATH when the file is not JSON', async () => {
    const dir = folder();
    const path = join(dir, 'knowledge.json');
    writeFileSync(path, '{ "start": "menu", ');
    await expectRefusal(
      dir,
      { DIAGNOSIS_KNOWLEDGE_PATH: path },
      `DIAGNOSIS_KNOWLEDGE_PATH "${path}" is not valid JSON:`,
    );
  });

  it('names DIAGNOSIS_KNOWLEDGE_PATH when the JSON is not diagnosis knowledge', async () => {
    const dir = folder();
    const path = join(dir, 'knowledge.json');
    const knowledge = JSON.parse(readFileSync('content/diagnosis.json', 'utf8')) as { start: string };
    writeFileSync(path, JSON.stringify({ ...knowledge, start: 'no-such-node' }));
    await expectRefusal(
      dir,
      { DIAGNOSIS_KNOWLEDGE_PATH: path },
      `DIAGNOSIS_KNOWLEDGE_PATH "${path}" is not valid diagnosis knowledge:`,
    );
  });

  it('names SQLITE_PATH when its folder does not exist, and creates none', async () => {
    const dir = folder();
    await expectRefusal(
      dir,
      { SQLITE_PATH: join(dir, 'missing', 'bot.sqlite') },
      `SQLITE_PATH "${join(dir, 'missing', 'bot.sqlite')}" cannot hold the database: its folder ${join(dir, 'missing')} does not exist`,
    );
  });

  it('names SQLITE_PATH when its folder may not be written to', async () => {
    const dir = folder();
    const locked = join(dir, 'locked');
    mkdirSync(locked, { mode: 0o555 });
    chmodSync(locked, 0o555);
    await expectRefusal(
      locked,
      { SQLITE_PATH: join(locked, 'bot.sqlite') },
      `cannot hold the database: this process may not write to its folder ${locked}.`,
      asRoot ? { uid: NOBODY } : {},
    );
  });

  it('names SQLITE_PATH when the file is not a database, and leaves it as it was', async () => {
    const dir = folder();
    const path = join(dir, 'bot.sqlite');
    writeFileSync(path, 'not a database, but the notes someone keeps here\n'.repeat(100));
    await expectRefusal(
      dir,
      { SQLITE_PATH: path },
      `SQLITE_PATH "${path}" cannot be opened as the bot's database: file is not a database`,
    );
    expect(readFileSync(path, 'utf8')).toBe('not a database, but the notes someone keeps here\n'.repeat(100));
  });

  it('names the certificate key file when it cannot be read', async () => {
    const dir = folder();
    const key = join(dir, 'bot.key.pem');
    mkdirSync(key);
    await expectRefusal(
      dir,
      {
        ...PRODUCTION,
        MicrosoftAppPassword: '',
        MicrosoftAppCertificateThumbprint: 'AB12',
        MicrosoftAppCertificateKeyFile: key,
      },
      `MicrosoftAppCertificateKeyFile "${key}" cannot be read: it is a folder.`,
    );
  });

  it("names GRAPH_CERTIFICATE_PATH when the Graph app's certificate cannot be read", async () => {
    const dir = folder();
    const pem = join(dir, 'graph.pem');
    writeFileSync(pem, '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n');
    chmodSync(pem, 0o000);
    await expectRefusal(
      dir,
      { ...PRODUCTION, GRAPH_CREDENTIAL: 'certificate', GRAPH_CERTIFICATE_PATH: pem },
      `GRAPH_CERTIFICATE_PATH "${pem}" cannot be read: this process may not read it.`,
      asRoot ? { uid: NOBODY } : {},
    );
  });

  it('names production credentials that do not go together', async () => {
    const dir = folder();
    await expectRefusal(
      dir,
      {
        ...PRODUCTION,
        GRAPH_CREDENTIAL: 'secret',
        GRAPH_CLIENT_SECRET: 'graph-secret',
        GRAPH_CERTIFICATE_PATH: '/x.pem',
      },
      'GRAPH_CERTIFICATE_PATH is set but GRAPH_CREDENTIAL is secret, which does not use it',
    );
  });
});
