import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createStdoutDestination } from '../../src/logging/stdout-destination.js';

/** A reader that takes lines only when told to, like a parent process that stopped reading its pipe. */
class StalledReader extends Writable {
  readonly lines: string[] = [];
  private pending: Array<() => void> = [];
  constructor() {
    super({ highWaterMark: 16 });
  }
  override _write(chunk: Buffer, _encoding: string, callback: () => void): void {
    this.lines.push(chunk.toString('utf8'));
    this.pending.push(callback);
  }
  readAll(): void {
    for (const callback of this.pending.splice(0)) callback();
  }
}

describe('the log destination on stdout', () => {
  it('drops lines beyond its backlog while the reader is stalled, then says how many', async () => {
    const reader = new StalledReader();
    const logs = createStdoutDestination(reader, 100);
    for (let i = 0; i < 50; i += 1) logs.write(`{"n":${i}}\n`);
    expect(reader.writableLength).toBeLessThan(200);

    // A write's callback comes only when the reader takes it; keep taking until everything is written.
    const draining = setInterval(() => reader.readAll(), 5);
    await logs.flush(1_000);
    logs.write('{"n":"after"}\n');
    await logs.flush(1_000);
    clearInterval(draining);
    const text = reader.lines.join('');
    const dropped = Number(/"dropped":(\d+),"msg":"log lines were dropped: stdout was not being read"/.exec(text)?.[1]);
    expect(dropped).toBeGreaterThan(30);
    expect(text.split('\n').filter((line) => line.startsWith('{"n":'))).toHaveLength(50 - dropped + 1);
    expect(text).toContain('{"n":"after"}');
  });

  it('stops writing once the reader has gone, without throwing', async () => {
    const reader = new Writable({ write: (_chunk, _encoding, callback) => callback(new Error('EPIPE')) });
    const logs = createStdoutDestination(reader);
    logs.write('{"n":1}\n');
    await new Promise((resolve) => setImmediate(resolve));
    expect(() => logs.write('{"n":2}\n')).not.toThrow();
    await expect(logs.flush(50)).resolves.toBeUndefined();
  });

  it('gives up flushing after its timeout when nothing is read', async () => {
    const reader = new StalledReader();
    const logs = createStdoutDestination(reader);
    logs.write('{"n":1}\n');
    const started = Date.now();
    await logs.flush(100);
    expect(Date.now() - started).toBeLessThan(1_000);
  });
});
