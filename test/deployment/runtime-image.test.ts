import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import {
  copyFileSync,
  cpSync,
  lstatSync,
  linkSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  rmSync,
  symlinkSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, relative, sep } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { projectPath, projectRoot } from '../../src/project-root.js';
import { personalMessage } from '../support/activities.js';
import { LOCAL_ENV, waitForListening, watchChild, type ChildBot } from '../support/child-bot.js';
import { FakeConnector } from '../support/fake-connector.js';

/** One instruction of a Dockerfile: its keyword and the rest of the line, continuations joined. */
interface Instruction {
  keyword: string;
  args: string;
}

function readInstructions(path: string): Instruction[] {
  return readFileSync(path, 'utf8')
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'))
    .map((line) => {
      const [keyword = '', ...rest] = line.split(/\s+/);
      return { keyword: keyword.toUpperCase(), args: rest.join(' ') };
    });
}

/** The image's final stage: what a container runs, nothing of the stages that built it. */
function runtimeStage(instructions: Instruction[]): Instruction[] {
  const from = instructions.map((instruction) => instruction.keyword).lastIndexOf('FROM');
  return instructions.slice(from + 1);
}

/** The top-level names the runtime stage copies into the image (`dist`, `node_modules`, `cards`, ...). */
function copiedNames(stage: Instruction[]): string[] {
  return stage
    .filter((instruction) => instruction.keyword === 'COPY')
    .flatMap((instruction) => {
      const operands = instruction.args.split(/\s+/).filter((token) => !token.startsWith('--'));
      return operands.slice(0, -1).map((source) => basename(source));
    });
}

/** An exec-form command (a JSON array) after `prefix`, as CMD and HEALTHCHECK ... CMD write it. */
function execForm(args: string, prefix = ''): string[] {
  return JSON.parse(args.slice(args.indexOf('[', prefix.length))) as string[];
}

/** `ENV A=1 B=2` of the stage, as the container's environment starts. */
function imageEnvironment(stage: Instruction[]): Record<string, string> {
  return Object.fromEntries(
    stage
      .filter((instruction) => instruction.keyword === 'ENV')
      .flatMap((instruction) => instruction.args.split(/\s+/).map((pair) => pair.split('=') as [string, string])),
  );
}

/**
 * Copies a tree as hard links (a copy in all but disk space; a plain copy across file systems), so that the
 * production dependencies resolve among themselves only, as in the image.
 */
function linkTree(from: string, to: string): void {
  const stat = lstatSync(from);
  if (stat.isSymbolicLink()) symlinkSync(readlinkSync(from), to);
  else if (stat.isDirectory()) {
    mkdirSync(to, { recursive: true });
    for (const name of readdirSync(from)) linkTree(join(from, name), join(to, name));
  } else {
    try {
      linkSync(from, to);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EXDEV') throw error;
      copyFileSync(from, to);
    }
  }
}

/**
 * node_modules as `npm ci --omit=dev` lays it out, from this checkout's own installation: npm's list of the
 * production dependencies, each top-level package linked in with what it holds. (A real `npm ci --omit=dev`
 * compiles better-sqlite3 again, over a minute.)
 */
function linkProductionDependencies(app: string): void {
  const listed = spawnSync('npm', ['ls', '--omit=dev', '--all', '--parseable'], {
    cwd: projectRoot,
    encoding: 'utf8',
  });
  const topLevel = listed.stdout
    .split('\n')
    .map((path) => relative(projectRoot, path.trim()).split(sep))
    .filter(
      ([first, second, third, fourth]) =>
        first === 'node_modules' &&
        second !== undefined &&
        (second.startsWith('@') ? third !== undefined && fourth === undefined : third === undefined),
    );
  if (topLevel.length === 0) throw new Error(`npm ls listed no production dependencies:\n${listed.stderr}`);
  for (const segments of topLevel) linkTree(join(projectRoot, ...segments), join(app, ...segments));
}

const dockerfile = readInstructions(projectPath('Dockerfile'));
const runtime = runtimeStage(dockerfile);
const command = execForm(runtime.find((instruction) => instruction.keyword === 'CMD')!.args);
const healthcheck = execForm(runtime.find((instruction) => instruction.keyword === 'HEALTHCHECK')!.args, 'CMD');
const environment = imageEnvironment(runtime);

