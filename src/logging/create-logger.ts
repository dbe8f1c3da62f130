import { pino, type DestinationStream, type Logger, type LoggerOptions } from 'pino';

export type { Logger } from 'pino';

/** Key names whose values never reach a log line, at any depth. */
export const SENSITIVE_KEY = /pass|token|secret|authorization|credential|private_?key|cookie|api_?key|signature/i;

/** Placeholder written instead of a sensitive value. */
export const REDACTED = '[redacted]';

/**
 * Builds the process logger: JSON lines, ISO timestamps, and redaction configured here once,
 * by key name at any depth, so no call site has to remember it.
 */
export function createLogger(
  options: { level: LoggerOptions['level']; base?: Record<string, unknown> },
  destination?: DestinationStream,
): Logger {
  const loggerOptions: LoggerOptions = {
    level: options.level,
    base: { service: 'sign-in-help', ...options.base },
    timestamp: pino.stdTimeFunctions.isoTime,
    messageKey: 'msg',
    formatters: {
      level: (label) => ({ level: label }),
      log: (object) => scrub(object) as Record<string, unknown>,
    },
    serializers: { err: pino.stdSerializers.err, error: pino.stdSerializers.err },
  };
  return destination ? pino(loggerOptions, destination) : pino(loggerOptions);
}

/** Returns a copy of `value` with every sensitive key's value replaced. */
export function scrub(value: unknown, seen: WeakSet<object> = new WeakSet()): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (value instanceof Error) return scrub(pino.stdSerializers.err(value), seen);
  if (seen.has(value)) return '[circular]';
  seen.add(value);
  if (Array.isArray(value)) return value.map((item) => scrub(item, seen));
  const copy: Record<string, unknown> = {};
  for (const [key, inner] of Object.entries(value)) {
    copy[key] = SENSITIVE_KEY.test(key) && inner !== undefined && inner !== null ? REDACTED : scrub(inner, seen);
  }
  return copy;
}
