import type { SimulatedDirectoryJournal } from '../directory/simulated-directory.js';
import type { ConversationAddressRepository, DiagnosisRepository, HealthCheck, StateStore } from '../domain/ports.js';
import type {
  ApprovalChannelRepository,
  AuditTrailRepository,
  ExecutionJobRepository,
  OperationsReadings,
  OverdueNoticeRepository,
  RequestRepository,
  StatisticsRepository,
  ViewLog,
} from '../domain/requests/ports.js';

/** The database engines the bot can keep its records in. */
export type StoreBackend = 'sqlite' | 'postgres';

/**
 * Everything the bot keeps, behind one backend: SQLite (one file, the default) or PostgreSQL (several
 * instances sharing one database). Each repository's contract (src/domain/requests/ports.ts,
 * src/domain/ports.ts) states what must happen in one transaction; both backends pass one test suite
 * (test/store/contract). Nothing outside src/store sees SQL or a database handle.
 */
export interface Store {
  readonly backend: StoreBackend;
  readonly requests: RequestRepository;
  readonly auditTrail: AuditTrailRepository;
  readonly channels: ApprovalChannelRepository;
  readonly executionJobs: ExecutionJobRepository;
  readonly diagnoses: DiagnosisRepository;
  readonly addresses: ConversationAddressRepository;
  readonly statistics: StatisticsRepository;
  readonly views: ViewLog;
  readonly overdueNotices: OverdueNoticeRepository;
  /** The Teams layer's conversation and user state, with eTags. */
  readonly state: StateStore;
  /** The simulated directory's changes (local mode), kept beside the requests that made them. */
  readonly simulatedDirectoryJournal: SimulatedDirectoryJournal;
  /** What the metrics read when scraped, counted for these tenants (the hourly cap is per tenant). */
  operationsReadings(tenants: readonly string[]): OperationsReadings;
  /** Answers while the database can serve requests (readiness). */
  readonly health: HealthCheck;
  /** Ends every connection; the store is not used afterwards. */
  close(): Promise<void>;
}
