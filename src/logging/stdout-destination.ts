import type { Writable } from 'node:stream';

/** Where the process logger writes: never blocks the process, whatever reads (or no longer reads) its output. */
export interface LogDestination {
  write(line: string): void;
  /** Resolves once every accepted line has been handed to the operating system, or after `timeoutMs`. */
  flush(timeoutMs: number): Promise<void>;
}

/** Lines waiting for a slow reader before new ones are dropped (and counted). */
const DEFAULT_BACKLOG_BYTES = 8 * 1024 * 1024;

/**
 * A log destination on the process's stdout. pino's default destination flushes synchronously when the
 * process exits and retries a write that failed forever, so a bot whose stdout reader had gone (its parent
 * died) never exited, not even on a second signal. This one writes through Node's own asynchronous stream:
 * once the reader is gone (EPIPE) lines are dropped; while a reader is too slow, lines beyond
 * `backlogBytes` are dropped and a line says how many. Exiting never waits for it.
 */
export function createStdoutDestination(
  stream: Writable = process.stdout,
  backlogBytes = DEFAULT_BACKLOG_BYTES,
): LogDestination {
  let broken = false;
  let dropped = 0;
  /** Lines handed to the stream and not yet written out. */
  let pending = 0;
  const waiting = new Set<() => void>();
  const written = () => {
    pending -= 1;
    if (pending === 0) for (const resolve of waiting) resolve();
  };
  // An EPIPE here would otherwise become an uncaught exception; nothing more will be written.
  stream.on('error', () => {
    broken = true;
    for (const resolve of waiting) resolve();
  });
  const send = (line: string) => {
    pending += 1;
    stream.write(line, written);
  };
  return {
    write(line) {
      if (broken || stream.destroyed) return;
      if (stream.writableLength > backlogBytes) {
        dropped += 1;
        return;
      }
      if (dropped > 0) {
        send(
          `${JSON.stringify({ level: 'warn', time: new Date().toISOString(), service: 'sign-in-help', dropped, msg: 'log lines were dropped: stdout was not being read' })}\n`,
        );
        dropped = 0;
      }
      send(line);
    },
    flush(timeoutMs) {
      if (broken || pending === 0) return Promise.resolve();
      return new Promise((resolve) => {
        const done = () => {
          clearTimeout(timer);
          waiting.delete(done);
          resolve();
        };
        const timer = setTimeout(done, timeoutMs);
        timer.unref();
        waiting.add(done);
      });
    },
  };
}
