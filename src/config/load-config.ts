import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parse as parseDotenv } from 'dotenv';
import { z } from 'zod';
import type { LinkId } from '../domain/diagnosis/knowledge.js';
import type { GraphCredentialSettings } from '../directory/graph-credential.js';
import { ConfigurationError } from '../errors.js';
import type { PostgresSettings } from '../store/postgres/open-pool.js';
import { unreadableFile } from './file-access.js';

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const TEAMS_THREAD = /^19:.+@thread\.(tacv2|skype)$/;

/** Fewest characters of an audit key: `openssl rand -base64 32` gives 44, and 32 of them carry 192 bits. */
export const MIN_AUDIT_KEY_LENGTH = 32;

const emptyAsUndefined = (value: unknown): unknown =>
  typeof value === 'string' && value.trim() === '' ? undefined : value;

const optionalText = z.preprocess(emptyAsUndefined, z.string().trim().optional());
const guid = (what: string) =>
  z.string().trim().regex(GUID, `must be a GUID (${what}), like 00000000-0000-0000-0000-000000000000`);

const integer = (fallback: number, min: number, max: number) =>
  z.preprocess(
    emptyAsUndefined,
    z.coerce
      .number({ invalid_type_error: 'must be a whole number' })
      .int('must be a whole number')
      .min(min, `must be at least ${min}`)
      .max(max, `must be at most ${max}`)
      .default(fallback),
  );

/** A PostgreSQL connection URL; the message never repeats the value, which may hold a password. */
const postgresUrl = z
  .string()
  .trim()
  .refine(
    isPostgresUrl,
    'must be a postgres:// or postgresql:// URL, like postgres://user:password@host:5432/database',
  );

const httpsUrl = (fallback?: string) => {
  const url = z.string().url('must be an https:// URL').startsWith('https://', 'must be an https:// URL');
  return z.preprocess(emptyAsUndefined, fallback === undefined ? url.optional() : url.default(fallback));
};

