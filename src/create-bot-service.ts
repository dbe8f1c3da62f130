import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { Config } from './config/load-config.js';
import { checkStart } from './config/check-start.js';
import { DiagnosisService } from './domain/diagnosis/diagnosis-service.js';
import { DiagnosisEngine } from './domain/diagnosis/engine.js';
import { RequestService } from './domain/requests/request-service.js';
import { ReviewService } from './domain/requests/review-service.js';
import { BackgroundTasks } from './jobs/background-tasks.js';
import { ExecutionWorker } from './jobs/execution-worker.js';
import { ReviewJobs } from './jobs/review-jobs.js';
import { ServiceLevelJobs, serviceLevelInterval } from './jobs/service-level-jobs.js';
import { ServiceLevels } from './domain/requests/service-levels.js';
import { StatusService } from './domain/requests/status-service.js';
import { Disputes } from './domain/requests/dispute.js';
import { ExecutionService } from './domain/requests/execution-service.js';
import { ReviewFactsReader } from './domain/requests/review-facts.js';
import { TeamsPassCourier } from './teams/review/pass-courier.js';
import { TeamsMessenger } from './teams/proactive/messenger.js';
import { AfterAnswer } from './teams/after-answer.js';
import { RequestPublisher } from './teams/review/request-publisher.js';
import type { LinkId } from './domain/diagnosis/knowledge.js';
import type { Clock, Directory } from './domain/ports.js';
import { systemClock } from './domain/system-clock.js';
import { withDeadline } from './domain/with-deadline.js';
import { loadDemoTenant, type DemoTenant } from './directory/demo-tenant.js';
import { createGraphCredential } from './directory/graph-credential.js';
import { CachingDirectory } from './directory/caching-directory.js';
import { meteredDirectory } from './directory/metered-directory.js';
import { GraphDirectory } from './directory/graph-directory.js';
import { SimulatedDirectory } from './directory/simulated-directory.js';
import type { Logger } from './logging/create-logger.js';
import { createServer } from './server/create-server.js';
import { BotMetrics } from './server/metrics.js';
import { TokenAuthorityCheck } from './teams/token-authority-check.js';
import { auditKeysFor } from './store/audit-keys.js';
import { createStore } from './store/create-store.js';
import type { Store } from './store/store.js';
import { AuditJobs } from './jobs/audit-jobs.js';
import { AuditAnchors } from './teams/audit/audit-anchors.js';
import { createBotAdapter, type AdapterOverrides } from './teams/bot-adapter.js';
import { createTeamsApp } from './teams/create-app.js';
import { createActivityGuard } from './teams/guard-activity.js';
import { createInboundHandler } from './teams/handle-inbound.js';
import { KeyedSerialQueue } from './teams/keyed-serial-queue.js';

/** Parts a test may swap; production passes none. */
export interface ServiceOverrides {
  clock?: Clock;
  directory?: Directory;
  adapter?: AdapterOverrides;
}

/** The whole bot, wired: call start() to listen and stop() to shut down cleanly. */
export interface BotService {
  start(): Promise<number>;
  stop(): Promise<void>;
  /** Everything the bot keeps; stop() closes it. */
  readonly store: Store;
  /** Runs the periodic jobs (expiry, backlog, overdue notices) once, now. */
  runJobs(): Promise<void>;
  /** Carries out the approved requests that are due, now. */
  runExecution(): Promise<void>;
  /** Resolves once everything announced so far has been posted and sent. */
  settle(): Promise<void>;
}

