import { closeSync, mkdtempSync, openSync, readFileSync, readSync, rmSync, statSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import { loadConfig } from '../src/config/load-config.js';
import type { DemoTenant } from '../src/directory/demo-tenant.js';
import { loadDemoTenant } from '../src/directory/demo-tenant.js';
import { SimulatedDirectory } from '../src/directory/simulated-directory.js';
import { formatReference } from '../src/domain/requests/request.js';
import { periodDays, summarise, type StatisticsPeriod } from '../src/domain/requests/statistics.js';
import { StatusService, type Viewer } from '../src/domain/requests/status-service.js';
import { systemClock } from '../src/domain/system-clock.js';
import { createLogger } from '../src/logging/create-logger.js';
import { auditKeyRing, type AuditKeyRing } from '../src/store/audit-chain.js';
import { localAuditKeys } from '../src/store/audit-keys.js';
import { createStore } from '../src/store/create-store.js';
import { closeDatabase } from '../src/store/sqlite/group-commit.js';
import { openDatabase, type SqliteDatabase } from '../src/store/sqlite/open-database.js';
import { sqliteStore } from '../src/store/sqlite/sqlite-store.js';
import type { Store, StoreBackend } from '../src/store/store.js';
import type { BenchPostgres } from './postgres.js';
import { STORE_NAMES } from './protocol.js';
import type { Verdict } from './report.js';
import {
  benchDirectory,
  benchPopulation,
  seededRandom,
  type BenchPopulation,
  type BenchTenant,
} from './status-population.js';
import { verifyAuditTrail } from '../scripts/audit-verify.js';
import { copyStatusPopulation } from './status-copy.js';
import { seedStatusBench, type SeedReport } from './status-seed.js';

/* eslint-disable no-console -- a benchmark reports to the terminal */

/** The scenario's name, as BENCH_ONLY picks it. */
export const STATUS_SCENARIO = 'status queries';

/** DESIGN.md: status and queue queries stay under this p99 with a million stored requests. */
const TARGET_P99_MS = 20;
const DESIGN_REQUESTS = 1_000_000;

/**
 * The population of the comparison of SQLite with PostgreSQL, the same for both: PostgreSQL is seeded with it in a
 * few minutes, where a million (16 million writes, each waiting for the audit trail's head row) would take hours.
 */
const COMPARE_REQUESTS = 10_000;
const SAMPLES = Number(process.env.BENCH_STATUS_SAMPLES ?? 2_000);
const BATCH = Number(process.env.BENCH_STATUS_BATCH ?? 10_000);
/** A database seeded by an earlier run (kept with BENCH_STATUS_KEEP=1), measured again without seeding. */
const REUSE = process.env.BENCH_STATUS_DB || undefined;
const KEEP = process.env.BENCH_STATUS_KEEP === '1';
/**
 * Whether the million is measured on PostgreSQL too, as a copy of the SQLite file (BENCH_STATUS_POSTGRES_COPY=off
 * skips it: it adds the copy's minutes and the database's gigabytes).
 */
const COPY_TO_POSTGRES = process.env.BENCH_STATUS_POSTGRES_COPY !== 'off';
const WARMUP = 100;
/**
 * Connections (and stories told at once) while seeding PostgreSQL. On two cores one seeds as fast as sixteen: every
 * write waits for the audit trail's head row, held for about a millisecond of round trips; more cores overlap the rest.
 */
const POSTGRES_SEED_LANES = 16;

const silent = createLogger({ level: 'silent' });
const number = (n: number) => Math.round(n).toLocaleString('en');
const millions = (n: number) => (n >= 1_000_000 ? `${(n / 1_000_000).toFixed(2)} M` : number(n));

interface Measured {
  p50: number;
  p99: number;
  max: number;
  /**
   * Kilobytes a call had read from the disk, on average (Linux), rather than from memory. Where this machine pages
   * out what was not touched for a minute, a file larger than what stays cached is read from the disk: those figures
   * are the disk's, not the query's.
   */
  diskKbPerCall?: number;
}

/** A view measured twice: the store calls it makes (the query itself), and the whole service call. */
interface StatusQuery {
  name: string;
  store: () => Promise<unknown>;
  service: () => Promise<unknown>;
}

/** What one backend measured. */
interface BackendMeasured {
  backend: StoreBackend;
  results: Array<{ name: string; store: Measured; whole: Measured }>;
  /** The simulated directory's share of the service's time, and how many people it held. */
  directoryAlone: Measured;
  directoryPeople: number;
  managers: number;
}

/**
 * Seeds a fresh SQLite file with the design's population (BENCH_STATUS_REQUESTS), or reuses BENCH_STATUS_DB, and
 * measures my team, the queue, the statistics and a status look-up on it, each as its store calls and as the whole
 * StatusService call. With `postgres`, then compares the two backends on a smaller population that PostgreSQL is
 * seeded with in minutes (BENCH_STATUS_COMPARE_REQUESTS): a fresh SQLite file and a fresh PostgreSQL database with
 * the same people and requests, measured the same way. `atScale: false` skips the first (BENCH_ONLY=postgres).
 * Prints a table for each; a verdict per backend and population, missed when a query's p99 is over the target.
 */
export async function runStatusBench(
  postgres: BenchPostgres | undefined,
  { atScale }: { atScale: boolean },
): Promise<Verdict[]> {
  const demo = loadDemoTenant();
  const verdicts: Verdict[] = [];
  if (atScale) {
    const requests = REUSE ? storedRequests(REUSE) : Number(process.env.BENCH_STATUS_REQUESTS ?? DESIGN_REQUESTS);
    const copyTo = postgres && COPY_TO_POSTGRES ? postgres : undefined;
    const measured = await onSqlite(demo, requests, {
      reuse: REUSE,
      keep: KEEP,
      alsoOn: copyTo && ((path) => copiedToPostgres(copyTo, demo, requests, path)),
    });
    verdicts.push(...printMeasured(measured, requests, copyTo && { postgres: copyTo, copied: true }));
  }
  if (postgres) {
    const requests = Number(process.env.BENCH_STATUS_COMPARE_REQUESTS ?? COMPARE_REQUESTS);
    const sqlite = await onSqlite(demo, requests, { keep: false });
    const measured = [sqlite[0]!, await onPostgres(postgres, demo, requests)];
    verdicts.push(...printMeasured(measured, requests, { postgres, copied: false }));
  }
  return verdicts;
}

/** Requests in a kept SQLite file (their sequence has no gaps). */
function storedRequests(path: string): number {
  const db = openDatabase(path, silent);
  const requests = db.prepare<[], number>('SELECT MAX(sequence) FROM requests').pluck().get() ?? 0;
  closeDatabase(db);
  return requests;
}

/**
 * A SQLite file seeded earlier to measure again (`reuse`), whether to keep a file seeded now, and what else to
 * measure from the file once SQLite is measured (`alsoOn`: its copy on PostgreSQL).
 */
interface SqliteFile {
  reuse?: string;
  keep: boolean;
  alsoOn?: (path: string) => Promise<BackendMeasured>;
}

async function onSqlite(
  demo: DemoTenant,
  requests: number,
  { reuse, keep, alsoOn }: SqliteFile,
): Promise<BackendMeasured[]> {
  const path = reuse ?? join(mkdtempSync(join(tmpdir(), 'bench-status-')), 'status.sqlite');
  try {
    const sqlite = await seedAndMeasureSqlite(path, demo, requests, reuse !== undefined);
    return alsoOn ? [sqlite, await alsoOn(path)] : [sqlite];
  } finally {
    // Gigabytes: removed unless asked to keep them, also when the run failed.
    if (!reuse && !keep) rmSync(dirname(path), { recursive: true, force: true });
    else console.log(`database kept: BENCH_STATUS_DB=${path}`);
  }
}

async function seedAndMeasureSqlite(
  path: string,
  demo: DemoTenant,
  requests: number,
  seededEarlier: boolean,
): Promise<BackendMeasured> {
  const auditKeys = localAuditKeys(path);
  let seeded: SeedReport | undefined;
  if (seededEarlier) {
    console.log(`\nstatus queries: measuring ${path} again (${number(requests)} requests seeded earlier)`);
  } else {
    console.log(`\nstatus queries: seeding ${number(requests)} requests into ${path} …`);
    const db = openDatabase(path, silent);
    // For seeding only: how the file is written, never what is in it. No fsync, savepoint journals in memory, a 2 GB
    // page cache, and checkpoints every 80 MB rather than 4 MB (together about 1.4 times faster).
    db.pragma('synchronous = OFF');
    db.pragma('temp_store = MEMORY');
    db.pragma('cache_size = -2000000');
    db.pragma('wal_autocheckpoint = 20000');
    const store = sqliteStore(db, { auditKeys, clock: systemClock });
    seeded = await seedStatusBench({
      store,
      inOrder: true,
      lanes: 1,
      // savePost runs its statement at once: one transaction for the batch's posts.
      together: (work) => db.transaction(work)(),
      population: benchPopulation(requests, demo.tenant.id),
      requests,
      batch: BATCH,
      now: Date.now(),
      progress: (line) => console.log(line),
    });
    // Everything into the main file, so that its size is the database's and the measurement starts from it.
    const checkpointBegins = performance.now();
    db.pragma('wal_checkpoint(TRUNCATE)');
    seeded.phases.checkpoint = performance.now() - checkpointBegins;
    seeded.totalMs += seeded.phases.checkpoint;
    await store.close();
  }

  const warm = readIntoMemory(path);
  console.log(
    `  read into memory first: ${(warm.bytes / 1e9).toFixed(2)} GB in ${warm.seconds.toFixed(0)} s, ${(warm.fromDisk / 1e9).toFixed(2)} GB of it from the disk`,
  );
  // Measured as the bot opens it: a new connection with the production settings.
  const db = openDatabase(path, silent);
  const store = sqliteStore(db, { auditKeys, clock: systemClock });
  const tables = rowCounts(db);
  try {
    return await measureQueries(store, demo, requests, (tenant, random, count) =>
      Promise.resolve(sampleReferences(db, tenant, random, count)),
    );
  } finally {
    await store.close();
    if (seeded) printSeeding(seeded, path);
    printTables(path, tables);
  }
}

/**
 * The same population in a database of its own on `postgres`, seeded through a store whose connections do not
 * wait for each commit to reach the disk (synchronous_commit off: how the data is written, never what), then
 * measured through a store opened as the bot opens it.
 */
async function onPostgres(postgres: BenchPostgres, demo: DemoTenant, requests: number): Promise<BackendMeasured> {
  const url = await postgres.database('status');
  const auditKeys = auditKeyRing(randomBytes(32).toString('base64'));
  const open = (settings: Record<string, string>) =>
    createStore(loadConfig(settings), silent, { auditKeys, clock: systemClock });
  console.log(`\nstatus queries: seeding ${number(requests)} requests into PostgreSQL, ${postgres.label} …`);
  const seeding = await open({
    DATABASE_URL: `${url}?options=${encodeURIComponent('-c synchronous_commit=off')}`,
    DATABASE_POOL_SIZE: String(POSTGRES_SEED_LANES),
    // A filing waits for the numbering lock behind every other.
    DATABASE_STATEMENT_TIMEOUT_MS: '600000',
  });
  let seeded: SeedReport;
  try {
    seeded = await seedStatusBench({
      store: seeding,
      inOrder: false,
      lanes: POSTGRES_SEED_LANES,
      together: (work) => work(),
      population: benchPopulation(requests, demo.tenant.id),
      requests,
      batch: BATCH,
      now: Date.now(),
      progress: (line) => console.log(line),
    });
  } finally {
    await seeding.close();
  }
  printSeeding(seeded, postgres.label);

  const store = await open({ DATABASE_URL: url });
  try {
    return await measureQueries(store, demo, requests, (tenant, random, count) =>
      referencesOf(store, tenant, random, count, requests),
    );
  } finally {
    await store.close();
  }
}

/**
 * The population of the SQLite file at `path` copied into a database of its own on `postgres` (bench/status-copy.ts
 * says why a copy), then measured through a store opened as the bot opens it, with the file's audit key.
 */
async function copiedToPostgres(
  postgres: BenchPostgres,
  demo: DemoTenant,
  requests: number,
  path: string,
): Promise<BackendMeasured> {
  const url = await postgres.database('status_scale');
  const auditKeys = localAuditKeys(path);
  const open = () => createStore(loadConfig({ DATABASE_URL: url }), silent, { auditKeys, clock: systemClock });
  // The store makes the schema; the copy fills it.
  await (await open()).close();
  console.log(
    `\nstatus queries: copying ${number(requests)} requests from ${path} into PostgreSQL, ${postgres.label} …`,
  );
  const source = openDatabase(path, silent);
  try {
    const copied = await copyStatusPopulation(source, url, (line) => console.log(line));
    console.log(`  copied in ${(copied.ms / 1000).toFixed(0)} s`);
    await verifyCopy(url, auditKeys, copied.rows.request_events ?? 0);
  } finally {
    closeDatabase(source);
  }
  console.log(`  ${await readPostgresIntoMemory(url)}`);
  const store = await open();
  try {
    return await measureQueries(store, demo, requests, (tenant, random, count) =>
      referencesOf(store, tenant, random, count, requests),
    );
  } finally {
    await store.close();
  }
}

/**
 * Checks that the copy is the trail the store wrote: it holds as many events as the file, its chain verifies with the
 * file's key, and every request's contact details match the digest its latest event recorded. A copy that lost or
 * changed a row stops the bench.
 */
async function verifyCopy(url: string, auditKeys: AuditKeyRing, events: number): Promise<void> {
  const began = performance.now();
  const verification = await verifyAuditTrail(loadConfig({ DATABASE_URL: url }), { keys: auditKeys });
  if (!verification.ok) {
    throw new Error(`the copy's audit trail breaks at event #${verification.brokenAt}: ${verification.problem}`);
  }
  if (verification.events !== events) {
    throw new Error(`the copy's audit trail holds ${verification.events} events, the file ${events}`);
  }
  const seconds = ((performance.now() - began) / 1000).toFixed(0);
  console.log(`  the copy's audit trail verifies: ${number(verification.events)} events, chain intact (${seconds} s)`);
}

/** Picks `count` different references of `tenant`'s requests, at random. */
type ReferenceSampler = (tenant: BenchTenant, random: () => number, count: number) => Promise<string[]>;

/**
 * Measures the status views on `store`, which holds the bench population of `requests` requests, as the store
 * calls alone and as the whole StatusService call.
 */
async function measureQueries(
  store: Store,
  demo: DemoTenant,
  requests: number,
  sample: ReferenceSampler,
): Promise<BackendMeasured> {
  const population: BenchPopulation = benchPopulation(requests, demo.tenant.id);
  const { main } = population;
  const random = seededRandom(99);
  const any = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  // Every call asks about someone new (a page read for one is not there for the next); store and service apart.
  const calls = WARMUP + SAMPLES;
  const [managersForStore, managersForService] = halves(distinct(main.managers, 2 * calls, random));
  const storeManagers = inTurn(managersForStore);
  const serviceManagers = inTurn(managersForService);
  // The directory holds the managers the service is asked about and their reports (benchDirectory says why).
  const directoryTenant = benchDirectory(demo, main, managersForService);
  const directory = new SimulatedDirectory(directoryTenant, systemClock);
  const { requests: repository, executionJobs: jobs, statistics, channels } = store;
  const groupOf = (purpose: string) => demo.groups.find((group) => group.purpose === purpose)!;
  const service = new StatusService({
    repository,
    jobs,
    statistics,
    diagnoses: store.diagnoses,
    channels,
    views: store.views,
    directory,
    clock: systemClock,
    policy: {
      helpdeskGroupId: groupOf('helpdesk').id,
      leadGroupId: groupOf('lead').id,
      reviewSlaMs: 8 * 3_600_000,
    },
  });

  const agent = (): Viewer => ({ tenantId: main.id, userId: any(main.agents) });
  const lead: Viewer = { tenantId: main.id, userId: groupOf('lead').members[0]! };
  const [referencesForStore, referencesForService] = halves(await sample(main, random, 2 * calls));
  const storeReferences = inTurn(referencesForStore);
  const serviceReferences = inTurn(referencesForService);
  const timeline = (ids: readonly string[]) =>
    Promise.all(ids.map((id) => Promise.all([repository.eventsOf(id), jobs.find(id)])));
  const shown = async (result: Promise<{ kind: string }>) => {
    const { kind } = await result;
    if (kind !== 'shown') throw new Error(`the status service answered ${kind}`);
  };
  const stats = (days: StatisticsPeriod): StatusQuery => ({
    name: `stats ${days} days (lead)`,
    store: async () => {
      const now = systemClock.now();
      const { from, to } = periodDays(days, now);
      return summarise(await statistics.tallies(main.id, from, to), days, now);
    },
    service: () => shown(service.statistics(lead, days)),
  });
  const queries: StatusQuery[] = [
    {
      name: 'my team (manager, 6-10 reports)',
      store: async () => {
        const manager = storeManagers();
        const reports = main.reports.get(manager)!.map((report) => main.people[report]!);
        const listed = await repository.listBySubjects(main.id, reports, 20);
        return timeline(listed.map((request) => request.id));
      },
      service: () => shown(service.team({ tenantId: main.id, userId: main.people[serviceManagers()]! })),
    },
    {
      name: 'queue (agent)',
      store: async () => {
        const groups = await repository.queue(main.id, 8);
        return channels.findPosts(Object.values(groups).flatMap((group) => group.oldest.map((request) => request.id)));
      },
      service: () => shown(service.queue(agent())),
    },
    stats(7),
    stats(30),
    stats(90),
    {
      name: 'status SIH-… (agent)',
      store: async () => {
        const request = await repository.findByReference(main.id, storeReferences());
        return request && timeline([request.id]);
      },
      service: () => shown(service.status(agent(), serviceReferences())),
    },
  ];

  const results = [];
  for (const query of queries) {
    // The store calls, then the service: each call with its own random viewer or reference, as people ask.
    const store = await measure(query.store);
    const whole = await measure(query.service);
    results.push({ name: query.name, store, whole });
  }
  const directoryAlone = await measure(() => directory.getDirectReports(main.people[serviceManagers()]!));
  return {
    backend: store.backend,
    results,
    directoryAlone,
    directoryPeople: directoryTenant.users.length,
    managers: managersForService.length,
  };
}

/**
 * The table: each query on each backend, side by side; the verdict of each backend. With `postgres` the table is the
 * comparison of the backends, and its verdicts name their population; otherwise it is SQLite at the design's.
 */
function printMeasured(
  measured: readonly BackendMeasured[],
  requests: number,
  beside: { postgres: BenchPostgres; copied: boolean } | undefined,
): Verdict[] {
  const stores = measured.map(({ backend }) =>
    backend === 'sqlite' ? 'SQLite, production settings' : `PostgreSQL on ${beside!.postgres.label}`,
  );
  const what = beside ? `${STATUS_SCENARIO}, SQLite beside PostgreSQL` : STATUS_SCENARIO;
  console.log(
    `\nSign-in Help bench: ${what} over ${number(requests)} stored requests (${stores.join('; ')}), ${number(SAMPLES)} samples each after ${WARMUP} warm-up, a random viewer or reference each time`,
  );
  if (beside?.copied) {
    console.log(
      "The same rows in both: PostgreSQL holds a copy of the SQLite file's tables. Its disk reads happen in the server's processes, not the bench's: the last column is SQLite's alone.",
    );
  } else if (beside) {
    console.log(
      `The same people and requests in both, ${number(requests)} (BENCH_STATUS_COMPARE_REQUESTS), each seeded through the store.`,
    );
  }
  if (requests < DESIGN_REQUESTS) {
    console.log(`NOTE: ${number(requests)} requests, not the design's ${number(DESIGN_REQUESTS)}`);
  }
  console.log('');
  console.log(
    `${'query'.padEnd(36)} ${'store'.padEnd(10)}   the query itself (store calls)            whole StatusService call (directory at 0 ms)   store calls' disk reads`,
  );
  console.log(
    `${''.padEnd(36)} ${''.padEnd(10)} ${'p50 ms'.padStart(8)} ${'p99 ms'.padStart(8)} ${'max ms'.padStart(8)}  target       ${'p50 ms'.padStart(8)} ${'p99 ms'.padStart(8)} ${'max ms'.padStart(8)}   KB a call`,
  );
  const names = measured[0]?.results.map((result) => result.name) ?? [];
  for (const name of names) {
    for (const { backend, results } of measured) {
      const { store, whole } = results.find((result) => result.name === name)!;
      const within = store.p99 <= TARGET_P99_MS;
      console.log(
        `${name.padEnd(36)} ${STORE_NAMES[backend].padEnd(10)} ${cells(store)}  ${(within ? 'ok' : 'OVER').padEnd(4)} < ${TARGET_P99_MS}   ${cells(whole)}   ${store.diskKbPerCall?.toFixed(1).padStart(9) ?? ''}`,
      );
    }
  }
  for (const { backend, directoryAlone, directoryPeople, managers } of measured) {
    console.log(
      `\npart of the service's time (${STORE_NAMES[backend]}): the simulated directory's getDirectReports, which looks at all its ${number(directoryPeople)} people (${number(managers)} managers, their reports, the agents), ${cells(directoryAlone)} ms (p50 p99 max); team and status ask it once each`,
    );
  }
  const fromDisk = measured.flatMap(({ results }) => results).filter(({ store }) => (store.diskKbPerCall ?? 0) >= 4);
  if (fromDisk.length > 0) {
    console.log(
      `\nNOTE: ${fromDisk.map(({ name }) => name).join(', ')} read pages from the disk (a page or more a call): the database did not stay in memory, and those figures are mostly the disk's`,
    );
  }
  return measured.map(({ backend, results }) => {
    const worst = results.reduce((slowest, result) => (result.store.p99 > slowest.store.p99 ? result : slowest));
    const ok = worst.store.p99 <= TARGET_P99_MS;
    if (!ok) console.log(`${STORE_NAMES[backend]}: a query's p99 is over the ${TARGET_P99_MS} ms target`);
    return {
      what: beside ? `${STATUS_SCENARIO} at ${number(requests)}, ${STORE_NAMES[backend]}` : STATUS_SCENARIO,
      figure: `${number(requests)} requests: worst store p99 ${worst.store.p99.toFixed(1)} ms (${worst.name})`,
      target: 'store p99 < 20 ms',
      ok,
    };
  });
}

/**
 * `count` different references of the tenant's requests (all of them, when it has fewer), spread evenly over the
 * whole history, found through the store: references are numbered without gaps from 1 to `requests`, and a look-up
 * in another tenant finds nothing.
 */
async function referencesOf(
  store: Store,
  tenant: BenchTenant,
  random: () => number,
  count: number,
  requests: number,
): Promise<string[]> {
  const sequences = distinct(
    Array.from({ length: requests }, (_, n) => n + 1),
    requests,
    random,
  );
  const references: string[] = [];
  for (const sequence of sequences) {
    if (references.length === count) break;
    const reference = formatReference(sequence);
    if (await store.requests.findByReference(tenant.id, reference)) references.push(reference);
  }
  return references;
}

async function measure(run: () => Promise<unknown>): Promise<Measured> {
  for (let n = 0; n < WARMUP; n++) await run();
  const samples: number[] = [];
  const readBefore = diskReadBytes();
  for (let n = 0; n < SAMPLES; n++) {
    const begins = performance.now();
    await run();
    samples.push(performance.now() - begins);
  }
  const readAfter = diskReadBytes();
  samples.sort((a, b) => a - b);
  const at = (q: number) => samples[Math.min(samples.length - 1, Math.floor(q * samples.length))]!;
  const diskKbPerCall =
    readBefore === undefined || readAfter === undefined ? undefined : (readAfter - readBefore) / 1024 / SAMPLES;
  return { p50: at(0.5), p99: at(0.99), max: samples.at(-1)!, diskKbPerCall };
}

/**
 * Reads the file at `path` once from start to end, so that the queries are measured on a database in memory, as a
 * server that has been answering for a while keeps what it reads. Without it they would be measured on whatever this
 * machine kept cached while the file was seeded: the VMs here give back a file's pages within minutes of their last
 * use, and a 10 GB file seeded over half an hour is mostly on the disk when the seeding ends. Such a cold file is a
 * restart's first minutes, and its figures are the disk's: 290 KB read from it per my team call, p99 269 ms, here.
 */
function readIntoMemory(path: string): { bytes: number; seconds: number; fromDisk: number } {
  const began = performance.now();
  const diskBefore = diskReadBytes() ?? 0;
  const chunk = Buffer.allocUnsafe(8 * 1024 * 1024);
  const fd = openSync(path, 'r');
  let bytes = 0;
  try {
    for (let read = readSync(fd, chunk); read > 0; read = readSync(fd, chunk)) bytes += read;
  } finally {
    closeSync(fd);
  }
  return { bytes, seconds: (performance.now() - began) / 1000, fromDisk: (diskReadBytes() ?? 0) - diskBefore };
}

/**
 * Has the server read every table and index of the database at `url` once (pg_prewarm, into the machine's page cache),
 * as readIntoMemory does for SQLite's file. Says what it did, or why it could not (pg_prewarm is part of PostgreSQL's
 * own packages, but creating it needs a role that may).
 */
async function readPostgresIntoMemory(url: string): Promise<string> {
  const client = new pg.Client({ connectionString: url });
  const began = performance.now();
  try {
    await client.connect();
    await client.query('CREATE EXTENSION IF NOT EXISTS pg_prewarm');
    const { rows } = await client.query<{ bytes: string }>(
      `SELECT COALESCE(SUM(pg_prewarm(c.oid, 'read')), 0) * current_setting('block_size')::bigint AS bytes
         FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'i')`,
    );
    const gigabytes = Number(rows[0]?.bytes ?? 0) / 1e9;
    return `read into memory first: ${gigabytes.toFixed(2)} GB in ${((performance.now() - began) / 1000).toFixed(0)} s (pg_prewarm)`;
  } catch (error) {
    return `not read into memory first (${error instanceof Error ? error.message : String(error)}): its figures may be the disk's`;
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** Bytes this process has had read from the disk so far (Linux's /proc/self/io); undefined where it cannot tell. */
function diskReadBytes(): number | undefined {
  try {
    const bytes = /^read_bytes: (\d+)$/m.exec(readFileSync('/proc/self/io', 'utf8'))?.[1];
    return bytes === undefined ? undefined : Number(bytes);
  } catch {
    return undefined;
  }
}

const cells = ({ p50, p99, max }: Measured) => [p50, p99, max].map((ms) => ms.toFixed(2).padStart(8)).join(' ');

/**
 * `count` different references of the tenant's requests (all of them, when it has fewer), spread evenly over the
 * whole history.
 */
function sampleReferences(db: SqliteDatabase, tenant: BenchTenant, random: () => number, count: number): string[] {
  const last = db.prepare<[], number>('SELECT MAX(sequence) FROM requests').pluck().get() ?? 0;
  const held = db.prepare<[string], number>('SELECT COUNT(*) FROM requests WHERE tenant_id = ?').pluck().get(tenant.id);
  const wanted = Math.min(count, held ?? 0);
  const bySequence = db
    .prepare<[number, string], string>('SELECT reference FROM requests WHERE sequence = ? AND tenant_id = ?')
    .pluck();
  const references = new Set<string>();
  while (references.size < wanted) {
    const reference = bySequence.get(1 + Math.floor(random() * last), tenant.id);
    if (reference) references.add(reference);
  }
  return [...references];
}

/** `count` different items at random (all of them, shuffled, when there are fewer). */
function distinct<T>(items: readonly T[], count: number, random: () => number): T[] {
  const shuffled = [...items];
  for (let n = 0; n < Math.min(count, shuffled.length); n++) {
    const other = n + Math.floor(random() * (shuffled.length - n));
    [shuffled[n], shuffled[other]] = [shuffled[other]!, shuffled[n]!];
  }
  return shuffled.slice(0, count);
}

function halves<T>(items: readonly T[]): [T[], T[]] {
  const half = Math.ceil(items.length / 2);
  return [items.slice(0, half), items.slice(half)];
}

/** The items one after the other, and round again when used up. */
function inTurn<T>(items: readonly T[]): () => T {
  let next = 0;
  return () => items[next++ % items.length]!;
}

function rowCounts(db: SqliteDatabase): Record<string, number> {
  const tables = db
    .prepare<[], string>(
      "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name",
    )
    .pluck()
    .all();
  return Object.fromEntries(
    tables.map((table) => [table, db.prepare<[], number>(`SELECT COUNT(*) FROM "${table}"`).pluck().get() ?? 0]),
  );
}

function fileSize(path: string): number {
  const size = (file: string) => {
    try {
      return statSync(file).size;
    } catch {
      return 0;
    }
  };
  return size(path) + size(`${path}-wal`);
}

function printTables(path: string, tables: Record<string, number>): void {
  console.log(`  file: ${(fileSize(path) / 1e9).toFixed(2)} GB (${path})`);
  console.log(
    `  rows: ${Object.entries(tables)
      .filter(([, rows]) => rows > 0)
      .map(([table, rows]) => `${table} ${millions(rows)}`)
      .join(', ')}`,
  );
}

function printSeeding(seeded: SeedReport, where: string): void {
  const seconds = seeded.totalMs / 1000;
  const writes = Object.values(seeded.writes).reduce((sum, n) => sum + n, 0);
  console.log(
    `\nseeding ${where}: ${number(seeded.requests)} requests and ${number(seeded.diagnoses)} diagnoses through the repositories in ${seconds.toFixed(0)} s: ${number(seeded.requests / seconds)} requests/s, ${millions(writes)} repository writes (${number(writes / seconds)}/s)`,
  );
  console.log(
    `  time: ${Object.entries(seeded.phases)
      .map(([phase, ms]) => `${phase} ${(ms / 1000).toFixed(0)} s`)
      .join(', ')}`,
  );
  console.log(
    `  writes: ${Object.entries(seeded.writes)
      .map(([kind, n]) => `${kind} ${millions(n)}`)
      .join(', ')}`,
  );
  console.log(
    `  requests by state: ${Object.entries(seeded.states)
      .sort(([, a], [, b]) => b - a)
      .map(([state, n]) => `${state} ${number(n)}`)
      .join(', ')}`,
  );
}