/** The raw environment, as strings, before modes are decided. */
const environmentSchema = z.object({
  NODE_ENV: z.preprocess(emptyAsUndefined, z.enum(['development', 'test', 'production']).default('development')),
  SIMULATED_DIRECTORY_LATENCY_MS: integer(0, 0, 10_000),
  PORT: integer(3978, 0, 65535),
  HOST: optionalText,
  LOG_LEVEL: z.preprocess(
    emptyAsUndefined,
    z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  ),
  SQLITE_PATH: z.preprocess(emptyAsUndefined, z.string().default('./data/sign-in-help.sqlite')),
  DATABASE_URL: z.preprocess(emptyAsUndefined, postgresUrl.optional()),
  DATABASE_POOL_SIZE: integer(10, 1, 500),
  DATABASE_STATEMENT_TIMEOUT_MS: integer(5_000, 100, 600_000),
  DATABASE_ENTRA_AUTH: z.preprocess(emptyAsUndefined, z.enum(['true', 'false']).default('false')),
  DEFAULT_LOCALE: z.preprocess(emptyAsUndefined, z.enum(['en', 'ja']).default('en')),
  SHUTDOWN_TIMEOUT_MS: integer(10_000, 100, 120_000),
  CONNECTOR_TIMEOUT_MS: integer(3_000, 500, 60_000),
  MAX_BODY_BYTES: integer(262_144, 1_024, 10_485_760),
  METRICS_ENABLED: z.preprocess(emptyAsUndefined, z.enum(['true', 'false']).optional()),
  METRICS_TOKEN: optionalText,
  APPLICATIONINSIGHTS_CONNECTION_STRING: optionalText,
  MicrosoftAppId: z.preprocess(emptyAsUndefined, guid("the bot registration's application id").optional()),
  MicrosoftAppPassword: optionalText,
  MicrosoftAppType: z.preprocess(
    emptyAsUndefined,
    z.enum(['SingleTenant', 'MultiTenant', 'UserAssignedMSI']).optional(),
  ),
  MicrosoftAppTenantId: z.preprocess(emptyAsUndefined, guid("the bot's Entra tenant").optional()),
  MicrosoftAppCertificateThumbprint: optionalText,
  MicrosoftAppCertificateKeyFile: optionalText,
  ALLOWED_TENANTS: optionalText,
  SECURITY_INFO_URL: httpsUrl('https://mysignins.microsoft.com/security-info'),
  PASSWORD_RESET_URL: httpsUrl('https://passwordreset.microsoftonline.com/'),
  AUTHENTICATOR_APP_URL: httpsUrl('https://www.microsoft.com/security/mobile-authenticator-app'),
  DEVICE_COMPLIANCE_URL: httpsUrl('https://portal.manage.microsoft.com/'),
  ONBOARDING_PORTAL_URL: httpsUrl(),
  IDENTITY_VERIFICATION_URL: httpsUrl(),
  HELPDESK_URL: httpsUrl(),
  DIAGNOSIS_KNOWLEDGE_PATH: optionalText,
  EVIDENCE_BUDGET_MS: integer(2_000, 100, 10_000),
  DIRECTORY_CACHE_SECONDS: integer(60, 0, 3_600),
  APPLICATION_DAILY_CAP: integer(3, 1, 100),
  HELPDESK_GROUP_ID: z.preprocess(emptyAsUndefined, guid('the Entra group of helpdesk agents').optional()),
  ADMIN_GROUP_ID: z.preprocess(emptyAsUndefined, guid("the Entra group of the bot's administrators").optional()),
  HELPDESK_LEAD_GROUP_ID: z.preprocess(emptyAsUndefined, guid('the Entra group of the helpdesk leads').optional()),
  REVIEW_SLA_HOURS: z.preprocess(
    emptyAsUndefined,
    z.coerce
      .number({ invalid_type_error: 'must be a number of hours, like 8 or 0.5' })
      .positive('must be more than 0 hours')
      .max(720, 'must be at most 720 hours (30 days)')
      .default(8),
  ),
  APPROVAL_TEAM_ID: z.preprocess(
    emptyAsUndefined,
    z.string().trim().regex(TEAMS_THREAD, 'must be a Teams team id (19:...@thread.tacv2)').optional(),
  ),
  APPROVAL_CHANNEL_ID: z.preprocess(
    emptyAsUndefined,
    z.string().trim().regex(TEAMS_THREAD, 'must be a Teams channel id (19:...@thread.tacv2)').optional(),
  ),
  MANAGER_CONFIRMATION: z.preprocess(emptyAsUndefined, z.enum(['always', 'onBehalf', 'never']).default('onBehalf')),
  PRIVILEGED_APPROVAL: z.preprocess(emptyAsUndefined, z.enum(['twoApprovers', 'manual']).default('twoApprovers')),
  REQUEST_EXPIRY_DAYS: integer(7, 1, 90),
  JOBS_INTERVAL_SECONDS: integer(300, 5, 86_400),
  GRAPH_CREDENTIAL: z.preprocess(emptyAsUndefined, z.enum(['secret', 'certificate', 'managedIdentity']).optional()),
  GRAPH_TENANT_ID: z.preprocess(emptyAsUndefined, guid('the Entra tenant the Graph app signs in to').optional()),
  GRAPH_CLIENT_ID: z.preprocess(emptyAsUndefined, guid('the Graph app registration').optional()),
  GRAPH_CLIENT_SECRET: optionalText,
  GRAPH_CERTIFICATE_PATH: optionalText,
  GRAPH_MANAGED_IDENTITY_CLIENT_ID: z.preprocess(
    emptyAsUndefined,
    guid('the user-assigned managed identity').optional(),
  ),
  PASS_LIFETIME_MINUTES: integer(60, 10, 43_200),
  PASS_USABLE_ONCE: z.preprocess(emptyAsUndefined, z.enum(['true', 'false']).default('true')),
  // `agent` is the earlier name of `verifier` (the agent read out a pass made on approval).
  PASS_DELIVERY: z.preprocess(
    emptyAsUndefined,
    z
      .enum(['verifier', 'subject', 'agent'])
      .default('verifier')
      .transform((value) => (value === 'agent' ? 'verifier' : value)),
  ),
  EXECUTION_MAX_ATTEMPTS: integer(5, 1, 20),
  EXECUTION_HOURLY_CAP: integer(20, 1, 10_000),
  EXECUTION_POLL_SECONDS: integer(5, 1, 86_400),
  AUDIT_KEY: optionalText,
  AUDIT_PREVIOUS_KEYS: optionalText,
  RETENTION_DAYS: integer(365, 30, 3_650),
  TEAMS_APP_ID: z.preprocess(emptyAsUndefined, guid('the Teams app id').optional()),
  BOT_DOMAIN: optionalText,
});

