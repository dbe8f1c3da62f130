import { loadConfig } from '../src/config/load-config.js';
import type { AuditVerification } from '../src/domain/requests/ports.js';
import { ConfigurationError } from '../src/errors.js';
import { createLogger, type Logger } from '../src/logging/create-logger.js';
import { projectRoot } from '../src/project-root.js';
import type { AnchorCheck, AuditAnchorPoint, AuditKeyRing, ChainReport } from '../src/store/audit-chain.js';
import { readAuditKeys } from '../src/store/audit-keys.js';
import {
  AuditTrailUnavailableError,
  openAuditReader,
  sqlitePathOf,
  type AuditSource,
} from '../src/store/open-audit-reader.js';
import { isMainModule } from './lib/is-main-module.js';

/** What `audit:verify` found: the verification, the trail's head, and the anchor when one was given. */
export type AuditReport = AuditVerification & Omit<ChainReport, 'verification'>;

export interface VerifyOptions {
  /** The keys events may be signed with; by default the local key file beside the SQLite path, if any. */
  keys?: AuditKeyRing | undefined;
  /** A published anchor (sequence and hash, as on the anchor card) to look for. */
  anchor?: AuditAnchorPoint | undefined;
}

/** The audit commands' logger: warnings and worse, as JSON on stderr, so that stdout holds only their output. */
export function commandLogger(): Logger {
  return createLogger({ level: 'warn', base: { command: 'audit' } }, process.stderr);
}

/**
 * Re-computes the audit trail's chain in `source` (the PostgreSQL database when DATABASE_URL is set, otherwise the
 * SQLite file; HMAC-SHA-256 for signed events, SHA-256 for those written before keying), checks each request's
 * contact details and notes against the digest its latest event recorded, and looks for the anchor when one is
 * given. Reads only: the database is neither migrated nor written.
 */
export async function verifyAuditTrail(source: AuditSource, options: VerifyOptions = {}): Promise<AuditReport> {
  const keys = options.keys ?? readAuditKeys({ key: undefined, previousKeys: [] }, sqlitePathOf(source));
  const reader = await openAuditReader(source, keys, commandLogger());
  try {
    const { verification, ...rest } = await reader.verify(options.anchor);
    return { ...verification, ...rest };
  } finally {
    await reader.close();
  }
}

/** The lines the command prints for a result. */
export function describeVerification(result: AuditReport | AuditVerification, anchor?: AuditAnchorPoint): string {
  const count = `${result.events} ${result.events === 1 ? 'event' : 'events'}`;
  const unsigned = 'unsigned' in result ? result.unsigned : 0;
  const lines = [
    result.ok
      ? `Audit trail OK: ${count}, chain intact.${unsigned > 0 ? ` The first ${unsigned} were written before the trail was keyed (SHA-256 only); signed events and anchors after them cover them.` : ''}`
      : `Audit trail BROKEN at event #${result.brokenAt}: ${result.problem}. ${count} checked.`,
  ];
  const check = 'anchor' in result ? result.anchor : undefined;
  if (anchor && check) lines.push(describeAnchor(anchor, check, result));
  return lines.join('\n');
}

function describeAnchor(anchor: AuditAnchorPoint, check: AnchorCheck, result: AuditVerification): string {
  const name = `Anchor #${anchor.sequence} (${anchor.hash.slice(0, 12)}…)`;
  switch (check.kind) {
    case 'contained':
      return result.ok || result.brokenAt > anchor.sequence
        ? `${name}: the trail still contains it, and no event up to it is missing.`
        : `${name}: the trail still contains it, but the chain breaks before it (see above).`;
    case 'rewritten':
      return check.hash === undefined
        ? `${name}: NOT in the trail: no event has that number any more, so the history up to it was rewritten.`
        : `${name}: NOT in the trail: event #${anchor.sequence} now has another hash, so the history up to it was rewritten.`;
    case 'missing':
      return `${name}: NOT in the trail: it ends at event #${check.lastSequence}, so ${check.missing} ${check.missing === 1 ? 'event' : 'events'} up to the anchor ${check.missing === 1 ? 'is' : 'are'} missing.`;
  }
}

/** Reads `--anchor <sequence>:<hash>` (or `--anchor=…`); throws a UsageError for anything else. */
export function parseVerifyArguments(args: readonly string[]): { anchor: AuditAnchorPoint | undefined } {
  const usage =
    'Usage: npm run audit:verify [-- --anchor <sequence>:<hash>]   (the sequence and hash as printed on an anchor card)';
  let anchor: AuditAnchorPoint | undefined;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    const value = arg.startsWith('--anchor=') ? arg.slice('--anchor='.length) : arg === '--anchor' ? args[++i] : null;
    if (value === null) throw new UsageError(`unknown argument "${arg}". ${usage}`);
    const match = /^#?(\d{1,15}):([0-9a-f]{64})$/i.exec(value?.trim() ?? '');
    if (!match) {
      throw new UsageError(`--anchor takes the event number and its 64-digit hash, like 1234:9f86d081…. ${usage}`);
    }
    anchor = { sequence: Number(match[1]), hash: match[2]!.toLowerCase() };
  }
  return { anchor };
}

/** The command line was not understood. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/**
 * Prints what stopped an audit command in one sentence and returns its exit code (sysexits.h: 78 EX_CONFIG,
 * 66 EX_NOINPUT, 64 EX_USAGE); anything else is rethrown.
 */
export function reportCommandError(error: unknown): number {
  if (error instanceof ConfigurationError) {
    console.error(`${error.message}\nSee .env.example for every setting.`);
    return 78;
  }
  if (error instanceof AuditTrailUnavailableError || error instanceof UsageError) {
    console.error(error.message);
    return error instanceof UsageError ? 64 : 66;
  }
  throw error;
}

if (isMainModule(import.meta.url)) {
  // sysexits.h: 78 is EX_CONFIG, 66 is EX_NOINPUT, 64 is EX_USAGE; 1 is kept for a broken chain or anchor.
  try {
    const { anchor } = parseVerifyArguments(process.argv.slice(2));
    const config = loadConfig(process.env, { dotenvDir: projectRoot });
    const keys = readAuditKeys(config.audit, config.sqlitePath);
    const result = await verifyAuditTrail(config, { keys, anchor });
    console.log(describeVerification(result, anchor));
    process.exitCode = result.ok && (!result.anchor || result.anchor.kind === 'contained') ? 0 : 1;
  } catch (error) {
    process.exitCode = reportCommandError(error);
  }
}
