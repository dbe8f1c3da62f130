import { parse } from 'pg-connection-string';

/**
 * The database a URL names, as `host:port/database`: what logs and messages may show (never the password).
 * Apart from the driver, so that the entry point can log it before telemetry has instrumented `pg`.
 */
export function describeDatabase(url: string): string {
  const { host, port, database } = parse(url);
  return `${host || 'localhost'}:${port || 5432}/${database ?? ''}`;
}