type Environment = z.infer<typeof environmentSchema>;

/** How the bot proves itself to the Bot Connector and checks inbound tokens. */
export type BotCredentials =
  | { kind: 'password'; appType: 'SingleTenant' | 'MultiTenant'; password: string }
  | { kind: 'certificate'; appType: 'SingleTenant' | 'MultiTenant'; thumbprint: string; privateKey: string }
  | { kind: 'managedIdentity'; appType: 'UserAssignedMSI' };

/** Local mode: no credentials, authentication off, loopback only, simulated directory. */
export interface LocalMode {
  kind: 'local';
}

/** Production mode: strict inbound authentication and a tenant allowlist. */
export interface ProductionMode {
  kind: 'production';
  appId: string;
  tenantId: string;
  credentials: BotCredentials;
  allowedTenants: ReadonlySet<string>;
}

/** Every setting the bot reads, validated once at startup. */
export interface Config {
  nodeEnv: 'development' | 'test' | 'production';
  mode: LocalMode | ProductionMode;
  /** Local mode: every call to the simulated directory answers after this many ms, as Graph would; 0 in production. */
  simulatedDirectoryLatencyMs: number;
  /** How the bot reaches Microsoft Graph (production); undefined in local mode or when not configured. */
  graph: GraphCredentialSettings | undefined;
  host: string;
  port: number;
  logLevel: Environment['LOG_LEVEL'];
  sqlitePath: string;
  /** PostgreSQL (instances sharing one database) when DATABASE_URL is set; otherwise the SQLite file at sqlitePath. */
  database: PostgresSettings | undefined;
  defaultLocale: 'en' | 'ja';
  shutdownTimeoutMs: number;
  /**
   * The longest one call to the Bot Connector (retries included) and all of one turn's sends together may
   * take; Teams gives an invoke about 5 s in all.
   */
  connectorTimeoutMs: number;
  maxBodyBytes: number;
  /**
   * GET /metrics (Prometheus text format): on by default in local mode only. With a token, a scrape must send
   * `Authorization: Bearer <token>`.
   */
  metrics: { enabled: boolean; token: string | undefined };
  /** Application Insights' connection string: when set, telemetry is sent there (src/telemetry/azure-monitor.ts). */
  applicationInsightsConnectionString: string | undefined;
  /** URLs the bot links to, by link id; optional ones are undefined where the organisation has none. */
  links: Readonly<Record<LinkId, string | undefined>>;
  /** The diagnosis knowledge file; undefined for the one shipped with the bot. */
  diagnosisKnowledgePath: string | undefined;
  /** How long a diagnosis waits for directory evidence, all of it together, before asking instead. */
  evidenceBudgetMs: number;
  /** Reset applications one person may file in 24 hours. */
  applicationDailyCap: number;
  /** Members may decide requests; undefined means nobody may (local mode uses the demo group). */
  helpdeskGroupId: string | undefined;
  /** Members may set the approval channel. */
  adminGroupId: string | undefined;
  /** Members see the statistics and hear of requests overdue twice over (local mode uses the demo group). */
  leadGroupId: string | undefined;
  /** Requests pending review longer than this (in ms) are overdue: a reminder in the channel, then the leads. */
  reviewSlaMs: number;
  /** A channel to post to before an administrator runs `set approval channel`. */
  approvalChannel: { teamId: string; channelId: string } | undefined;
  /** When the subject's line manager must confirm a request before agents may approve it. */
  managerConfirmation: 'always' | 'onBehalf' | 'never';
  /** Privileged subjects (directory roles) need two distinct approvers, or are left to manual handling. */
  privilegedApproval: 'twoApprovers' | 'manual';
  /** Requests nobody acted on for this many days expire. */
  requestExpiryDays: number;
  /** How often background jobs (expiry, posting the backlog) run, in seconds. */
  jobsIntervalSeconds: number;
  /**
   * How long an answer of the directory (membership, roles, people, methods) is reused, in ms; 0
   * reuses nothing. For that long an agent removed from the helpdesk group may still act.
   */
  directoryCacheMs: number;
  execution: {
    passLifetimeMinutes: number;
    passUsableOnce: boolean;
    /** `verifier` (default): issued on the verified contact by whoever checked identity; `subject`: their own chat. */
    passDelivery: 'verifier' | 'subject';
    maxAttempts: number;
    hourlyCap: number;
    pollSeconds: number;
  };
  teamsAppId: string | undefined;
  botDomain: string | undefined;
  audit: {
    /**
     * AUDIT_KEY, the secret that signs the audit trail; undefined in local mode without it, where a key file
     * beside the database is used (created on first start).
     */
    key: string | undefined;
    /** Earlier values of AUDIT_KEY, to verify the events they signed. */
    previousKeys: readonly string[];
    /** Contact details and notes of requests finished longer ago than this are removed. */
    retentionDays: number;
  };
}

