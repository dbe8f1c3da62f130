import type { Clock, Directory, DirectoryUser } from '../ports.js';
import {
  validateApplication,
  type ApplicationField,
  type ApplicationInput,
  type ApplicationValues,
  type FieldProblem,
} from './application.js';
import type { RequestRepository } from './ports.js';
import { emptyReview, type AuditEvent, type ResetRequest } from './request.js';

/** The authenticated person filing, from the activity (never from card data). */
export interface Filer {
  tenantId: string;
  userId: string;
}

/** Someone an application may be filed for: the filer, or one of their direct reports. */
export interface EligibleSubject {
  id: string;
  displayName: string;
  isSelf: boolean;
}

/** What submitting an application did. */
export type SubmitResult =
  | {
      kind: 'created';
      request: ResetRequest;
      /** Whom it is for, so the confirmation can name them. */
      subject: EligibleSubject;
    }
  | {
      kind: 'invalid';
      /** Whom the form is for, as already checked, so it can be shown again without asking twice. */
      subject: EligibleSubject;
      problems: Partial<Record<ApplicationField, FieldProblem>>;
      values: ApplicationValues;
    }
  | { kind: 'notEligible' }
  | { kind: 'subjectHasOpenRequest'; reference: string }
  | { kind: 'filerCapReached'; cap: number };

export interface RequestServiceOptions {
  repository: RequestRepository;
  /** Undefined where no directory is configured: people can then only apply for themselves. */
  directory: Directory | undefined;
  clock: Clock;
  newId: () => string;
  /** Applications one person may file in 24 hours. */
  dailyCap: number;
}

const DAY_MS = 86_400_000;

/**
 * Takes MFA reset applications: decides whose accounts a person may apply for, validates the
 * application, and stores it under the one-open-request and daily limits. Every refusal that
 * touches a limit is audited.
 */
export class RequestService {
  constructor(private readonly options: RequestServiceOptions) {}

  /** The filer and, for a line manager, their direct reports (checked against the directory now). */
  async eligibleSubjects(filer: Filer): Promise<EligibleSubject[]> {
    const { directory } = this.options;
    const [self, found] = await Promise.all([
      directory?.getUser(filer.userId).catch(() => undefined),
      directory?.getDirectReports(filer.userId).catch(() => [] as DirectoryUser[]),
    ]);
    const reports = found ?? [];
    return [
      { id: filer.userId, displayName: self?.displayName ?? '', isSelf: true },
      ...reports
        .filter((report) => report.accountEnabled && report.id !== filer.userId)
        .map((report) => ({ id: report.id, displayName: report.displayName, isSelf: false })),
    ];
  }

  /** Validates and stores an application for `subjectId`, filed by `filer`. */
  async submit(
    filer: Filer,
    subjectId: string,
    input: ApplicationInput,
    knownMethodIds: ReadonlySet<string>,
    diagnosisId: string | undefined,
  ): Promise<SubmitResult> {
    const { repository, clock, newId, dailyCap } = this.options;
    // Card data is not trusted: the subject must be one the directory allows this filer now.
    const subject = (await this.eligibleSubjects(filer)).find((candidate) => candidate.id === subjectId);
    if (!subject) {
      // Card data naming someone who is not this filer's report: refused, and on the record.
      await repository.appendEvent({
        requestId: '-',
        tenantId: filer.tenantId,
        actor: filer.userId,
        at: clock.now(),
        from: null,
        to: 'refused',
        reason: `refused application for ${String(subjectId).slice(0, 100)}: notEligible`,
      });
      return { kind: 'notEligible' };
    }

    const checked = validateApplication(input, knownMethodIds);
    if (!checked.ok) return { kind: 'invalid', subject, problems: checked.problems, values: checked.values };

    const now = clock.now();
    const id = newId();
    const event: AuditEvent = {
      requestId: id,
      tenantId: filer.tenantId,
      actor: filer.userId,
      at: now,
      from: null,
      to: 'submitted',
      reason: subjectId === filer.userId ? 'application filed' : 'application filed for a direct report',
    };
    const result = await repository.create(
      {
        id,
        tenantId: filer.tenantId,
        filerId: filer.userId,
        application: { ...checked.application, subjectId, diagnosisId },
        state: 'submitted',
        review: emptyReview(),
        createdAt: now,
        updatedAt: now,
      },
      event,
      { dailyCap, since: new Date(now.getTime() - DAY_MS) },
    );
    switch (result.kind) {
      case 'created':
        return { kind: 'created', request: result.request, subject };
      case 'subjectHasOpenRequest':
        await repository.appendEvent({
          requestId: result.existing.id,
          tenantId: filer.tenantId,
          actor: filer.userId,
          at: now,
          from: result.existing.state,
          to: 'refused',
          reason: 'refused a second application while this request is open',
        });
        return { kind: 'subjectHasOpenRequest', reference: result.existing.reference };
      case 'filerCapReached':
        await repository.appendEvent({
          requestId: '-',
          tenantId: filer.tenantId,
          actor: filer.userId,
          at: now,
          from: null,
          to: 'refused',
          reason: `refused an application: ${result.filed} filed in the last 24 hours, the cap is ${dailyCap}`,
        });
        return { kind: 'filerCapReached', cap: dailyCap };
    }
  }
}
