import { describe, expect, it } from 'vitest';
import { createLogger, REDACTED } from '../../src/logging/create-logger.js';
import { LogCapture } from '../support/bot-harness.js';

describe('the logger', () => {
  const capture = () => {
    const sink = new LogCapture();
    return { sink, logger: createLogger({ level: 'info', base: { mode: 'test' } }, sink) };
  };

  it('writes one JSON object per line with level, time, message and bound fields', () => {
    const { sink, logger } = capture();
    logger.child({ requestId: 'r-1' }).info({ conversationId: 'c-1' }, 'hello');
    const [entry] = sink.entries();
    expect(entry).toMatchObject({
      level: 'info',
      service: 'sign-in-help',
      mode: 'test',
      requestId: 'r-1',
      conversationId: 'c-1',
      msg: 'hello',
    });
    expect(new Date(entry!.time).toISOString()).toBe(entry!.time);
  });

  it('redacts secrets, tokens, passes and Authorization headers by key name at any depth', () => {
    const { sink, logger } = capture();
    logger.info(
      {
        req: { headers: { authorization: 'Bearer eyJabc', Cookie: 'session=1', 'content-type': 'application/json' } },
        MicrosoftAppPassword: 'pw-1',
        clientSecret: 'secret-1',
        nested: [{ temporaryAccessPass: 'TAP-123456', accessToken: 'tok-1', refresh_token: 'tok-2', privateKey: 'pk' }],
        apiKey: 'k-1',
        safe: 'visible',
      },
      'request',
    );
    const line = sink.text();
    for (const secret of ['eyJabc', 'session=1', 'pw-1', 'secret-1', 'TAP-123456', 'tok-1', 'tok-2', '"pk"', 'k-1']) {
      expect(line).not.toContain(secret);
    }
    const [entry] = sink.entries();
    expect(entry!.req.headers.authorization).toBe(REDACTED);
    expect(entry!.req.headers['content-type']).toBe('application/json');
    expect(entry!.nested[0].temporaryAccessPass).toBe(REDACTED);
    expect(entry!.safe).toBe('visible');
  });

  it('keeps an error’s message and stack while redacting sensitive fields attached to it', () => {
    const { sink, logger } = capture();
    const error = Object.assign(new Error('Graph said no'), { code: 'Forbidden', token: 'tok-9' });
    logger.error({ err: error }, 'failed');
    const [entry] = sink.entries();
    expect(entry!.err.message).toBe('Graph said no');
    expect(entry!.err.stack).toContain('Graph said no');
    expect(entry!.err.code).toBe('Forbidden');
    expect(sink.text()).not.toContain('tok-9');
  });

  it('survives circular objects', () => {
    const { sink, logger } = capture();
    const loop: Record<string, unknown> = { name: 'loop' };
    loop.self = loop;
    logger.info({ loop }, 'circular');
    expect(sink.entries()[0]!.loop.self).toBe('[circular]');
  });
});