export interface LoadConfigOptions {
  /** Read a `.env` file from this folder when present; values already in `env` win. */
  dotenvDir?: string;
}

/**
 * Reads and validates every setting once. Throws a ConfigurationError that names each bad
 * setting and what is wrong with it, so a newcomer can fix it without reading code.
 */
export function loadConfig(
  env: Record<string, string | undefined> = process.env,
  options: LoadConfigOptions = {},
): Readonly<Config> {
  const merged = { ...readDotenv(options.dotenvDir), ...env };
  const unresolved = unresolvedKeyVaultReferences(merged);
  if (unresolved.length > 0) throw new ConfigurationError(unresolved);
  const parsed = environmentSchema.safeParse(merged);
  if (!parsed.success) {
    throw new ConfigurationError(
      parsed.error.issues.map((issue) => `${issue.path.join('.') || 'environment'} ${issue.message}`),
    );
  }
  const raw = parsed.data;
  const problems: string[] = [];
  const mode = decideMode(raw, problems);
  if (mode.kind === 'local' && raw.NODE_ENV === 'production') {
    problems.push(
      'NODE_ENV is "production" but MicrosoftAppId is empty: local mode (no authentication) refuses to run in production. Set MicrosoftAppId and its credentials, or unset NODE_ENV.',
    );
  }
  if (mode.kind === 'local' && raw.HOST && !isLoopback(raw.HOST)) {
    problems.push(
      `HOST "${raw.HOST}" is not a loopback address: local mode has no authentication and listens on 127.0.0.1 only.`,
    );
  }
  if (mode.kind === 'production' && raw.SIMULATED_DIRECTORY_LATENCY_MS > 0) {
    problems.push(
      'SIMULATED_DIRECTORY_LATENCY_MS is for local mode only (the simulated directory), but MicrosoftAppId is set: production reads Microsoft Graph. Clear SIMULATED_DIRECTORY_LATENCY_MS.',
    );
  }
  if ((raw.APPROVAL_TEAM_ID === undefined) !== (raw.APPROVAL_CHANNEL_ID === undefined)) {
    problems.push(
      'APPROVAL_TEAM_ID and APPROVAL_CHANNEL_ID go together: set both (the helpdesk team and its approval channel) or neither.',
    );
  }
  if (raw.METRICS_TOKEN !== undefined && (raw.METRICS_TOKEN.length < 16 || /\s/.test(raw.METRICS_TOKEN))) {
    problems.push(
      'METRICS_TOKEN must be at least 16 characters without spaces (generate one with `openssl rand -base64 24`); a scrape sends it as `Authorization: Bearer <token>`.',
    );
  }
  if (
    raw.APPLICATIONINSIGHTS_CONNECTION_STRING !== undefined &&
    !isApplicationInsightsConnectionString(raw.APPLICATIONINSIGHTS_CONNECTION_STRING)
  ) {
    problems.push(
      "APPLICATIONINSIGHTS_CONNECTION_STRING must be an Application Insights connection string (InstrumentationKey=<GUID>;IngestionEndpoint=…), copied from the resource's Overview page; leave it empty to send no telemetry.",
    );
  }
  const database = decideDatabase(raw, problems);
  const graph = decideGraph(raw, mode, problems);
  const previousKeys = checkAuditKeys(raw, mode, problems);
  if (problems.length > 0) throw new ConfigurationError(problems);

  return Object.freeze({
    graph,
    nodeEnv: raw.NODE_ENV,
    mode,
    simulatedDirectoryLatencyMs: raw.SIMULATED_DIRECTORY_LATENCY_MS,
    host: mode.kind === 'local' ? '127.0.0.1' : (raw.HOST ?? '0.0.0.0'),
    port: raw.PORT,
    logLevel: raw.LOG_LEVEL,
    sqlitePath: raw.SQLITE_PATH,
    database,
    defaultLocale: raw.DEFAULT_LOCALE,
    shutdownTimeoutMs: raw.SHUTDOWN_TIMEOUT_MS,
    connectorTimeoutMs: raw.CONNECTOR_TIMEOUT_MS,
    maxBodyBytes: raw.MAX_BODY_BYTES,
    metrics: Object.freeze({
      enabled: raw.METRICS_ENABLED === undefined ? mode.kind === 'local' : raw.METRICS_ENABLED === 'true',
      token: raw.METRICS_TOKEN,
    }),
    applicationInsightsConnectionString: raw.APPLICATIONINSIGHTS_CONNECTION_STRING,
    links: Object.freeze({
      securityInfo: raw.SECURITY_INFO_URL,
      passwordReset: raw.PASSWORD_RESET_URL,
      authenticatorApp: raw.AUTHENTICATOR_APP_URL,
      deviceCompliance: raw.DEVICE_COMPLIANCE_URL,
      onboardingPortal: raw.ONBOARDING_PORTAL_URL,
      identityVerification: raw.IDENTITY_VERIFICATION_URL,
      helpdesk: raw.HELPDESK_URL,
    }),
    diagnosisKnowledgePath: raw.DIAGNOSIS_KNOWLEDGE_PATH,
    evidenceBudgetMs: raw.EVIDENCE_BUDGET_MS,
    applicationDailyCap: raw.APPLICATION_DAILY_CAP,
    helpdeskGroupId: raw.HELPDESK_GROUP_ID,
    adminGroupId: raw.ADMIN_GROUP_ID,
    leadGroupId: raw.HELPDESK_LEAD_GROUP_ID,
    reviewSlaMs: Math.round(raw.REVIEW_SLA_HOURS * 3_600_000),
    approvalChannel:
      raw.APPROVAL_TEAM_ID && raw.APPROVAL_CHANNEL_ID
        ? Object.freeze({ teamId: raw.APPROVAL_TEAM_ID, channelId: raw.APPROVAL_CHANNEL_ID })
        : undefined,
    managerConfirmation: raw.MANAGER_CONFIRMATION,
    privilegedApproval: raw.PRIVILEGED_APPROVAL,
    requestExpiryDays: raw.REQUEST_EXPIRY_DAYS,
    jobsIntervalSeconds: raw.JOBS_INTERVAL_SECONDS,
    directoryCacheMs: raw.DIRECTORY_CACHE_SECONDS * 1_000,
    execution: Object.freeze({
      passLifetimeMinutes: raw.PASS_LIFETIME_MINUTES,
      passUsableOnce: raw.PASS_USABLE_ONCE === 'true',
      passDelivery: raw.PASS_DELIVERY,
      maxAttempts: raw.EXECUTION_MAX_ATTEMPTS,
      hourlyCap: raw.EXECUTION_HOURLY_CAP,
      pollSeconds: raw.EXECUTION_POLL_SECONDS,
    }),
    teamsAppId: raw.TEAMS_APP_ID,
    botDomain: raw.BOT_DOMAIN,
    audit: Object.freeze({
      key: raw.AUDIT_KEY,
      previousKeys: Object.freeze(previousKeys),
      retentionDays: raw.RETENTION_DAYS,
    }),
  });
}

