import { performance } from 'node:perf_hooks';
import { printVerdicts, type Verdict } from './report.js';
import { runSoak, SOAK_SCENARIO } from './soak.js';
import { runStartup, STARTUP_SCENARIO } from './startup.js';
import { STATUS_SCENARIO, runStatusBench } from './status.js';
import { runTurns } from './turns.js';

/* eslint-disable no-console -- a benchmark reports to the terminal */

/*
 * `npm run bench`: turns and clicks next to an echo bot (at zero and simulated Graph latency), startup of the real
 * process, a soak of 100,000 turns, then the status queries over a million requests. BENCH_ONLY=turns, startup,
 * soak or status runs that part alone; any other value picks the turn scenarios whose name contains it.
 */

const ONLY = process.env.BENCH_ONLY || undefined;
const TURNS = 'turns';
const part =
  ONLY === TURNS || ONLY === STARTUP_SCENARIO || ONLY === SOAK_SCENARIO
    ? ONLY
    : ONLY && STATUS_SCENARIO.includes(ONLY)
      ? STATUS_SCENARIO
      : undefined;
const began = performance.now();
const verdicts: Verdict[] = [];

if (!part || part === TURNS) verdicts.push(...(await runTurns(part ? undefined : ONLY)));
if (!ONLY || part === STARTUP_SCENARIO) verdicts.push(...(await runStartup()));
if (!ONLY || part === SOAK_SCENARIO) verdicts.push(...(await runSoak()));
if (!ONLY || part === STATUS_SCENARIO) {
  const ok = await runStatusBench();
  verdicts.push({ what: STATUS_SCENARIO, figure: 'see the table above', target: 'store p99 < 20 ms', ok });
}

printVerdicts(verdicts);
console.log(`\nbench took ${((performance.now() - began) / 60_000).toFixed(1)} min`);
if (verdicts.some((verdict) => verdict.ok === false)) process.exitCode = 1;