/** Composition root: builds store, directory, adapter, app and server from configuration. */
export async function createBotService(
  config: Config,
  logger: Logger,
  overrides: ServiceOverrides = {},
): Promise<BotService> {
  const clock = overrides.clock ?? systemClock;
  // Every failure a start can know of ends it here, naming its setting, before anything is written.
  const { knowledge } = checkStart(config, configuredLinks(config));
  const demoTenant = config.mode.kind === 'local' ? loadDemoTenant() : undefined;
  // Before the database: production without AUDIT_KEY never gets this far, and local mode makes its key first.
  const auditKeys = auditKeysFor(config, logger);
  const store = await createStore(config, logger, { auditKeys, clock });
  const { addresses, channels, executionJobs, auditTrail } = store;
  // Tenants are the allowlist (or the demo tenant): the hourly cap is counted per tenant.
  const tenants = demoTenant
    ? [demoTenant.tenant.id]
    : config.mode.kind === 'production'
      ? [...config.mode.allowedTenants]
      : [];
  // A registry per service: two bots in one test process never count into each other.
  const metrics = new BotMetrics({
    readings: store.operationsReadings(tenants),
    clock,
    hourlyCap: config.execution.hourlyCap,
  });
  // Local mode reads the simulated demo tenant; production reads Microsoft Graph when GRAPH_CREDENTIAL is set,
  // and without it greets people by the name Teams sends and carries nothing out.
  const source =
    overrides.directory ??
    (demoTenant
      ? // Its changes live in the database beside the requests that made them, so a restart shows both.
        await SimulatedDirectory.resume(demoTenant, clock, store.simulatedDirectoryJournal, {
          latencyMs: config.simulatedDirectoryLatencyMs,
        })
      : config.graph && new GraphDirectory({ credential: createGraphCredential(config.graph) }));
  // Each read is reused for DIRECTORY_CACHE_SECONDS: a click, its answer and the card update after it
  // ask about the same people. The reset itself reads past it (fresh()).
  // Metered beneath the cache: the metrics count the calls that reach the directory, not the answers kept.
  const metered =
    source &&
    meteredDirectory(source, (operation, outcome, seconds) => metrics.directoryCalled(operation, outcome, seconds));
  const caching = metered && new CachingDirectory(metered, { ttlMs: config.directoryCacheMs, clock });
  const directory: Directory | undefined = caching;
  const botAppId = config.mode.kind === 'production' ? config.mode.appId : (demoTenant?.bot.id ?? '');

  const adapter = createBotAdapter(config, overrides.adapter);
  const diagnosisRepository = store.diagnoses;
  const diagnosis = new DiagnosisService({
    engine: new DiagnosisEngine(knowledge, configuredLinks(config)),
    directory,
    repository: diagnosisRepository,
    clock,
    newId: randomUUID,
    evidenceBudgetMs: config.evidenceBudgetMs,
  });
  const requestRepository = store.requests;
  const helpdeskGroupId = config.helpdeskGroupId ?? demoGroup(demoTenant, 'helpdesk');
  const leadGroupId = config.leadGroupId ?? demoGroup(demoTenant, 'lead');
  /** This process, as the owner of the jobs, notices and card posts it leases. */
  const instance = `${hostname()}/${process.pid}/${randomUUID()}`;
  const messenger = new TeamsMessenger(adapter, botAppId);
  const tasks = new BackgroundTasks(logger);
  const requests = new RequestService({
    repository: requestRepository,
    directory,
    clock,
    newId: randomUUID,
    dailyCap: config.applicationDailyCap,
  });
  const reviewFacts = new ReviewFactsReader({
    directory,
    repository: requestRepository,
    diagnoses: diagnosisRepository,
    clock,
    helpdeskGroupId,
    privilegedApproval: config.privilegedApproval,
  });
  const publisher = new RequestPublisher({
    facts: reviewFacts,
    requests: requestRepository,
    channels,
    addresses,
    directory,
    messenger,
    tasks,
    clock,
    logger,
    owner: instance,
    defaultLocale: config.defaultLocale,
    configuredChannel: config.approvalChannel,
    expiryDays: config.requestExpiryDays,
    reviewSlaMs: config.reviewSlaMs,
    executionJobs,
  });
  const review = new ReviewService({
    repository: requestRepository,
    directory,
    facts: reviewFacts,
    clock,
    notifier: publisher,
    policy: {
      helpdeskGroupId,
      adminGroupId: config.adminGroupId ?? demoGroup(demoTenant, 'admin'),
      managerConfirmation: config.managerConfirmation,
      expiryDays: config.requestExpiryDays,
    },
  });
  // Without a directory (production before the Graph directory is configured) nothing is carried out:
  // approved requests wait in the outbox.
  const execution =
    caching &&
    new ExecutionService({
      repository: requestRepository,
      jobs: executionJobs,
      // The reset plans from the methods as they are now.
      directory: caching.fresh(),
      courier: new TeamsPassCourier({
        addresses,
        messenger,
        directory,
        logger,
        defaultLocale: config.defaultLocale,
        securityInfoUrl: config.links.securityInfo,
      }),
      notifier: publisher,
      clock,
      policy: config.execution,
      owner: instance,
      leaseMs: 120_000,
      random: Math.random,
      observe: (event) => metrics.executionObserved(event),
    });
  const worker =
    execution && new ExecutionWorker({ execution, logger, intervalMs: config.execution.pollSeconds * 1_000 });
  const status = new StatusService({
    repository: requestRepository,
    jobs: executionJobs,
    statistics: store.statistics,
    diagnoses: diagnosisRepository,
    channels,
    views: store.views,
    directory,
    clock,
    policy: { helpdeskGroupId, leadGroupId, reviewSlaMs: config.reviewSlaMs },
  });
  const serviceLevels = new ServiceLevelJobs({
    serviceLevels: new ServiceLevels({
      notices: store.overdueNotices,
      notifier: publisher,
      directory,
      clock,
      reviewSlaMs: config.reviewSlaMs,
      leadGroupId,
      owner: instance,
      leaseMs: 120_000,
    }),
    logger,
    intervalMs: serviceLevelInterval(config.jobsIntervalSeconds * 1_000, config.reviewSlaMs),
  });
  const jobs = new ReviewJobs({
    review,
    channels,
    backlog: publisher,
    logger,
    intervalMs: config.jobsIntervalSeconds * 1_000,
  });
  const auditAnchors = new AuditAnchors({
    trail: auditTrail,
    channelFor: (tenantId) => publisher.channelFor(tenantId),
    messenger,
    clock,
    logger,
    defaultLocale: config.defaultLocale,
  });
  const auditJobs = new AuditJobs({
    trail: auditTrail,
    anchors: auditAnchors,
    // Tenants whose channel may come from APPROVAL_TEAM_ID rather than `set approval channel`.
    tenants: demoTenant
      ? [demoTenant.tenant.id]
      : config.mode.kind === 'production' && config.approvalChannel
        ? [...config.mode.allowedTenants]
        : [],
    clock,
    logger,
    retentionDays: config.audit.retentionDays,
    intervalMs: config.jobsIntervalSeconds * 1_000,
  });
  const deps = {
    config,
    logger,
    clock,
    directory,
    addresses,
    links: config.links,
    knowledge,
    diagnosis,
    requests,
    review,
    status,
    publisher,
    channels,
    execution,
    disputes: new Disputes({ repository: requestRepository, notifier: publisher, clock }),
    afterAnswer: new AfterAnswer({ tasks, messenger, logger, defaultLocale: config.defaultLocale }),
    auditAnchors,
  };
  const app = createTeamsApp(deps, adapter, store.state, botAppId);
  const handleMessage = createInboundHandler({
    config,
    adapter,
    app,
    guard: createActivityGuard(deps),
    turns: new KeyedSerialQueue(),
    observe: ({ kind, family, seconds }) => metrics.turnAnswered(kind, family, seconds),
  });
  // In production the bot is ready only while the Bot Framework's token authority answers (asked at most
  // every 30 s): without it, tokens signed with a key the bot has not seen yet cannot be checked.
  const readiness =
    config.mode.kind === 'production'
      ? [
          store.health,
          new TokenAuthorityCheck({
            metadataUrl: overrides.adapter?.channelOpenIdMetadataUrl,
            now: () => clock.now().getTime(),
          }),
        ]
      : [store.health];
  const server = createServer({ config, logger, handleMessage, readiness, metrics });

  let stopping: Promise<void> | undefined;
  return {
    store,
    runJobs: async () => {
      await jobs.runOnce();
      await serviceLevels.runOnce();
      await auditJobs.runOnce();
    },
    runExecution: async () => {
      await worker?.runOnce();
    },
    settle: () => tasks.idle(),
    start: async () => {
      const port = await server.start();
      jobs.start();
      serviceLevels.start();
      auditJobs.start();
      worker?.start();
      return port;
    },
    stop: () => {
      // Turns in flight, job passes in progress and notices still being sent share SHUTDOWN_TIMEOUT_MS; then
      // the database closes, whatever is left.
      const deadline = Date.now() + config.shutdownTimeoutMs;
      return (stopping ??= server
        .stop()
        .then(() =>
          withDeadline(
            jobs
              .stop()
              .then(() => serviceLevels.stop())
              .then(() => auditJobs.stop())
              .then(() => worker?.stop())
              .then(() => tasks.idle()),
            Math.max(0, deadline - Date.now()),
          ).catch(() =>
            logger.warn(
              'stopped before every channel update and notice was sent; requests never posted are posted after the next start',
            ),
          ),
        )
        .finally(async () => {
          await store.close();
          logger.info('stopped');
        }));
    },
  };
}

/** The link ids that have a URL in this configuration. */
function configuredLinks(config: Config): ReadonlySet<LinkId> {
  return new Set(
    (Object.entries(config.links) as Array<[LinkId, string | undefined]>).flatMap(([id, url]) => (url ? [id] : [])),
  );
}

/** In local mode, the demo tenant's group for a purpose; production names its groups in configuration. */
function demoGroup(tenant: DemoTenant | undefined, purpose: 'helpdesk' | 'admin' | 'lead'): string | undefined {
  return tenant?.groups.find((group) => group.purpose === purpose)?.id;
}