/** The PostgreSQL settings when DATABASE_URL is set; undefined keeps the SQLite file. */
function decideDatabase(raw: Environment, problems: string[]): PostgresSettings | undefined {
  const entraAuth = raw.DATABASE_ENTRA_AUTH === 'true';
  if (raw.DATABASE_URL === undefined) {
    if (entraAuth) {
      problems.push(
        'DATABASE_ENTRA_AUTH is true but DATABASE_URL is empty: Entra sign-in is for a PostgreSQL database.',
      );
    }
    return undefined;
  }
  if (entraAuth && new URL(raw.DATABASE_URL).password !== '') {
    problems.push(
      'DATABASE_ENTRA_AUTH is true but DATABASE_URL holds a password: with Entra sign-in the password is a token the bot fetches. Remove the password from DATABASE_URL.',
    );
  }
  return Object.freeze({
    url: raw.DATABASE_URL,
    poolSize: raw.DATABASE_POOL_SIZE,
    statementTimeoutMs: raw.DATABASE_STATEMENT_TIMEOUT_MS,
    entraAuth,
  });
}

/**
 * Checks AUDIT_KEY (required in production, where the database's owner must not hold the key that signs its
 * trail) and AUDIT_PREVIOUS_KEYS; returns the earlier keys. Problems never quote a key.
 */
