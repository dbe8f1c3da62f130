import type { IncomingMessage } from 'node:http';
import { withDeadline } from '../domain/with-deadline.js';
import type { Logger } from '../logging/create-logger.js';

/** The cloud role name Application Insights files this bot's telemetry under (application map, role filters). */
export const CLOUD_ROLE_NAME = 'sign-in-help';

/**
 * Probes and scrapes: platforms ask for them every few seconds on every instance, and as requests they would cost
 * more than everything else the bot sends while telling nothing `/readyz` and `/metrics` do not.
 */
const UNTRACKED_PATHS: ReadonlySet<string> = new Set(['/healthz', '/readyz', '/metrics']);

/** Application Insights, started: `stop` sends what is still batched. */
export interface Telemetry {
  /** Exports what is batched and shuts the SDK down; gives up (with a warning) after `budgetMs`. Never rejects. */
  stop(budgetMs: number): Promise<void>;
}

/**
 * Starts Application Insights through Microsoft's OpenTelemetry distro (`@azure/monitor-opentelemetry`); the
 * bootstrap calls it only when APPLICATIONINSIGHTS_CONNECTION_STRING is set, so without it nothing of OpenTelemetry
 * is loaded (both packages are imported here, lazily). Call it before anything loads `http` (restify, botbuilder):
 * the instrumentations patch modules as they are loaded.
 *
 * What goes to Application Insights: incoming requests (`POST /api/messages`; not the probes above), outgoing HTTP
 * calls (Bot Connector, token endpoints) and PostgreSQL queries as dependencies (statement text with `$1`
 * placeholders, never values), the exceptions recorded on them, and standard and performance metrics.
 * What never goes: request and response headers (the distro captures none unless configured to, so the Authorization
 * header of `/api/messages` and the tokens of outgoing calls stay out) and bodies (activities, passes); the bot's log
 * lines (the distro instruments bunyan and winston, off by default, never pino: the logs stay on stdout, redacted
 * by the logger); Live Metrics, which would stream samples of requests and exception texts to a second endpoint.
 * Graph calls go through `fetch`, which this distro does not instrument.
 */
export async function startAzureMonitor(connectionString: string, logger: Logger): Promise<Telemetry> {
  const [{ useAzureMonitor, shutdownAzureMonitor }, { resourceFromAttributes }] = await Promise.all([
    import('@azure/monitor-opentelemetry'),
    import('@opentelemetry/resources'),
  ]);
  const http = {
    enabled: true,
    ignoreIncomingRequestHook: (request: IncomingMessage) =>
      UNTRACKED_PATHS.has(new URL(request.url ?? '/', 'http://localhost').pathname),
  };
  useAzureMonitor({
    azureMonitorExporterOptions: { connectionString },
    // OTEL_SERVICE_NAME, when set, still wins: the SDK reads the environment after this.
    resource: resourceFromAttributes({ 'service.name': CLOUD_ROLE_NAME }),
    enableLiveMetrics: false,
    instrumentationOptions: { http },
  });
  logger.info({ cloudRole: CLOUD_ROLE_NAME }, 'sending telemetry to Application Insights');
  return {
    stop: (budgetMs) =>
      withDeadline(Promise.resolve(shutdownAzureMonitor()), budgetMs).catch((error: unknown) =>
        logger.warn({ err: error }, 'telemetry not sent before shutting down'),
      ),
  };
}
