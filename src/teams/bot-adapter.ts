import {
  CallerIdConstants,
  ConfigurationServiceClientCredentialFactory,
  type Activity,
  type InvokeResponse,
  type TurnContext,
} from 'botbuilder';
import {
  AuthenticationConfiguration,
  AuthenticationConstants,
  CertificateServiceClientCredentialsFactory,
  type AuthenticateRequestResult,
  type Claim,
  type ClaimsIdentity,
  type ConnectorClient,
  type ServiceClientCredentialsFactory,
  type UserTokenClient,
} from 'botframework-connector';
import { TeamsAdapter } from '@microsoft/teams-ai';
import type { Config } from '../config/load-config.js';
import { withDeadlines } from './connector-deadline.js';

/** The only issuer whose tokens may reach the bot: the Bot Connector service. */
export const BOT_CONNECTOR_ISSUER = 'https://api.botframework.com';

/**
 * Endpoints and credentials the tests replace, never settings: they stay out of the
 * environment so a production deployment cannot be pointed at another token authority.
 */
export interface AdapterOverrides {
  channelOpenIdMetadataUrl?: string;
  emulatorOpenIdMetadataUrl?: string;
  credentialsFactory?: ServiceClientCredentialsFactory;
}

/**
 * TeamsAdapter with authentication split from turn processing, so the inbound pipeline can
 * answer 401 without detail and apply its own refusals between the two.
 */
export class BotAdapter extends TeamsAdapter {
  /**
   * Bot Connector clients by bot, endpoint and audience, built once and kept: botbuilder builds a new client, with
   * its own HTTP pipeline and credentials, for every turn and every message the bot starts, which cost more than
   * the rest of an approval click. A client holds no turn's state, and its credentials fetch and refresh their own
   * tokens, so turns and proactive messages share one.
   */
  private readonly connectors = new Map<string, Promise<ConnectorClient>>();
  /** The same for the user token client botbuilder builds for every turn (the bot signs no one in, but it is built). */
  private readonly userTokenClients = new Map<string, Promise<UserTokenClient>>();

  /** `connectorTimeoutMs` bounds every Bot Connector call (CONNECTOR_TIMEOUT_MS); the rest is TeamsAdapter's. */
  constructor(
    private readonly connectorTimeoutMs: number,
    ...teamsAdapter: ConstructorParameters<typeof TeamsAdapter>
  ) {
    super(...teamsAdapter);
    const authentication = this.botFrameworkAuthentication;
    const createUserTokenClient = authentication.createUserTokenClient.bind(authentication);
    authentication.createUserTokenClient = (claims: ClaimsIdentity) =>
      kept(this.userTokenClients, appIdOf(claims), () => createUserTokenClient(claims));
  }

  /**
   * Validates the request's token (or accepts it unauthenticated in local mode). The turn's Bot Connector
   * client comes from the result, kept per endpoint: its calls get the deadline too.
   */
  async authenticate(activity: Activity, authorization: string): Promise<AuthenticateRequestResult> {
    const result = await this.botFrameworkAuthentication.authenticateRequest(activity, authorization);
    const factory = result.connectorFactory;
    if (factory) {
      const appId = appIdOf(result.claimsIdentity);
      result.connectorFactory = {
        create: (serviceUrl, audience) =>
          kept(this.connectors, `${appId} ${serviceUrl} ${audience ?? ''}`, async () =>
            withDeadlines(await factory.create(serviceUrl, audience), this.connectorTimeoutMs),
          ),
      };
    }
    return result;
  }

  /** Runs one turn for an already authenticated activity and returns the invoke response, if any. */
  runTurn(
    auth: AuthenticateRequestResult,
    activity: Activity,
    logic: (context: TurnContext) => Promise<void>,
  ): Promise<InvokeResponse | undefined> {
    return this.processActivity(auth, activity, logic);
  }

  /**
   * A Bot Connector client for messages the bot starts itself, built once per endpoint and kept: botbuilder's
   * continueConversationAsync builds a new connector and token client for every message, which costs more than
   * the rest of an approval click. The client's credentials fetch and refresh their own tokens.
   */
  proactiveConnector(botAppId: string, serviceUrl: string): Promise<ConnectorClient> {
    return kept(this.connectors, `${botAppId} ${serviceUrl} `, async () =>
      withDeadlines(
        await this.botFrameworkAuthentication
          .createConnectorFactory(this.createClaimsIdentity(botAppId))
          .create(serviceUrl, undefined),
        this.connectorTimeoutMs,
      ),
    );
  }
}