function checkAuditKeys(raw: Environment, mode: LocalMode | ProductionMode, problems: string[]): string[] {
  const generate = 'generate one with `openssl rand -base64 32`';
  if (raw.AUDIT_KEY === undefined && mode.kind === 'production') {
    problems.push(
      `AUDIT_KEY is required in production mode: a secret of at least ${MIN_AUDIT_KEY_LENGTH} characters that signs the audit trail, kept outside the database (${generate}; on Azure App Service, use a Key Vault reference).`,
    );
  } else if (raw.AUDIT_KEY !== undefined && !isAuditKey(raw.AUDIT_KEY)) {
    problems.push(
      `AUDIT_KEY must be at least ${MIN_AUDIT_KEY_LENGTH} characters without spaces or commas: ${generate}.`,
    );
  }
  const previous = (raw.AUDIT_PREVIOUS_KEYS ?? '')
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '');
  const bad = previous.flatMap((entry, index) => (isAuditKey(entry) ? [] : [String(index + 1)]));
  if (bad.length > 0) {
    problems.push(
      `AUDIT_PREVIOUS_KEYS lists earlier values of AUDIT_KEY separated by commas, each at least ${MIN_AUDIT_KEY_LENGTH} characters; entry ${bad.join(', ')} is not.`,
    );
  }
  return previous;
}

/**
 * Settings whose value is still a Key Vault reference: App Service passes the reference's own text when it cannot
 * read the secret (the app's identity lacks access, or the secret or vault is misnamed). Taken as it is, such a text
 * would pass as an audit key or a password; it is named instead, never quoted.
 */
function unresolvedKeyVaultReferences(env: Record<string, string | undefined>): string[] {
  return Object.keys(environmentSchema.shape).flatMap((name) =>
    env[name]?.trimStart().startsWith('@Microsoft.KeyVault(')
      ? [
          `${name} is a Key Vault reference that App Service could not resolve: give the app's managed identity read access to the secret (Key Vault Secrets User) and check the reference's vault and secret names.`,
        ]
      : [],
  );
}

function isAuditKey(value: string): boolean {
  return value.length >= MIN_AUDIT_KEY_LENGTH && !/[\s,]/.test(value);
}

/** The Graph credential of production mode; the app registration defaults to the bot's. */
function decideGraph(
  raw: Environment,
  mode: LocalMode | ProductionMode,
  problems: string[],
): GraphCredentialSettings | undefined {
  if (!raw.GRAPH_CREDENTIAL || mode.kind === 'production') checkGraphSettingsUsed(raw, problems);
  if (!raw.GRAPH_CREDENTIAL) return undefined;
  if (mode.kind === 'local') {
    problems.push(
      'GRAPH_CREDENTIAL is set but MicrosoftAppId is empty: local mode always uses the simulated directory.',
    );
    return undefined;
  }
  const tenantId = raw.GRAPH_TENANT_ID ?? mode.tenantId;
  const clientId = raw.GRAPH_CLIENT_ID ?? mode.appId;
  switch (raw.GRAPH_CREDENTIAL) {
    case 'secret':
      if (!raw.GRAPH_CLIENT_SECRET) {
        problems.push('GRAPH_CREDENTIAL is secret: set GRAPH_CLIENT_SECRET, the client secret of the Graph app.');
        return undefined;
      }
      return { kind: 'secret', tenantId, clientId, clientSecret: raw.GRAPH_CLIENT_SECRET };
    case 'certificate': {
      const path = raw.GRAPH_CERTIFICATE_PATH && resolve(raw.GRAPH_CERTIFICATE_PATH);
      if (!path || !existsSync(path)) {
        problems.push(
          'GRAPH_CREDENTIAL is certificate: set GRAPH_CERTIFICATE_PATH to a PEM file holding the certificate and its private key.',
        );
        return undefined;
      }
      const unreadable = unreadableFile(path);
      if (unreadable) {
        problems.push(`GRAPH_CERTIFICATE_PATH "${raw.GRAPH_CERTIFICATE_PATH}" cannot be read: ${unreadable}.`);
        return undefined;
      }
      const pem = readFileSync(path, 'utf8');
      if (!pem.includes('CERTIFICATE-----') || !pem.includes('PRIVATE KEY-----')) {
        problems.push(
          `GRAPH_CERTIFICATE_PATH "${raw.GRAPH_CERTIFICATE_PATH}" is not a PEM file holding both the certificate and its private key.`,
        );
        return undefined;
      }
      return { kind: 'certificate', tenantId, clientId, certificatePath: path };
    }
    case 'managedIdentity':
      return { kind: 'managedIdentity', clientId: raw.GRAPH_MANAGED_IDENTITY_CLIENT_ID };
  }
}

