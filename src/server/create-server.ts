import { createHash, randomUUID, timingSafeEqual } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import restify, { type Request, type Response } from 'restify';
import type { Config } from '../config/load-config.js';
import type { HealthCheck } from '../domain/ports.js';
import { resolveLocale } from '../domain/locale.js';
import type { Logger } from '../logging/create-logger.js';
import { pagePath, renderPage } from './render-page.js';

/** The messaging endpoint, as the server sees it: body and headers in, status and body out. */
export type MessageHandler = (request: {
  body: unknown;
  authorization: string | undefined;
  requestId: string;
  logger: Logger;
}) => Promise<{ status: number; body?: unknown }>;

export interface ServerDeps {
  config: Config;
  logger: Logger;
  handleMessage: MessageHandler;
  /** Each must resolve for /readyz to answer 200. */
  readiness: HealthCheck[];
  /** Served at /metrics when METRICS_ENABLED. */
  metrics?: { render(): Promise<{ contentType: string; body: string }> };
}

/** The running HTTP server and how to stop it. */
export interface BotServer {
  /** Starts listening; resolves with the port actually bound. */
  start(): Promise<number>;
  /** Stops accepting, lets requests in flight finish (up to the shutdown timeout), then resolves. */
  stop(): Promise<void>;
}

const REQUEST_ID = /^[\w.:-]{1,128}$/;

/** Fixed texts for errors the HTTP layer answers itself; nothing from the exception leaks. */
const PUBLIC_ERRORS: Record<number, { error: string; message: string }> = {
  400: { error: 'bad_request', message: 'The request body is not valid JSON.' },
  401: { error: 'unauthorized', message: 'This address needs credentials.' },
  404: { error: 'not_found', message: 'There is nothing at this address.' },
  405: { error: 'method_not_allowed', message: 'This address does not accept that method.' },
  413: { error: 'payload_too_large', message: 'The request body is too large.' },
  415: { error: 'unsupported_media_type', message: 'Send the activity as application/json.' },
};
const INTERNAL_ERROR = { error: 'internal_error', message: 'The bot could not process this request.' };