/** Runs the image's HEALTHCHECK command the way Docker does, inside the container's environment. */
function runHealthcheck(cwd: string, port: number): Promise<number | null> {
  const [program, ...args] = healthcheck;
  const child = spawn(program === 'node' ? process.execPath : program!, args, {
    cwd,
    env: { ...process.env, ...environment, PORT: String(port) },
    stdio: 'ignore',
  });
  return new Promise((resolve) => child.once('exit', (code) => resolve(code)));
}

describe('the container image (Dockerfile)', () => {
  let app: string;
  let connector: FakeConnector;
  const started: ChildProcess[] = [];

  /** Starts the image's CMD in the image's file set and environment, with `env` over it. */
  function startContainerCommand(env: Record<string, string>): ChildBot {
    const [program, ...args] = command;
    const child = spawn(program === 'node' ? process.execPath : program!, args, {
      cwd: app,
      env: { ...process.env, ...LOCAL_ENV, ...environment, SQLITE_PATH: join(app, 'data', 'bot.sqlite'), ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    started.push(child);
    return watchChild(child);
  }

  beforeAll(async () => {
    app = mkdtempSync(join(tmpdir(), 'sign-in-help-image-'));
    connector = await new FakeConnector().start();
    // The image's files, each from where its stage takes it: dist/ compiled as `npm run build` does,
    // node_modules/ without devDependencies, the rest from the checkout.
    for (const name of new Set(copiedNames(runtime))) {
      if (name === 'dist') {
        const compiled = spawnSync(
          process.execPath,
          [
            projectPath('node_modules', 'typescript', 'bin', 'tsc'),
            '-p',
            'tsconfig.build.json',
            '--outDir',
            join(app, 'dist'),
          ],
          { cwd: projectRoot, encoding: 'utf8' },
        );
        if (compiled.status !== 0) throw new Error(`npm run build failed:\n${compiled.stdout}${compiled.stderr}`);
      } else if (name === 'node_modules') linkProductionDependencies(app);
      else cpSync(projectPath(name), join(app, name), { recursive: true });
    }
    mkdirSync(join(app, 'data'));
  });

  afterAll(async () => {
    for (const child of started) child.kill('SIGKILL');
    await connector?.stop();
    if (app) rmSync(app, { recursive: true, force: true });
  });

  it('runs from the files it copies with production dependencies only: ready, answering a turn, healthy', async () => {
    // Local mode: the one mode that starts without an Azure tenant; the image itself sets NODE_ENV=production.
    const bot = startContainerCommand({ NODE_ENV: 'development', PORT: '0' });
    const port = await waitForListening(bot);

    const ready = await fetch(`http://127.0.0.1:${port}/readyz`);
    expect(ready.status).toBe(200);
    const turn = await fetch(`http://127.0.0.1:${port}/api/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(personalMessage('hello', { serviceUrl: connector.serviceUrl })),
    });
    expect(turn.status).toBe(200);
    // The welcome card comes from cards/, the answer to a first message from content/.
    expect(connector.sentCards()).toHaveLength(1);
    expect(await runHealthcheck(app, port)).toBe(0);

    bot.process.kill('SIGTERM');
    expect(await bot.exited).toEqual({ code: 0, signal: null });
    expect(await runHealthcheck(app, port)).toBe(1);
    expect(bot.stderr()).not.toMatch(/Cannot find (module|package)/);
  });

  it('refuses to start with its own environment when no bot credentials are given', async () => {
    const bot = startContainerCommand({ PORT: '0' });
    const { code } = await bot.exited;
    expect(code).toBe(78);
    expect(bot.stderr()).toContain('NODE_ENV is "production" but MicrosoftAppId is empty');
  });

  it('keeps the database out of the image: SQLITE_PATH points into the volume, owned by the non-root user', () => {
    const volume = runtime.find((instruction) => instruction.keyword === 'VOLUME')!;
    const volumes = JSON.parse(volume.args) as string[];
    expect(volumes.some((path) => environment.SQLITE_PATH!.startsWith(`${path}/`))).toBe(true);
    const user = runtime.findLast((instruction) => instruction.keyword === 'USER')!;
    expect(user.args).not.toMatch(/^(root|0)(:|$)/);
    expect(runtime.some((i) => i.keyword === 'EXPOSE' && i.args.split(/\s+/).includes(environment.PORT!))).toBe(true);
    // Settings that are secrets come from the environment at start, never from the image.
    const baked = [...runtime, ...dockerfile].filter((i) => i.keyword === 'ENV' || i.keyword === 'ARG');
    expect(baked.map((i) => i.args).join(' ')).not.toMatch(/PASSWORD|SECRET|AUDIT_KEY|TOKEN|CERTIFICATE/i);
  });
});
