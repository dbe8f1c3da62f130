import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { resolve } from 'node:path';
import type { Writable } from 'node:stream';
import { loadConfig } from '../src/config/load-config.js';
import { projectRoot } from '../src/project-root.js';
import { openAuditReader, type AuditSource } from '../src/store/open-audit-reader.js';
import { UsageError, commandLogger, reportCommandError } from './audit-verify.js';
import { isMainModule } from './lib/is-main-module.js';

const USAGE =
  'Usage: npm run audit:export -- [--since <date>] [--until <date>] [--out <file>]   (dates in UTC: 2026-01-31 or 2026-01-31T09:00:00Z; --since included, --until not)';

/** What `audit:export` was asked for: events with `since <= time < until`, to a file or stdout. */
export interface ExportOptions {
  since: Date;
  until: Date;
  out: string | undefined;
}

/** Reads `--since`, `--until` and `--out` (also as `--name=value`); throws a UsageError for anything else. */
export function parseExportArguments(args: readonly string[], now: Date = new Date()): ExportOptions {
  const values: Partial<Record<'since' | 'until' | 'out', string>> = {};
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    const match = /^--(since|until|out)(?:=(.*))?$/.exec(arg);
    if (!match) throw new UsageError(`unknown argument "${arg}". ${USAGE}`);
    const value = match[2] ?? args[++i];
    if (value === undefined || value === '') throw new UsageError(`--${match[1]} needs a value. ${USAGE}`);
    values[match[1] as 'since' | 'until' | 'out'] = value;
  }
  const since = values.since === undefined ? new Date(0) : parseUtc('--since', values.since);
  const until = values.until === undefined ? now : parseUtc('--until', values.until);
  if (since >= until) throw new UsageError(`--since must be before --until. ${USAGE}`);
  return { since, until, out: values.out };
}

/** A date (midnight UTC) or a date and time with Z or an offset; never the local time zone. */
function parseUtc(name: string, value: string): Date {
  const dateOnly = /^\d{4}-\d{2}-\d{2}$/.test(value);
  const withZone = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2})$/i.test(value);
  const date = new Date(dateOnly ? `${value}T00:00:00.000Z` : value);
  if ((!dateOnly && !withZone) || Number.isNaN(date.getTime())) {
    throw new UsageError(`${name} "${value}" is not a UTC date like 2026-01-31 or 2026-01-31T09:00:00Z. ${USAGE}`);
  }
  return date;
}

/**
 * Writes the audit events of `source` (the PostgreSQL database when DATABASE_URL is set, otherwise the SQLite
 * file) with `since <= time < until` to `out`, one JSON object per line (JSON Lines, for Microsoft Sentinel,
 * Purview or Splunk): who, what, when in UTC, the request, the Graph request id, the refusal's reason, and the
 * event's place in the chain. Reads only. Returns how many events it wrote.
 */
export async function exportAuditTrail(
  source: AuditSource,
  range: Pick<ExportOptions, 'since' | 'until'>,
  out: Writable,
): Promise<number> {
  const reader = await openAuditReader(source, undefined, commandLogger());
  try {
    let written = 0;
    for await (const event of reader.exportEvents(range)) {
      // Waits when the reader is slower, so a long trail never piles up in memory.
      if (!out.write(`${JSON.stringify(event)}\n`)) await once(out, 'drain');
      written += 1;
    }
    return written;
  } finally {
    await reader.close();
  }
}

if (isMainModule(import.meta.url)) {
  // sysexits.h: 78 is EX_CONFIG, 66 is EX_NOINPUT, 64 is EX_USAGE, 73 is EX_CANTCREAT.
  try {
    const options = parseExportArguments(process.argv.slice(2));
    const config = loadConfig(process.env, { dotenvDir: projectRoot });
    const file = options.out === undefined ? undefined : resolve(options.out);
    const out = file === undefined ? process.stdout : createWriteStream(file, { mode: 0o600 });
    // A reader that stops early (`| head`) is not an error: stop writing, quietly.
    if (file === undefined) {
      process.stdout.on('error', (error: NodeJS.ErrnoException) => {
        if (error.code !== 'EPIPE') throw error;
        process.exit(0);
      });
    }
    if (file !== undefined) {
      await Promise.race([
        once(out, 'open'),
        once(out, 'error').then(([error]: unknown[]) => {
          throw new UsageError(`Cannot write ${file}: ${(error as Error).message}`);
        }),
      ]);
    }
    const written = await exportAuditTrail(config, options, out);
    if (file !== undefined) {
      out.end();
      await once(out, 'finish');
    }
    console.error(
      `Exported ${written} audit ${written === 1 ? 'event' : 'events'} from ${options.since.toISOString()} to ${options.until.toISOString()}${file === undefined ? '' : ` into ${file}`}.`,
    );
  } catch (error) {
    process.exitCode = reportCommandError(error);
  }
}
