import { performance } from 'node:perf_hooks';
import { openBenchPostgres } from './postgres.js';
import { printVerdicts, type Verdict } from './report.js';
import { runSoak, SOAK_SCENARIO } from './soak.js';
import { runStartup, STARTUP_SCENARIO } from './startup.js';
import { STATUS_SCENARIO, runStatusBench } from './status.js';
import { runTurns } from './turns.js';

/* eslint-disable no-console -- a benchmark reports to the terminal */

/*
 * `npm run bench`: turns and clicks next to an echo bot (at zero and simulated Graph latency), startup of the real
 * process, a soak of 100,000 turns, then the status queries over a million requests on SQLite. When there is a
 * PostgreSQL (bench/postgres.ts) the clicks run on it too, and the status queries on both backends over a smaller
 * population. BENCH_ONLY=turns, startup, soak or status runs that part alone; BENCH_ONLY=postgres the clicks on
 * PostgreSQL and the comparison of the backends alone (no SQLite bot, no million requests); any other value picks
 * the turn scenarios whose name contains it.
 */

const ONLY = process.env.BENCH_ONLY || undefined;
const TURNS = 'turns';
const POSTGRES = 'postgres';
const part =
  ONLY === TURNS || ONLY === STARTUP_SCENARIO || ONLY === SOAK_SCENARIO || ONLY === POSTGRES
    ? ONLY
    : ONLY && STATUS_SCENARIO.includes(ONLY)
      ? STATUS_SCENARIO
      : undefined;
const runsTurns = !part || part === TURNS || part === POSTGRES;
const runsStatus = !ONLY || part === STATUS_SCENARIO || part === POSTGRES;
const began = performance.now();
const verdicts: Verdict[] = [];

const opened = runsTurns || runsStatus ? await openBenchPostgres() : undefined;
const postgres = typeof opened === 'string' ? undefined : opened;
if (typeof opened === 'string') console.log(`PostgreSQL is not measured (${opened}): SQLite only.`);
else if (postgres) console.log(`PostgreSQL: ${postgres.label}`);
try {
  if (runsTurns && (postgres || part !== POSTGRES)) {
    const only = part && part !== POSTGRES ? undefined : ONLY;
    verdicts.push(...(await runTurns(only, postgres, { sqlite: part !== POSTGRES })));
  }
  if (!ONLY || part === STARTUP_SCENARIO) verdicts.push(...(await runStartup()));
  if (!ONLY || part === SOAK_SCENARIO) verdicts.push(...(await runSoak()));
  if (runsStatus && (postgres || part !== POSTGRES)) {
    verdicts.push(...(await runStatusBench(postgres, { atScale: part !== POSTGRES })));
  }
} finally {
  await postgres?.close();
}

printVerdicts(verdicts);
console.log(`\nbench took ${((performance.now() - began) / 60_000).toFixed(1)} min`);
if (verdicts.some((verdict) => verdict.ok === false)) process.exitCode = 1;
