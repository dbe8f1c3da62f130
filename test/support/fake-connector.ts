import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One call the bot made to the Bot Connector. */
export interface ConnectorCall {
  method: string;
  path: string;
  conversationId: string | undefined;
  activityId: string | undefined;
  authorization: string | undefined;
  body: any;
}

/** A failure to answer the next matching call with, as the real service would. */
interface InjectedFailure {
  status: number;
  code: string;
  message: string;
  /** Calls still to fail this way. */
  times: number;
  /** Seconds for a `Retry-After` header, as the service sends with 429 and some 503s. */
  retryAfterSeconds: number | undefined;
  /** Which calls it fails; every call when absent. */
  matches: ((call: ConnectorCall) => boolean) | undefined;
}

/** How an injected failure repeats and which calls it hits. */
export interface FailureOptions {
  /** How many matching calls fail (1 when absent). */
  times?: number;
  retryAfterSeconds?: number;
  matches?: (call: ConnectorCall) => boolean;
}

/** Channel posts (new threads), the calls a failed post to the approval channel is about. */
export const isChannelPost = (call: ConnectorCall): boolean =>
  call.method === 'POST' && call.path === '/v3/conversations' && call.body?.isGroup === true;

/**
 * The Bot Connector REST API on loopback, as far as the bot uses it: send and reply to
 * activities, update and delete them, create conversations. Records every call and answers
 * with the real service's status codes and error body shape (`{ error: { code, message } }`).
 */
export class FakeConnector {
  readonly calls: ConnectorCall[] = [];
  /** Added before every answer, like the real service's round trip. */
  latencyMs = 0;
  private readonly failures: InjectedFailure[] = [];
  private held: { released: Promise<void>; release: () => void } | undefined;
  private server: Server | undefined;
  private port = 0;

  /** The serviceUrl to put in activities so the bot's replies come here. */
  get serviceUrl(): string {
    return `http://127.0.0.1:${this.port}/`;
  }

  async start(): Promise<this> {
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.port = (this.server!.address() as AddressInfo).port;
    return this;
  }

  async stop(): Promise<void> {
    this.release();
    if (!this.server) return;
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server!.close(() => resolve()));
  }

  /**
   * The next call (or the next `times` calls that `matches`) is answered with this error instead
   * of success, with a `Retry-After` header when asked.
   */
  failNext(status: number, code: string, message: string, options: FailureOptions = {}): void {
    this.failures.push({
      status,
      code,
      message,
      times: options.times ?? 1,
      retryAfterSeconds: options.retryAfterSeconds,
      matches: options.matches,
    });
  }

  /**
   * Until release(), calls are recorded as they arrive but not answered: a Bot Connector that has
   * not answered yet, without a timer, so a test can see what the bot did meanwhile.
   */
  hold(): void {
    let release = () => {};
    const released = new Promise<void>((resolve) => (release = resolve));
    this.held ??= { released, release };
  }

  /** Answers the calls held since hold(), and every later call at once. */
  release(): void {
    this.held?.release();
    this.held = undefined;
  }

  /** The service works again: injected failures that have not happened yet are dropped. */
  clearFailures(): void {
    this.failures.length = 0;
  }

  /** Activities the bot sent (new messages and replies), in order. */
  sentActivities(): any[] {
    return this.calls
      .filter((call) => call.method === 'POST' && call.path.includes('/activities'))
      .map((call) => call.body);
  }

  /** Adaptive Cards the bot sent, in order. */
  sentCards(): any[] {
    return this.sentActivities().flatMap((activity) =>
      (activity.attachments ?? [])
        .filter((attachment: any) => attachment.contentType === 'application/vnd.microsoft.card.adaptive')
        .map((attachment: any) => attachment.content),
    );
  }

  /** New threads the bot started in channels: the channel, the thread's ids and the card. */
  channelPosts(): Array<{ channelId: string; card: any }> {
    return this.calls
      .filter((call) => call.method === 'POST' && call.path === '/v3/conversations' && call.body?.isGroup)
      .map((call) => ({
        channelId: call.body.channelData.channel.id,
        card: call.body.activity?.attachments?.[0]?.content,
      }));
  }

  /** Messages the bot replaced (PUT), with the conversation and message ids it named. */
  updates(): Array<{ conversationId: string; activityId: string; card: any }> {
    return this.calls
      .filter((call) => call.method === 'PUT' && call.activityId)
      .map((call) => ({
        conversationId: call.conversationId!,
        activityId: call.activityId!,
        card: call.body?.attachments?.[0]?.content,
      }));
  }

  clear(): void {
    this.calls.length = 0;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    const url = new URL(req.url ?? '/', 'http://localhost');
    const match = /^\/v3\/conversations(?:\/([^/]+)(?:\/activities(?:\/([^/]+))?)?)?/.exec(url.pathname);
    const call: ConnectorCall = {
      method: req.method ?? 'GET',
      path: url.pathname,
      conversationId: match?.[1] && decodeURIComponent(match[1]),
      activityId: match?.[2] && decodeURIComponent(match[2]),
      authorization: req.headers.authorization,
      body: text ? JSON.parse(text) : undefined,
    };
    this.calls.push(call);
    if (this.held) await this.held.released;
    if (this.latencyMs > 0) await new Promise((resolve) => setTimeout(resolve, this.latencyMs));

    const failure = this.failures.find((candidate) => candidate.matches?.(call) ?? true);
    if (failure) {
      failure.times -= 1;
      if (failure.times <= 0) this.failures.splice(this.failures.indexOf(failure), 1);
      const headers: Record<string, string> =
        failure.retryAfterSeconds === undefined ? {} : { 'retry-after': String(failure.retryAfterSeconds) };
      return send(res, failure.status, { error: { code: failure.code, message: failure.message } }, headers);
    }
    if (!match) return send(res, 404, { error: { code: 'NotFound', message: 'Unknown API path' } });

    if (call.method === 'POST' && !call.conversationId) {
      const channel = call.body?.channelData?.channel?.id;
      // A post in a channel starts a thread named after its first message, as Teams does.
      if (call.body?.isGroup && channel) {
        const activityId = String(Date.now()) + String(this.calls.length).padStart(4, '0');
        return send(res, 201, { id: `${channel};messageid=${activityId}`, activityId });
      }
      const id = `a:${randomUUID()}`;
      return send(res, 201, { id, activityId: randomUUID(), serviceUrl: this.serviceUrl });
    }
    if (call.method === 'POST' && url.pathname.includes('/activities')) return send(res, 200, { id: randomUUID() });
    if (call.method === 'PUT' && call.activityId) return send(res, 200, { id: call.activityId });
    if (call.method === 'DELETE' && call.activityId) return send(res, 200, {});
    return send(res, 405, { error: { code: 'BadArgument', message: `Unsupported ${call.method} ${url.pathname}` } });
  }
}

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
  res.end(JSON.stringify(body));
}
