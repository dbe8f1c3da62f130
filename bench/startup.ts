import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { projectRoot } from '../src/project-root.js';
import { median, ms, type Verdict } from './report.js';

/* eslint-disable no-console -- a benchmark reports to the terminal */

/** The part's name, as BENCH_ONLY picks it. */
export const STARTUP_SCENARIO = 'startup';

const STARTS = Number(process.env.BENCH_STARTS ?? 3);
const TARGET_MS = 2_000;
/** A start that is not ready by then has failed. */
const GIVE_UP_MS = 30_000;

/** Children still running, killed however the bench ends. */
const running = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

/**
 * Startup as a real process: `npm run build`, then three times the command `npm start` runs (node with its flags and
 * dist/src/index.js, without npm itself), in local mode with a new SQLite file, timed from the spawn to the first
 * 200 from GET /readyz. The process is stopped (SIGTERM, SIGKILL after 5 s) whatever happens.
 */
export async function runStartup(): Promise<Verdict[]> {
  console.log('\nstartup: npm run build …');
  const build = await runToEnd('npm', ['run', 'build']);
  const entry = join(projectRoot, 'dist/src/index.js');
  if (build.code !== 0) console.log(`npm run build failed (exit ${build.code}):\n${build.output.slice(-2_000)}`);
  if (!existsSync(entry)) {
    return [{ what: 'startup to ready', figure: 'not measured: no dist/src/index.js', target: '< 2000 ms', ok: false }];
  }

  const start = (JSON.parse(readFileSync(join(projectRoot, 'package.json'), 'utf8')) as { scripts: { start: string } })
    .scripts.start;
  const [node, ...args] = start.split(/\s+/);
  if (node !== 'node') throw new Error(`npm start does not run node: ${start}`);

  const starts: Array<{ listeningMs: number | undefined; readyMs: number | undefined; problem?: string }> = [];
  for (let n = 0; n < STARTS; n++) starts.push(await timeStart(args));

  const ready = starts.flatMap((one) => (one.readyMs === undefined ? [] : [one.readyMs]));
  const typical = ready.length === starts.length ? median(ready) : Number.NaN;
  console.log(
    `\nSign-in Help bench: startup of the real process, \`${start}\` (${process.execPath}), local mode, a new SQLite file each time; from spawn to GET /readyz 200 (the log line "listening" in brackets). The OS file cache is warm after the build.`,
  );
  starts.forEach((one, n) =>
    console.log(
      `  start ${n + 1}: ${one.readyMs === undefined ? `FAILED: ${one.problem}` : `${ms(one.readyMs, 0)} ms (listening at ${ms(one.listeningMs ?? Number.NaN, 0)} ms)`}`,
    ),
  );
  console.log(`  median: ${ms(typical, 0)} ms (target < ${TARGET_MS} ms)`);
  return [
    {
      what: `startup to ready (median of ${STARTS}: ${ready.map((value) => ms(value, 0)).join(', ')} ms)`,
      figure: Number.isFinite(typical) ? `${ms(typical, 0)} ms` : 'a start failed',
      target: `< ${TARGET_MS} ms`,
      ok: Number.isFinite(typical) && typical < TARGET_MS && build.code === 0,
    },
  ];
}

async function timeStart(
  args: string[],
): Promise<{ listeningMs: number | undefined; readyMs: number | undefined; problem?: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-startup-'));
  const env = {
    ...process.env,
    NODE_ENV: 'development',
    MicrosoftAppId: '',
    PORT: '0',
    SQLITE_PATH: join(dir, 'startup.sqlite'),
    LOG_LEVEL: 'info',
    SIMULATED_DIRECTORY_LATENCY_MS: '0',
  };
  const begins = performance.now();
  const child = spawn(process.execPath, args, { cwd: projectRoot, env, stdio: ['ignore', 'pipe', 'pipe'] });
  running.add(child);
  let output = '';
  let port: number | undefined;
  let listeningMs: number | undefined;
  let exited: string | undefined;
  child.stdout.on('data', (chunk: Buffer) => {
    output += chunk.toString('utf8');
    // The bootstrap logs the port it bound once it listens: {"msg":"Sign-in Help is listening","port":…}.
    for (const line of output.split('\n')) {
      if (port !== undefined || !line.includes('Sign-in Help is listening')) continue;
      port = (JSON.parse(line) as { port: number }).port;
      listeningMs = performance.now() - begins;
    }
  });
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  child.once('exit', (code, signal) => (exited = `exited (${code ?? signal}) before it was ready`));
  try {
    while (performance.now() - begins < GIVE_UP_MS) {
      if (exited) return { listeningMs, readyMs: undefined, problem: `${exited}: ${output.slice(-500)}` };
      if (port !== undefined) {
        const status = await fetch(`http://127.0.0.1:${port}/readyz`).then(
          (response) => response.status,
          () => 0,
        );
        if (status === 200) return { listeningMs, readyMs: performance.now() - begins };
      }
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
    return { listeningMs, readyMs: undefined, problem: `not ready after ${GIVE_UP_MS} ms: ${output.slice(-500)}` };
  } finally {
    await stop(child);
    running.delete(child);
    rmSync(dir, { recursive: true, force: true });
  }
}

/** SIGTERM (the bot shuts down cleanly), SIGKILL if it is still there after 5 s. */
async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const gone = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
  await gone;
  clearTimeout(timer);
}

function runToEnd(command: string, args: string[]): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: projectRoot, stdio: ['ignore', 'pipe', 'pipe'] });
    running.add(child);
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    child.once('error', reject);
    child.once('exit', (code) => {
      running.delete(child);
      resolve({ code, output });
    });
  });
}
