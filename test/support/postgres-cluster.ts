import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import pg from 'pg';

/*
 * Throwaway PostgreSQL clusters on loopback, for the tests (test/support/postgres-server.ts) and the bench
 * (bench/postgres.ts): found on the machine, started in a temporary folder, stopped and deleted afterwards.
 */

/** Debian's packages put each major version's programs here, off PATH. */
export const DEBIAN_PROGRAMS = '/usr/lib/postgresql';

export interface PostgresPrograms {
  initdb: string;
  pgCtl: string;
}

/** A running throwaway cluster: a superuser URL on it, and how to stop and delete it. */
export interface PostgresCluster {
  url: string;
  /** Stops the server and deletes its folder; synchronous inside, so a signal handler may call it. */
  stop(): Promise<void>;
}

export interface ClusterOptions {
  /**
   * Whether commits reach the disk as a production server's do (fsync on). Tests throw their data away and
   * turn it off; the bench measures with it on.
   */
  durable: boolean;
  /** The folder's name begins with this, so a stray one says who left it. */
  prefix: string;
}

/** initdb and pg_ctl from PATH, or from the newest version under /usr/lib/postgresql. */
export function findPrograms(): PostgresPrograms | undefined {
  const candidates = (process.env.PATH ?? '').split(delimiter).filter(Boolean);
  if (existsSync(DEBIAN_PROGRAMS)) {
    const versions = readdirSync(DEBIAN_PROGRAMS).sort((a, b) => Number(b) - Number(a));
    candidates.push(...versions.map((version) => join(DEBIAN_PROGRAMS, version, 'bin')));
  }
  for (const folder of candidates) {
    const initdb = join(folder, 'initdb');
    if (!existsSync(initdb)) continue;
    // pg_ctl beside initdb's real file: PATH may hold links to one version's programs.
    const real = dirname(realpathSync(initdb));
    const pgCtl = [join(real, 'pg_ctl'), join(folder, 'pg_ctl')].find((path) => existsSync(path));
    if (pgCtl) return { initdb: join(real, 'initdb'), pgCtl };
  }
  return undefined;
}

/**
 * initdb and starts a cluster: trust authentication on 127.0.0.1 only, on a free port. PostgreSQL refuses to
 * run as root, so as root (CI's containers) the cluster belongs to an unprivileged user. A watchdog stops and
 * deletes it should this process end without calling stop().
 */
export async function startCluster(programs: PostgresPrograms, options: ClusterOptions): Promise<PostgresCluster> {
  const folder = mkdtempSync(join(tmpdir(), options.prefix));
  const owner = clusterOwner();
  if (owner) chownSync(folder, owner.uid, owner.gid);
  const data = join(folder, 'data');
  const port = await freePort();
  const watchdog = startWatchdog(folder, data);
  const run = (program: string, args: string[]) => {
    const result = spawnSync(program, args, { ...owner, encoding: 'utf8', env: { ...process.env, LC_ALL: 'C' } });
    if (result.status !== 0) {
      const log = existsSync(join(folder, 'log')) ? readFileSync(join(folder, 'log'), 'utf8').slice(-2_000) : '';
      throw new Error(`${program} ${args[0]} failed: ${result.stderr || result.error?.message}\n${log}`);
    }
  };
  const stop = async () => {
    try {
      if (existsSync(join(data, 'postmaster.pid'))) run(programs.pgCtl, ['stop', '-D', data, '-m', 'immediate', '-w']);
    } finally {
      rmSync(folder, { recursive: true, force: true });
      if (watchdog.pid !== undefined) process.kill(watchdog.pid);
    }
  };
  try {
    // --no-sync only spares initdb's own writes; what the server does is decided below.
    run(programs.initdb, ['-D', data, '-A', 'trust', '-U', 'postgres', '-E', 'UTF8', '--no-locale', '--no-sync']);
    const settings = [
      `-p ${port}`,
      '-c listen_addresses=127.0.0.1',
      `-k ${folder}`,
      ...(options.durable ? [] : ['-c fsync=off', '-c synchronous_commit=off', '-c full_page_writes=off']),
      '-c max_connections=300',
    ].join(' ');
    run(programs.pgCtl, ['start', '-D', data, '-l', join(folder, 'log'), '-w', '-t', '60', '-o', settings]);
  } catch (error) {
    await stop();
    throw error;
  }
  return { url: `postgres://postgres@127.0.0.1:${port}/postgres`, stop };
}

/** A database made on the server at `serverUrl` (a role that may create databases), and how to drop it. */
export interface CreatedDatabase {
  url: string;
  /** Drops the database, ending whatever connections are still open to it. */
  drop(): Promise<void>;
}

/** Makes the empty database `name` (lower case letters, digits and _) on the server at `serverUrl`. */
export async function createDatabase(serverUrl: string, name: string): Promise<CreatedDatabase> {
  if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`not a plain database name: ${name}`);
  await onServer(serverUrl, `CREATE DATABASE ${name}`);
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: async () => {
      await sessionsEnded(serverUrl, name);
      await onServer(serverUrl, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    },
  };
}

/**
 * Waits (up to 2 s) for the sessions on database `name` to end by themselves. A pool's end() resolves once its
 * clients have asked to close, and a session that DROP … WITH (FORCE) terminates in that moment sends its client an
 * error after the pool stopped listening: an unhandled error in whatever test file happens to be running.
 */
async function sessionsEnded(serverUrl: string, name: string): Promise<void> {
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  try {
    for (const deadline = Date.now() + 2_000; Date.now() < deadline;) {
      const { rows } = await client.query<{ count: string }>(
        'SELECT COUNT(*) AS count FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()',
        [name],
      );
      if (Number(rows[0]!.count) === 0) return;
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  } finally {
    await client.end();
  }
}

/** Runs one statement on the server's own database (CREATE and DROP DATABASE cannot run in the one they name). */
async function onServer(url: string, statement: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(statement);
  } finally {
    await client.end();
  }
}

/** Who owns the cluster when this runs as root: the postgres user Debian's packages make, else nobody. */
function clusterOwner(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  for (const user of ['postgres', 'nobody']) {
    try {
      const uid = Number(execFileSync('id', ['-u', user], { encoding: 'utf8' }).trim());
      const gid = Number(execFileSync('id', ['-g', user], { encoding: 'utf8' }).trim());
      return { uid, gid };
    } catch {
      // No such user: try the next.
    }
  }
  throw new Error('running as root, and neither a postgres nor a nobody user exists to own the cluster');
}

/**
 * A detached shell that stops the cluster and deletes its folder once this process is gone: stop() does so
 * normally, this covers a process killed before it could (SIGQUIT is PostgreSQL's immediate shutdown).
 */
function startWatchdog(folder: string, data: string) {
  const script = `
    while kill -0 "$RUNNER" 2>/dev/null; do sleep 1; done
    pid=$(head -n 1 "$DATA/postmaster.pid" 2>/dev/null) && kill -QUIT "$pid" 2>/dev/null && sleep 2
    rm -rf "$FOLDER"`;
  const watchdog = spawn('sh', ['-c', script], {
    detached: true,
    stdio: 'ignore',
    env: { PATH: process.env.PATH, RUNNER: String(process.pid), DATA: data, FOLDER: folder },
  });
  watchdog.unref();
  return watchdog;
}

/** A loopback port nothing listens on right now. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}
