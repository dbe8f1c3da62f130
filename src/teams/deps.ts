import type { Config } from '../config/load-config.js';
import type { DiagnosisService } from '../domain/diagnosis/diagnosis-service.js';
import type { Knowledge } from '../domain/diagnosis/knowledge.js';
import type { Disputes } from '../domain/requests/dispute.js';
import type { ExecutionService } from '../domain/requests/execution-service.js';
import type { ApprovalChannelRepository } from '../domain/requests/ports.js';
import type { RequestService } from '../domain/requests/request-service.js';
import type { ReviewService } from '../domain/requests/review-service.js';
import type { StatusService } from '../domain/requests/status-service.js';
import type { RequestPublisher } from './review/request-publisher.js';
import type { Clock, ConversationAddressRepository, Directory } from '../domain/ports.js';
import type { Logger } from '../logging/create-logger.js';
import type { AfterAnswer } from './after-answer.js';
import type { AuditAnchors } from './audit/audit-anchors.js';

/** What the Teams handlers are given; they reach for nothing else. */
export interface TeamsDeps {
  config: Config;
  logger: Logger;
  clock: Clock;
  /** Undefined where no directory is configured yet; handlers then use what Teams sent. */
  directory: Directory | undefined;
  addresses: ConversationAddressRepository;
  /** URLs by link id, from configuration. */
  links: Config['links'];
  knowledge: Knowledge;
  diagnosis: DiagnosisService;
  requests: RequestService;
  review: ReviewService;
  /** Where requests stand, for requesters, managers, the helpdesk and its leads. */
  status: StatusService;
  /** Posts and updates request cards in the approval channel and tells people about changes. */
  publisher: RequestPublisher;
  /** Carries out approved resets; undefined without a directory. Issues passes on the verified contact. */
  execution: ExecutionService | undefined;
  /** "This was not me" from the person whose methods were reset. */
  disputes: Disputes;
  channels: ApprovalChannelRepository;
  /** Sends what a click shows besides its answer once the invoke has been answered. */
  afterAnswer: AfterAnswer;
  /** Publishes the audit trail's head when an agent or lead asks in the approval channel. */
  auditAnchors: AuditAnchors;
}
