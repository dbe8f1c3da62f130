import type { Clock } from '../../domain/ports.js';
import type { AuditKeyRing } from '../audit-chain.js';
import type { Store } from '../store.js';
import { closeDatabase } from './group-commit.js';
import type { SqliteDatabase } from './open-database.js';
import { SqliteApprovalChannelRepository } from './sqlite-approval-channel-repository.js';
import { SqliteAuditTrail } from './sqlite-audit-trail.js';
import { SqliteConversationAddressRepository } from './sqlite-conversation-address-repository.js';
import { SqliteDiagnosisRepository } from './sqlite-diagnosis-repository.js';
import { SqliteExecutionJobRepository } from './sqlite-execution-job-repository.js';
import { SqliteOperationsReadings } from './sqlite-operations-readings.js';
import { SqliteOverdueNoticeRepository } from './sqlite-overdue-notice-repository.js';
import { SqliteRequestRepository } from './sqlite-request-repository.js';
import { SqliteSimulatedDirectoryJournal } from './sqlite-simulated-directory-journal.js';
import { SqliteStateStore } from './sqlite-state-store.js';
import { SqliteStatisticsRepository } from './sqlite-statistics-repository.js';
import { SqliteViewLog } from './sqlite-view-log.js';

/** What the SQLite repositories need besides the file: the audit keys that sign the trail and the clock. */
export interface SqliteStoreOptions {
  auditKeys: AuditKeyRing;
  clock: Clock;
}

/**
 * Every repository on one migrated SQLite file, with the audit trail sealed where signing began. The
 * store owns the file from here: close() commits queued writes and closes it.
 */
export function sqliteStore(db: SqliteDatabase, { auditKeys, clock }: SqliteStoreOptions): Store {
  const auditTrail = new SqliteAuditTrail(db, auditKeys);
  auditTrail.seal();
  const state = new SqliteStateStore(db, clock);
  return {
    backend: 'sqlite',
    requests: new SqliteRequestRepository(db, auditKeys),
    auditTrail,
    channels: new SqliteApprovalChannelRepository(db),
    executionJobs: new SqliteExecutionJobRepository(db),
    diagnoses: new SqliteDiagnosisRepository(db),
    addresses: new SqliteConversationAddressRepository(db),
    statistics: new SqliteStatisticsRepository(db),
    views: new SqliteViewLog(db),
    overdueNotices: new SqliteOverdueNoticeRepository(db),
    state,
    simulatedDirectoryJournal: new SqliteSimulatedDirectoryJournal(db, clock),
    operationsReadings: (tenants) => new SqliteOperationsReadings(db, tenants),
    // The state store checks that the file it opened is still the one at its path.
    health: state,
    close: async () => closeDatabase(db),
  };
}
