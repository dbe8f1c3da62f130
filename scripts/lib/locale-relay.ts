import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * An HTTP relay on loopback between the Playground and the bot. The Playground (0.2.28) writes
 * locale "en-US" into every activity it makes, whatever the browser's or its own locale; the relay
 * can stamp another locale on them, as a Teams client in that language would send.
 */
export interface LocaleRelay {
  url: string;
  locale: string | undefined;
  close(): Promise<void>;
}

/** Starts a relay to `target` (the bot's base URL) on a free loopback port. */
export async function startLocaleRelay(target: string): Promise<LocaleRelay> {
  const relay: LocaleRelay = { url: '', locale: undefined, close: async () => {} };
  const server: Server = createServer(async (request, response) => {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    let body = Buffer.concat(chunks);
    if (relay.locale && body.length > 0) {
      const activity = JSON.parse(body.toString('utf8')) as { locale?: string; entities?: Array<Record<string, any>> };
      activity.locale = relay.locale;
      for (const entity of activity.entities ?? []) if (entity.type === 'clientInfo') entity.locale = relay.locale;
      body = Buffer.from(JSON.stringify(activity));
    }
    try {
      const answer = await fetch(`${target}${request.url ?? '/'}`, {
        method: request.method,
        headers: { 'content-type': request.headers['content-type'] ?? 'application/json' },
        body: request.method === 'GET' || request.method === 'HEAD' ? undefined : body,
      });
      response.writeHead(answer.status, { 'content-type': answer.headers.get('content-type') ?? 'text/plain' });
      response.end(Buffer.from(await answer.arrayBuffer()));
    } catch {
      response.writeHead(502).end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  relay.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  relay.close = () =>
    new Promise((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return relay;
}

/** Where a Playground posts activities, and how to stop what was started for it. */
export interface PlaygroundEndpoint {
  /** The messaging endpoint to give the Playground (`-e`). */
  endpoint: string;
  close(): Promise<void>;
}

/**
 * The endpoint a Playground should post to: the bot's own when `locale` is undefined, else a relay
 * in front of the bot that stamps `locale` on every activity. `npm run dev` and `npm run playground:as`
 * both go through here, so every Playground of a demo speaks the same language.
 */
export async function playgroundEndpoint(botUrl: string, locale: string | undefined): Promise<PlaygroundEndpoint> {
  if (!locale) return { endpoint: `${botUrl}/api/messages`, close: async () => {} };
  const relay = await startLocaleRelay(botUrl);
  relay.locale = locale;
  return { endpoint: `${relay.url}/api/messages`, close: () => relay.close() };
}