/** The GRAPH_* settings each kind of credential reads. */
const GRAPH_SETTINGS = {
  secret: ['GRAPH_TENANT_ID', 'GRAPH_CLIENT_ID', 'GRAPH_CLIENT_SECRET'],
  certificate: ['GRAPH_TENANT_ID', 'GRAPH_CLIENT_ID', 'GRAPH_CERTIFICATE_PATH'],
  managedIdentity: ['GRAPH_MANAGED_IDENTITY_CLIENT_ID'],
} as const;

/**
 * A GRAPH_* setting that the chosen credential does not read is a half-made change (a secret left set
 * while moving to a certificate, or a credential never switched on): the bot would quietly use something
 * else, so it says which.
 */
function checkGraphSettingsUsed(raw: Environment, problems: string[]): void {
  const read: readonly string[] = raw.GRAPH_CREDENTIAL ? GRAPH_SETTINGS[raw.GRAPH_CREDENTIAL] : [];
  const unused = (
    [
      'GRAPH_TENANT_ID',
      'GRAPH_CLIENT_ID',
      'GRAPH_CLIENT_SECRET',
      'GRAPH_CERTIFICATE_PATH',
      'GRAPH_MANAGED_IDENTITY_CLIENT_ID',
    ] as const
  ).filter((name) => raw[name] !== undefined && !read.includes(name));
  if (unused.length === 0) return;
  const [names, them] = unused.length === 1 ? [`${unused[0]} is`, 'it'] : [`${unused.join(', ')} are`, 'them'];
  problems.push(
    raw.GRAPH_CREDENTIAL
      ? `${names} set but GRAPH_CREDENTIAL is ${raw.GRAPH_CREDENTIAL}, which does not use ${them}: clear ${them}, or set GRAPH_CREDENTIAL to the credential you mean.`
      : `${names} set but GRAPH_CREDENTIAL is empty, so the bot does not read Microsoft Graph: set GRAPH_CREDENTIAL (secret, certificate or managedIdentity), or clear ${them}.`,
  );
}

function decideMode(raw: Environment, problems: string[]): LocalMode | ProductionMode {
  if (!raw.MicrosoftAppId) {
    const stray = (
      [
        'MicrosoftAppPassword',
        'MicrosoftAppType',
        'MicrosoftAppTenantId',
        'MicrosoftAppCertificateThumbprint',
        'MicrosoftAppCertificateKeyFile',
      ] as const
    ).filter((name) => raw[name] !== undefined);
    if (stray.length > 0) {
      problems.push(
        `${stray.join(', ')} ${stray.length === 1 ? 'is' : 'are'} set but MicrosoftAppId is empty: set MicrosoftAppId for production mode, or clear ${stray.length === 1 ? 'it' : 'them'} for local mode.`,
      );
    }
    return { kind: 'local' };
  }

  const appType = raw.MicrosoftAppType ?? 'SingleTenant';
  if (!raw.MicrosoftAppTenantId) {
    problems.push('MicrosoftAppTenantId is required in production mode: the Entra tenant of the bot registration.');
  }
  const allowedTenants = parseTenantList(raw.ALLOWED_TENANTS, problems);
  const credentials = decideCredentials(raw, appType, problems);
  return {
    kind: 'production',
    appId: raw.MicrosoftAppId,
    tenantId: raw.MicrosoftAppTenantId ?? '',
    credentials: credentials ?? { kind: 'managedIdentity', appType: 'UserAssignedMSI' },
    allowedTenants,
  };
}

