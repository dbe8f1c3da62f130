import { createSign, generateKeyPairSync, randomUUID, type KeyObject } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ServiceClientCredentialsFactory, type ServiceClientCredentials } from 'botframework-connector';

/**
 * The Bot Framework's token authority on loopback: OpenID metadata and signing keys, as
 * login.botframework.com serves them (keys carry channel endorsements), plus a signer for
 * tokens the way the Bot Connector (or, for refusal tests, anyone else) would mint them.
 */
export class FakeTokenAuthority {
  readonly keyId = randomUUID();
  private readonly privateKey: KeyObject;
  private readonly publicJwk: Record<string, unknown>;
  private server: Server | undefined;
  private port = 0;
  /** False: every connection is dropped unanswered, as when the authority cannot be reached. */
  reachable = true;
  /** How many times the OpenID metadata was asked for. */
  metadataRequests = 0;

  constructor(private readonly endorsements: string[] = ['msteams']) {
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    this.privateKey = privateKey;
    this.publicJwk = publicKey.export({ format: 'jwk' }) as Record<string, unknown>;
  }

  /** Metadata URL for channel (Bot Connector) tokens. */
  get channelMetadataUrl(): string {
    return `http://127.0.0.1:${this.port}/channel/.well-known/openidconfiguration`;
  }

  /** Metadata URL for emulator-style tokens (which production must refuse). */
  get emulatorMetadataUrl(): string {
    return `http://127.0.0.1:${this.port}/emulator/.well-known/openidconfiguration`;
  }

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      if (!this.reachable) return req.socket.destroy();
      const path = req.url ?? '';
      const json = (body: unknown) => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify(body));
      };
      if (path.endsWith('/.well-known/openidconfiguration')) {
        this.metadataRequests += 1;
        const prefix = path.split('/.well-known')[0];
        return json({
          issuer: 'https://api.botframework.com',
          jwks_uri: `http://127.0.0.1:${this.port}${prefix}/keys`,
          id_token_signing_alg_values_supported: ['RS256'],
        });
      }
      if (path.endsWith('/keys')) {
        return json({ keys: [{ ...this.publicJwk, kid: this.keyId, use: 'sig', endorsements: this.endorsements }] });
      }
      res.writeHead(404).end();
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.port = (this.server!.address() as AddressInfo).port;
    return this;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  /** A signed RS256 JWT with these claims, valid for an hour unless the claims say otherwise. */
  sign(claims: Record<string, unknown>, options: { keyId?: string; key?: KeyObject } = {}): string {
    const now = Math.floor(Date.now() / 1000);
    const header = { alg: 'RS256', typ: 'JWT', kid: options.keyId ?? this.keyId };
    const payload = { nbf: now - 60, iat: now - 60, exp: now + 3600, ...claims };
    const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
    const unsigned = `${encode(header)}.${encode(payload)}`;
    const signature = createSign('RSA-SHA256')
      .update(unsigned)
      .sign(options.key ?? this.privateKey)
      .toString('base64url');
    return `${unsigned}.${signature}`;
  }

  /** A token as the Bot Connector sends it to the bot with this app id. */
  channelToken(appId: string, serviceUrl: string, overrides: Record<string, unknown> = {}): string {
    return this.sign({ iss: 'https://api.botframework.com', aud: appId, serviceurl: serviceUrl, ...overrides });
  }
}

/**
 * Outbound credentials for tests: the real factory would fetch a token from Entra ID, which
 * is unreachable here. It still answers isValidAppId truthfully, as inbound checks use it.
 */
export class StaticCredentialsFactory extends ServiceClientCredentialsFactory {
  constructor(private readonly appId: string) {
    super();
  }
  async isValidAppId(appId: string): Promise<boolean> {
    return appId === this.appId;
  }
  async isAuthenticationDisabled(): Promise<boolean> {
    return false;
  }
  async createCredentials(): Promise<ServiceClientCredentials> {
    return {
      signRequest: async (request: any) => {
        request.headers.set('authorization', 'Bearer outbound-test-token');
        return request;
      },
    } as unknown as ServiceClientCredentials;
  }
}
