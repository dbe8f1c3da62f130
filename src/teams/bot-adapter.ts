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
  type ConnectorClient,
  type ServiceClientCredentialsFactory,
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
  private readonly proactiveClients = new Map<string, Promise<ConnectorClient>>();

  /** `connectorTimeoutMs` bounds every Bot Connector call (CONNECTOR_TIMEOUT_MS); the rest is TeamsAdapter's. */
  constructor(
    private readonly connectorTimeoutMs: number,
    ...teamsAdapter: ConstructorParameters<typeof TeamsAdapter>
  ) {
    super(...teamsAdapter);
  }

  /**
   * Validates the request's token (or accepts it unauthenticated in local mode). The turn's Bot Connector
   * client comes from the result: its calls get the deadline too.
   */
  async authenticate(activity: Activity, authorization: string): Promise<AuthenticateRequestResult> {
    const result = await this.botFrameworkAuthentication.authenticateRequest(activity, authorization);
    const factory = result.connectorFactory;
    if (factory) {
      result.connectorFactory = {
        create: async (serviceUrl, audience) =>
          withDeadlines(await factory.create(serviceUrl, audience), this.connectorTimeoutMs),
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
    const key = `${botAppId} ${serviceUrl}`;
    let client = this.proactiveClients.get(key);
    if (!client) {
      client = this.botFrameworkAuthentication
        .createConnectorFactory(this.createClaimsIdentity(botAppId))
        .create(serviceUrl, undefined)
        .then((created) => withDeadlines(created, this.connectorTimeoutMs));
      // A failure is not kept: the next message tries again.
      client.catch(() => this.proactiveClients.delete(key));
      this.proactiveClients.set(key, client);
    }
    return client;
  }
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