function decideCredentials(
  raw: Environment,
  appType: 'SingleTenant' | 'MultiTenant' | 'UserAssignedMSI',
  problems: string[],
): BotCredentials | undefined {
  const hasCertificate =
    raw.MicrosoftAppCertificateThumbprint !== undefined || raw.MicrosoftAppCertificateKeyFile !== undefined;
  if (appType === 'UserAssignedMSI') {
    if (raw.MicrosoftAppPassword || hasCertificate) {
      problems.push(
        'MicrosoftAppType is UserAssignedMSI: the managed identity needs no MicrosoftAppPassword or certificate; remove them.',
      );
    }
    return { kind: 'managedIdentity', appType };
  }
  if (raw.MicrosoftAppPassword && hasCertificate) {
    problems.push(
      'Set either MicrosoftAppPassword or a certificate (MicrosoftAppCertificateThumbprint and MicrosoftAppCertificateKeyFile), not both.',
    );
    return undefined;
  }
  if (raw.MicrosoftAppPassword) return { kind: 'password', appType, password: raw.MicrosoftAppPassword };
  if (hasCertificate) {
    if (!raw.MicrosoftAppCertificateThumbprint || !raw.MicrosoftAppCertificateKeyFile) {
      problems.push(
        'A certificate needs both MicrosoftAppCertificateThumbprint and MicrosoftAppCertificateKeyFile (a PEM private key file).',
      );
      return undefined;
    }
    const keyPath = resolve(raw.MicrosoftAppCertificateKeyFile);
    if (!existsSync(keyPath)) {
      problems.push(`MicrosoftAppCertificateKeyFile "${raw.MicrosoftAppCertificateKeyFile}" does not exist.`);
      return undefined;
    }
    const unreadable = unreadableFile(keyPath);
    if (unreadable) {
      problems.push(
        `MicrosoftAppCertificateKeyFile "${raw.MicrosoftAppCertificateKeyFile}" cannot be read: ${unreadable}.`,
      );
      return undefined;
    }
    const privateKey = readFileSync(keyPath, 'utf8');
    if (!privateKey.includes('PRIVATE KEY')) {
      problems.push(`MicrosoftAppCertificateKeyFile "${raw.MicrosoftAppCertificateKeyFile}" is not a PEM private key.`);
      return undefined;
    }
    return { kind: 'certificate', appType, thumbprint: raw.MicrosoftAppCertificateThumbprint, privateKey };
  }
  problems.push(
    `MicrosoftAppType is ${appType}: set MicrosoftAppPassword (the client secret) or a certificate (MicrosoftAppCertificateThumbprint and MicrosoftAppCertificateKeyFile), or use UserAssignedMSI.`,
  );
  return undefined;
}

function parseTenantList(value: string | undefined, problems: string[]): ReadonlySet<string> {
  if (!value) {
    problems.push(
      'ALLOWED_TENANTS is required in production mode: a comma-separated list of the Entra tenant ids whose users may talk to the bot.',
    );
    return new Set();
  }
  const tenants = value
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '');
  const malformed = tenants.filter((entry) => !GUID.test(entry));
  if (malformed.length > 0) {
    problems.push(`ALLOWED_TENANTS has entries that are not tenant ids (GUIDs): ${malformed.join(', ')}.`);
  }
  return new Set(tenants.map((entry) => entry.toLowerCase()));
}

function readDotenv(dir: string | undefined): Record<string, string> {
  if (!dir) return {};
  const path = resolve(dir, '.env');
  return existsSync(path) ? parseDotenv(readFileSync(path)) : {};
}

function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

/** The exporter refuses a connection string without an instrumentation key that is a GUID. */
function isApplicationInsightsConnectionString(value: string): boolean {
  const key = /(?:^|;)\s*InstrumentationKey\s*=([^;]*)/i.exec(value)?.[1];
  return key !== undefined && GUID.test(key.trim());
}

function isPostgresUrl(value: string): boolean {
  try {
    const url = new URL(value);
    // The host is in the authority, or in ?host= (a Unix socket folder), as libpq allows.
    const host = url.hostname || url.searchParams.get('host');
    return (url.protocol === 'postgres:' || url.protocol === 'postgresql:') && Boolean(host);
  } catch {
    return false;
  }
}
