import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load-config.js';
import { ConfigurationError } from '../../src/errors.js';
import { tempFolder } from '../support/temp-folders.js';

const APP_ID = '7d3c9a51-2f4e-4b6a-8c1d-0e9f8a7b6c5d';
const TENANT = '1e2d3c4b-5a69-4788-9a0b-c1d2e3f4a5b6';
/** An audit key as `openssl rand -base64 32` makes one. */
const AUDIT_KEY = 'q3VvJ8m0Yt2cXbN7rLw5ZsQe1HkP4uFgAiD6oTn9Cyo=';
const production = {
  MicrosoftAppId: APP_ID,
  MicrosoftAppPassword: 'secret',
  MicrosoftAppTenantId: TENANT,
  ALLOWED_TENANTS: TENANT,
  AUDIT_KEY,
};

/** The problems a configuration is refused with. */
function problemsOf(env: Record<string, string>): readonly string[] {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigurationError) return error.problems;
    throw error;
  }
  throw new Error('configuration was accepted');
}

describe('loadConfig', () => {
  it('runs in local mode on 127.0.0.1 with defaults when nothing is set', () => {
    const config = loadConfig({});
    expect(config.mode).toEqual({ kind: 'local' });
    expect(config.host).toBe('127.0.0.1');
    expect(config.port).toBe(3978);
    expect(config.sqlitePath).toBe('./data/sign-in-help.sqlite');
    expect(config.defaultLocale).toBe('en');
    expect(config.links.securityInfo).toBe('https://mysignins.microsoft.com/security-info');
    expect(Object.isFrozen(config)).toBe(true);
  });

  it('treats empty strings as unset', () => {
    expect(loadConfig({ MicrosoftAppId: '', PORT: '', LOG_LEVEL: '' }).mode.kind).toBe('local');
  });

  it('refuses local mode with NODE_ENV=production', () => {
    expect(problemsOf({ NODE_ENV: 'production' })[0]).toMatch(/NODE_ENV is "production" but MicrosoftAppId is empty/);
  });

  it('refuses a non-loopback HOST in local mode', () => {
    expect(problemsOf({ HOST: '0.0.0.0' })[0]).toMatch(/HOST "0.0.0.0" is not a loopback address/);
    expect(loadConfig({ HOST: '127.0.0.1' }).host).toBe('127.0.0.1');
  });

  it('delays the simulated directory only when asked, in local mode only', () => {
    expect(loadConfig({}).simulatedDirectoryLatencyMs).toBe(0);
    expect(loadConfig({ SIMULATED_DIRECTORY_LATENCY_MS: '500' }).simulatedDirectoryLatencyMs).toBe(500);
    expect(problemsOf({ SIMULATED_DIRECTORY_LATENCY_MS: '-1' })).toEqual([
      'SIMULATED_DIRECTORY_LATENCY_MS must be at least 0',
    ]);
    expect(problemsOf({ SIMULATED_DIRECTORY_LATENCY_MS: '10001' })).toEqual([
      'SIMULATED_DIRECTORY_LATENCY_MS must be at most 10000',
    ]);
    expect(problemsOf({ SIMULATED_DIRECTORY_LATENCY_MS: 'half a second' })).toEqual([
      'SIMULATED_DIRECTORY_LATENCY_MS must be a whole number',
    ]);
    // Production reads Graph: a leftover delay there would be a setting that does nothing.
    expect(problemsOf({ ...production, SIMULATED_DIRECTORY_LATENCY_MS: '500' })).toEqual([
      'SIMULATED_DIRECTORY_LATENCY_MS is for local mode only (the simulated directory), but MicrosoftAppId is set: production reads Microsoft Graph. Clear SIMULATED_DIRECTORY_LATENCY_MS.',
    ]);
    expect(loadConfig({ ...production, SIMULATED_DIRECTORY_LATENCY_MS: '0' }).simulatedDirectoryLatencyMs).toBe(0);
  });

  it('refuses bot credentials without MicrosoftAppId rather than silently ignoring them', () => {
    expect(problemsOf({ MicrosoftAppPassword: 'x' })[0]).toMatch(
      /MicrosoftAppPassword is set but MicrosoftAppId is empty/,
    );
  });

  it('builds production mode with a password, a tenant and an allowlist', () => {
    const config = loadConfig({
      ...production,
      ALLOWED_TENANTS: ` ${TENANT.toUpperCase()} , ffffffff-1111-4222-8333-444444444444 `,
    });
    expect(config.mode).toMatchObject({
      kind: 'production',
      appId: APP_ID,
      tenantId: TENANT,
      credentials: { kind: 'password', appType: 'SingleTenant', password: 'secret' },
    });
    if (config.mode.kind !== 'production') throw new Error('expected production');
    expect([...config.mode.allowedTenants]).toEqual([TENANT, 'ffffffff-1111-4222-8333-444444444444']);
    expect(config.host).toBe('0.0.0.0');
  });

  it('lists every missing production setting at once', () => {
    const problems = problemsOf({ MicrosoftAppId: APP_ID });
    expect(problems).toHaveLength(4);
    expect(problems.join('\n')).toMatch(/AUDIT_KEY is required in production mode/);
    expect(problems.join('\n')).toMatch(/MicrosoftAppTenantId is required/);
    expect(problems.join('\n')).toMatch(/ALLOWED_TENANTS is required/);
    expect(problems.join('\n')).toMatch(/set MicrosoftAppPassword/);
  });

  it('names a secret that is still an unresolved Key Vault reference instead of taking its text as the secret', () => {
    const reference = '@Microsoft.KeyVault(SecretUri=https://contoso-kv.vault.azure.net/secrets/audit-key/)';
    // 80 characters without a space or comma: without the check it would pass as an audit key.
    const problems = problemsOf({ ...production, AUDIT_KEY: reference, MicrosoftAppPassword: ` ${reference}` });
    expect(problems).toEqual([
      "MicrosoftAppPassword is a Key Vault reference that App Service could not resolve: give the app's managed identity read access to the secret (Key Vault Secrets User) and check the reference's vault and secret names.",
      "AUDIT_KEY is a Key Vault reference that App Service could not resolve: give the app's managed identity read access to the secret (Key Vault Secrets User) and check the reference's vault and secret names.",
    ]);
    expect(problems.join('\n')).not.toContain('contoso-kv');
  });

  it('refuses production without AUDIT_KEY in one sentence, and checks keys without ever quoting one', () => {
    const { AUDIT_KEY: _, ...withoutKey } = production;
    expect(problemsOf(withoutKey)).toEqual([
      'AUDIT_KEY is required in production mode: a secret of at least 32 characters that signs the audit trail, kept outside the database (generate one with `openssl rand -base64 32`; on Azure App Service, use a Key Vault reference).',
    ]);
    const short = 'too-short-to-sign-anything';
    const problems = problemsOf({ ...production, AUDIT_KEY: short, AUDIT_PREVIOUS_KEYS: `${AUDIT_KEY}, ${short}` });
    expect(problems).toEqual([
      'AUDIT_KEY must be at least 32 characters without spaces or commas: generate one with `openssl rand -base64 32`.',
      'AUDIT_PREVIOUS_KEYS lists earlier values of AUDIT_KEY separated by commas, each at least 32 characters; entry 2 is not.',
    ]);
    expect(problems.join('\n')).not.toContain(short);

    const config = loadConfig({ ...production, AUDIT_PREVIOUS_KEYS: ` ${'o'.repeat(32)} ,${'p'.repeat(40)}` });
    expect(config.audit).toEqual({
      key: AUDIT_KEY,
      previousKeys: ['o'.repeat(32), 'p'.repeat(40)],
      retentionDays: 365,
    });
    // Local mode signs with a key file beside the database unless AUDIT_KEY is set.
    expect(loadConfig({}).audit.key).toBeUndefined();
  });

  it('keeps personal data RETENTION_DAYS (365 by default, 30 to 3650)', () => {
    expect(loadConfig({ RETENTION_DAYS: '90' }).audit.retentionDays).toBe(90);
    expect(problemsOf({ RETENTION_DAYS: '7' })).toEqual(['RETENTION_DAYS must be at least 30']);
    expect(problemsOf({ RETENTION_DAYS: 'forever' })).toEqual(['RETENTION_DAYS must be a whole number']);
  });

  it('keeps SQLite unless DATABASE_URL names a PostgreSQL database, and never repeats the URL in a refusal', () => {
    expect(loadConfig({}).database).toBeUndefined();
    expect(
      loadConfig({ DATABASE_URL: 'postgresql://bot:s3cret@db.example:5432/helpdesk?sslmode=verify-full' }).database,
    ).toEqual({
      url: 'postgresql://bot:s3cret@db.example:5432/helpdesk?sslmode=verify-full',
      poolSize: 10,
      statementTimeoutMs: 5_000,
      entraAuth: false,
    });
    expect(
      loadConfig({
        DATABASE_URL: 'postgres://db/helpdesk',
        DATABASE_POOL_SIZE: '25',
        DATABASE_STATEMENT_TIMEOUT_MS: '2000',
      }).database,
    ).toMatchObject({ poolSize: 25, statementTimeoutMs: 2_000 });
    for (const url of ['mysql://bot:s3cret@db/helpdesk', 'bot:s3cret@db/helpdesk', 'postgres://']) {
      const problems = problemsOf({ DATABASE_URL: url });
      expect(problems).toEqual([
        'DATABASE_URL must be a postgres:// or postgresql:// URL, like postgres://user:password@host:5432/database',
      ]);
    }
    expect(problemsOf({ DATABASE_URL: 'postgres://db/helpdesk', DATABASE_POOL_SIZE: '0' })).toEqual([
      'DATABASE_POOL_SIZE must be at least 1',
    ]);
  });

  it('signs in to PostgreSQL with an Entra token only when asked, and then without a password in the URL', () => {
    const entra = {
      DATABASE_URL: 'postgres://sign-in-help-identity@db.postgres.database.azure.com/helpdesk?sslmode=require',
    };
    expect(loadConfig({ ...entra, DATABASE_ENTRA_AUTH: 'true' }).database?.entraAuth).toBe(true);
    expect(problemsOf({ DATABASE_ENTRA_AUTH: 'true' })[0]).toMatch(
      /DATABASE_ENTRA_AUTH is true but DATABASE_URL is empty/,
    );
    const problems = problemsOf({ DATABASE_URL: 'postgres://bot:s3cret@db/helpdesk', DATABASE_ENTRA_AUTH: 'true' });
    expect(problems[0]).toMatch(/DATABASE_URL holds a password/);
    expect(problems.join('\n')).not.toContain('s3cret');
  });

  it('names malformed settings and what is wrong with them', () => {
    const problems = problemsOf({ MicrosoftAppId: 'not-a-guid', PORT: '99999', LOG_LEVEL: 'loud' });
    expect(problems.join('\n')).toMatch(/MicrosoftAppId must be a GUID/);
    expect(problems.join('\n')).toMatch(/PORT must be at most 65535/);
    expect(problems.join('\n')).toMatch(/LOG_LEVEL/);
    expect(problemsOf({ ...production, ALLOWED_TENANTS: 'contoso.com' })[0]).toMatch(
      /ALLOWED_TENANTS has entries that are not tenant ids/,
    );
    expect(problemsOf({ SECURITY_INFO_URL: 'http://insecure.example' })[0]).toMatch(
      /SECURITY_INFO_URL must be an https:\/\/ URL/,
    );
  });

  it('accepts a managed identity without a secret, and refuses one with a secret', () => {
    const config = loadConfig({ ...production, MicrosoftAppPassword: '', MicrosoftAppType: 'UserAssignedMSI' });
    expect(config.mode).toMatchObject({ kind: 'production', credentials: { kind: 'managedIdentity' } });
    expect(problemsOf({ ...production, MicrosoftAppType: 'UserAssignedMSI' })[0]).toMatch(
      /needs no MicrosoftAppPassword/,
    );
  });

  it('reads a certificate key file and refuses a missing or non-PEM one', () => {
    const dir = tempFolder('cert-');
    const keyFile = join(dir, 'bot.key.pem');
    writeFileSync(keyFile, '-----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY-----\n');
    const certificate = {
      ...production,
      MicrosoftAppPassword: '',
      MicrosoftAppCertificateThumbprint: 'AB12',
      MicrosoftAppCertificateKeyFile: keyFile,
    };
    expect(loadConfig(certificate).mode).toMatchObject({ credentials: { kind: 'certificate', thumbprint: 'AB12' } });
    expect(problemsOf({ ...certificate, MicrosoftAppCertificateKeyFile: join(dir, 'missing.pem') })[0]).toMatch(
      /does not exist/,
    );
    writeFileSync(keyFile, 'hello');
    expect(problemsOf(certificate)[0]).toMatch(/is not a PEM private key/);
    expect(problemsOf({ ...certificate, MicrosoftAppPassword: 'secret' })[0]).toMatch(
      /either MicrosoftAppPassword or a certificate/,
    );
  });

  it('reads a .env file, with the environment winning over it', () => {
    const dir = tempFolder('dotenv-');
    writeFileSync(join(dir, '.env'), 'PORT=4000\nDEFAULT_LOCALE=ja\n');
    const config = loadConfig({ PORT: '5000' }, { dotenvDir: dir });
    expect(config.port).toBe(5000);
    expect(config.defaultLocale).toBe('ja');
  });

  it('reaches Graph with the bot registration and a client secret, or says what is missing', () => {
    expect(
      loadConfig({ ...production, GRAPH_CREDENTIAL: 'secret', GRAPH_CLIENT_SECRET: 'graph-secret' }).graph,
    ).toEqual({
      kind: 'secret',
      tenantId: TENANT,
      clientId: APP_ID,
      clientSecret: 'graph-secret',
    });
    expect(problemsOf({ ...production, GRAPH_CREDENTIAL: 'secret' })).toEqual([
      'GRAPH_CREDENTIAL is secret: set GRAPH_CLIENT_SECRET, the client secret of the Graph app.',
    ]);
    expect(
      problemsOf({ ...production, GRAPH_CREDENTIAL: 'certificate', GRAPH_CERTIFICATE_PATH: '/nowhere.pem' }),
    ).toEqual([
      'GRAPH_CREDENTIAL is certificate: set GRAPH_CERTIFICATE_PATH to a PEM file holding the certificate and its private key.',
    ]);
    expect(loadConfig({ ...production, GRAPH_CREDENTIAL: 'managedIdentity' }).graph).toEqual({
      kind: 'managedIdentity',
      clientId: undefined,
    });
    expect(loadConfig(production).graph).toBeUndefined();
    expect(problemsOf({ GRAPH_CREDENTIAL: 'secret', GRAPH_CLIENT_SECRET: 'x' })).toEqual([
      'GRAPH_CREDENTIAL is set but MicrosoftAppId is empty: local mode always uses the simulated directory.',
    ]);
  });

  it("reads how approved resets are carried out, within Graph's limits", () => {
    expect(loadConfig({}).execution).toEqual({
      passLifetimeMinutes: 60,
      passUsableOnce: true,
      passDelivery: 'verifier',
      maxAttempts: 5,
      hourlyCap: 20,
      pollSeconds: 5,
    });
    expect(loadConfig({ PASS_DELIVERY: 'subject', PASS_USABLE_ONCE: 'false' }).execution).toMatchObject({
      passDelivery: 'subject',
      passUsableOnce: false,
    });
    // `agent`, the earlier name, still means the person who verified them.
    expect(loadConfig({ PASS_DELIVERY: 'agent' }).execution.passDelivery).toBe('verifier');
    expect(problemsOf({ PASS_LIFETIME_MINUTES: '5' }).join(' ')).toContain('PASS_LIFETIME_MINUTES');
    expect(problemsOf({ PASS_DELIVERY: 'channel' }).join(' ')).toContain('PASS_DELIVERY');
  });

  it('reads the review service level in hours, fractions allowed, and the lead group', () => {
    expect(loadConfig({}).reviewSlaMs).toBe(8 * 3_600_000);
    expect(loadConfig({ REVIEW_SLA_HOURS: '0.001' }).reviewSlaMs).toBe(3_600);
    expect(loadConfig({ REVIEW_SLA_HOURS: '1.5' }).reviewSlaMs).toBe(5_400_000);
    expect(problemsOf({ REVIEW_SLA_HOURS: '0' })).toEqual(['REVIEW_SLA_HOURS must be more than 0 hours']);
    expect(problemsOf({ REVIEW_SLA_HOURS: 'eight' })).toEqual([
      'REVIEW_SLA_HOURS must be a number of hours, like 8 or 0.5',
    ]);
    expect(problemsOf({ REVIEW_SLA_HOURS: '1000' })).toEqual(['REVIEW_SLA_HOURS must be at most 720 hours (30 days)']);
    expect(loadConfig({ HELPDESK_LEAD_GROUP_ID: TENANT }).leadGroupId).toBe(TENANT);
    expect(problemsOf({ HELPDESK_LEAD_GROUP_ID: 'leads' }).join(' ')).toContain(
      'HELPDESK_LEAD_GROUP_ID must be a GUID',
    );
  });

  it('bounds every wait on the Bot Connector, 3 s unless CONNECTOR_TIMEOUT_MS says otherwise', () => {
    expect(loadConfig({}).connectorTimeoutMs).toBe(3_000);
    expect(loadConfig({ CONNECTOR_TIMEOUT_MS: '1500' }).connectorTimeoutMs).toBe(1_500);
    expect(problemsOf({ CONNECTOR_TIMEOUT_MS: '100' })).toEqual(['CONNECTOR_TIMEOUT_MS must be at least 500']);
  });

  it('serves /metrics by default in local mode only, and checks METRICS_TOKEN without quoting it', () => {
    expect(loadConfig({}).metrics).toEqual({ enabled: true, token: undefined });
    expect(loadConfig(production).metrics).toEqual({ enabled: false, token: undefined });
    expect(loadConfig({ ...production, METRICS_ENABLED: 'true', METRICS_TOKEN: 'abcdefghijklmnop' }).metrics).toEqual({
      enabled: true,
      token: 'abcdefghijklmnop',
    });
    expect(loadConfig({ METRICS_ENABLED: 'false' }).metrics.enabled).toBe(false);
    const problems = problemsOf({ METRICS_TOKEN: 'short-token' });
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^METRICS_TOKEN must be at least 16 characters/);
    expect(problems[0]).not.toContain('short-token');
    expect(problemsOf({ METRICS_ENABLED: 'yes' })[0]).toMatch(/^METRICS_ENABLED /);
  });

  it('sends telemetry only with an Application Insights connection string, and refuses one without its key', () => {
    expect(loadConfig({}).applicationInsightsConnectionString).toBeUndefined();
    const connectionString =
      'InstrumentationKey=4b2f8c1e-9a7d-4e3b-8f6a-2c1d0e9b8a7f;IngestionEndpoint=https://westeurope-5.in.applicationinsights.azure.com/';
    expect(
      loadConfig({ APPLICATIONINSIGHTS_CONNECTION_STRING: connectionString }).applicationInsightsConnectionString,
    ).toBe(connectionString);
    for (const value of ['https://westeurope-5.in.applicationinsights.azure.com/', 'InstrumentationKey=;x=y']) {
      const problems = problemsOf({ APPLICATIONINSIGHTS_CONNECTION_STRING: value });
      expect(problems).toHaveLength(1);
      expect(problems[0]).toMatch(/^APPLICATIONINSIGHTS_CONNECTION_STRING must be an Application Insights connection/);
      expect(problems[0]).not.toContain(value);
    }
  });

  it('refuses Graph settings the chosen credential does not use, and a certificate file without both halves', () => {
    expect(problemsOf({ ...production, GRAPH_CLIENT_SECRET: 'graph-secret' })).toEqual([
      'GRAPH_CLIENT_SECRET is set but GRAPH_CREDENTIAL is empty, so the bot does not read Microsoft Graph: set GRAPH_CREDENTIAL (secret, certificate or managedIdentity), or clear it.',
    ]);
    expect(
      problemsOf({
        ...production,
        GRAPH_CREDENTIAL: 'managedIdentity',
        GRAPH_TENANT_ID: TENANT,
        GRAPH_CLIENT_ID: APP_ID,
      }),
    ).toEqual([
      'GRAPH_TENANT_ID, GRAPH_CLIENT_ID are set but GRAPH_CREDENTIAL is managedIdentity, which does not use them: clear them, or set GRAPH_CREDENTIAL to the credential you mean.',
    ]);
    const dir = tempFolder('graph-cert-');
    const pem = join(dir, 'graph.pem');
    writeFileSync(pem, '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n');
    const certificate = { ...production, GRAPH_CREDENTIAL: 'certificate', GRAPH_CERTIFICATE_PATH: pem };
    expect(problemsOf(certificate)).toEqual([
      `GRAPH_CERTIFICATE_PATH "${pem}" is not a PEM file holding both the certificate and its private key.`,
    ]);
    writeFileSync(
      pem,
      '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n-----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY-----\n',
    );
    expect(loadConfig(certificate).graph).toMatchObject({ kind: 'certificate', certificatePath: pem });
    expect(problemsOf({ ...certificate, GRAPH_CERTIFICATE_PATH: dir })).toEqual([
      `GRAPH_CERTIFICATE_PATH "${dir}" cannot be read: it is a folder.`,
    ]);
  });
});