/** Clients kept at most: a bot talks to a handful of regional endpoints; unauthenticated local mode may see more. */
const KEPT_CLIENTS = 64;

/** The client kept under `key`, built by `make` when there is none (the oldest is dropped past KEPT_CLIENTS). */
function kept<T>(clients: Map<string, Promise<T>>, key: string, make: () => Promise<T>): Promise<T> {
  let client = clients.get(key);
  if (!client) {
    if (clients.size >= KEPT_CLIENTS) clients.delete(clients.keys().next().value!);
    client = make();
    // A failure is not kept: the next turn or message tries again.
    client.catch(() => clients.delete(key));
    clients.set(key, client);
  }
  return client;
}

/** The bot's app id as botbuilder reads it from a turn's claims (the audience, else the app id claim). */
function appIdOf(claims: ClaimsIdentity): string {
  return (
    claims.getClaimValue(AuthenticationConstants.AudienceClaim) ??
    claims.getClaimValue(AuthenticationConstants.AppIdClaim) ??
    ''
  );
}

/** Builds the adapter for the configured mode. */
export function createBotAdapter(config: Config, overrides: AdapterOverrides = {}): BotAdapter {
  const mode = config.mode;
  if (mode.kind === 'local') {
    return new BotAdapter(
      config.connectorTimeoutMs,
      {},
      overrides.credentialsFactory ?? new ConfigurationServiceClientCredentialFactory({}),
    );
  }
  const settings = {
    MicrosoftAppId: mode.appId,
    MicrosoftAppTenantId: mode.tenantId,
    MicrosoftAppType: mode.credentials.appType,
    ...(overrides.channelOpenIdMetadataUrl || overrides.emulatorOpenIdMetadataUrl ? publicCloudWith(overrides) : {}),
  };
  const credentials = mode.credentials;
  const factory =
    overrides.credentialsFactory ??
    (credentials.kind === 'certificate'
      ? new CertificateServiceClientCredentialsFactory(
          mode.appId,
          credentials.thumbprint,
          credentials.privateKey,
          mode.tenantId,
        )
      : new ConfigurationServiceClientCredentialFactory({
          ...settings,
          MicrosoftAppPassword: credentials.kind === 'password' ? credentials.password : undefined,
        }));
  return new BotAdapter(
    config.connectorTimeoutMs,
    settings,
    factory,
    new AuthenticationConfiguration([], requireBotConnectorIssuer),
  );
}

/**
 * Overriding any endpoint makes botbuilder drop all its public-cloud defaults, so the
 * replaced endpoints come with the rest of the public cloud's values spelled out.
 */
function publicCloudWith(overrides: AdapterOverrides) {
  return {
    ValidateAuthority: true,
    ToChannelFromBotLoginUrl: AuthenticationConstants.ToChannelFromBotLoginUrl,
    ToChannelFromBotOAuthScope: AuthenticationConstants.ToChannelFromBotOAuthScope,
    ToBotFromChannelTokenIssuer: AuthenticationConstants.ToBotFromChannelTokenIssuer,
    OAuthUrl: AuthenticationConstants.OAuthUrl,
    CallerId: CallerIdConstants.PublicAzureChannel,
    ToBotFromChannelOpenIdMetadataUrl:
      overrides.channelOpenIdMetadataUrl ?? AuthenticationConstants.ToBotFromChannelOpenIdMetadataUrl,
    ToBotFromEmulatorOpenIdMetadataUrl:
      overrides.emulatorOpenIdMetadataUrl ?? AuthenticationConstants.ToBotFromEmulatorOpenIdMetadataUrl,
  };
}

/**
 * Refuses every token not issued by the Bot Connector. Without this, botbuilder also accepts
 * tokens the bot could mint for itself (emulator and skill tokens) on every channel.
 */
async function requireBotConnectorIssuer(claims: Claim[]): Promise<void> {
  const issuer = claims.find((claim) => claim.type === 'iss')?.value;
  if (issuer !== BOT_CONNECTOR_ISSUER) throw new Error('Token issuer is not the Bot Connector service.');
}
