import type { Clock } from '../../domain/ports.js';
import type { Logger } from '../../logging/create-logger.js';
import type { AuditKeyRing } from '../audit-chain.js';
import type { Store } from '../store.js';
import { openPool, type PostgresSettings } from './open-pool.js';
import { PostgresApprovalChannelRepository } from './postgres-approval-channel-repository.js';
import { PostgresAuditTrail } from './postgres-audit-trail.js';
import { PostgresConversationAddressRepository } from './postgres-conversation-address-repository.js';
import { PostgresDiagnosisRepository } from './postgres-diagnosis-repository.js';
import { PostgresExecutionJobRepository } from './postgres-execution-job-repository.js';
import { PostgresOperationsReadings } from './postgres-operations-readings.js';
import { PostgresOverdueNoticeRepository } from './postgres-overdue-notice-repository.js';
import { PostgresRequestRepository } from './postgres-request-repository.js';
import { PostgresSimulatedDirectoryJournal } from './postgres-simulated-directory-journal.js';
import { PostgresStateStore } from './postgres-state-store.js';
import { PostgresStatisticsRepository } from './postgres-statistics-repository.js';
import { PostgresViewLog } from './postgres-view-log.js';

/** What the PostgreSQL repositories need besides the database: the audit keys, the clock and, for Entra, tokens. */
export interface PostgresStoreOptions {
  auditKeys: AuditKeyRing;
  clock: Clock;
  /** The password of each new connection when `settings.entraAuth` is set (src/directory/database-token.ts). */
  entraToken?: () => Promise<string>;
}

/**
 * Every repository on one PostgreSQL database that several instances share: the pool opened, the schema migrated
 * (once, under an advisory lock) and the audit trail sealed where signing began. close() ends the pool.
 */
export async function openPostgresStore(
  settings: PostgresSettings,
  logger: Logger,
  { auditKeys, clock, entraToken }: PostgresStoreOptions,
): Promise<Store> {
  const pool = await openPool(settings, logger, { entraToken });
  const auditTrail = new PostgresAuditTrail(pool, auditKeys);
  try {
    await auditTrail.seal();
  } catch (error) {
    await pool.end();
    throw error;
  }
  const state = new PostgresStateStore(pool, clock);
  return {
    backend: 'postgres',
    requests: new PostgresRequestRepository(pool, auditTrail),
    auditTrail,
    channels: new PostgresApprovalChannelRepository(pool),
    executionJobs: new PostgresExecutionJobRepository(pool),
    diagnoses: new PostgresDiagnosisRepository(pool),
    addresses: new PostgresConversationAddressRepository(pool),
    statistics: new PostgresStatisticsRepository(pool),
    views: new PostgresViewLog(pool),
    overdueNotices: new PostgresOverdueNoticeRepository(pool),
    state,
    simulatedDirectoryJournal: new PostgresSimulatedDirectoryJournal(pool, clock),
    operationsReadings: (tenants) => new PostgresOperationsReadings(pool, tenants),
    // Ready while a connection can be had and a table reads.
    health: state,
    close: () => pool.end(),
  };
}
