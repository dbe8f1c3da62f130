import { performance } from 'node:perf_hooks';
import pg from 'pg';
import type { SqliteDatabase } from '../src/store/sqlite/open-database.js';

/**
 * The tables of a seeded status population, in the order they are copied. Rows are copied as they are: the audit
 * trail keeps its sequence numbers and hashes (so it verifies on PostgreSQL with the same key), requests their
 * references, tallies their counts.
 */
const TABLES = [
  'requests',
  'request_events',
  'request_tallies',
  'record_views',
  'channel_posts',
  'execution_jobs',
  'diagnoses',
  'audit_anchors',
] as const;

/** Rows sent in one statement: a JSON array PostgreSQL turns into rows of the table's own types. */
const ROWS_A_STATEMENT = 5_000;

export interface CopyReport {
  rows: Record<string, number>;
  ms: number;
}

/**
 * Copies the status population of the SQLite database `source` into the PostgreSQL database at `url`, whose schema
 * the store has already made (and which holds nothing yet), then sets the audit trail's head and numbering where
 * the copy left them and analyses the tables. Seeding a million requests on PostgreSQL through the store takes hours
 * (each audited write waits for the chain's head row); the copy takes minutes and gives the same rows, so that the
 * status queries are measured on the same million on both backends.
 *
 * Each table's columns are those both schemas have; PostgreSQL reads each row from JSON into its own column types
 * (`json_populate_recordset`), so ISO times become `timestamptz` as the store would have written them.
 */
export async function copyStatusPopulation(
  source: SqliteDatabase,
  url: string,
  progress: (line: string) => void,
): Promise<CopyReport> {
  const began = performance.now();
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  const rows: Record<string, number> = {};
  try {
    await client.query('SET synchronous_commit = off');
    for (const table of TABLES) rows[table] = await copyTable(source, client, table, progress);
    // The next audited write continues the chain after the copied events, and the view log after its rows.
    await client.query(
      `UPDATE audit_head
          SET (last_sequence, last_hash) = (SELECT sequence, hash FROM request_events ORDER BY sequence DESC LIMIT 1)
        WHERE id = 1 AND EXISTS (SELECT 1 FROM request_events)`,
    );
    const chain = source.prepare('SELECT keyed_from, seal, seal_key_id FROM audit_chain WHERE id = 1').get() as
      { keyed_from: number; seal: string | null; seal_key_id: string | null } | undefined;
    if (chain) {
      await client.query('UPDATE audit_chain SET keyed_from = $1, seal = $2, seal_key_id = $3 WHERE id = 1', [
        chain.keyed_from,
        chain.seal,
        chain.seal_key_id,
      ]);
    }
    await client.query(
      `SELECT setval(pg_get_serial_sequence('record_views', 'sequence'),
                     (SELECT COALESCE(MAX(sequence), 0) + 1 FROM record_views), false)`,
    );
    progress('  analysing the copied tables …');
    await client.query('ANALYZE');
  } finally {
    await client.end();
  }
  return { rows, ms: performance.now() - began };
}

async function copyTable(
  source: SqliteDatabase,
  client: pg.Client,
  table: string,
  progress: (line: string) => void,
): Promise<number> {
  const sqliteColumns = new Set(
    source.prepare<[], string>(`SELECT name FROM pragma_table_info('${table}')`).pluck().all(),
  );
  const { rows: described } = await client.query<{ column_name: string; is_identity: string }>(
    `SELECT column_name, is_identity FROM information_schema.columns
      WHERE table_schema = current_schema() AND table_name = $1 ORDER BY ordinal_position`,
    [table],
  );
  const columns = described.map((column) => column.column_name).filter((name) => sqliteColumns.has(name));
  if (columns.length === 0) throw new Error(`${table}: no column in both schemas`);
  const identity = described.some((column) => column.is_identity === 'YES' && columns.includes(column.column_name));
  const list = columns.map((name) => `"${name}"`).join(', ');
  const insert = `INSERT INTO ${table} (${list}) ${identity ? 'OVERRIDING SYSTEM VALUE ' : ''}
    SELECT ${list} FROM json_populate_recordset(NULL::${table}, $1::json)`;
  // Streamed a statement's worth of rows at a time: the file may be far larger than memory. Nothing else runs on
  // this connection while the rows are read.
  const rows = source.prepare<[], Record<string, unknown>>(`SELECT ${list} FROM ${table}`).iterate();
  const began = performance.now();
  let copied = 0;
  let reported = began;
  let batch: Array<Record<string, unknown>> = [];
  const send = async () => {
    await client.query(insert, [JSON.stringify(batch)]);
    copied += batch.length;
    batch = [];
    if (performance.now() - reported > 30_000) {
      reported = performance.now();
      progress(`  ${table}: ${copied.toLocaleString('en')} rows so far …`);
    }
  };
  for (const row of rows) {
    batch.push(row);
    if (batch.length === ROWS_A_STATEMENT) await send();
  }
  if (batch.length > 0) await send();
  const seconds = (performance.now() - began) / 1000;
  progress(`  ${table}: ${copied.toLocaleString('en')} rows in ${seconds.toFixed(0)} s`);
  return copied;
}