/** Builds the restify server: /api/messages, /healthz, /readyz, request ids, safe error bodies. */
export function createServer(deps: ServerDeps): BotServer {
  const { config, logger } = deps;
  const server = restify.createServer({ name: 'sign-in-help', handleUncaughtExceptions: false });
  let inFlight = 0;
  let draining = false;
  const idle: Array<() => void> = [];

  server.pre((req: Request, res: Response, next) => {
    const incoming = req.header('x-request-id');
    const requestId = incoming && REQUEST_ID.test(incoming) ? incoming : randomUUID();
    (req as Request & { requestId: string }).requestId = requestId;
    res.header('x-request-id', requestId);
    inFlight += 1;
    const started = process.hrtime.bigint();
    let done = false;
    const finish = () => {
      if (done) return;
      done = true;
      inFlight -= 1;
      const durationMs = Number(process.hrtime.bigint() - started) / 1e6;
      logger[requestLogLevel(config.mode.kind, req.path(), res.statusCode, durationMs)](
        { requestId, method: req.method, path: req.path(), status: res.statusCode, durationMs },
        'request finished',
      );
      if (inFlight === 0) idle.splice(0).forEach((resolve) => resolve());
    };
    res.once('finish', finish);
    res.once('close', finish);
    next();
  });
  // jsonBodyParser hands its options to the body reader, which enforces maxBodySize (413).
  const bodyOptions: restify.plugins.JsonBodyParserOptions & { maxBodySize: number } = {
    maxBodySize: config.maxBodyBytes,
  };
  server.use(restify.plugins.jsonBodyParser(bodyOptions));

  server.on(
    'restifyError',
    (
      req: Request,
      _res: Response,
      err: Error & { statusCode?: number; toJSON?: () => unknown },
      callback: () => void,
    ) => {
      const status = err.statusCode ?? 500;
      const body =
        PUBLIC_ERRORS[status] ??
        (status >= 500 ? INTERNAL_ERROR : { error: 'request_refused', message: 'The request was refused.' });
      const log = status >= 500 ? logger.error.bind(logger) : logger.warn.bind(logger);
      log({ requestId: requestIdOf(req), status, err }, 'request failed in the HTTP layer');
      err.toJSON = () => body;
      // restify also uses toString() for non-JSON responses.
      err.toString = () => body.message;
      callback();
    },
  );

  server.post('/api/messages', async (req: Request, res: Response) => {
    const requestId = requestIdOf(req);
    try {
      const result = await deps.handleMessage({
        body: req.body as unknown,
        authorization: req.header('authorization') || undefined,
        requestId,
        logger,
      });
      if (result.body === undefined) res.send(result.status);
      else res.send(result.status, result.body);
    } catch (error) {
      logger.error({ requestId, err: error }, 'message handling failed');
      res.send(500, INTERNAL_ERROR);
    }
  });

  for (const name of ['home', 'privacy', 'terms'] as const) {
    server.get(pagePath(name), async (req: Request, res: Response) => {
      const locale = resolveLocale(pageLanguage(req), config.defaultLocale);
      const html = renderPage(name, locale);
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'content-language': locale });
      res.end(html);
    });
  }

  // The Agents Playground (and some probes) check that the endpoint exists before posting.
  server.head('/api/messages', async (_req: Request, res: Response) => {
    res.send(200);
  });

  server.get('/healthz', async (_req: Request, res: Response) => {
    res.send(200, { status: 'ok' });
  });

  const metrics = config.metrics.enabled ? deps.metrics : undefined;
  if (metrics) {
    const token = config.metrics.token;
    server.get('/metrics', async (req: Request, res: Response) => {
      if (token !== undefined && !sameSecret(req.header('authorization') ?? '', `Bearer ${token}`)) {
        res.send(401, PUBLIC_ERRORS[401]);
        return;
      }
      const { contentType, body } = await metrics.render();
      res.writeHead(200, { 'content-type': contentType });
      res.end(body);
    });
  }

  server.get('/readyz', async (req: Request, res: Response) => {
    if (draining) {
      res.send(503, { status: 'shutting_down' });
      return;
    }
    try {
      await Promise.all(deps.readiness.map((check) => check.check()));
      res.send(200, { status: 'ready', mode: config.mode.kind });
    } catch (error) {
      logger.warn({ requestId: requestIdOf(req), err: error }, 'readiness check failed');
      res.send(503, { status: 'not_ready' });
    }
  });

  return {
    start: () =>
      new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(config.port, config.host, () => {
          server.removeListener('error', reject);
          resolve((server.address() as AddressInfo).port);
        });
      }),
    stop: async () => {
      draining = true;
      const closed = new Promise<void>((resolve) => server.server.close(() => resolve()));
      server.server.closeIdleConnections();
      if (inFlight > 0) {
        const drained = new Promise<void>((resolve) => idle.push(resolve));
        const timedOut = new Promise<'timeout'>((resolve) =>
          setTimeout(resolve, config.shutdownTimeoutMs, 'timeout').unref(),
        );
        if ((await Promise.race([drained, timedOut])) === 'timeout') {
          logger.warn({ inFlight }, 'shutdown timeout reached; closing connections with requests still in flight');
        }
      }
      server.server.closeAllConnections();
      await closed;
    },
  };
}

/** A request that took this long is worth a line at any level: Teams gives an invoke 5 s before it retries. */
export const SLOW_REQUEST_MS = 3_000;

/**
 * The level of a request's "request finished" line. Slow requests and server errors always show; in
 * production every activity gets a line at info (the operator's access log); a person watching the
 * local terminal sees them only with LOG_LEVEL=debug, like probes and pages everywhere.
 */
export function requestLogLevel(
  mode: Config['mode']['kind'],
  path: string,
  status: number,
  durationMs: number,
): 'debug' | 'info' | 'warn' {
  if (durationMs >= SLOW_REQUEST_MS || status >= 500) return 'warn';
  return mode === 'production' && path === '/api/messages' ? 'info' : 'debug';
}

/** `?lang=` when given, else the first language of Accept-Language. */
function pageLanguage(req: Request): string | undefined {
  const query = new URL(req.url ?? '/', 'http://localhost').searchParams.get('lang');
  return query ?? req.header('accept-language')?.split(',')[0];
}

/** Compares without telling, by its timing, how much of the secret matched. */
function sameSecret(given: string, expected: string): boolean {
  const digest = (value: string) => createHash('sha256').update(value).digest();
  return timingSafeEqual(digest(given), digest(expected));
}

function requestIdOf(req: Request): string {
  return (req as Request & { requestId?: string }).requestId ?? 'unknown';
}
