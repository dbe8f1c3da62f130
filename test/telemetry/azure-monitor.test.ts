import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { finished } from 'node:stream/promises';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { personalMessage } from '../support/activities.js';
import { tempSqlitePath } from '../support/bot-harness.js';
import { spawnBot, waitForListening, type ChildBot } from '../support/child-bot.js';
import { FakeConnector } from '../support/fake-connector.js';
import { selfSignedCertificate } from '../support/fake-graph.js';

/** One telemetry item as Application Insights' ingestion API receives it. */
interface Envelope {
  name: string;
  tags?: Record<string, string>;
  data?: { baseType?: string; baseData?: Record<string, unknown> };
}

/**
 * Application Insights' ingestion API on loopback (`POST /v2.1/track`, gzip'd JSON envelopes), keeping every
 * body exactly as it arrived, decompressed, so a test can search all of it. HTTPS with a self-signed certificate
 * (in `caFile`, for NODE_EXTRA_CA_CERTS), since the exporter turns an http:// endpoint into https://.
 */
class FakeIngestion {
  readonly bodies: string[] = [];
  caFile = '';
  private server: Server | undefined;

  get connectionString(): string {
    const { port } = this.server!.address() as AddressInfo;
    return `InstrumentationKey=00000000-0000-0000-0000-000000000000;IngestionEndpoint=https://127.0.0.1:${port}/`;
  }

  get envelopes(): Envelope[] {
    return this.bodies.flatMap((body) => parseEnvelopes(body));
  }

  async start(): Promise<this> {
    const { key, cert } = await selfSignedCertificate();
    this.caFile = join(mkdtempSync(join(tmpdir(), 'fake-ingestion-')), 'ca.pem');
    writeFileSync(this.caFile, cert);
    this.server = createServer({ key, cert }, (req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        const raw = Buffer.concat(chunks);
        const body = (req.headers['content-encoding'] === 'gzip' ? gunzipSync(raw) : raw).toString('utf8');
        this.bodies.push(body);
        const count = parseEnvelopes(body).length;
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ itemsReceived: count, itemsAccepted: count, errors: [] }));
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    return this;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => this.server?.close(() => resolve()));
    rmSync(dirname(this.caFile), { recursive: true, force: true });
  }
}

/** The exporter posts each batch as one JSON array. */
function parseEnvelopes(body: string): Envelope[] {
  return JSON.parse(body) as Envelope[];
}

/** Settings of a child bot that trusts `ingestion`, and never reports to Microsoft's own statistics endpoint. */
const telemetryEnv = (ingestion: FakeIngestion, connectionString: string) => ({
  APPLICATIONINSIGHTS_CONNECTION_STRING: connectionString,
  APPLICATION_INSIGHTS_NO_STATSBEAT: 'true',
  NODE_EXTRA_CA_CERTS: ingestion.caFile,
});

/** Loading the distro (about 3 s on a busy machine) and Node's module trace both slow a start down. */
const START_MS = 60_000;

describe('Application Insights', () => {
  let connector: FakeConnector;
  let ingestion: FakeIngestion;
  let bot: ChildBot | undefined;
  beforeAll(async () => {
    connector = await new FakeConnector().start();
  });
  beforeEach(async () => {
    ingestion = await new FakeIngestion().start();
    return async () => {
      if (bot && bot.process.exitCode === null && bot.process.signalCode === null) bot.process.kill('SIGKILL');
      await bot?.exited;
      bot = undefined;
      await ingestion.stop();
    };
  });
  afterAll(async () => {
    await connector.stop();
  });

  /** Posts one message with an Authorization header local mode ignores, and returns the header's value. */
  async function sendMessage(port: number): Promise<string> {
    const authorization = `Bearer ${randomBytes(24).toString('base64url')}`;
    const response = await fetch(`http://127.0.0.1:${port}/api/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization },
      body: JSON.stringify(personalMessage('hello', { serviceUrl: connector.serviceUrl })),
    });
    expect(response.status).toBe(200);
    return authorization;
  }

  it(
    'sends the request to /api/messages as sign-in-help, flushed at shutdown, with no header or token',
    { timeout: 90_000 },
    async () => {
      bot = spawnBot({
        PORT: '0',
        SQLITE_PATH: tempSqlitePath(),
        ...telemetryEnv(ingestion, ingestion.connectionString),
      });
      const port = await waitForListening(bot, START_MS);
      expect((await fetch(`http://127.0.0.1:${port}/readyz`)).status).toBe(200);
      const authorization = await sendMessage(port);
      expect(connector.sentCards().length).toBeGreaterThan(0);

      // Spans wait up to 5 s in the exporter's batch; SIGTERM must send them before the process exits.
      bot.process.kill('SIGTERM');
      expect((await bot.exited).code).toBe(0);

      const requests = ingestion.envelopes.filter((envelope) => envelope.data?.baseType === 'RequestData');
      const message = requests.find((envelope) => envelope.data?.baseData?.name === 'POST /api/messages');
      expect(message, `requests sent: ${JSON.stringify(requests)}`).toBeDefined();
      expect(message!.tags?.['ai.cloud.role']).toBe('sign-in-help');
      expect(message!.data?.baseData?.responseCode).toBe('200');
      // Probes are not requests worth paying for.
      expect(requests.filter((envelope) => String(envelope.data?.baseData?.url).includes('/readyz'))).toEqual([]);
      // The reply to the Bot Connector went out as a dependency.
      const dependencies = ingestion.envelopes.filter((envelope) => envelope.data?.baseType === 'RemoteDependencyData');
      expect(
        dependencies.some((envelope) => String(envelope.data?.baseData?.data).startsWith(connector.serviceUrl)),
      ).toBe(true);

      const everything = ingestion.bodies.join('\n');
      expect(everything).not.toContain(authorization.slice('Bearer '.length));
      expect(everything).not.toMatch(/bearer/i);
      expect(everything).not.toMatch(/authorization/i);
    },
  );

  it(
    'loads nothing of OpenTelemetry and sends nothing without the connection string',
    { timeout: 90_000 },
    async () => {
      bot = spawnBot({
        PORT: '0',
        SQLITE_PATH: tempSqlitePath(),
        ...telemetryEnv(ingestion, ''),
        // Node's own trace of every module it loads, on stderr.
        NODE_DEBUG: 'esm,module',
      });
      const port = await waitForListening(bot, START_MS);
      await sendMessage(port);
      bot.process.kill('SIGTERM');
      expect((await bot.exited).code).toBe(0);
      // The process can exit before the pipe has delivered its last (megabytes of) trace.
      await finished(bot.process.stderr!);

      expect(ingestion.bodies).toEqual([]);
      const loaded = bot.stderr().split('\n');
      expect(loaded.filter((line) => line.includes('node_modules/restify/')).length).toBeGreaterThan(0);
      // prom-client always loads @opentelemetry/api (a no-op until an SDK registers): the SDK itself must not load.
      const sdk = /monitor-opentelemetry|@opentelemetry\/(?!api\b)/;
      expect(loaded.filter((line) => sdk.test(line)).slice(0, 5)).toEqual([]);
    },
  );
});
