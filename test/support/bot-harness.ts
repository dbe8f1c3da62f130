import { join } from 'node:path';
import { Writable } from 'node:stream';
import { loadConfig } from '../../src/config/load-config.js';
import { createBotService, type BotService, type ServiceOverrides } from '../../src/create-bot-service.js';
import { createLogger } from '../../src/logging/create-logger.js';
import { tempFolder } from './temp-folders.js';

/** Log lines written by a bot under test, parsed. */
export class LogCapture extends Writable {
  readonly lines: string[] = [];
  override _write(chunk: Buffer, _encoding: string, callback: () => void): void {
    this.lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
    callback();
  }
  entries(): Array<Record<string, any>> {
    return this.lines.map((line) => JSON.parse(line) as Record<string, any>);
  }
  text(): string {
    return this.lines.join('\n');
  }
}

export interface HttpResult {
  status: number;
  body: any;
  text: string;
  headers: Headers;
}

export interface RunningBot {
  url: string;
  service: BotService;
  logs: LogCapture;
  sqlitePath: string;
  post(body: unknown, headers?: Record<string, string>): Promise<HttpResult>;
  postRaw(body: string, headers?: Record<string, string>): Promise<HttpResult>;
  get(path: string): Promise<HttpResult>;
  stop(): Promise<void>;
}

export interface StartOptions {
  env?: Record<string, string>;
  sqlitePath?: string;
  overrides?: ServiceOverrides;
}

/** A fresh folder for a test's SQLite file. */
export function tempSqlitePath(): string {
  return join(tempFolder('sign-in-help-'), 'bot.sqlite');
}

/** Starts the real service (restify, teams-ai, SQLite file) on a free loopback port. */
export async function startBot(options: StartOptions = {}): Promise<RunningBot> {
  const sqlitePath = options.sqlitePath ?? tempSqlitePath();
  // Approved requests are carried out when a test calls service.runExecution(), not on a timer mid-test.
  const config = loadConfig({
    PORT: '0',
    LOG_LEVEL: 'debug',
    SQLITE_PATH: sqlitePath,
    EXECUTION_POLL_SECONDS: '86400',
    ...options.env,
  });
  const logs = new LogCapture();
  const logger = createLogger({ level: config.logLevel }, logs);
  const service = await createBotService(config, logger, options.overrides);
  const port = await service.start();
  const url = `http://127.0.0.1:${port}`;

  const request = async (path: string, init: RequestInit): Promise<HttpResult> => {
    const response = await fetch(`${url}${path}`, init);
    const text = await response.text();
    let body: any;
    try {
      body = text ? JSON.parse(text) : undefined;
    } catch {
      body = undefined;
    }
    return { status: response.status, body, text, headers: response.headers };
  };
  const postRaw = (body: string, headers: Record<string, string> = {}) =>
    request('/api/messages', { method: 'POST', body, headers: { 'content-type': 'application/json', ...headers } });

  return {
    url,
    service,
    logs,
    sqlitePath,
    post: (body, headers) => postRaw(JSON.stringify(body), headers),
    postRaw,
    get: (path) => request(path, { method: 'GET' }),
    stop: () => service.stop(),
  };
}
