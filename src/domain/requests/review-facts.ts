import { reachedPossibleCompromise } from '../diagnosis/possible-compromise.js';
import type { AuthMethod, Clock, DiagnosisRepository, Directory, DirectoryUser } from '../ports.js';
import type { RequestRepository } from './ports.js';
import type { ResetRequest } from './request.js';
import { approvalRule, handOverProblem, OPEN_FOR_REVIEW, type PrivilegedApproval } from './review-policy.js';
import { RECENT_RESET_DAYS, riskSignals, type RiskEvidence, type RiskSignal } from './risk.js';

/** Everything an agent needs to judge a request, read from the directory now. */
export interface ReviewFacts {
  subject: DirectoryUser | undefined;
  /** The subject's line manager's name, as the directory gives it with the subject. */
  managerName: string | undefined;
  /** The subject's registered methods now, or undefined when the directory did not answer. */
  methods: AuthMethod[] | undefined;
  /** The subject's directory roles now, or undefined when the directory did not answer. */
  roles: string[] | undefined;
  risks: RiskSignal[];
  /**
   * The helpdesk agents, by name, less the request's subject and filer (see handOverProblem), whoever has the
   * request among them; undefined when it is no longer open or the directory did not answer.
   */
  agents: Array<Pick<DirectoryUser, 'id' | 'displayName'>> | undefined;
  /** Display names of the people the request names (filer, claimer, approvers…), by object id. */
  names: ReadonlyMap<string, string>;
  /** 1, or 2 for a privileged subject under the two-approver policy. */
  approvalsNeeded: number;
  /** A privileged subject under the manual policy: nobody may approve here. */
  manualOnly: boolean;
  /**
   * The diagnosis the application came from reached the possible-compromise outcome: the subject
   * reported sign-in prompts they did not start, or a phone number taken over.
   */
  possibleCompromise: boolean;
}

export interface ReviewFactsOptions {
  directory: Directory | undefined;
  repository: RequestRepository;
  /** Where the diagnosis an application came from is read. */
  diagnoses: Pick<DiagnosisRepository, 'find'>;
  clock: Clock;
  helpdeskGroupId: string | undefined;
  privilegedApproval: PrivilegedApproval;
}

const DAY_MS = 86_400_000;
/** The most agents a hand-over list offers; a helpdesk larger than this picks among the first by name. */
export const MAX_HAND_OVER_CHOICES = 100;

/**
 * Reads what the card of a request shows and what a decision weighs, in one round of directory
 * calls made side by side: the subject (with their manager's name), roles, recent sign-ins and
 * methods, the helpdesk group's members, the names of everyone the request names and, from the
 * store, the diagnosis it came from. A part the directory does not answer is left undefined, and
 * the risk signals say so.
 */
export class ReviewFactsReader {
  constructor(private readonly options: ReviewFactsOptions) {}

  /**
   * `alsoName`: people the card will name once the click has changed the request (the agent who
   * claims it, the one it is handed to), named in the same round.
   */
  async read(request: ResetRequest, alsoName: readonly string[] = []): Promise<ReviewFacts> {
    const { directory, repository, clock, helpdeskGroupId, privilegedApproval } = this.options;
    const now = clock.now();
    const subjectId = request.application.subjectId;
    const open = OPEN_FOR_REVIEW.includes(request.state);
    const people = [...new Set([...peopleNamedBy(request), ...alsoName])].filter((id) => id !== subjectId);
    const [subject, roles, signIns, methods, recentResets, members, names, possibleCompromise] = await Promise.all([
      quietly(directory?.getUser(subjectId)),
      quietly(directory?.getDirectoryRoles(subjectId)),
      quietly(directory?.getRecentSignIns(subjectId, 50)),
      quietly(directory?.getAuthenticationMethods(subjectId)),
      repository.countCompletedSince(request.tenantId, subjectId, new Date(now.getTime() - RECENT_RESET_DAYS * DAY_MS)),
      open && helpdeskGroupId ? quietly(directory?.getGroupMembers(helpdeskGroupId)) : Promise.resolve(undefined),
      Promise.all(people.map((id) => quietly(directory?.getUser(id)).then((user) => user?.displayName))),
      this.reachedPossibleCompromise(request),
    ]);
    const evidence: RiskEvidence = {
      now,
      roles,
      signIns,
      methods,
      recentResets,
      filedOnBehalf: request.filerId !== subjectId,
    };
    return {
      subject,
      managerName: subject?.managerDisplayName,
      methods,
      roles,
      risks: riskSignals(evidence),
      // Who has it now is left in (one more than the list shows): the facts outlive a claim or a hand-over made on
      // them, and the card leaves out whoever has the request when it is drawn.
      agents: members
        ?.filter((member) => handOverProblem(request, member.id) !== 'targetNotEligible')
        .map(({ id, displayName }) => ({ id, displayName: displayName || id }))
        .sort((a, b) => a.displayName.localeCompare(b.displayName))
        .slice(0, MAX_HAND_OVER_CHOICES + 1),
      names: new Map(
        people.flatMap((id, index) => {
          const name = names[index];
          return name ? [[id, name] as const] : [];
        }),
      ),
      ...approvalRule((roles?.length ?? 0) > 0, privilegedApproval),
      possibleCompromise,
    };
  }

  /**
   * Whether the application came from a diagnosis of the subject's own that reached the
   * possible-compromise outcome. The diagnosis id arrived in card data, so one of another person
   * or tenant counts for nothing; a store that does not answer leaves the flag off.
   */
  async reachedPossibleCompromise(request: ResetRequest): Promise<boolean> {
    const { diagnosisId, subjectId } = request.application;
    if (diagnosisId === undefined) return false;
    const record = await quietly(this.options.diagnoses.find(diagnosisId));
    return (
      record !== undefined &&
      record.tenantId === request.tenantId &&
      record.userId === subjectId &&
      reachedPossibleCompromise(record)
    );
  }
}

/** Everyone a request's card names, besides its subject. */
function peopleNamedBy(request: ResetRequest): Set<string> {
  const { review } = request;
  return new Set(
    [
      request.filerId,
      review.claimedBy,
      review.manager?.managerId,
      review.rejection?.by,
      ...review.approvals.map((approval) => approval.agentId),
      ...review.questions.map((question) => question.askedBy),
    ].filter((id): id is string => id !== undefined && id !== request.application.subjectId),
  );
}

/** The answer, or undefined when there is no directory or it failed. */
function quietly<T>(promise: Promise<T> | undefined): Promise<T | undefined> {
  return (promise ?? Promise.resolve(undefined)).catch(() => undefined);
}
